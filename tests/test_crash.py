"""Crash: write-heavy commands (a big `order add --from-json` batch, `recur run`, `order
convert invoice`) started as real processes, three at a time on one database, and killed with
SIGKILL at random moments, round after round. After every round the database passes
`orders db check` and every invariant holds (tests/invariants.py): nothing half-written is
visible (a batch is all or nothing, no invoice without its lines or with totals that do not
match them, no number gap). At the end, a run to completion bills every due period once.

Size: ORDERS_CRASH_TRIALS kills (default 60), within ORDERS_CRASH_SECONDS (default 100)."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time

import pytest
from conftest import BACKEND, ok, spawn, sql
from invariants import violations

pytestmark = pytest.mark.slow

TRIALS = int(os.environ.get("ORDERS_CRASH_TRIALS", "60"))
BUDGET = float(os.environ.get("ORDERS_CRASH_SECONDS", "100"))
BATCH = int(os.environ.get("ORDERS_CRASH_BATCH", "1500"))
RECURRING = 10
AS_OF = "2026-11-28"
DUE = 22  # monthly periods from 2025-01-31 due by AS_OF


def popen(*args: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "orders_cli", *args], stdout=subprocess.DEVNULL,
                            stderr=subprocess.PIPE, text=True, env=dict(os.environ))


def test_sigkill_at_random_moments_leaves_nothing_half_written(isolated, capsys):
    rng = random.Random(int(os.environ.get("ORDERS_CRASH_SEED", "8")))
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "HOST", "--name", "Hosting", "--price", "10.00", "--tax", "VAT20", "--service")
    ok("product", "add", "DISK", "--name", "Disk", "--price", "2.50", "--tax", "VAT20")
    batch = isolated / "batch.jsonl"
    batch.write_text("".join(
        json.dumps({"subject": f"Batch {i}", "account": {"name": "Acme"},
                    "lines": [{"sku": "HOST", "quantity": "1"}, {"sku": "DISK", "quantity": str(i % 7 + 1)}],
                    **({"recurrence": {"frequency": "monthly", "start": "2025-01-31"}} if i < RECURRING else {})}) + "\n"
        for i in range(BATCH)), encoding="utf-8")
    from orders_cli import store

    store.dispose_all()
    # how long a process takes to start and open the database here, and one batch to completion
    # (its first orders recur): kills are timed between the two, while the commands write
    t0 = time.monotonic()
    assert spawn("tax", "list").returncode == 0
    startup = time.monotonic() - t0
    t0 = time.monotonic()
    r = spawn("order", "add", "--from-json", batch)
    assert r.returncode == 0, r.stderr
    whole = time.monotonic() - t0
    window = (startup * 0.9, max(whole * 1.6, startup * 2))  # three at once on a busy machine: slower

    started = time.monotonic()
    kills = finished = rounds = progressed = live_checks = 0
    while kills < TRIALS and time.monotonic() - started < BUDGET:
        rounds += 1
        n_orders = sql("SELECT count(*) FROM sales_order")[0][0]
        n_invoices = sql("SELECT count(*) FROM invoice")[0][0]
        procs = []
        for _ in range(3):
            kind = rng.choice(["batch", "recur", "convert"])
            if kind == "batch":
                args = ["order", "add", "--from-json", str(batch)]
            elif kind == "recur":
                args = ["recur", "run", "--date", AS_OF]
            else:
                args = ["order", "convert", "invoice", f"SO-{rng.randint(RECURRING + 1, n_orders):05d}",
                        *rng.choice([["--percent", "25"], ["--line", "2:1"], []])]
            procs.append((popen(*args), rng.uniform(*window)))
        t = time.monotonic()
        for proc, delay in sorted(procs, key=lambda p: p[1]):
            # while they run, a reader sees whole documents only
            while time.monotonic() < t + delay - 0.3:
                bad = violations(batch=BATCH)
                assert bad == [], f"seen while round {rounds} ran: {bad[:5]}"
                live_checks += 1
            time.sleep(max(0.0, t + delay - time.monotonic()))
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
                kills += 1
            else:
                finished += 1
        for proc, _ in procs:
            _, err = proc.communicate(timeout=60)
            if proc.returncode not in (0, -signal.SIGKILL):
                # a finished command may be refused (an order fully invoiced), never crash or time out
                assert proc.returncode == 1 and "Traceback" not in err and "locked" not in err, err
        bad = violations(batch=BATCH)
        assert bad == [], f"after round {rounds}: {bad[:5]}"
        orders = sql("SELECT count(*) FROM sales_order")[0][0]
        if any(p.returncode == -signal.SIGKILL for p, _ in procs) and (orders, sql("SELECT count(*) FROM invoice")[0][0]) != (n_orders, n_invoices):
            progressed += 1  # killed in a round that committed work: the kills landed mid-run
        check = spawn("db", "check") if rounds % 10 == 0 else None  # in-process below every round
        if check is not None:
            assert check.returncode == 0, check.stdout + check.stderr
        ok("db", "check")
        store.dispose_all()
    elapsed = time.monotonic() - started
    with capsys.disabled():  # the figures belong in the CI log
        print(f"\ncrash on {BACKEND}: {kills} SIGKILLs mid-command, {finished} commands finished before their kill, "
              f"{rounds} rounds in {elapsed:.1f} s, {live_checks} invariant checks while they ran, {progressed} of them with kills while other work committed "
              f"(kills {window[0]:.2f}-{window[1]:.2f} s after start; start-up {startup:.2f} s, a whole batch {whole:.2f} s)")
    assert kills >= min(TRIALS, 50) or elapsed >= BUDGET, (kills, elapsed)
    assert kills >= 10, "the kills did not land while the commands ran"
    # started again, the job finishes what the killed runs left: every due period once
    r = spawn("recur", "run", "--date", AS_OF, "--json")
    assert r.returncode == 0, r.stderr
    recurring = sql("SELECT count(*) FROM recurrence")[0][0]
    assert recurring % RECURRING == 0 and recurring >= RECURRING  # whole batches only
    assert sql("SELECT count(*) FROM invoice WHERE recurring") == [(recurring * DUE,)]
    assert violations() == []
    assert spawn("db", "check").returncode == 0
