"""`recur run` as cron runs it, in real processes: four runs started at the same moment, and
runs killed with SIGKILL half way then started again. Every due period must be invoiced
exactly once, the invoice numbers must stay gap-free, and the database must stay sound."""

from __future__ import annotations

import json
import os
import random
import signal
import subprocess
import sys
import time
from datetime import date
from pathlib import Path

import pytest
from conftest import clone_db, freeze_db, ok, raw_connect, spawn, sql

pytestmark = pytest.mark.slow

ORDERS = 40
START = date(2025, 1, 31)
AS_OF = "2026-11-28"


def expected_starts() -> list[str]:
    from orders_cli.core import schedule

    starts = [p.start.isoformat() for p in schedule.due_periods(START, "monthly", date.fromisoformat(AS_OF))]
    # 2025-01-31 .. 2026-10-31 (clamped to month ends); 2026-11-30 is after AS_OF
    assert len(starts) == 22 and starts[1] == "2025-02-28" and starts[-1] == "2026-10-31"
    return starts


@pytest.fixture
def base_db(isolated) -> str:
    """40 monthly recurring orders (3 lines each) created by `order add --from-json` (JSON lines)."""
    from orders_cli import store

    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    for sku, price in (("HOST", "10.00"), ("BACKUP", "2.50"), ("SUPPORT", "45.00")):
        ok("product", "add", sku, "--name", sku.title(), "--price", price, "--tax", "VAT20", "--service")
    store.dispose_all()
    lines = [
        json.dumps({
            "subject": f"Contract {i:02d}", "account": {"name": "Acme"},
            "lines": [{"sku": "HOST", "quantity": "1"}, {"sku": "BACKUP", "quantity": str(i % 5 + 1)},
                      {"sku": "SUPPORT", "quantity": "0.5"}],
            "recurrence": {"frequency": "monthly", "start": START.isoformat(), "due_days": 15},
        })
        for i in range(ORDERS)
    ]
    source = isolated / "orders.jsonl"
    source.write_text("\n".join(lines) + "\n", encoding="utf-8")
    r = spawn("order", "add", "--from-json", str(source), "--json")
    assert r.returncode == 0, r.stderr
    assert json.loads(r.stdout) == {"imported": ORDERS, "first": "SO-00001", "last": f"SO-{ORDERS:05d}"}
    path = os.environ["ORDERS_DB"]
    assert sql("SELECT count(*) FROM recurrence WHERE enabled") == [(ORDERS,)]
    assert sql("SELECT count(*) FROM invoice") == [(0,)]
    return freeze_db(path)


def fresh_copy(base: str, folder: Path, name: str) -> str:
    """A copy of the base database (a file in ``folder``, or a new PostgreSQL database)."""
    return clone_db(base, str(folder / name))


def popen_run(db: str, *extra: str) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "orders_cli", "recur", "run", "--date", AS_OF, *extra],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "ORDERS_DB": str(db)},
    )


def invoice_rows(db: str) -> list[tuple]:
    return sql(
        "SELECT i.number, o.number, i.period_start, i.recurring, "
        "(SELECT count(*) FROM invoice_line l WHERE l.invoice_id = i.id) "
        "FROM invoice i JOIN sales_order o ON o.id = i.order_id ORDER BY i.number",
        target=db,
    )


def check_consistent(db: str, complete: bool) -> int:
    """No duplicate period, numbers INV-00001..INV-N without a gap, every invoice whole (3 lines);
    with ``complete``, every due period of every order invoiced. Returns N."""
    rows = invoice_rows(db)
    numbers = [r[0] for r in rows]
    assert numbers == [f"INV-{n:05d}" for n in range(1, len(rows) + 1)], "gap or duplicate in the numbering"
    keys = [(r[1], str(r[2])) for r in rows]
    assert len(keys) == len(set(keys)), "a period was invoiced twice"
    assert all(r[3] for r in rows) and all(r[4] == 3 for r in rows), "a half-written invoice"
    wanted = {(f"SO-{i:05d}", s) for i in range(1, ORDERS + 1) for s in expected_starts()}
    assert set(keys) <= wanted
    if complete:
        assert set(keys) == wanted
        assert len(rows) == ORDERS * len(expected_starts()) == 880
    # each order's invoices are its oldest periods (billed oldest first, none skipped)
    per_order: dict[str, list[str]] = {}
    for order, start in keys:
        per_order.setdefault(order, []).append(start)
    for starts in per_order.values():
        assert sorted(starts) == expected_starts()[: len(starts)]
    assert sql("SELECT count(*) FROM status_history WHERE doc_type = 'invoice'", target=db) == [(len(rows),)]
    return len(rows)


def test_four_concurrent_runs_bill_every_period_exactly_once(base_db, tmp_path):
    db = fresh_copy(base_db, tmp_path / "concurrent", "orders.db")
    procs = [popen_run(db, "--json") for _ in range(4)]
    outs = [p.communicate(timeout=120) for p in procs]
    for p, (out, err) in zip(procs, outs):
        assert p.returncode == 0, err
        assert "Traceback" not in err
    made = [inv for out, _ in outs for inv in json.loads(out)["invoices"]]
    assert all(not json.loads(out)["failed"] for out, _ in outs)
    # together the four runs report each invoice once
    assert len(made) == 880
    assert len({i["number"] for i in made}) == 880
    assert len({(i["order"], i["period_start"]) for i in made}) == 880
    assert check_consistent(db, complete=True) == 880
    # a fifth run finds nothing left
    again = spawn("recur", "run", "--date", AS_OF, "--json", env={"ORDERS_DB": str(db)})
    assert again.returncode == 0 and json.loads(again.stdout)["invoices"] == []
    check = spawn("db", "check", env={"ORDERS_DB": str(db)})
    assert check.returncode == 0, check.stderr


def kill_when(proc: subprocess.Popen, db: str, at_least: int, seconds: float = 60) -> None:
    """SIGKILL ``proc`` as soon as the database holds ``at_least`` invoices (or when it ends):
    the kill lands at a point of the run, whatever the machine's speed."""
    deadline = time.monotonic() + seconds
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            n = sql("SELECT count(*) FROM invoice", target=db)[0][0]
        except Exception:  # the database is being written: try again
            n = 0
        if n >= at_least:
            proc.send_signal(signal.SIGKILL)
            break
        time.sleep(0.005)


def test_killed_runs_resume_without_duplicates_or_gaps(base_db, tmp_path):
    """Killed early, half way and near the end (SIGKILL, at a random invoice count in each third
    of the run), then started again: the second run finishes exactly what the first left."""
    rng = random.Random(20261128)
    targets = [rng.randint(1, 150), rng.randint(300, 550), rng.randint(650, 800)]
    partial = []
    for n, target in enumerate(targets):
        db = fresh_copy(base_db, tmp_path / f"crash{n}", "orders.db")
        proc = popen_run(db)
        kill_when(proc, db, target)
        proc.communicate(timeout=60)
        made = check_consistent(db, complete=False)
        partial.append((target, made, proc.returncode))
        # started again, the job finishes what the killed one left
        r = spawn("recur", "run", "--date", AS_OF, "--json", env={"ORDERS_DB": str(db)})
        assert r.returncode == 0, r.stderr
        assert len(json.loads(r.stdout)["invoices"]) == 880 - made
        assert check_consistent(db, complete=True) == 880
        check = spawn("db", "check", env={"ORDERS_DB": str(db)})
        assert check.returncode == 0, check.stdout + check.stderr
    print("kills (target, invoices made, exit):", partial)
    # the kills landed at different points, in the middle of the run, by SIGKILL
    assert all(0 < made < 880 for _, made, _ in partial), partial
    assert len({made for _, made, _ in partial}) == len(partial), partial
    assert all(code == -signal.SIGKILL for _, _, code in partial), partial


def test_repeated_kills_on_one_database(base_db, tmp_path):
    """Killed again and again on the same file (each run resuming the last), then finished."""
    db = fresh_copy(base_db, tmp_path / "repeat", "orders.db")
    counts = []
    for target in (120, 400, 650):
        proc = popen_run(db)
        kill_when(proc, db, target)
        proc.communicate(timeout=60)
        counts.append(check_consistent(db, complete=False))
    print("repeated kills:", counts)
    assert counts == sorted(counts) and 120 <= counts[0] and counts[-1] < 880, counts
    r = spawn("recur", "run", "--date", AS_OF, env={"ORDERS_DB": str(db)})
    assert r.returncode == 0, r.stderr
    assert check_consistent(db, complete=True) == 880
    assert spawn("db", "check", env={"ORDERS_DB": str(db)}).returncode == 0


def write_lock_free(db: str) -> bool:
    """Whether a writer could start now (SQLite: BEGIN IMMEDIATE without waiting; PostgreSQL: the
    writers' advisory lock, store.WRITE_LOCK_KEY, free)."""
    from orders_cli import store

    if "://" in db and not db.startswith("sqlite"):
        con = raw_connect(db)
        try:
            return bool(con.execute(f"SELECT pg_try_advisory_xact_lock({store.WRITE_LOCK_KEY})").fetchone()[0])
        finally:
            con.rollback()
            con.close()
    import sqlite3

    con = sqlite3.connect(db.removeprefix("sqlite:///"), timeout=0, isolation_level=None)
    try:
        con.execute("BEGIN IMMEDIATE")
        con.execute("ROLLBACK")
        return True
    except sqlite3.OperationalError:
        return False
    finally:
        con.close()


def pause_between_transactions(proc: subprocess.Popen, db: str) -> None:
    """Stop ``proc`` (SIGSTOP) at a moment it holds no write transaction, as a machine too busy
    to schedule it would leave it: other writers then get the database at once."""
    while True:
        proc.send_signal(signal.SIGSTOP)
        if write_lock_free(db):
            return
        proc.send_signal(signal.SIGCONT)
        time.sleep(0.001)


def test_changes_made_by_another_process_during_a_catch_up_are_honoured(base_db, tmp_path):
    """While a long catch-up runs, another process turns the last order off, cancels the one
    before and edits a line of the one before that: from then on the run bills none of the
    first two and the third at its new quantity. (The run is paused between two of its
    transactions while the changes are made: a run billing hundreds of invoices a second would
    otherwise reach the changed orders first, a waiting SQLite writer getting the database
    only when its busy retries fall between the run's transactions.)"""
    db = fresh_copy(base_db, tmp_path / "changed", "orders.db")
    env = {"ORDERS_DB": str(db)}
    proc = popen_run(db, "--json")
    deadline = time.monotonic() + 60
    while proc.poll() is None and time.monotonic() < deadline:
        try:
            n = sql("SELECT count(*) FROM invoice", target=db)[0][0]
        except Exception:  # the database is being written: try again
            n = 0
        if n:
            break
        time.sleep(0.02)
    paused = proc.poll() is None
    if paused:
        pause_between_transactions(proc, str(db))
    try:
        changers = [subprocess.Popen([sys.executable, "-m", "orders_cli", *args], stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                     env={**os.environ, **env})
                    for args in (("recur", "off", "SO-00040"), ("order", "status", "SO-00039", "cancelled"),
                                 ("order", "line", "edit", "SO-00038", "1", "--qty", "7"))]
        for c in changers:
            _, cerr = c.communicate(timeout=120)
            assert c.returncode == 0, cerr
    finally:
        if paused:
            proc.send_signal(signal.SIGCONT)
    billed_then = {o: sql(f"SELECT count(*) FROM invoice i JOIN sales_order o ON o.id = i.order_id WHERE o.number = '{o}'", target=db)[0][0]
                   for o in ("SO-00038", "SO-00039", "SO-00040")}
    out, err = proc.communicate(timeout=180)
    assert proc.returncode == 0, err
    if not paused or any(billed_then.values()):
        pytest.skip(f"the run reached the changed orders before the changes (machine too slow or too fast): {billed_then}")
    made = json.loads(out)["invoices"]
    assert not [i for i in made if i["order"] in ("SO-00039", "SO-00040")]
    rows = sql("SELECT l.quantity FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id JOIN sales_order o ON o.id = i.order_id "
               "WHERE o.number = 'SO-00038' AND l.line_no = 1", target=db)
    assert len(rows) == 22 and {str(q).rstrip("0").rstrip(".") for (q,) in rows} == {"7"}
    assert len(made) == 880 - 2 * 22
    check = spawn("db", "check", env=env)
    assert check.returncode == 0, check.stdout + check.stderr
