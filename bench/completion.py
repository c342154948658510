"""Benchmark: one shell completion (``_ORDERS_COMPLETE=complete_bash``, a whole process, as the
shell runs it) next to its floor, ``python -c pass``.

- command names       ``orders inv<TAB>``
- document numbers    ``orders invoice show <TAB>`` (every invoice of the database, up to 200)
- an order number     ``orders order show SO-0000<TAB>``
- account names       ``orders order list --account b<TAB>``
- statuses            ``orders invoice list --status <TAB>`` (no database read)
- cold                ``orders order show SO-<TAB>`` with no completion table yet (the first
                      completion after an install or upgrade builds it from Typer's tree)

The demo database is made first (``--db PATH``: an existing database instead, e.g. the one
bench/big_db.py keeps). Round-robin, ``--repeat`` times; the figure is the median.

    PYTHONPATH=. python bench/completion.py
    PYTHONPATH=. python bench/completion.py --db /tmp/orders-bench-big-20000.db --repeat 31 --account Cu

``measure()`` returns the medians (ms) for bench/all.py.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path


PASS, ORDER, ACCOUNT = "python -c pass", "orders order show SO-0000<TAB>", "orders order list --account <prefix><TAB>"


def measure(repeat: int = 21, db: str | None = None, account: str = "b") -> dict:
    """Median wall time in ms of each case (a whole process each), by name; ``account``: the
    prefix of an account name to complete."""
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-completion-"))
    db = db or str(tmp / "demo.db")
    env = {
        **os.environ, "ORDERS_DB": db, "ORDERS_CONFIG": str(tmp / "config.toml"), "ORDERS_TODAY": "2026-11-28",
        "HOME": str(tmp), "XDG_DATA_HOME": str(tmp / "xdg-data"), "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
        "XDG_CACHE_HOME": str(tmp / "xdg-cache"),
    }
    py = sys.executable
    cases = {
        PASS: ([py, "-c", "pass"], None),
        "orders inv<TAB>": ([py, "-m", "orders_cli"], "orders inv"),
        "orders invoice show <TAB>": ([py, "-m", "orders_cli"], "orders invoice show "),
        ORDER: ([py, "-m", "orders_cli"], "orders order show SO-0000"),
        ACCOUNT: ([py, "-m", "orders_cli"], f"orders order list --account {account}"),
        "orders invoice list --status <TAB>": ([py, "-m", "orders_cli"], "orders invoice list --status "),
        "cold: orders order show SO-<TAB>": ([py, "-m", "orders_cli"], "orders order show SO-"),
    }
    cache = tmp / "xdg-cache" / "orders" / "completion.json"

    def run(name: str) -> float:
        cmd, line = cases[name]
        case_env = env
        if line is not None:
            case_env = {**env, "_ORDERS_COMPLETE": "complete_bash", "COMP_WORDS": line,
                        "COMP_CWORD": str(len(line.split()) - (0 if line.endswith(" ") else 1))}
        if name.startswith("cold"):
            cache.unlink(missing_ok=True)
        start = time.perf_counter()
        subprocess.run(cmd, env=case_env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        return time.perf_counter() - start

    try:
        if db == str(tmp / "demo.db"):
            subprocess.run([py, "-m", "orders_cli", "--db", db, "demo"], env=env, check=True, capture_output=True)
            for line in (["order", "convert", "invoice", "SO-00001"], ["order", "convert", "invoice", "SO-00002"]):
                subprocess.run([py, "-m", "orders_cli", *line], env=env, capture_output=True)
        for name in cases:  # warm the file cache, the bytecode and the completion table
            run(name)
        times: dict[str, list] = {name: [] for name in cases}
        for _ in range(repeat):
            for name in cases:
                times[name].append(run(name))
        return {name: statistics.median(t) * 1000 for name, t in times.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="runs of each case (default 21)")
    parser.add_argument("--db", help="an existing database (default: a fresh demo database)")
    parser.add_argument("--account", default="b", help="the account-name prefix to complete (default b)")
    opts = parser.parse_args()
    med = measure(opts.repeat, opts.db, opts.account)
    floor = med[PASS]
    width = max(map(len, med))
    for name, ms in med.items():
        extra = "" if name == PASS else f"  (+{ms - floor:.0f} ms over the floor, {ms / floor:.1f}x)"
        print(f"{name:<{width}}  {ms:6.0f} ms{extra}  (median of {opts.repeat})")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
