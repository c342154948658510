"""The README's five-minute tour runs as written, in order, on a fresh machine (issue 18, item 1):
an empty folder holding only the shipped examples/, no ORDERS_DB (the default location in the
user data dir), no settings. Every command of the tour's shell block must exit 0.

Only the tour block is a sequence today; the later sections' blocks are reference (they use the
demo's documents) and are not run here. The tour has no line that needs a network or a real SMTP
server; a line marked ``# needs: network`` or ``# needs: smtp`` would be skipped (none is)."""

from __future__ import annotations

import os
import re
import shlex
import shutil
from pathlib import Path

from conftest import run, sqlite_only

README = Path(__file__).resolve().parent.parent / "README.md"
SKIP_MARKS = ("# needs: network", "# needs: smtp")


def tour_commands() -> list[str]:
    text = README.read_text(encoding="utf-8")
    section = text.split("\n## A five-minute tour\n", 1)[1].split("\n## ", 1)[0]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    lines = block.replace("\\\n", " ").splitlines()
    return [line for line in lines if line.strip() and not any(mark in line for mark in SKIP_MARKS)]


def test_the_tour_has_commands():
    commands = tour_commands()
    assert len(commands) >= 15 and all(c.startswith("orders ") for c in commands)


@sqlite_only  # a fresh machine: the default SQLite file
def test_the_readme_tour_runs_in_order_in_an_empty_folder(tmp_path, monkeypatch):
    folder = tmp_path / "fresh"
    folder.mkdir()
    shutil.copytree(README.parent / "examples", folder / "examples")
    monkeypatch.chdir(folder)
    monkeypatch.delenv("ORDERS_DB")
    monkeypatch.delenv("ORDERS_CONFIG")
    for command in tour_commands():
        args = [os.path.expanduser(a) for a in shlex.split(command, comments=True)[1:]]
        r = run(*args)
        assert r.code == 0, f"{command}\n-> exit {r.code}\nstderr: {r.err}"
    assert (tmp_path / "home" / "orders-backup.db").is_file()
    assert (tmp_path / "xdg-data" / "orders" / "orders.db").is_file() and (folder / "demo.db").is_file()
