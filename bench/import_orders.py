"""Benchmark: bulk import of orders with ``orders order add --from-json FILE``.

Builds a temporary database with a small catalog, writes N orders (3 lines each) as
JSON lines, imports them in a child process, and reports orders per second and the
child's peak memory. As a floor it inserts the very same rows (orders, lines, status
history) into a copy of the catalog-only database with raw ``sqlite3`` ``executemany``,
and reports the ratio.

    python bench/import_orders.py            # 100,000 orders
    python bench/import_orders.py --n 20000

``measure()`` returns the figures for bench/all.py. The peak is the child's own maximum
resident set, read with ``/usr/bin/time -f %M`` (bench/big_db.timed).
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

sys.path.insert(0, str(Path(__file__).resolve().parent))
from big_db import timed  # noqa: E402  (wall time and the child's peak RSS)

CATALOG = [
    ("db", "init"),  # a missing database is refused by every other command (issue 18)
    ("tax", "add", "VAT20", "--rate", "20"),
    ("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas"),
    ("tax", "add", "VAT5.5", "--rate", "5.5"),
    ("account", "add", "Acme", "--billing-street", "1 rue de la Paix", "--billing-city", "Paris", "--billing-postal-code", "75002", "--billing-country", "FR"),
    ("account", "add", "Reunion Co", "--tax-region", "overseas"),
    ("product", "add", "BOOK", "--name", "Book", "--price", "19.99", "--tax", "VAT5.5"),
    ("product", "add", "CONSULT", "--name", "Consulting", "--price", "120.00", "--tax", "VAT20", "--service", "--unit", "h"),
    ("product", "add", "MUG", "--name", "Mug", "--price", "8.50", "--tax", "VAT20"),
]


def build_catalog(env: dict) -> None:
    """In this process (so RUSAGE_CHILDREN measures the import alone)."""
    os.environ.update(env)
    from orders_cli import store
    from orders_cli.cli.app import main

    for args in CATALOG:
        with open(os.devnull, "w") as null:
            saved = sys.stdout
            sys.stdout = null
            try:
                code = main(list(args))
            finally:
                sys.stdout = saved
        if code != 0:
            raise SystemExit(f"catalog setup failed: orders {' '.join(args)}")
    store.dispose_all()


def write_orders(path: Path, n: int) -> int:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            doc = {
                "subject": f"Bulk order {i}",
                "account": "Acme" if i % 3 else "Reunion Co",
                "customer_ref": f"C-{i}",
                "order_date": f"2026-{1 + i % 12:02d}-{1 + i % 28:02d}",
                "discount": "5%" if i % 4 == 0 else None,
                "shipping_charge": "9.90" if i % 2 else "0.00",
                "lines": [
                    {"sku": "BOOK", "quantity": str(1 + i % 7)},
                    {"sku": "CONSULT", "quantity": "2.5", "unit_price": "99.5000", "discount": "10%"},
                    {"sku": "MUG", "quantity": "3", "discount": "1.50"},
                ],
            }
            f.write(json.dumps(doc) + "\n")
    return path.stat().st_size


def checkpoint(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def floor_insert(imported_db: Path, floor_db: Path) -> tuple[float, int]:  # float-ok: timing
    """Insert the imported rows into the catalog-only copy with executemany; (seconds, rows)."""
    src = sqlite3.connect(imported_db)
    tables = ("sales_order", "order_line", "status_history")
    data = {}
    for t in tables:
        cols = [r[1] for r in src.execute(f'PRAGMA table_info("{t}")')]
        data[t] = (cols, src.execute(f'SELECT {", ".join(cols)} FROM "{t}"').fetchall())
    seq = src.execute("SELECT last_value FROM sequence WHERE doc_type = 'order'").fetchone()[0]
    src.close()
    con = sqlite3.connect(floor_db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    start = time.perf_counter()
    con.execute("BEGIN IMMEDIATE")
    rows = 0
    for t in tables:
        cols, values = data[t]
        con.executemany(f'INSERT INTO "{t}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})', values)
        rows += len(values)
    con.execute("UPDATE sequence SET last_value = ? WHERE doc_type = 'order'", (seq,))
    con.execute("COMMIT")
    elapsed = time.perf_counter() - start
    con.close()
    return elapsed, rows


def measure(n: int = 100_000, keep: bool = False) -> dict:
    """Import ``n`` orders in a child next to the executemany floor; figures in seconds and MiB."""
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-"))
    db, floor_db, source = tmp / "orders.db", tmp / "floor.db", tmp / "orders.jsonl"
    env = {
        "ORDERS_DB": str(db),
        "ORDERS_CONFIG": str(tmp / "config.toml"),
        "ORDERS_TODAY": "2026-11-28",
        "NO_COLOR": "1",
        "HOME": str(tmp),
        "XDG_DATA_HOME": str(tmp / "xdg-data"),
        "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
    }
    try:
        build_catalog(env)
        checkpoint(db)
        shutil.copyfile(db, floor_db)
        size = write_orders(source, n)
        child_env = {**os.environ, **env}
        startup, _, _ = timed([sys.executable, "-m", "orders_cli", "--version"], env=child_env)
        elapsed, peak_kb, proc = timed([sys.executable, "-m", "orders_cli", "order", "add", "--from-json", str(source), "--json"],
                                       env=child_env, stdout=subprocess.PIPE)
        result = json.loads(proc.stdout.read())
        if result["imported"] != n:
            raise SystemExit(f"imported {result['imported']}, expected {n}")
        checkpoint(db)
        floor, rows = floor_insert(db, floor_db)
        return {"orders": n, "json_mb": size / 1e6, "seconds": elapsed, "startup_s": startup, "per_s": n / elapsed,
                "peak_mib": peak_kb / 1024, "floor_s": floor, "floor_rows": rows, "floor_per_s": n / floor,
                "first": result["first"], "last": result["last"], "tmp": str(tmp) if keep else None}
    finally:
        if not keep:
            shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=100_000, help="orders to import (default 100000)")
    parser.add_argument("--keep", action="store_true", help="keep the temporary folder")
    opts = parser.parse_args()
    if opts.n < 1:
        parser.error("--n must be at least 1")
    r = measure(opts.n, opts.keep)
    print(f"orders:           {opts.n:,} (3 lines each), JSON lines {r['json_mb']:.1f} MB")
    print(f"import:           {r['seconds']:.2f} s wall ({r['startup_s']:.2f} s of it start-up), {r['per_s']:,.0f} orders/s")
    print(f"peak memory:      {r['peak_mib']:.0f} MiB (child max RSS)")
    print(f"sqlite3 floor:    {r['floor_s']:.2f} s for the same {r['floor_rows']:,} rows with executemany, {r['floor_per_s']:,.0f} orders/s")
    print(f"ratio:            import is {r['seconds'] / r['floor_s']:.1f}x the floor")
    print(f"numbers:          {r['first']} .. {r['last']}")
    if r["tmp"]:
        print(f"kept {r['tmp']}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
