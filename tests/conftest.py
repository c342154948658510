"""Tests never touch the user's data: every test gets its own database and settings file.

Two backends, one suite. By default each test gets a fresh SQLite file. With
``ORDERS_TEST_PG=postgresql+psycopg://user@host:port/postgres`` (a server where that user
may create databases; `.ci/run` starts one) each test gets a fresh PostgreSQL database
instead, cloned in ~30 ms from a template database migrated once per session, and dropped
afterwards. ``db_target()`` / ``clone_db()`` / ``db_content()`` / ``raw_connect()`` work on
both, so tests stay backend-neutral; the few that are about SQLite files skip on PostgreSQL
through ``sqlite_only``.
"""

from __future__ import annotations

import io
import itertools
import json
import os
import sqlite3
import subprocess
import sys
from contextlib import redirect_stderr, redirect_stdout
from dataclasses import dataclass
from pathlib import Path

import pytest

PG = os.environ.get("ORDERS_TEST_PG") or None
BACKEND = "postgresql" if PG else "sqlite"

sqlite_only = pytest.mark.skipif(PG is not None, reason="SQLite-specific (a database file, WAL, PRAGMAs); not applicable to the PostgreSQL pass")


# ---------------------------------------------------------------- PostgreSQL plumbing

_PG_ADMIN = None
_PG_COUNTER = itertools.count(1)
_PG_PREFIX = f"orders_t{os.getpid()}_"
_PG_BASE: str | None = None


def _pg_params(dbname: str | None = None) -> dict:
    """psycopg connection keywords for ORDERS_TEST_PG (or one of its databases)."""
    from sqlalchemy.engine import make_url

    u = make_url(PG)
    params = {"host": u.host or "127.0.0.1", "port": u.port or 5432, "user": u.username, "dbname": dbname or u.database or "postgres"}
    if u.password:
        params["password"] = u.password
    return {k: v for k, v in params.items() if v is not None}


def pg_url(dbname: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(PG).set(database=dbname).render_as_string(hide_password=False)


def _pg_admin():
    global _PG_ADMIN
    import psycopg

    if _PG_ADMIN is None or _PG_ADMIN.closed:
        _PG_ADMIN = psycopg.connect(**_pg_params(), autocommit=True)
    return _PG_ADMIN


def _pg_name(url_or_name: str) -> str:
    if "://" in url_or_name:
        from sqlalchemy.engine import make_url

        return make_url(url_or_name).database
    return url_or_name


def _dispose_engines() -> None:
    engine = sys.modules.get("orders_cli.store.database")
    if engine is not None:
        engine.dispose_all()


def _pg_base() -> str:
    """The database migrated once per session (through the product's own Alembic code)."""
    global _PG_BASE
    if _PG_BASE is None:
        name = _PG_PREFIX + "base"
        admin = _pg_admin()
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{name}"')
        _migrate(pg_url(name))
        _PG_BASE = name
    return _PG_BASE


def _pg_create(template: str | None = None) -> str:
    """A new database, a copy of ``template`` (default: the migrated base); returns its URL."""
    template = template or _pg_base()
    name = f"{_PG_PREFIX}{next(_PG_COUNTER)}"
    admin = _pg_admin()
    fast = " STRATEGY FILE_COPY" if admin.info.server_version >= 150000 else ""  # no WAL-logged copy (PostgreSQL 15+)
    admin.execute(f'CREATE DATABASE "{name}" TEMPLATE "{_pg_name(template)}"{fast}')
    return pg_url(name)


# Creating a database per test costs 30-300 ms on a busy 2-core machine. Instead every test
# uses one work database, reset in one transaction to the rows of a snapshot (the migrated
# base, or a template such as a catalog fixture): every table emptied and refilled with
# triggers and foreign-key checks off (session_replication_role: the test user must be a
# superuser, as the one `.ci/run` makes is), and the id sequences set as on a fresh copy.

_PG_WORK: str | None = None
_PG_CONNS: dict = {}
_SNAPSHOTS: dict[str, dict] = {}


def _pg_conn(name: str):
    import psycopg

    con = _PG_CONNS.get(name)
    if con is None or con.closed:
        con = _PG_CONNS[name] = psycopg.connect(**_pg_params(name))
    return con


def _pg_close(name: str) -> None:
    con = _PG_CONNS.pop(name, None)
    if con is not None:
        con.close()


def _pg_snapshot(name: str) -> dict:
    """Every row of every table of a database, and its id sequences, kept in memory."""
    con = _pg_conn(name)
    tables = [r[0] for r in con.execute(
        "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' ORDER BY table_name")]
    snap = {"tables": {}, "serials": []}
    for t in tables:
        cur = con.execute(f'SELECT * FROM "{t}"')
        snap["tables"][t] = ([d.name for d in cur.description], cur.fetchall())
    snap["serials"] = con.execute(
        "SELECT table_name, column_name, pg_get_serial_sequence(quote_ident(table_name), column_name) FROM information_schema.columns "
        "WHERE table_schema = 'public' AND column_default LIKE 'nextval(%%' ORDER BY table_name").fetchall()
    con.rollback()
    _pg_close(name)
    _SNAPSHOTS[name] = snap
    return snap


def _pg_load(name: str, snap: dict) -> None:
    """Make database ``name`` hold exactly the rows of ``snap`` (same schema)."""
    _dispose_engines()
    # a process a test killed may still hold a connection for a moment: end it
    con = _pg_conn(name)
    _pg_admin().execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE datname = %s AND pid <> %s", (name, con.info.backend_pid))
    with con.transaction():
        con.execute("SET LOCAL session_replication_role = replica")
        con.execute("SET LOCAL lock_timeout = '20s'")
        con.execute("".join(f'DELETE FROM "{t}";' for t in snap["tables"]))
        with con.cursor() as cur:
            for t, (cols, rows) in snap["tables"].items():
                if rows:
                    names = ", ".join(f'"{c}"' for c in cols)
                    cur.executemany(f'INSERT INTO "{t}" ({names}) VALUES ({", ".join(["%s"] * len(cols))})', rows)
        if snap["serials"]:
            con.execute("SELECT " + ", ".join(
                f"setval('{seq}', COALESCE((SELECT max(\"{col}\") FROM \"{t}\"), 0) + 1, false)" for t, col, seq in snap["serials"]))


def _pg_work() -> str:
    """The one database the tests share, reset to the migrated base (returns its URL)."""
    global _PG_WORK
    if _PG_WORK is None:
        base = _pg_base()
        _PG_WORK = _pg_name(_pg_create(base))
        _pg_snapshot(base)
    _pg_load(_PG_WORK, _SNAPSHOTS[_pg_base()])
    return pg_url(_PG_WORK)


def _pg_drop(url_or_name: str) -> None:
    _pg_admin().execute(f'DROP DATABASE IF EXISTS "{_pg_name(url_or_name)}" WITH (FORCE)')


def _migrate(url: str) -> None:
    """Bring a new database to HEAD through the product's own code (Alembic), then let go of it."""
    from orders_cli import store

    eng = store._make_engine(url)
    try:
        store.upgrade(eng)
    finally:
        eng.dispose()


def _pg_drop_all_of_this_session() -> None:
    admin = _pg_admin()
    names = [r[0] for r in admin.execute("SELECT datname FROM pg_database WHERE datname LIKE %s", (_PG_PREFIX + "%",))]
    for name in names:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


_SHM_BASE: list[Path] = []


def pytest_configure(config):
    """Test folders on tmpfs (/dev/shm) when the machine has it and no --basetemp was given.
    SQLite commits with synchronous=FULL, so on a disk every test commit waits for an fsync;
    on tmpfs the same fsync calls are made and cost nothing. The durability tests check the
    pragma and the fsync calls themselves, not the disk."""
    import tempfile

    shm = Path("/dev/shm")
    if config.option.basetemp or os.environ.get("ORDERS_TEST_DISK") or not (shm.is_dir() and os.access(shm, os.W_OK)):
        return
    base = Path(tempfile.mkdtemp(prefix="orders-tests-", dir=shm))
    _SHM_BASE.append(base)
    config.option.basetemp = str(base / "t")


def pytest_unconfigure(config):
    import shutil

    for base in _SHM_BASE:
        shutil.rmtree(base, ignore_errors=True)


def pytest_sessionfinish(session, exitstatus):
    if PG and _PG_ADMIN is not None:
        _dispose_engines()
        for name in list(_PG_CONNS):
            _pg_close(name)
        _pg_drop_all_of_this_session()
        _PG_ADMIN.close()


# Tests that never open a database (the pure rules of core/, the documentation and the import
# contracts) prove the same thing on either backend: the SQLite pass runs them, the PostgreSQL
# pass skips them instead of resetting its database around each of them.
BACKEND_FREE = ("tests/core/", "tests/test_docs.py", "tests/test_architecture.py", "tests/test_bench.py")  # bench: its own SQLite books
# Tests of how a view is drawn (tables, help, bars, the e-invoice XML and its validators, a
# browser): their database only hands over records that the other tests read and write on
# both backends, so the PostgreSQL pass leaves them to the SQLite pass too.
RENDERING = ("tests/test_einvoice_out.py", "tests/test_portal_browser.py", "tests/test_tables.py", "tests/test_help.py",
             "tests/test_terminal.py", "tests/test_progress.py")


def pytest_collection_modifyitems(config, items):
    # The slow tests (processes, crash and load runs, long properties) first: with
    # `-n auto --dist worksteal` a worker then starts on them while the others take the short
    # tests, and the run never ends waiting on one long test picked up last.
    items.sort(key=lambda item: item.get_closest_marker("slow") is None)
    if not PG:
        return
    skip = pytest.mark.skip(reason="backend-independent (no database): run in the SQLite pass")
    drawn = pytest.mark.skip(reason="how a view is drawn, whatever the backend: run in the SQLite pass")
    root = Path(str(config.rootpath))
    for item in items:
        where = Path(str(item.path)).relative_to(root).as_posix() if Path(str(item.path)).is_relative_to(root) else ""
        if where.startswith(BACKEND_FREE):
            item.add_marker(skip)
        elif where.startswith(RENDERING):
            item.add_marker(drawn)


def pytest_report_header(config):
    if PG:
        from sqlalchemy.engine import make_url

        return f"orders database backend: PostgreSQL at {make_url(PG).render_as_string(hide_password=True)} (ORDERS_TEST_PG)"
    return "orders database backend: SQLite files (set ORDERS_TEST_PG to run against PostgreSQL)"


# ---------------------------------------------------------------- backend-neutral helpers


def new_db_target(folder: Path, name: str = "orders.db") -> str:
    """A new, empty database for ORDERS_DB: a file path in ``folder`` (SQLite) or a new
    migrated PostgreSQL database's URL."""
    if PG:
        return _pg_create()
    folder.mkdir(parents=True, exist_ok=True)
    return clone_db(_sqlite_template(), str(folder / name))


_TEMPLATE: list[str] = []


def _sqlite_template() -> str:
    """A migrated, empty SQLite database made once per session: the CLI refuses a missing file
    (only db init / demo / init create one), so each test's database starts as a copy of it."""
    if not _TEMPLATE:
        import tempfile

        from orders_cli.store import database, target

        path = str(Path(tempfile.mkdtemp(prefix="orders-template-")) / "orders.db")
        target.use(path)
        target.may_create(True)
        try:
            database.engine()
        finally:
            target.may_create(False)
            target.use(None)
        _dispose_engines()
        con = sqlite3.connect(path)  # a SQLite file on both passes (the PostgreSQL pass's portal reads one)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
        _TEMPLATE.append(path)
    return _TEMPLATE[0]


sqlite_template = _sqlite_template


def freeze_db(target: str) -> str:
    """Make ``target`` ready to be cloned: no open connection, (SQLite) the WAL folded in,
    (PostgreSQL) its rows kept for ``clone_db``."""
    _dispose_engines()
    if PG:
        _pg_snapshot(_pg_name(target))
    else:
        con = sqlite3.connect(target)
        con.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        con.close()
    return target


def clone_db(template: str, target: str | None = None) -> str:
    """A copy of a frozen template database. Without ``target`` the copy replaces the content of
    this test's database (ORDERS_DB); with it, a new database (SQLite: the file ``target``;
    PostgreSQL: a new database, ``target`` only names the intent). Returns its ORDERS_DB value."""
    import shutil

    _dispose_engines()
    if not PG:
        dest = target or os.environ["ORDERS_DB"]
        Path(dest).parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(template, dest)
        return dest
    if target is None:
        _pg_load(_pg_name(os.environ["ORDERS_DB"]), _SNAPSHOTS[_pg_name(template)])
        return os.environ["ORDERS_DB"]
    return _pg_create(template)


def empty_db() -> str:
    """Point this test's ORDERS_DB at a database without any schema (SQLite: an empty file; PostgreSQL: a new empty database), for tests of first use and migrations."""
    if not PG:
        _dispose_engines()
        for suffix in ("", "-wal", "-shm"):
            Path(os.environ["ORDERS_DB"] + suffix).unlink(missing_ok=True)
        Path(os.environ["ORDERS_DB"]).touch()  # an empty file: a SQLite database without schema
        return os.environ["ORDERS_DB"]
    _dispose_engines()
    name = f"{_PG_PREFIX}{next(_PG_COUNTER)}"
    _pg_admin().execute(f'CREATE DATABASE "{name}" TEMPLATE template0')
    os.environ["ORDERS_DB"] = pg_url(name)  # dropped by the isolated fixture; monkeypatch restores the variable
    return os.environ["ORDERS_DB"]


def own_db() -> str:
    """Point this test's ORDERS_DB at a migrated database of its own (PostgreSQL: a real copy,
    not the shared work database), for tests that change the schema itself."""
    if not PG:
        return os.environ["ORDERS_DB"]
    _dispose_engines()
    os.environ["ORDERS_DB"] = _pg_create()  # dropped by the isolated fixture; monkeypatch restores the variable
    return os.environ["ORDERS_DB"]


def drop_db(target: str) -> None:
    if PG:
        _dispose_engines()
        _pg_drop(target)


class Raw:
    """A plain DB-API connection (sqlite3 or psycopg) to a test database, outside the product's
    code, for tests that must go around it. ``?`` placeholders on both backends; ``Error`` is
    the driver's base error class."""

    def __init__(self, target: str | Path | None = None):
        target = str(target or os.environ["ORDERS_DB"])
        self.pg = "://" in target and not target.startswith("sqlite")
        if self.pg:
            import psycopg

            self.con = psycopg.connect(**_pg_params(_pg_name(target)))
            self.Error = psycopg.Error
        else:
            self.con = sqlite3.connect(target.removeprefix("sqlite:///"))
            self.Error = sqlite3.DatabaseError

    def execute(self, query: str, params=()):
        if self.pg:
            if not params:
                return self.con.execute(query)
            query = query.replace("%", "%%").replace("?", "%s")
        return self.con.execute(query, tuple(params))

    def commit(self):
        self.con.commit()

    def rollback(self):
        self.con.rollback()

    def close(self):
        self.con.close()

    def __enter__(self):
        return self

    def __exit__(self, exc_type, *_):
        if exc_type is None:
            self.con.commit()
        else:
            self.con.rollback()
        self.con.close()


def raw_connect(target: str | Path | None = None) -> Raw:
    return Raw(target)


def undo_receipts(con: Raw) -> None:
    """Back from revision 0009 to 0007 by hand, on SQLite (0009's REPLACE guards; 0008's
    triggers, table, index and the three payment dates of invoice_balance, the usage lines'
    index; ix_invoice_recurring stays wide), for the tests that upgrade an older book."""
    from orders_cli.store.replace_locks import GUARDS

    for name in GUARDS:
        con.execute(f"DROP TRIGGER {name}")
    for name in ("payment_receipts", "payment_removal_receipts"):
        con.execute(f"DROP TRIGGER {name}")
    con.execute("DROP TABLE invoice_receipt_tax")
    con.execute("DROP INDEX ix_invoice_line_usage")
    for column in ("settled_on", "last_paid", "first_paid"):
        con.execute(f"ALTER TABLE invoice_balance DROP COLUMN {column}")


def sql(query: str, *params, target: str | Path | None = None) -> list[tuple]:
    """Run one statement on the test's database (``?`` placeholders on both backends) and
    commit; returns the rows as tuples."""
    with Raw(target) as con:
        cur = con.execute(query, params)
        return [tuple(r) for r in cur.fetchall()] if cur.description else []


def db_exists(target: str | Path | None = None) -> bool:
    target = str(target or os.environ["ORDERS_DB"])
    if "://" in target and not target.startswith("sqlite"):
        return bool(_pg_admin().execute("SELECT 1 FROM pg_database WHERE datname = %s", (_pg_name(target),)).fetchone())
    return Path(target.removeprefix("sqlite:///")).exists()


def _norm(value):
    """Comparable cells across backends (both sides of a comparison come from one backend)."""
    if isinstance(value, memoryview):
        return bytes(value)
    return value


def db_content(path: str | Path | None = None) -> dict:
    """Every row of every table (sorted), to prove a refused command changed nothing."""
    target = str(path or os.environ["ORDERS_DB"])
    if not db_exists(target):
        return {}
    con = Raw(target)
    try:
        if not con.pg:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type='table' ORDER BY name")]
        else:
            tables = [r[0] for r in con.execute(
                "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' "
                "AND table_type = 'BASE TABLE' ORDER BY table_name")]
        # (PostgreSQL: the id sequences are left out on purpose; a refused insert burns an id
        # there where SQLite reuses it, and that changes no data)
        return {t: sorted(repr(tuple(map(_norm, row))) for row in con.execute(f'SELECT * FROM "{t}"').fetchall()) for t in tables}
    finally:
        con.close()


@pytest.fixture(autouse=True)
def isolated(tmp_path, monkeypatch):
    """Point ORDERS_DB / ORDERS_CONFIG / the user dirs at a temp folder; pin width, colour and today.
    On the PostgreSQL pass ORDERS_DB is a fresh database of its own, dropped afterwards."""
    if PG:
        monkeypatch.setenv("ORDERS_DB", _pg_work())
    else:
        monkeypatch.setenv("ORDERS_DB", clone_db(_sqlite_template(), str(tmp_path / "orders.db")))
    monkeypatch.setenv("ORDERS_CONFIG", str(tmp_path / "config.toml"))
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg-data"))
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "xdg-config"))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.setenv("NO_COLOR", "1")
    monkeypatch.setenv("ORDERS_TODAY", "2026-11-28")
    monkeypatch.delenv("ORDERS_SMTP_PASSWORD", raising=False)
    from orders_cli.adapters.env import (
        ENV,  # a --db / --config of an earlier in-process run must not leak
    )
    from orders_cli.store import target

    target.use(None)
    target.may_create(False)
    monkeypatch.setattr(ENV, "config", None)
    yield tmp_path
    if PG:
        current = os.environ.get("ORDERS_DB", "")
        _dispose_engines()
        if current.startswith("postgresql") and _pg_name(current) != _PG_WORK:
            _pg_drop(current)  # a database of its own (empty_db)


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
    from orders_cli.cli.app import main

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


@pytest.fixture
def cli():
    return run


@pytest.fixture
def demo(db_template):
    """The demo company and its orders (``orders demo``), made once per session and copied
    into this test's database (``orders demo`` itself is tested in test_smoke and test_store)."""
    clone_db(db_template("demo", lambda: ok("demo")))
    return True


# ---------------------------------------------------------------- template databases


def build_template(folder: Path, build, name: str = "orders.db") -> str:
    """A database made once by ``build()`` (CLI calls, with ORDERS_DB / ORDERS_CONFIG / HOME in
    ``folder``, today 2026-11-28, no colour) and frozen: each test gets a copy (``clone_db``)."""
    target = new_db_target(folder, name)
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("ORDERS_DB", target)
        mp.setenv("ORDERS_CONFIG", str(folder / "config.toml"))
        mp.setenv("HOME", str(folder))
        mp.setenv("NO_COLOR", "1")
        mp.setenv("ORDERS_TODAY", "2026-11-28")
        build()
    return freeze_db(target)  # closes every engine first


@pytest.fixture(scope="session")
def db_template(tmp_path_factory):
    """``db_template(key, build)``: the template database ``build()`` makes (``build_template``),
    built once per test session for each key."""
    made: dict[str, str] = {}

    def template(key: str, build) -> str:
        if key not in made:
            made[key] = build_template(tmp_path_factory.mktemp(key), build)
        return made[key]

    return template


@pytest.fixture(scope="module")
def cached_cli():
    """Typer rebuilds its click command tree on every in-process call (~90 ms; a real process
    pays it once): built once per module instead (``pytestmark = pytest.mark.usefixtures("cached_cli")``)."""
    import typer.main

    real = typer.main.get_command
    built: dict[int, object] = {}

    def cached(typer_instance):
        if id(typer_instance) not in built:
            built[id(typer_instance)] = real(typer_instance)
        return built[id(typer_instance)]

    mp = pytest.MonkeyPatch()
    mp.setattr(typer.main, "get_command", cached)
    yield
    mp.undo()
