"""Tests never touch the user's data: every test gets its own database and settings file."""

from __future__ import annotations

import io
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point ORDERS_DB / ORDERS_CONFIG / the user dirs at a temp folder; pin width, colour and today."""
    monkeypatch.setenv("ORDERS_DB", str(tmp_path / "orders.db"))
    monkeypatch.setenv("ORDERS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ORDERS_TODAY", "2026-11-28")
    monkeypatch.delenv("ORDERS_SMTP_PASSWORD", raising=False)
    yield tmp_path


@dataclass
class Result:
    code: int
    out: str
    err: str

    def json(self):
        return json.loads(self.out)

    def jsonl(self):
        return [json.loads(line) for line in self.out.splitlines() if line.strip()]


def run(*args: str, stdin: str | None = None) -> Result:
    """Run the CLI in this process (fast): exit code, stdout, stderr."""
    from orders_cli.app import main

    out, err = io.StringIO(), io.StringIO()
    old_stdin = sys.stdin
    sys.stdin = io.StringIO(stdin or "")
    try:
        with redirect_stdout(out), redirect_stderr(err):
            code = main([str(a) for a in args])
    finally:
        sys.stdin = old_stdin
    return Result(code, out.getvalue(), err.getvalue())


def ok(*args: str, stdin: str | None = None) -> Result:
    r = run(*args, stdin=stdin)
    assert r.code == 0, f"orders {' '.join(map(str, args))} -> {r.code}\nstdout: {r.out}\nstderr: {r.err}"
    return r


def refused(*args: str, code: int = 1, stdin: str | None = None, error_code: str | None = None) -> Result:
    """The command must be refused with ``code``, one line on stderr, no traceback."""
    r = run(*args, stdin=stdin)
    assert r.code == code, f"orders {' '.join(map(str, args))} -> {r.code} (wanted {code})\nstdout: {r.out}\nstderr: {r.err}"
    assert "Traceback" not in r.err
    if code == 1:
        assert len(r.err.strip().splitlines()) == 1, r.err
        assert r.err.startswith("error: ") or r.err.startswith('{"error"'), r.err
    if error_code is not None:
        payload = json.loads(r.err)
        assert payload["error"]["code"] == error_code, r.err
    return r


def spawn(*args: str, env: dict | None = None, stdin: str | None = None, timeout: float = 120) -> subprocess.CompletedProcess:
    """Run the CLI as a real process (start-up, concurrency, crash tests)."""
    return subprocess.run(
        [sys.executable, "-m", "orders_cli", *map(str, args)],
        input=stdin,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def db_content(path: str | Path | None = None) -> dict:
    """Every row of every table (sorted), to prove a refused command changed nothing."""
    path = Path(path or os.environ["ORDERS_DB"])
    if not path.exists():
        return {}
    con = sqlite3.connect(path)
    try:
        tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        return {t: sorted(map(repr, con.execute(f'SELECT * FROM "{t}"').fetchall())) for t in tables}
    finally:
        con.close()


@pytest.fixture
def cli():
    return run


@pytest.fixture
def demo():
    ok("demo")
    return True
