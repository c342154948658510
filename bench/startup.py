"""Benchmark: start-up of the commands every script loop pays, next to their floors.

- ``orders --help``                         against a one-command Typer app's ``--help``
                                            (and ``python -c "import typer"``)
- ``orders order show SO-00001 --json``,
  ``orders order list --limit 50 --json``,
  ``orders invoice show INV-00001 --json``  against ``python -c "import sqlmodel"``
  (and ``python -c pass`` as the interpreter's own floor)
- the same three without ``--json`` (the tables and panels people read), printed with the
  same floor, no goal

Each is a whole process, run round-robin (so a busy machine slows all of them alike),
``--repeat`` times; the figure is the median. The demo database is made first (its first
order invoiced), unless ``--db PATH`` names an existing one (e.g. a big book of
bench/reports.py; the first run of a command on it may upgrade it, so pass a copy).

    python bench/startup.py
    python bench/startup.py --repeat 31
    python bench/startup.py --db /tmp/copy-of-a-big-book.db

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

# The floor of `orders --help`: the smallest Typer app there is, asked for its help.
TYPER_APP = r'''
import typer
app = typer.Typer()
@app.command()
def main(name: str = "world") -> None:
    """Say hello."""
    print(name)
app()
'''

HELP, SHOW, LIST, INVOICE = ("orders --help", "orders order show SO-00001 --json", "orders order list --limit 50 --json",
                             "orders invoice show INV-00001 --json")
TYPER, SQLMODEL, PASS = 'typer app --help (one command)', 'python -c "import sqlmodel"', "python -c pass"
PEOPLE = {name: name.removesuffix(" --json") for name in (SHOW, LIST, INVOICE)}  # the --json case -> its table


def measure(repeat: int = 21, db: str | None = None) -> dict:
    """Median wall time in ms of each case (a whole process each), by name."""
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-startup-"))
    env = {
        **os.environ, "ORDERS_DB": db or str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"),
        "ORDERS_TODAY": "2026-11-28", "NO_COLOR": "1", "HOME": str(tmp),
        "XDG_DATA_HOME": str(tmp / "xdg-data"), "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
    }
    py = sys.executable
    orders = [py, "-m", "orders_cli"]
    cases = {
        PASS: [py, "-c", "pass"],
        'python -c "import typer"': [py, "-c", "import typer"],
        TYPER: [py, "-c", TYPER_APP, "--help"],
        SQLMODEL: [py, "-c", "import sqlmodel"],
        HELP: [*orders, "--help"],
        SHOW: [*orders, "order", "show", "SO-00001", "--json"],
        LIST: [*orders, "order", "list", "--limit", "50", "--json"],
        INVOICE: [*orders, "invoice", "show", "INV-00001", "--json"],
    }
    cases.update({PEOPLE[name]: cases[name][:-1] for name in (SHOW, LIST, INVOICE)})
    try:
        if not db:
            subprocess.run([*orders, "demo"], env=env, check=True, capture_output=True)
            subprocess.run([*orders, "order", "convert", "invoice", "SO-00001"], env=env, check=True, capture_output=True)
        for cmd in cases.values():  # warm the file cache and the bytecode (and upgrade an old database once)
            subprocess.run(cmd, env=env, check=True, capture_output=True)
        times: dict[str, list] = {name: [] for name in cases}
        for _ in range(repeat):
            for name, cmd in cases.items():
                start = time.perf_counter()
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
        return {name: statistics.median(t) * 1000 for name, t in times.items()}
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="runs of each command (default 21)")
    parser.add_argument("--db", help="an existing database (default: a fresh demo database)")
    opts = parser.parse_args()
    med = measure(opts.repeat, opts.db)
    width = max(map(len, med))
    for name, ms in med.items():
        print(f"{name:<{width}}  {ms:6.0f} ms  (median of {opts.repeat})")
    print(f"ratio orders --help / one-command typer app --help:  {med[HELP] / med[TYPER]:.2f}x")
    for name in (SHOW, LIST, INVOICE, *PEOPLE.values()):
        print(f"ratio {name} / import sqlmodel:  {med[name] / med[SQLMODEL]:.2f}x")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
