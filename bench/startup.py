"""Benchmark: start-up of the commands every script loop pays, next to their floors.

- ``orders --help``                    against a one-command Typer app's ``--help`` (and ``import typer``)
- ``orders order show SO-00001 --json``, ``order list --limit 50 --json``, ``invoice show INV-00001 --json``
  against ``python -c "import sqlmodel"`` (and ``python -c pass`` as the interpreter's own floor)

Each is a whole process, run round-robin (so a busy machine slows all of them alike),
``--repeat`` times; the figure is the median. The demo database is made first, with one
invoice (``order convert invoice SO-00002``); ``--db PATH`` runs the read commands on a copy
of your own big database instead (its numbers: ``--order``, ``--invoice``).

    python bench/startup.py
    python bench/startup.py --repeat 31
    python bench/startup.py --db /tmp/my-copy.db --order SO-0500000 --invoice INV-0500000
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


SHOW, LIST, INVOICE = "orders order show N --json", "orders order list --limit 50 --json", "orders invoice show N --json"

# The floor of `orders --help`: Typer's own cost for a program of one command.
ONE_COMMAND = """import typer

app = typer.Typer()


@app.command()
def hello(name: str = "world") -> None:
    \"\"\"Say hello.\"\"\"
    print(f"hello {name}")


app()
"""


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="runs of each command (default 21)")
    parser.add_argument("--db", help="a database to read instead of the demo (use a copy: the first command may upgrade it)")
    parser.add_argument("--order", default="SO-00001", help="the order number to show (default SO-00001)")
    parser.add_argument("--invoice", default="INV-00001", help="the invoice number to show (default INV-00001)")
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-startup-"))
    env = {
        **os.environ, "ORDERS_DB": opts.db or str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"),
        "ORDERS_TODAY": "2026-11-28", "NO_COLOR": "1", "HOME": str(tmp),
        "XDG_DATA_HOME": str(tmp / "xdg-data"), "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
    }
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        'python -c "import typer"': [py, "-c", "import typer"],
        'python -c "import sqlmodel"': [py, "-c", "import sqlmodel"],
        "one-command Typer app --help": [py, str(tmp / "one.py"), "--help"],
        "orders --help": [py, "-m", "orders_cli", "--help"],
        SHOW: [py, "-m", "orders_cli", "order", "show", opts.order, "--json"],
        LIST: [py, "-m", "orders_cli", "order", "list", "--limit", "50", "--json"],
        INVOICE: [py, "-m", "orders_cli", "invoice", "show", opts.invoice, "--json"],
    }
    (tmp / "one.py").write_text(ONE_COMMAND)
    try:
        if not opts.db:
            subprocess.run([py, "-m", "orders_cli", "demo"], env=env, check=True, capture_output=True)
            subprocess.run([py, "-m", "orders_cli", "order", "convert", "invoice", "SO-00002"], env=env, check=True, capture_output=True)
        for cmd in cases.values():  # warm the file cache and the bytecode
            subprocess.run(cmd, env=env, check=True, capture_output=True)
        times: dict[str, list] = {name: [] for name in cases}
        for _ in range(opts.repeat):
            for name, cmd in cases.items():
                start = time.perf_counter()
                subprocess.run(cmd, env=env, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
                times[name].append(time.perf_counter() - start)
        med = {name: statistics.median(t) * 1000 for name, t in times.items()}
        width = max(map(len, med))
        for name, ms in med.items():
            print(f"{name:<{width}}  {ms:6.0f} ms  (median of {opts.repeat})")
        one_ms, sqlmodel_ms = med["one-command Typer app --help"], med['python -c "import sqlmodel"']
        print(f"ratio orders --help / one-command Typer app --help:  {med['orders --help'] / one_ms:.2f}x  (goal <= 1.1x)")
        for name in (SHOW, LIST, INVOICE):
            print(f"ratio {name} / import sqlmodel:  {med[name] / sqlmodel_ms:.2f}x  (goal <= 1.1x)")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
