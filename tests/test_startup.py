"""Start-up: help and shell completion never load the database or PDF stacks, and the
program starts cleanly as ``python -m orders_cli``. Real processes: a fresh interpreter
is the only honest way to see which modules a command loads."""

from __future__ import annotations

import json
import os
import subprocess
import sys

import pytest
from conftest import refused, spawn

HEAVY = ("sqlalchemy", "sqlmodel", "fpdf", "alembic", "psycopg", "starlette", "uvicorn", "jinja2", "anyio")

PROBE = """
import json, sys
from orders_cli.cli.app import main
try:
    code = main(json.loads(sys.argv[1]))
except SystemExit as exc:
    code = exc.code
print(json.dumps({"code": code, "heavy": sorted(m for m in sys.modules if m.split(".")[0] in %r)}))
""" % (HEAVY,)


def probe(argv: list[str], env: dict | None = None) -> tuple[dict, str]:
    r = subprocess.run(
        [sys.executable, "-c", PROBE, json.dumps(argv)],
        capture_output=True, text=True, timeout=60, env={**os.environ, **(env or {})},
    )
    assert r.returncode == 0, r.stderr
    *printed, last = r.stdout.rstrip("\n").split("\n")
    return json.loads(last), "\n".join(printed) + r.stderr


HELPS = [["--help"], ["-h"], ["db", "--help"], ["config", "--help"], ["tax", "--help"], ["account", "--help"],
         ["product", "--help"], ["product", "add", "--help"], ["doc", "--help"], ["doc", "attach", "--help"],
         ["activity", "--help"], ["activity", "add", "--help"], ["portal", "--help"], ["portal", "serve", "--help"], []]


@pytest.mark.parametrize("argv", HELPS, ids=[" ".join(a) or "no-args" for a in HELPS])
def test_help_does_not_import_the_database_or_pdf_stacks(argv):
    result, printed = probe(argv)
    assert result["heavy"] == [], f"orders {' '.join(argv)} loaded {result['heavy']}"
    assert result["code"] in (0, None, 2)  # no_args_is_help exits 0 or 2 depending on the click version
    assert "Usage" in printed  # on stdout, or on stderr for a bare group (click's NoArgsIsHelpError)


def test_completion_does_not_import_the_database_or_pdf_stacks():
    env = {"_ORDERS_COMPLETE": "complete_bash", "COMP_WORDS": "orders ", "COMP_CWORD": "1"}
    result, printed = probe([], env)
    assert result["heavy"] == [], f"completion loaded {result['heavy']}"
    words = printed.split()
    assert {"db", "config", "tax", "account", "product", "demo"} <= set(words)
    env = {"_ORDERS_COMPLETE": "complete_bash", "COMP_WORDS": "orders product ", "COMP_CWORD": "2"}
    result, printed = probe([], env)
    assert result["heavy"] == []
    assert {"add", "list", "show", "edit", "import"} <= set(printed.split())


def test_python_m_version():
    r = spawn("--version", timeout=60)
    from orders_cli import __version__

    assert r.returncode == 0, r.stderr
    assert r.stdout.strip() == f"orders {__version__}"
    assert r.stderr == ""


def test_db_pointing_at_a_directory_is_a_clean_error(tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    r = refused("--db", folder, "tax", "list")
    assert "directory" in r.err and str(folder) in r.err
    refused("--db", folder, "db", "init", "--json", error_code="invalid")
    assert list(folder.iterdir()) == []  # nothing created in it


def test_db_directory_error_from_a_real_process(tmp_path):
    folder = tmp_path / "a folder"
    folder.mkdir()
    r = spawn("tax", "list", env={"ORDERS_DB": str(folder)}, timeout=60)
    assert r.returncode == 1
    assert r.stderr.startswith("error: ") and len(r.stderr.strip().splitlines()) == 1
    assert "Traceback" not in r.stderr and r.stdout == ""


def test_the_command_modules_keep_their_annotations_evaluated():
    """Typer reads every command's parameters when it builds the tree (``orders --help`` too):
    annotations kept as strings (``from __future__ import annotations``) are compiled and
    evaluated again on every run, ~40 ms of start-up (issue 19). The modules that define commands
    evaluate theirs once, at import, from their .pyc."""
    import re
    from pathlib import Path

    import orders_cli.cli

    folder = Path(orders_cli.cli.__file__).parent
    texts = {p.name: p.read_text(encoding="utf-8") for p in sorted(folder.glob("*.py"))}
    offenders = [name for name, text in texts.items() if re.search(r"^import typer$", text, re.M) and re.search(r"^from __future__ import annotations", text, re.M)]
    assert offenders == []
