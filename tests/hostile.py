"""Shared by the hostile-input tests: a seeded database made once per module and copied
for every example, a snapshot of everything a refusal must leave alone, and the one check
every command's outcome must pass (CLI.md, "Errors and exit codes")."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
from itertools import count
from pathlib import Path

import pytest
from conftest import Result, db_content, ok, run

# The unhandled-exception branch of app.main says this; any input that reaches it is a bug.
INTERNAL = "run again with --traceback for details"

_serial = count()


def seed(folder: Path) -> tuple[Path, Path]:
    """A database with one record of every kind the commands can reach, and a settings file.

    Returns (database, config). The database is checkpointed, so a plain file copy is complete.
    """
    folder.mkdir(parents=True, exist_ok=True)
    db, cfg = folder / "seed.db", folder / "seed.toml"
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERS_DB", str(db))
        mp.setenv("ORDERS_CONFIG", str(cfg))
        mp.setenv("ORDERS_TODAY", "2026-11-28")
        ok("demo")
        ok("config", "set", "company.name", "Atelier")
        ok("order", "convert", "invoice", "SO-00002", "--percent", "50")
        ok("order", "convert", "delivery", "SO-00002", "--line", "1:1")
        ok("order", "convert", "purchase", "SO-00002")
        ok("recur", "set", "SO-00003", "--frequency", "monthly", "--start", "2026-10-01", "--usage")
        ok("usage", "add", "SO-00003", "--product", "MUG", "--qty", "2", "--date", "2026-10-15")
        ok("recur", "run", "--date", "2026-11-28")
    con = sqlite3.connect(db)
    con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    con.execute("PRAGMA journal_mode=DELETE")
    con.close()
    return db, cfg


def fresh_copy(seed_db: Path, seed_cfg: Path, folder: Path, monkeypatch) -> tuple[Path, Path]:
    """Copy the seed to new files and point ORDERS_DB / ORDERS_CONFIG at them."""
    n = next(_serial)
    db, cfg = folder / f"ex{n}.db", folder / f"ex{n}.toml"
    shutil.copyfile(seed_db, db)
    shutil.copyfile(seed_cfg, cfg)
    monkeypatch.setenv("ORDERS_DB", str(db))
    monkeypatch.setenv("ORDERS_CONFIG", str(cfg))
    return db, cfg


def drop(db: Path, cfg: Path) -> None:
    for p in (db, Path(f"{db}-wal"), Path(f"{db}-shm"), cfg):
        p.unlink(missing_ok=True)


def snapshot(db: Path, cfg: Path) -> tuple[dict, bytes | None]:
    return db_content(db), cfg.read_bytes() if cfg.exists() else None


def check(r: Result, argv: list[str], before: tuple[dict, bytes | None], db: Path, cfg: Path, json_out: bool = False) -> None:
    """The contract for any input: exit 0, 1 or 2; no traceback; a refusal is one line
    (a usage error ends with click's ``Error:`` line) and leaves database and settings as they were."""
    shown = " ".join(repr(a)[:80] for a in argv)
    where = f"orders {shown} -> {r.code}\nstdout: {r.out[:2000]}\nstderr: {r.err[:2000]}"
    assert r.code in (0, 1, 2), where
    assert "Traceback" not in r.err, where
    assert INTERNAL not in r.err, where
    if r.code == 0:
        if json_out and not {"-h", "--help"} & set(argv):
            json.loads(r.out)  # exactly one JSON document
        sound(db, where)
        return
    lines = [ln for ln in r.err.splitlines() if ln.strip()]
    assert lines, where
    json_errors = "--json" in argv or "--jsonl" in argv  # app.main's rule
    if r.code == 1:
        assert len(lines) == 1, where
        if json_errors:
            payload = json.loads(lines[0])
            assert set(payload["error"]) == {"code", "message"}, where
        else:
            assert lines[0].startswith("error: "), where
    else:
        assert lines[-1].startswith("Error:") or lines[-1].startswith('{"error"'), where
    assert snapshot(db, cfg) == before, f"a refused command changed the database or settings\n{where}"


EXACT_COLUMNS = {"quantity", "unit_price", "cost", "rate"}  # exact decimals stored as text
EXACT = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def sound(db: Path, where: str) -> None:
    """What an accepted command may leave behind: no dangling reference, and every exact
    number a plain decimal (no NaN, Infinity or exponent slipped through)."""
    if not db.exists():
        return
    con = sqlite3.connect(db)
    try:
        assert con.execute("PRAGMA foreign_key_check").fetchall() == [], where
        for (table,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'").fetchall():
            for col in [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]:
                if col in EXACT_COLUMNS:
                    for (v,) in con.execute(f'SELECT DISTINCT "{col}" FROM "{table}" WHERE "{col}" IS NOT NULL'):
                        assert isinstance(v, str) and EXACT.fullmatch(v), f"{table}.{col} = {v!r}\n{where}"
    finally:
        con.close()


def outcome(argv: list[str], db: Path, cfg: Path, stdin: str | None = None, json_out: bool = False) -> Result:
    before = snapshot(db, cfg)
    r = run(*argv, stdin=stdin)
    check(r, argv, before, db, cfg, json_out=json_out)
    return r


def orders_count(db: Path) -> int:
    con = sqlite3.connect(db)
    try:
        return con.execute("SELECT count(*) FROM sales_order").fetchone()[0]
    finally:
        con.close()


def env_paths() -> tuple[Path, Path]:
    return Path(os.environ["ORDERS_DB"]), Path(os.environ["ORDERS_CONFIG"])
