"""Benchmark: `orders recur run` for N recurring orders (3 lines each), one period each,
against its floor: raw sqlite3 inserting the same invoice and line rows, one transaction
per invoice as recur run does, with the same durability (WAL, ``synchronous=FULL``: every
commit on the disk before the next). Reports invoices per second and the ratio; also, with
no floor, ``recur run --dry-run`` before the run and ``remind run`` after it (on a day when
every new invoice is overdue).

A second floor shows what the schema itself costs: ``replay`` runs recur run's own statements
again with raw sqlite3 on a copy of the database as it was before the run (its indexes, its
triggers and their summary rows): per invoice the period's read, the counter's bump, the
chronology check, the invoice, its lines and its status row, in one ``BEGIN IMMEDIATE``
transaction with the same durability, and no Python between them but the loop. No recur run
on this database can go faster than that.

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
    print(f"its statements replayed on the real schema (raw sqlite3): {r['replay_per_s']:,.0f} invoices/s, "
          f"{r['replay_s'] / r['floor_s']:.1f}x the floor; recur run is {r['seconds'] / r['replay_s']:.1f}x the replay")
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
    before = tmp / "before.db"  # the book as recur run finds it, for the replay
    with sqlite3.connect(tmp / "orders.db") as src, sqlite3.connect(before) as dst:
        src.backup(dst)
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
    replay_s = replay(tmp / "orders.db", before)
    return {"invoices": made, "seconds": elapsed, "per_s": made / elapsed, "floor_s": floor, "floor_per_s": made / floor,
            "replay_s": replay_s, "replay_per_s": made / replay_s, "dry_run_s": dry_run, "remind_s": remind, "reminders": reminders}


def replay(after: Path, before: Path) -> float:
    """Seconds to write again, on ``before`` (the book before the run), the invoices recur run
    made in ``after``: its statements with raw sqlite3, one durable transaction per invoice."""
    src = sqlite3.connect(after)
    con = sqlite3.connect(before)
    (first,) = con.execute("SELECT coalesce(max(id), 0) FROM invoice").fetchone()
    con.close()
    cols = {t: [d[0] for d in src.execute(f"SELECT * FROM {t} LIMIT 0").description] for t in ("invoice", "invoice_line", "status_history")}
    invoices = src.execute("SELECT * FROM invoice WHERE id > ? ORDER BY id", (first,)).fetchall()
    lines: dict = {}
    for r in src.execute("SELECT * FROM invoice_line WHERE invoice_id > ? ORDER BY id", (first,)):
        lines.setdefault(r[cols["invoice_line"].index("invoice_id")], []).append(r)
    status = {r[cols["status_history"].index("doc_id")]: r
              for r in src.execute("SELECT * FROM status_history WHERE doc_type = 'invoice' AND doc_id > ?", (first,))}
    src.close()
    ins = {t: f"INSERT INTO {t} ({', '.join(c)}) VALUES ({', '.join('?' * len(c))})" for t, c in cols.items()}
    read = ("SELECT * FROM recurrence r JOIN sales_order o ON o.id = r.order_id JOIN account a ON a.id = o.account_id "
            "LEFT JOIN order_line l ON l.order_id = o.id WHERE r.order_id = ? ORDER BY l.line_no")
    iid, oid = cols["invoice"].index("id"), cols["invoice"].index("order_id")
    con = sqlite3.connect(before, isolation_level=None)
    for pragma in ("journal_mode=WAL", "foreign_keys=ON", "synchronous=FULL"):  # as store/database.py
        con.execute(f"PRAGMA {pragma}")
    t0 = time.perf_counter()
    for row in invoices:
        con.execute("BEGIN IMMEDIATE")
        con.execute(read, (row[oid],)).fetchall()
        con.execute("UPDATE sequence SET last_value = last_value + 1 WHERE doc_type = 'invoice' RETURNING last_value").fetchall()
        con.execute("SELECT invoice_date, number FROM invoice ORDER BY invoice_date DESC, id DESC LIMIT 1").fetchall()
        con.execute(ins["invoice"], row)
        con.executemany(ins["invoice_line"], lines.get(row[iid], []))
        con.execute(ins["status_history"], status[row[iid]])
        con.execute("COMMIT")
    seconds = time.perf_counter() - t0
    con.close()
    return seconds


if __name__ == "__main__":
    main()
