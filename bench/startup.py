"""Benchmark: start-up of the two commands every script loop pays, next to their floors.

- ``orders --help``                    against ``python -c "import typer"``
- ``orders order show SO-00001 --json`` against ``python -c "import sqlmodel"``
  (and ``python -c pass`` as the interpreter's own floor)

Each is a whole process, run round-robin (so a busy machine slows all of them alike),
``--repeat`` times; the figure is the median. The demo database is made first.

    python bench/startup.py
    python bench/startup.py --repeat 31
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


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=21, help="runs of each command (default 21)")
    opts = parser.parse_args()
    tmp = Path(tempfile.mkdtemp(prefix="orders-bench-startup-"))
    env = {
        **os.environ, "ORDERS_DB": str(tmp / "orders.db"), "ORDERS_CONFIG": str(tmp / "config.toml"),
        "ORDERS_TODAY": "2026-11-28", "NO_COLOR": "1", "HOME": str(tmp),
        "XDG_DATA_HOME": str(tmp / "xdg-data"), "XDG_CONFIG_HOME": str(tmp / "xdg-config"),
    }
    py = sys.executable
    cases = {
        "python -c pass": [py, "-c", "pass"],
        'python -c "import typer"': [py, "-c", "import typer"],
        'python -c "import sqlmodel"': [py, "-c", "import sqlmodel"],
        "orders --help": [py, "-m", "orders_cli", "--help"],
        "orders order show SO-00001 --json": [py, "-m", "orders_cli", "order", "show", "SO-00001", "--json"],
    }
    try:
        subprocess.run([py, "-m", "orders_cli", "demo"], env=env, check=True, capture_output=True)
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
        typer_ms, sqlmodel_ms = med['python -c "import typer"'], med['python -c "import sqlmodel"']
        print(f"ratio orders --help / import typer:         {med['orders --help'] / typer_ms:.2f}x")
        print(f"ratio order show --json / import sqlmodel:  {med['orders order show SO-00001 --json'] / sqlmodel_ms:.2f}x")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
