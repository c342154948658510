"""Load: N real `python -m orders_cli` processes at once for a bounded time, mixing
`order add`, `order convert invoice`, `usage add` and `recur run` on one database (the
SQLite file, or PostgreSQL on the ORDERS_TEST_PG pass). Afterwards every invariant holds
(tests/invariants.py), and no command failed for being in another's way: no "database is
locked", no serialization failure, no deadlock; writers wait for each other.

Size: ORDERS_LOAD_PROCS (default 4) processes for ORDERS_LOAD_SECONDS (default 10) seconds."""

from __future__ import annotations

import json
import os
import random
import subprocess
import sys
import threading
import time
from collections import Counter

import pytest
from conftest import BACKEND, ok, spawn, sql
from invariants import violations

pytestmark = pytest.mark.slow

PROCS = int(os.environ.get("ORDERS_LOAD_PROCS", "4"))
SECONDS = float(os.environ.get("ORDERS_LOAD_SECONDS", "10"))
AS_OF = "2026-11-28"
RECURRING = 8  # monthly orders from 2025-01-31: 22 due periods each by AS_OF

# refusals a correct program may give under this mix (a convert of an order that is already
# fully invoiced, a percent that no longer fits); anything else is a failure
EXPECTED_REFUSALS = {"convert": {"over_quantity"}}
BUSY_WORDS = ("database is locked", "busy", "could not serialize", "deadlock", "lock timeout", "Traceback")


def build_base() -> list[str]:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "HOST", "--name", "Hosting", "--price", "10.00", "--tax", "VAT20", "--service")
    ok("product", "add", "DISK", "--name", "Disk", "--price", "2.50", "--tax", "VAT20")
    ok("product", "add", "CPU", "--name", "CPU hours", "--price", "0.35", "--tax", "VAT20", "--service")
    numbers = []
    for i in range(RECURRING):
        n = ok("order", "add", "--json", "--subject", f"Contract {i}", "--account", "Acme", "--line", "HOST:1", "--line", f"DISK:{i + 1}").json()["number"]
        ok("recur", "set", n, "--frequency", "monthly", "--start", "2025-01-31", "--usage")
        numbers.append(n)
    return numbers


def worker(seed: int, deadline: float, recurring: list[str], created: list[str], lock: threading.Lock, log: list) -> None:
    rng = random.Random(seed)
    while time.monotonic() < deadline:
        kind = rng.choices(["add", "convert", "usage", "recur"], weights=[35, 30, 20, 15])[0]
        if kind == "add":
            args = ["order", "add", "--json", "--subject", f"Load {seed}", "--account", "Acme",
                    "--line", f"DISK:{rng.randint(1, 9)}", "--line", f"HOST:{rng.randint(1, 3)}", "--discount", rng.choice(["0%", "5%", "1.00"])]
        elif kind == "convert":
            with lock:
                pool = list(created) or list(recurring)
            order = rng.choice(pool)
            args = ["order", "convert", "invoice", order, "--json"] + rng.choice(
                [["--percent", str(rng.choice([10, 25, 50]))], ["--line", "1:1"], []])
        elif kind == "usage":
            args = ["usage", "add", rng.choice(recurring), "--product", "CPU", "--qty", str(rng.randint(1, 40) / 4),
                    "--date", f"2026-{rng.randint(1, 11):02d}-{rng.randint(1, 28):02d}", "--json"]
        else:
            args = ["recur", "run", "--date", AS_OF, "--json"]
        started = time.monotonic()
        r = subprocess.run([sys.executable, "-m", "orders_cli", *args], capture_output=True, text=True, timeout=120, env=dict(os.environ))
        took = time.monotonic() - started
        verdict = "ok"
        if r.returncode != 0:
            try:
                code = json.loads(r.stderr.strip().splitlines()[-1])["error"]["code"] if kind != "recur" else "failed"
            except (ValueError, KeyError, IndexError):
                code = "unparsable"
            verdict = "refused" if r.returncode == 1 and code in EXPECTED_REFUSALS.get(kind, ()) else "FAILED"
        if any(w in r.stderr for w in BUSY_WORDS):
            verdict = "FAILED"
        if verdict == "ok" and kind == "add":
            with lock:
                created.append(json.loads(r.stdout)["number"])
        if verdict == "ok" and kind == "recur" and json.loads(r.stdout)["failed"]:
            verdict = "FAILED"
        with lock:
            log.append((kind, verdict, took, r.returncode, r.stderr.strip()[-300:]))


def test_mixed_load_keeps_every_invariant(isolated, capsys):
    recurring = build_base()
    from orders_cli import store

    store.dispose_all()
    created: list[str] = []
    log: list[tuple] = []
    lock = threading.Lock()
    started = time.monotonic()
    deadline = started + SECONDS
    threads = [threading.Thread(target=worker, args=(seed, deadline, recurring, created, lock, log)) for seed in range(PROCS)]
    for t in threads:
        t.start()
    live = []  # meanwhile a reader checks, in one snapshot at a time, that all it sees is whole
    while any(t.is_alive() for t in threads):
        live.append(violations())
        time.sleep(0.5)
    for t in threads:
        t.join()
    wall = time.monotonic() - started
    counts = Counter((kind, verdict) for kind, verdict, *_ in log)
    failures = [entry for entry in log if entry[1] == "FAILED"]
    slowest = max((took for _, _, took, *_ in log), default=0)
    with capsys.disabled():  # the figures belong in the CI log
        print(f"\nload on {BACKEND}: {PROCS} processes x {SECONDS:g} s: {len(log)} commands in {wall:.1f} s = "
              f"{len(log) / wall:.1f} commands/s; slowest {slowest:.2f} s; failures {len(failures)}; "
              f"{len(live)} invariant checks while they ran")
        print("  " + ", ".join(f"{k} {v}: {n}" for (k, v), n in sorted(counts.items())))
        for f in failures[:10]:
            print("  FAILED", f)
    assert not failures, failures[:5]
    assert [bad for bad in live if bad] == []
    assert len(log) >= PROCS, "the load did not run"
    assert {k for k, v in counts if v == "ok"} >= {"add", "usage"}
    # everything still due is billed by one more run, nothing twice
    r = spawn("recur", "run", "--date", AS_OF, "--json")
    assert r.returncode == 0, r.stderr
    assert sql("SELECT count(*) FROM invoice WHERE recurring") == [(RECURRING * 22,)]
    assert violations() == []
    check = spawn("db", "check")
    assert check.returncode == 0, check.stdout + check.stderr
