"""The database: engine and session from --db / ORDERS_DB, SQLite pragmas,
migrations on open and the ``transaction()`` unit of work (numbering: numbering.py).

Nothing here assumes SQLite: a plain path means a SQLite file, anything with
``://`` is a SQLAlchemy URL (``postgresql+psycopg://user@host/db``).
"""

from __future__ import annotations

import re
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy import event, exc
from sqlmodel import Session

from orders_cli.core.text import expand_user
from orders_cli.store.replace_locks import GUARDS as REPLACE_GUARDS
from orders_cli.core.errors import Conflict, Invalid, Locked, NotFound, OrdersError
from orders_cli.core.text import shown
from orders_cli.store.migrations import HEAD
from orders_cli.store import target as _run
from orders_cli.store.target import db_target

BUSY_TIMEOUT_MS = 30_000
# PostgreSQL advisory lock keys: every write transaction (the single writer), and migrations.
WRITE_LOCK_KEY = 727273
MIGRATE_LOCK_KEY = 727274

_ENGINES: dict[str, sa.Engine] = {}


def url_for(target: str) -> str:
    """A SQLAlchemy URL for ``--db``: URLs pass through, a path becomes the URL of that file (``%``, ``?`` escaped)."""
    if "\x00" in target:
        raise Invalid("--db: a path or URL cannot contain a NUL character")
    if "://" in target:
        return target
    path = expand_user(Path(target))
    try:
        if path.is_dir():
            raise Invalid(f"--db {shown(target)} is a directory; give a file path such as {shown(path / 'orders.db')}")
        if len(path.name.encode()) > 255:
            raise OSError(36, "File name too long")
        path.parent.mkdir(parents=True, exist_ok=True)
        return "sqlite:///" + str(path.resolve()).replace("%", "%25").replace("?", "%3F")
    except OSError as err:
        raise Invalid(f"--db {shown(target)}: cannot use this path: {err.strerror or err}") from None


def _make_engine(url: str) -> sa.Engine:
    try:
        parsed = sa.engine.make_url(url)
    except exc.ArgumentError:
        raise Invalid(f"--db: not a database path or URL: {url!r}") from None
    if parsed.get_backend_name() == "sqlite":
        engine = sa.create_engine(url, connect_args={"timeout": BUSY_TIMEOUT_MS / 1000})

        @event.listens_for(engine, "connect")
        def _on_connect(dbapi_conn, _record):
            # Let SQLAlchemy's begin event issue BEGIN itself (the pysqlite recipe),
            # so write transactions can take the write lock up front (BEGIN IMMEDIATE).
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
            # FULL: every commit is on the disk (the WAL fsynced) before it returns, so an invoice
            # printed or mailed survives a power cut and its number is never handed out again.
            # NORMAL would only fsync at checkpoints (a power cut can roll back the last commits).
            cur.execute("PRAGMA synchronous=FULL")
            cur.close()

        @event.listens_for(engine, "begin")
        def _on_begin(conn):
            write = conn.get_execution_options().get("orders_write", False)
            conn.exec_driver_sql("BEGIN IMMEDIATE" if write else "BEGIN")

    elif parsed.get_backend_name() == "postgresql":
        try:
            engine = sa.create_engine(url, pool_pre_ping=True)
        except (exc.NoSuchModuleError, ModuleNotFoundError) as e:
            raise Invalid(
                f"--db: cannot use {parsed.drivername!r}: {e} (use postgresql+psycopg://... and pip install 'orders-cli[postgres]')"
            ) from None

        @event.listens_for(engine, "connect")
        def _pg_on_connect(dbapi_conn, _record):
            # The busy timeout of SQLite: wait this long for a lock, then fail with 55P03.
            autocommit = dbapi_conn.autocommit
            dbapi_conn.autocommit = True
            cur = dbapi_conn.cursor()
            cur.execute(f"SET lock_timeout = {BUSY_TIMEOUT_MS}")
            cur.execute("SET TIME ZONE 'UTC'")
            cur.close()
            dbapi_conn.autocommit = autocommit

        @event.listens_for(engine, "begin")
        def _pg_on_begin(conn):
            # SQLite's single writer, on PostgreSQL: every write transaction first takes one
            # transaction-level advisory lock, so writers queue one behind the other exactly as
            # BEGIN IMMEDIATE makes them queue on SQLite. Writers stay READ COMMITTED, so each
            # statement after the lock sees everything the previous writer committed (no
            # serialization failures to retry); readers get one consistent snapshot (REPEATABLE
            # READ, which never fails for a transaction that does not write), like a deferred BEGIN.
            if conn.get_execution_options().get("orders_write", False):
                conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({WRITE_LOCK_KEY})")
            else:
                conn.exec_driver_sql("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ")

    else:
        try:
            engine = sa.create_engine(url, pool_pre_ping=True)
        except (exc.NoSuchModuleError, ModuleNotFoundError) as e:
            raise Invalid(f"--db: cannot use {parsed.get_backend_name()!r}: {e}") from None
    return engine


_FRESH: dict[str, Path] = {}


def discard_fresh() -> None:
    """A command that failed leaves no database it made on the default location's first write
    (a refusal changes nothing): the file goes when it holds nothing but what migrations write."""
    import os
    import sqlite3

    while _FRESH:
        target, path = _FRESH.popitem()
        eng = _ENGINES.pop(target, None)
        if eng is not None:
            eng.dispose()
        try:
            con = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
        except sqlite3.Error:
            continue
        try:
            tables = [r[0] for r in con.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
            empty = all(con.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone() is None
                        for t in tables if t not in ("alembic_version", "sequence") and not t.startswith("sqlite_"))
        except sqlite3.Error:
            empty = False
        finally:
            con.close()
        if empty:
            for suffix in ("", "-wal", "-shm", "-journal"):
                try:
                    os.unlink(f"{path}{suffix}")
                except OSError:
                    pass


def refuse_missing(target: str, write: bool = False) -> None:
    """A missing SQLite file is a mistyped --db / ORDERS_DB, not an empty business: only the
    commands that create a database (db init, demo, init) and the first write to the default
    location make one. (PostgreSQL: a missing database is the server's refusal.)"""
    if "\x00" in target:
        raise Invalid("--db: a path or URL cannot contain a NUL character")
    path = _run.missing_file(target)
    if path is None or _run.creating():
        return
    if write and _run.is_default():
        _FRESH[target] = path  # made by this command: gone again if it fails (discard_fresh)
        return
    raise NotFound(f"no database at {shown(target)} (create it with: orders db init)")


def engine(write: bool = False) -> sa.Engine:
    """The engine of this run, created on first use and migrated to the current schema.
    A missing SQLite file is refused (``refuse_missing``) unless this run may create it."""
    target = db_target()
    eng = _ENGINES.get(target)
    if eng is None:
        refuse_missing(target, write)
        eng = _make_engine(url_for(target))
        try:
            ensure_schema(eng)
        except exc.DBAPIError as err:
            eng.dispose()
            if eng.dialect.name != "sqlite":
                # server down, no such database, wrong password: one line, not a driver essay,
                # and never the password of the URL
                where = eng.url.render_as_string(hide_password=True)
                raise Invalid(f"cannot open the database {where}: {_first_line(str(err.orig or err))}") from None
            raise open_failed(err, target) from None
        except BaseException:
            eng.dispose()
            raise
        _ENGINES[target] = eng
    return eng


def open_failed(err: exc.DBAPIError, target: str) -> OrdersError:
    """The refusal for a database that cannot be opened (missing folder, not a database, busy)."""
    translated = _translate(err)
    if translated is not None:
        return translated
    return Invalid(f"--db {shown(target)}: cannot open the database: {_first_line(str(err.orig or err))}")


def dispose_all() -> None:
    for eng in _ENGINES.values():
        eng.dispose()
    _ENGINES.clear()


def current_revision(conn: sa.Connection) -> str | None:
    """The stored schema revision, or None for a database without our schema (one cheap query)."""
    insp_ok = True
    try:
        with conn.begin_nested() if conn.in_transaction() else _null():
            row = conn.exec_driver_sql("SELECT version_num FROM alembic_version").first()
    except (exc.OperationalError, exc.ProgrammingError):
        insp_ok = False
        row = None
    if not insp_ok:
        return None
    return row[0] if row else None


@contextmanager
def _null():
    yield


def ensure_schema(eng: sa.Engine) -> None:
    """Bring the database to HEAD; imports Alembic only when an upgrade is due."""
    with eng.connect() as conn:
        rev = current_revision(conn)
        conn.rollback()
    if rev == HEAD:
        return
    upgrade(eng)


def _alembic_config():
    from alembic.config import Config

    cfg = Config()
    cfg.set_main_option("script_location", str(Path(__file__).parent / "migrations"))
    return cfg


def known_revisions() -> set[str]:
    from alembic.script import ScriptDirectory

    return {s.revision for s in ScriptDirectory.from_config(_alembic_config()).walk_revisions()}


def upgrade(eng: sa.Engine) -> tuple[str | None, str]:
    """Migrate to HEAD in one transaction holding the write lock, so concurrent
    first opens of a new database serialise instead of racing."""
    cfg = _alembic_config()
    with eng.execution_options(orders_write=True).connect() as conn:
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            # SQLite ignores this PRAGMA inside a transaction: set it before BEGIN, so a migration
            # may rebuild a table others refer to (0003); every migration checks the references
            # itself (PRAGMA foreign_key_check) before the commit, and it is set back after
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=OFF")
        try:
            before = _upgrade_in(conn, cfg)
        finally:
            if sqlite:
                conn.connection.dbapi_connection.execute("PRAGMA foreign_keys=ON")
    return before, HEAD


def _upgrade_in(conn: sa.Connection, cfg) -> str | None:
    """The upgrade's one transaction; returns the revision it started from."""
    from alembic import command

    with conn.begin():
        if conn.dialect.name == "postgresql":
            conn.exec_driver_sql(f"SELECT pg_advisory_xact_lock({MIGRATE_LOCK_KEY})")
        before = current_revision(conn)
        if before is not None and before not in known_revisions():
            raise Invalid(
                f"the database schema is at revision {before}, newer than this version of orders "
                f"knows (head {HEAD}): upgrade orders"
            )
        if before != HEAD:
            cfg.attributes["connection"] = conn
            command.upgrade(cfg, "head")
            if conn.dialect.name == "sqlite":
                broken = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                if broken:
                    raise RuntimeError(f"the migration left broken references: {broken[:5]}")
    return before


def _translate(err: exc.DBAPIError) -> OrdersError | None:
    msg = str(err.orig) if err.orig is not None else str(err)
    m = re.search(r"locked: ([^\n]*)", msg)
    if m:
        return Locked(m.group(1).strip())
    low = msg.lower()
    code = getattr(err.orig, "sqlstate", None)  # PostgreSQL (psycopg); None on SQLite
    if "database is locked" in low or "database is busy" in low or code == "55P03":
        return Conflict(
            f"the database stayed busy for {BUSY_TIMEOUT_MS // 1000} s (another process is writing); try again"
        )
    if isinstance(err, exc.IntegrityError):
        if "unique" in low or "duplicate key" in low:
            return Conflict(f"conflict: a record with the same key already exists ({_first_line(msg)})")
        return Conflict(f"refused by the database: {_first_line(msg)}")
    if code in ("40001", "40P01") or "deadlock" in low or "could not serialize" in low:
        return Conflict("a concurrent change got in the way; try again")
    if code is not None and isinstance(err, (exc.OperationalError, exc.InterfaceError)):
        # PostgreSQL: the connection dropped, the server shut down, ... nothing was committed
        return Conflict(f"the database connection failed, nothing was changed: {_first_line(msg)}")
    return None


def _first_line(text: str) -> str:
    return text.strip().splitlines()[0][:200] if text.strip() else text


@contextmanager
def transaction(write: bool = True) -> Iterator[Session]:
    """One command, one transaction: commit on success, roll back everything on any error.

    Write transactions take the write lock at BEGIN on SQLite (BEGIN IMMEDIATE), so two
    writers queue on the busy timeout instead of failing half way.
    """
    eng = engine(write)
    if write:
        eng = eng.execution_options(orders_write=True)
    session = Session(eng, expire_on_commit=False, autoflush=True)
    try:
        with session.begin():
            yield session
    except exc.DBAPIError as err:
        translated = _translate(err)
        if translated is not None:
            raise translated from err
        raise
    finally:
        session.close()


_RECEIVABLES = {**dict.fromkeys(("credit_note", "credit_note_line"), "an issued credit note"), **dict.fromkeys(("payment", "payment_removal"), "the payments")}
PG_LOCK_TRIGGERS = ("sales_order_lock", "order_line_lock", "invoice_lock", "invoice_line_lock")
_FINALIZE = "the finalize lock"
# revision 0005: the triggers that keep the reports' summaries (store/summaries.py)
_SUMMARIES = {"invoice_summaries": "the VAT rows and balance of each invoice", "credit_note_summaries": "the VAT rows of each credit note",
              "payment_summaries": "the balances the payments move", "payment_removal_summaries": "the balances the payments move"}
_TAX_ROWS, _LINE_ROWS = ("invoice_tax", "credit_note_tax"), ("invoice_line_sales", "credit_note_line_sales")  # (_LINE_ROWS: revision 0007)
_LINES = {"invoice_line_summaries": "the sales lines of each invoice", "credit_note_line_summaries": "the sales lines of each credit note"}
_RECEIPTS = dict.fromkeys(("payment_receipts", "payment_removal_receipts"), "the payment dates and receipt VAT rows")  # revision 0008
# Every lock trigger by the revision that made it, per backend, and what it guards.
LOCK_TRIGGERS: dict[str, dict[str, dict[str, str]]] = {
    "sqlite": {
        "0001": {name: _FINALIZE for name in (
            "sales_order_lock", "sales_order_lock_delete", "order_line_lock_insert", "order_line_lock_update",
            "order_line_lock_delete", "order_line_lock_move", "invoice_lock", "invoice_lock_delete",
            "invoice_line_lock_update", "invoice_line_lock_delete")},
        "0002": {
            "sales_order_lock_key": "the key of a finalized order", "invoice_lock_key": "the key of an invoice",
            "invoice_line_lock_insert": "no new line on an issued invoice",
            "status_history_lock_update": "the history of an invoice", "status_history_lock_delete": "the history of an invoice",
            "sequence_lock_update": "the numbering counters", "sequence_lock_delete": "the numbering counters",
        },
        "0003": {
            "invoice_lock_kind": "the kind of an invoice",
            **{f"{t}_lock_{e}": what for t, what in _RECEIVABLES.items() for e in ("update", "delete")},
            "credit_note_line_lock_insert": "no new line on an issued credit note",
            "status_history_lock_credit_update": "the history of a credit note", "status_history_lock_credit_delete": "the history of a credit note",
            "reminder_lock_update": "the reminders sent", "reminder_lock_delete": "the reminders sent",
        },
        "0004": {"invoice_lock_legal": "the identities and allowances of an invoice",
                 "sales_order_lock_legal": "the allowances of a finalized order"},
        "0005": {**_SUMMARIES, **{f"{t}_lock_{e}": "the VAT rows of the reports" for t in _TAX_ROWS for e in ("update", "delete")}},
        "0007": {**_LINES, **{f"{t}_lock_{e}": "the sales lines of the reports" for t in _LINE_ROWS for e in ("update", "delete")}},
        "0008": _RECEIPTS, "0009": dict.fromkeys(REPLACE_GUARDS, "no INSERT OR REPLACE over a locked row"),
    },
    "postgresql": {
        "0001": {name: _FINALIZE for name in PG_LOCK_TRIGGERS},
        "0002": {
            "sales_order_lock_key": "the key of a finalized order", "invoice_lock_key": "the key of an invoice",
            "invoice_line_lock_insert": "no new line on an issued invoice", "status_history_lock": "the history of an invoice",
            "sequence_lock": "the numbering counters",
            **{f"{t}_lock_truncate": "no TRUNCATE" for t in ("sales_order", "order_line", "invoice", "invoice_line", "status_history", "sequence")},
        },
        "0003": {
            "invoice_lock_kind": "the kind of an invoice",
            **{f"{t}_lock": what for t, what in _RECEIVABLES.items()},
            "credit_note_line_lock_insert": "no new line on an issued credit note", "status_history_lock_credit": "the history of a credit note",
            "reminder_lock": "the reminders sent",
            **{f"{t}_lock_truncate": "no TRUNCATE" for t in ("credit_note", "credit_note_line", "payment", "payment_removal", "reminder")},
        },
        "0004": {"invoice_lock_legal": "the identities and allowances of an invoice",
                 "sales_order_lock_legal": "the allowances of a finalized order"},
        "0005": {**_SUMMARIES, **{f"{t}_lock{e}": "the VAT rows of the reports" for t in _TAX_ROWS for e in ("", "_truncate")}},
        "0007": {**_LINES, **{f"{t}_lock{e}": "the sales lines of the reports" for t in _LINE_ROWS for e in ("", "_truncate")}},
        "0008": _RECEIPTS,
    },
}
# The table whose numbers each counter of ``sequence`` gives out.
NUMBERED = {"quote": "quote", "order": "sales_order", "invoice": "invoice", "purchase": "purchase_order", "delivery": "delivery",
            "credit": "credit_note"}
# Counters whose documents are never deleted: one ahead of the highest number is a gap.
GAP_FREE = ("invoice", "credit")


def expected_lock_triggers(dialect: str, rev: str | None) -> dict[str, str]:
    """The lock triggers a database at ``rev`` must have (name -> what it guards)."""
    out: dict[str, str] = {}
    for r in sorted(LOCK_TRIGGERS.get(dialect, {})):
        if rev is None or r > rev:
            break
        out.update(LOCK_TRIGGERS[dialect][r])
    return out


def check(eng: sa.Engine) -> dict:
    """Integrity check and schema revision; every lock trigger in place (both backends) and
    every numbering counter consistent with the numbers issued."""
    from orders_cli.store import checks

    with eng.connect() as conn:
        rev = current_revision(conn)
        problems: list[str] = []
        dialect = conn.dialect.name
        if dialect == "sqlite":
            rows = [r[0] for r in conn.exec_driver_sql("PRAGMA integrity_check").fetchall()]
            if rows != ["ok"]:
                problems += rows
            fk = conn.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
            problems += [f"foreign key: {tuple(r)}" for r in fk]
            have = {r[0] for r in conn.exec_driver_sql("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
            disabled: set[str] = set()
        else:
            # constraints are always enforced there; the locks are triggers, which can be dropped or disabled
            found = conn.exec_driver_sql("SELECT tgname, tgenabled FROM pg_trigger WHERE NOT tgisinternal").fetchall()
            have = {r[0] for r in found}
            disabled = {r[0] for r in found if r[1] == "D"}
        if rev is not None:
            expected = expected_lock_triggers(dialect, rev)
            problems += [f"missing trigger {name} ({what})" for name, what in sorted(expected.items()) if name not in have]
            problems += [f"disabled trigger {name} ({what})" for name, what in sorted(expected.items()) if name in disabled]
            problems += checks.counter_problems(conn, rev, NUMBERED, GAP_FREE)
            if rev >= "0005":
                problems += checks.summary_problems(conn, rev)
        conn.rollback()
    return {"ok": not problems and rev == HEAD, "revision": rev, "head": HEAD, "problems": problems}


def _fsync_path(path: Path) -> None:
    """fsync a file or a folder (a folder: so a rename or a new entry in it survives a power cut)."""
    import os

    flags = os.O_RDONLY | (getattr(os, "O_DIRECTORY", 0) if path.is_dir() else 0)
    fd = os.open(path, flags)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)


def backup(eng: sa.Engine, target: Path) -> Path:
    """A consistent copy of a SQLite database through SQLite's online backup API, written to
    ``<target>.part``, fsynced, renamed into place, and the folder fsynced: once this returns
    the backup is on the disk under its name."""
    import sqlite3

    if eng.dialect.name != "sqlite":
        raise Invalid("backup copies SQLite files only; for PostgreSQL use pg_dump")
    source = eng.url.database
    if not source or source == ":memory:":
        raise Invalid("this database has no file to back up")
    if "\x00" in str(target):
        raise Invalid("backup: a file name cannot contain a NUL character")
    try:
        target = expand_user(target)
        if target.is_dir():
            target = target / f"{Path(source).stem}-backup.db"
        if target.exists():
            raise Conflict(f"{shown(target)} already exists; choose a new file name")
        target.parent.mkdir(parents=True, exist_ok=True)
        src = sqlite3.connect(source, timeout=BUSY_TIMEOUT_MS / 1000)
        tmp = target.with_name(target.name + ".part")
        try:
            dst = sqlite3.connect(tmp)
            try:
                src.backup(dst)
            finally:
                dst.close()
            _fsync_path(tmp)
            tmp.replace(target)
            _fsync_path(target.parent)  # the rename itself is on the disk
        finally:
            src.close()
            tmp.unlink(missing_ok=True)
    except (OSError, sqlite3.OperationalError) as err:
        reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
        raise Invalid(f"cannot write the backup {shown(target)}: {reason}") from None
    return target
