"""Benchmark: a big database (N orders, 3 lines each, made by ``order add --from-json``)
and the two listings people run on it, each measured next to its floor in the same run.

1. build   ``orders order add --from-json FILE`` of N orders: orders/s and the child's peak
           memory, against raw sqlite3 ``executemany`` of the very same rows (one transaction).
2. account ``orders order list --account A --limit 50 --json`` (a whole process), against the
           ``sqlite3`` shell running the same query with ``-json`` (a whole process too).
3. jsonl   ``orders order list --jsonl`` of every order: rows/s and peak memory, against a
           Python process doing the same query with raw sqlite3 and ``json.dumps`` per row.

The database is built once and kept (``--cache``); later runs reuse it and reprint the
build figures stored beside it. Run it niced; it is long at full size:

    nice python bench/big_db.py                      # 1,000,000 orders (~10 min to build)
    nice python bench/big_db.py --orders 100000
    nice python bench/big_db.py --orders 100000 --rebuild

``jsonl()`` returns the figures of 3. for bench/all.py, on any database with orders.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ACCOUNTS = 100  # orders are spread over this many accounts (plus the catalog's own)
REPEAT = 5

CATALOG = [
    ("db", "init"),  # a missing database is refused by every other command (issue 18)
    ("tax", "add", "VAT20", "--rate", "20"),
    ("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas"),
    ("tax", "add", "VAT5.5", "--rate", "5.5"),
    ("product", "add", "BOOK", "--name", "Book", "--price", "19.99", "--tax", "VAT5.5"),
    ("product", "add", "CONSULT", "--name", "Consulting", "--price", "120.00", "--tax", "VAT20", "--service", "--unit", "h"),
    ("product", "add", "MUG", "--name", "Mug", "--price", "8.50", "--tax", "VAT20"),
]

LIST_SQL = (
    "SELECT o.id, o.number, o.subject, o.status, o.finalized, o.order_date, a.id AS account_id, a.name AS account_name, "
    "o.currency, o.subtotal, o.tax_total, o.total FROM sales_order o JOIN account a ON a.id = o.account_id"
)
ACCOUNT_SQL = LIST_SQL + " WHERE o.account_id = (SELECT id FROM account WHERE name = '{name}') ORDER BY o.order_date DESC, o.id DESC LIMIT 50"
ALL_SQL = LIST_SQL + " ORDER BY o.order_date DESC, o.id DESC"

# The floor of `order list --jsonl`: the same query, the same JSON shape, nothing else.
JSONL_FLOOR = r"""
import json, sqlite3, sys
con = sqlite3.connect(sys.argv[1])
out = sys.stdout
for r in con.execute(sys.argv[2]):
    out.write(json.dumps({"id": r[0], "number": r[1], "subject": r[2], "status": r[3], "finalized": bool(r[4]),
        "order_date": r[5], "account": {"id": r[6], "name": r[7]}, "currency": r[8],
        "subtotal": "%d.%02d" % divmod(r[9], 100), "tax": "%d.%02d" % divmod(r[10], 100),
        "total": "%d.%02d" % divmod(r[11], 100)}, ensure_ascii=False) + "\n")
"""


def account_name(i: int) -> str:
    return f"Customer {i:03d}"


def build_catalog(env: dict) -> None:
    """In this process (a child's peak memory then measures the import alone)."""
    os.environ.update(env)
    from orders_cli import store
    from orders_cli.cli.app import main

    commands = list(CATALOG) + [("account", "add", account_name(i), "--billing-country", "FR") for i in range(ACCOUNTS)]
    with open(os.devnull, "w") as null:
        saved = sys.stdout
        sys.stdout = null
        try:
            for args in commands:
                if main(list(args)) != 0:
                    raise SystemExit(f"catalog setup failed: orders {' '.join(args)}")
        finally:
            sys.stdout = saved
    store.dispose_all()


def write_orders(path: Path, n: int) -> int:
    with path.open("w", encoding="utf-8") as f:
        for i in range(n):
            doc = {
                "subject": f"Order {i}",
                "account": account_name(i % ACCOUNTS),
                "customer_ref": f"C-{i}",
                "order_date": f"{2020 + i % 7}-{1 + i % 12:02d}-{1 + i % 28:02d}",
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


TIME = shutil.which("time", path="/usr/bin:/bin")


def timed(cmd: list[str], env: dict | None = None, stdout=subprocess.DEVNULL) -> tuple[float, int, subprocess.Popen]:  # float-ok: timing
    """Run a process; (wall seconds, its own peak RSS in KiB, the finished Popen).

    The peak comes from /usr/bin/time when there is one: a child forked from this (large)
    process would otherwise report this process's resident size as its own high-water mark.
    """
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as rss:
        full = [TIME, "-f", "%M", "-o", rss.name, *cmd] if TIME else cmd
        start = time.perf_counter()
        proc = subprocess.Popen(full, env=env, stdout=stdout, stderr=subprocess.PIPE)
        _, status, usage = os.wait4(proc.pid, 0)
        elapsed = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode != 0:
            raise SystemExit(f"{' '.join(cmd)} failed:\n{proc.stderr.read().decode(errors='replace')}")
        peak = int(rss.read().split()[-1]) if TIME else usage.ru_maxrss
    return elapsed, peak, proc


def checkpoint(db: Path) -> None:
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.close()


def floor_insert(imported_db: Path, floor_db: Path) -> tuple[float, int]:  # float-ok: timing
    """Insert the imported rows into the catalog-only copy with executemany, in one
    transaction; read in chunks so memory stays flat, and only the inserts are timed."""
    src = sqlite3.connect(imported_db)
    con = sqlite3.connect(floor_db, isolation_level=None)
    con.execute("PRAGMA journal_mode=WAL")
    con.execute("PRAGMA synchronous=NORMAL")
    con.execute("PRAGMA foreign_keys=ON")
    spent = 0.0  # float-ok: timing
    rows = 0
    con.execute("BEGIN IMMEDIATE")
    for t in ("sales_order", "order_line", "status_history"):
        cols = [r[1] for r in src.execute(f'PRAGMA table_info("{t}")')]
        sql = f'INSERT INTO "{t}" ({", ".join(cols)}) VALUES ({", ".join("?" * len(cols))})'
        cur = src.execute(f'SELECT {", ".join(cols)} FROM "{t}" ORDER BY rowid')
        while chunk := cur.fetchmany(100_000):
            start = time.perf_counter()
            con.executemany(sql, chunk)
            spent += time.perf_counter() - start
            rows += len(chunk)
    start = time.perf_counter()
    con.execute("COMMIT")
    spent += time.perf_counter() - start
    con.close()
    src.close()
    return spent, rows


def build(n: int, cache: Path, env: dict) -> dict:
    tmp = Path(tempfile.mkdtemp(prefix="orders-bigdb-", dir=cache.parent))
    db, floor_db, source = tmp / "orders.db", tmp / "floor.db", tmp / "orders.jsonl"
    try:
        build_catalog({**env, "ORDERS_DB": str(db)})
        checkpoint(db)
        shutil.copyfile(db, floor_db)
        size = write_orders(source, n)
        child_env = {**os.environ, **env, "ORDERS_DB": str(db)}
        elapsed, peak_kb, proc = timed([sys.executable, "-m", "orders_cli", "order", "add", "--from-json", str(source), "--json"],
                                       env=child_env, stdout=subprocess.PIPE)
        result = json.loads(proc.stdout.read())
        assert result["imported"] == n, result
        checkpoint(db)
        floor, rows = floor_insert(db, floor_db)
        stats = {
            "orders": n, "lines": 3 * n, "json_mb": round(size / 1e6, 1), "seconds": round(elapsed, 2),
            "orders_per_s": round(n / elapsed), "peak_mib": round(peak_kb / 1024), "floor_seconds": round(floor, 2),
            "floor_orders_per_s": round(n / floor), "floor_rows": rows, "ratio": round(elapsed / floor, 1),
            "built": time.strftime("%Y-%m-%d %H:%M:%S"),
        }
        db.replace(cache)
        Path(f"{cache}.build.json").write_text(json.dumps(stats, indent=1))
        return stats
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def median_run(cmd: list[str], env: dict | None = None, repeat: int = REPEAT) -> tuple[float, int]:  # float-ok: timing
    times, peaks = [], []
    for _ in range(repeat):
        elapsed, peak, _ = timed(cmd, env=env)
        times.append(elapsed)
        peaks.append(peak)
    return statistics.median(times), max(peaks)


def jsonl(db: Path, env: dict | None = None, repeat: int = 3) -> dict:
    """``order list --jsonl`` of every order of ``db`` next to its floor: seconds, rows/s, peak MiB."""
    con = sqlite3.connect(db)
    (n,) = con.execute("SELECT count(*) FROM sales_order").fetchone()
    con.close()
    child_env = {**os.environ, **(env or {}), "ORDERS_DB": str(db)}
    cli, cli_peak = median_run([sys.executable, "-m", "orders_cli", "order", "list", "--jsonl"], env=child_env, repeat=repeat)
    floor, floor_peak = median_run([sys.executable, "-c", JSONL_FLOOR, str(db), ALL_SQL], repeat=repeat)
    return {"rows": n, "seconds": cli, "per_s": n / cli, "peak_mib": cli_peak / 1024,
            "floor_s": floor, "floor_per_s": n / floor, "floor_peak_mib": floor_peak / 1024}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--orders", type=int, default=1_000_000, help="orders in the database (default 1000000)")
    parser.add_argument("--cache", type=Path, help="the database file to build once and reuse (default: in the temp folder, named by size)")
    parser.add_argument("--rebuild", action="store_true", help="build the database again even if the cache exists")
    parser.add_argument("--skip-jsonl", action="store_true", help="only the build and the --account query")
    opts = parser.parse_args()
    if opts.orders < 1:
        parser.error("--orders must be at least 1")
    cache = (opts.cache or Path(tempfile.gettempdir()) / f"orders-bench-big-{opts.orders}.db").resolve()
    cache.parent.mkdir(parents=True, exist_ok=True)
    home = Path(tempfile.mkdtemp(prefix="orders-bigdb-home-"))
    env = {
        "ORDERS_CONFIG": str(home / "config.toml"), "ORDERS_TODAY": "2026-11-28", "NO_COLOR": "1", "HOME": str(home),
        "XDG_DATA_HOME": str(home / "xdg-data"), "XDG_CONFIG_HOME": str(home / "xdg-config"),
    }
    try:
        if opts.rebuild or not cache.exists():
            print(f"building {opts.orders:,} orders into {cache} ...", flush=True)
            stats = build(opts.orders, cache, env)
        else:
            stats = json.loads(Path(f"{cache}.build.json").read_text())
            print(f"reusing {cache} (built {stats['built']})")
        print(f"build:   {stats['orders']:,} orders, {stats['lines']:,} lines, JSON lines {stats['json_mb']} MB")
        print(f"         order add --from-json {stats['seconds']} s = {stats['orders_per_s']:,} orders/s, peak {stats['peak_mib']} MiB")
        print(f"         floor (sqlite3 executemany, same {stats['floor_rows']:,} rows) {stats['floor_seconds']} s = {stats['floor_orders_per_s']:,} orders/s")
        print(f"         ratio {stats['ratio']}x")

        child_env = {**os.environ, **env, "ORDERS_DB": str(cache)}
        name = account_name(42)
        cli, _ = median_run([sys.executable, "-m", "orders_cli", "order", "list", "--account", name, "--limit", "50", "--json"], env=child_env)
        shell = shutil.which("sqlite3")
        if shell:
            floor, _ = median_run([shell, "-json", str(cache), ACCOUNT_SQL.format(name=name)])
            floor_what = "sqlite3 shell -json, same query"
        else:
            floor, _ = median_run([sys.executable, "-c", JSONL_FLOOR, str(cache), ACCOUNT_SQL.format(name=name)])
            floor_what = "python sqlite3 + json.dumps, same query"
        # the same command on the small demo database: what of it is start-up, not data size
        demo_env = {**child_env, "ORDERS_DB": str(home / "demo.db")}
        subprocess.run([sys.executable, "-m", "orders_cli", "demo"], env=demo_env, check=True, capture_output=True)
        small, _ = median_run([sys.executable, "-m", "orders_cli", "order", "list", "--account", "Café Müller", "--limit", "50", "--json"], env=demo_env)
        print(f"account: order list --account '{name}' --limit 50 --json  median {cli * 1000:.0f} ms (whole process, {REPEAT} runs)")
        print(f"         floor ({floor_what}) median {floor * 1000:.0f} ms; ratio {cli / floor:.1f}x")
        print(f"         the same command on the 5-order demo database: median {small * 1000:.0f} ms (start-up; the data adds {max(cli - small, 0) * 1000:.0f} ms)")

        if not opts.skip_jsonl:
            j = jsonl(cache, env)
            print(f"jsonl:   order list --jsonl of {j['rows']:,} orders  median {j['seconds']:.2f} s = {j['per_s']:,.0f} rows/s, peak {j['peak_mib']:.0f} MiB")
            print(f"         floor (python sqlite3 + json.dumps, same query and shape) {j['floor_s']:.2f} s = {j['floor_per_s']:,.0f} rows/s, "
                  f"peak {j['floor_peak_mib']:.0f} MiB")
            print(f"         ratio {j['seconds'] / j['floor_s']:.1f}x")
    finally:
        shutil.rmtree(home, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
