"""Benchmark: `orders recur run` for N recurring orders (3 lines each), one period each,
against its floor: raw sqlite3 inserting the same invoice and line rows, one transaction
per invoice as recur run does, with the same durability (WAL, ``synchronous=FULL``: every
commit on the disk before the next). Reports invoices per second and the ratio; also, with
no floor, ``recur run --dry-run`` before the run and ``remind run`` after it (on a day when
every new invoice is overdue).

    python bench/recur_run.py                  # N = 10,000
    python bench/recur_run.py --orders 2000    (--n is the old spelling)

``measure()`` returns the figures for bench/all.py.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path


def orders_cmd(env: dict, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "orders_cli", *args], env=env, input=stdin, capture_output=True, text=True, check=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", "--n", dest="n", type=int, default=10_000, help="recurring orders, one invoice each (default 10000)")
    args = parser.parse_args()
    r = measure(args.n)
    made = r["invoices"]
    print(f"recur run --dry-run: {r['dry_run_s']:.2f} s for {made} invoices (whole process)")
    print(f"recur run: {made} invoices in {r['seconds']:.2f} s = {r['per_s']:,.0f} invoices/s (whole process, start-up included)")
    print(f"floor (raw sqlite3, same rows, one transaction each, synchronous=FULL): {r['floor_per_s']:,.0f} invoices/s")
    print(f"ratio recur run / floor: {r['seconds'] / r['floor_s']:.1f}x slower")
    print(f"remind run (every invoice overdue): {r['remind_s']:.2f} s, {r['reminders']} reminders recorded")


def measure(n: int = 10_000) -> dict:
    """recur run of ``n`` recurring orders next to its floor; recur run --dry-run and remind run."""
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-"))
    try:
        return run(n, tmp)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def run(n: int, tmp: Path) -> dict:
    env = {**os.environ, "ORDERS_DB": str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"), "ORDERS_TODAY": "2026-11-28"}
    orders_cmd(env, "demo")
    feed = tmp / "orders.jsonl"
    with open(feed, "w") as fh:
        for i in range(n):
            fh.write(json.dumps({"subject": f"Contract {i}", "account": "Café Müller",
                                 "lines": [{"sku": "MAINT", "quantity": "1"}, {"sku": "MUG", "quantity": "2"}, {"sku": "BOOK", "quantity": "1.5"}],
                                 "recurrence": {"frequency": "monthly", "start": "2026-11-01"}}) + "\n")
    orders_cmd(env, "order", "add", "--from-json", str(feed))
    t0 = time.perf_counter()
    dry = orders_cmd(env, "recur", "run", "--date", "2026-11-28", "--dry-run", "--json")
    dry_run = time.perf_counter() - t0
    assert len(json.loads(dry.stdout)["invoices"]) == n
    t0 = time.perf_counter()
    out = orders_cmd(env, "recur", "run", "--date", "2026-11-28", "--json")
    elapsed = time.perf_counter() - t0
    made = len(json.loads(out.stdout)["invoices"])
    assert made == n, made

    late = {**env, "ORDERS_TODAY": "2027-01-31"}  # every invoice of 2026-11-28 (30 days) is overdue: level 1 or 2 due
    t0 = time.perf_counter()
    orders_cmd(late, "remind", "run")
    remind = time.perf_counter() - t0
    con = sqlite3.connect(tmp / "orders.db")
    (reminders,) = con.execute("SELECT count(*) FROM reminder").fetchone()
    con.close()

    # floor: the same rows with raw sqlite3, one transaction per invoice, every commit durable
    con = sqlite3.connect(tmp / "orders.db", isolation_level=None)
    inv_rows = con.execute("SELECT * FROM invoice").fetchall()
    inv_cols = [d[0] for d in con.execute("SELECT * FROM invoice LIMIT 0").description]
    line_rows = con.execute("SELECT * FROM invoice_line ORDER BY invoice_id").fetchall()
    line_cols = [d[0] for d in con.execute("SELECT * FROM invoice_line LIMIT 0").description]
    con.close()
    floor_db = tmp / "floor.db"
    con = sqlite3.connect(floor_db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=FULL")  # what the CLI sets (store/database.py): the same durability
    con.execute(f"CREATE TABLE invoice ({', '.join(inv_cols)})")
    con.execute(f"CREATE TABLE invoice_line ({', '.join(line_cols)})")
    by_invoice: dict = {}
    iid = line_cols.index("invoice_id")
    for row in line_rows:
        by_invoice.setdefault(row[iid], []).append(row)
    ins_inv = f"INSERT INTO invoice VALUES ({', '.join('?' * len(inv_cols))})"
    ins_line = f"INSERT INTO invoice_line VALUES ({', '.join('?' * len(line_cols))})"
    t0 = time.perf_counter()
    for row in inv_rows:
        con.execute("BEGIN IMMEDIATE")
        con.execute(ins_inv, row)
        con.executemany(ins_line, by_invoice.get(row[0], []))
        con.execute("COMMIT")
    floor = time.perf_counter() - t0
    con.close()
    return {"invoices": made, "seconds": elapsed, "per_s": made / elapsed, "floor_s": floor, "floor_per_s": made / floor,
            "dry_run_s": dry_run, "remind_s": remind, "reminders": reminders}


if __name__ == "__main__":
    main()
