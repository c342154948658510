"""The database: created and migrated on first use, pragmas, db init/check/upgrade/backup,
an exact schema (no floats, money in integer cents) and gap-free numbering."""

from __future__ import annotations

import functools
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from datetime import date
from decimal import Decimal
from pathlib import Path

import conftest
import pytest
from conftest import PG, db_content, empty_db, ok, refused, run, sqlite_only

import orders_cli
from orders_cli.store.migrations import HEAD

VERSIONS = Path(orders_cli.__file__).parent / "store" / "migrations" / "versions"


@pytest.fixture(autouse=True, scope="module")
def _command_tree_built_once():
    """Typer rebuilds its click command tree on every ``main()``; build it once per module."""
    import typer.main

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.main, "get_command", functools.lru_cache(maxsize=None)(typer.main.get_command))
        yield


@pytest.fixture
def in_process():
    """Use orders_cli.store directly, with this test's ORDERS_DB / ORDERS_CONFIG."""
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.adapters.env import ENV, Env

    ENV.__dict__.update(Env().__dict__)
    config._CACHE.clear()
    yield store
    store.dispose_all()
    config._CACHE.clear()


def db_path():
    """This test's database: a file Path on SQLite, the URL on the PostgreSQL pass."""
    return os.environ["ORDERS_DB"] if PG else Path(os.environ["ORDERS_DB"])


def sql(target, query: str, *params):
    return conftest.sql(query, *params, target=target)


def column_types(table: str) -> dict[str, str]:
    """Declared column types of a table of this test's database (either backend)."""
    if PG:
        return dict(sql(db_path(), "SELECT column_name, data_type FROM information_schema.columns "
                                   "WHERE table_schema = 'public' AND table_name = ?", table))
    return {r[1]: r[2] for r in sql(db_path(), f'PRAGMA table_info("{table}")')}


def table_names() -> list[str]:
    if PG:
        return [r[0] for r in sql(db_path(), "SELECT table_name FROM information_schema.tables "
                                             "WHERE table_schema = 'public' AND table_type = 'BASE TABLE'")]
    return [r[0] for r in sql(db_path(), "SELECT name FROM sqlite_master WHERE type='table'")]


# ---------------------------------------------------------------- creation and migrations


@sqlite_only  # PostgreSQL: a missing database is the server's refusal
def test_a_missing_database_is_refused_not_made(tmp_path, monkeypatch):
    """A mistyped --db or ORDERS_DB is not an empty business: refused, nothing made (issue 18)."""
    path = tmp_path / "typo" / "books.db"
    for args in (("--db", str(path), "invoice", "list"), ("--db", str(path), "recur", "run"),
                 ("--db", str(path), "product", "add", "W", "--name", "W", "--price", "1"),
                 ("--db", str(path), "db", "upgrade"), ("--db", str(path), "db", "check")):
        r = run(*args)
        assert (r.code, r.out, r.err) == (1, "", f"error: no database at {path} (create it with: orders db init)\n"), args
    monkeypatch.setenv("ORDERS_DB", str(path))
    assert run("invoice", "list").err == f"error: no database at {path} (create it with: orders db init)\n"
    assert not (tmp_path / "typo").exists()


@sqlite_only  # PostgreSQL: a missing database is the server's refusal
def test_the_default_location_is_made_by_the_first_write_only(tmp_path, monkeypatch):
    monkeypatch.delenv("ORDERS_DB")
    default = tmp_path / "xdg-data" / "orders" / "orders.db"
    r = run("product", "list")
    assert (r.code, r.err) == (1, f"error: no database at {default} (create it with: orders db init)\n")
    assert not default.exists()
    # a refused first write leaves no database behind (a refusal changes nothing)
    r = run("product", "add", "W", "--name", "Widget", "--price", "-1")
    assert r.code == 1 and not default.exists(), r.err
    empty = tmp_path / "empty.csv"
    empty.write_text("")
    assert run("product", "import", str(empty)).code == 1 and not default.exists()
    ok("product", "add", "W", "--name", "Widget", "--price", "1")
    assert default.is_file() and [p["sku"] for p in ok("product", "list", "--json").json()] == ["W"]
    # once it holds records, a refusal leaves it as it was
    assert run("product", "import", str(empty)).code == 1 and default.is_file()
    assert [p["sku"] for p in ok("product", "list", "--json").json()] == ["W"]


def test_fresh_database_is_created_and_migrated_by_db_init(tmp_path):
    before = db_content()
    path = tmp_path / "not" / "yet" / "there.db"
    ok("--db", path, "db", "init")
    assert ok("--db", path, "tax", "list", "--json").json() == []
    assert path.is_file()
    assert sql(path, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    tables = {r[0] for r in sql(path, "SELECT name FROM sqlite_master WHERE type='table'")}
    assert {"tax", "product", "account", "contact", "vendor", "app_user", "sequence", "sales_order"} <= tables
    assert db_content() == before  # --db won over ORDERS_DB


def test_sqlalchemy_url_is_accepted(tmp_path):
    path = tmp_path / "url.db"
    assert refused("--db", f"sqlite:///{path}", "db", "check").err.startswith("error: no database at sqlite:///")
    ok("--db", f"sqlite:///{path}", "db", "init")
    info = ok("--db", f"sqlite:///{path}", "db", "check", "--json").json()
    assert info["ok"] is True and info["revision"] == HEAD
    assert path.is_file()


def test_unusable_database_url_is_a_clean_error():
    r = refused("--db", "nosuchdialect://user@host/db", "tax", "list")
    assert "--db" in r.err


def test_head_is_the_newest_revision_file(in_process):
    revisions, parents = {}, set()
    for file in VERSIONS.glob("*.py"):
        text = file.read_text(encoding="utf-8")
        rev = re.search(r"^revision\s*=\s*['\"]([^'\"]+)['\"]", text, re.M)
        down = re.search(r"^down_revision\s*=\s*(?:None|['\"]([^'\"]+)['\"])", text, re.M)
        assert rev and down, file
        revisions[rev.group(1)] = file.name
        if down.group(1):
            parents.add(down.group(1))
    heads = set(revisions) - parents
    assert heads == {HEAD}, f"newest revision file(s) {heads}, but migrations.HEAD is {HEAD!r}"
    assert in_process.known_revisions() == set(revisions)


def test_a_newer_schema_is_refused_and_left_alone():
    ok("tax", "add", "VAT20", "--rate", "20")
    sql(db_path(), "UPDATE alembic_version SET version_num = '9999'")
    before = db_content()
    r = refused("tax", "list")
    assert "9999" in r.err and "newer" in r.err
    assert db_content() == before


@sqlite_only
def test_wal_mode_and_foreign_keys(in_process):
    import sqlalchemy as sa

    ok("db", "init")
    assert sql(db_path(), "PRAGMA journal_mode") == [("wal",)]  # persistent, seen by any sqlite3 client
    eng = in_process.engine()
    with eng.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
        assert conn.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1
        assert conn.exec_driver_sql("PRAGMA busy_timeout").scalar() >= 1000
        assert conn.exec_driver_sql("PRAGMA synchronous").scalar() == 2  # FULL: a commit is on the disk when it returns
    with pytest.raises(sa.exc.IntegrityError):
        with eng.begin() as conn:
            conn.exec_driver_sql("INSERT INTO contact (name, account_id) VALUES ('Ghost', 999)")
    assert sql(db_path(), "SELECT count(*) FROM contact") == [(0,)]


# ---------------------------------------------------------------- db init | check | upgrade


def test_db_init():
    r = ok("db", "init", "--json")
    url = db_path() if PG else f"sqlite:///{db_path().resolve()}"
    assert r.json() == {"database": url, "revision": HEAD, "ok": True}
    r = ok("db", "init")  # again: nothing to do, still fine
    assert r.out == "" and "database ready" in r.err and HEAD in r.err


def test_db_check():
    info = ok("db", "check", "--json").json()
    assert info == {"ok": True, "revision": HEAD, "head": HEAD, "problems": []}
    r = ok("db", "check")
    assert "integrity: ok" in r.err


@sqlite_only  # PostgreSQL never lets a broken foreign key in
def test_db_check_reports_a_broken_foreign_key():
    ok("account", "add", "A")
    con = sqlite3.connect(db_path())  # a connection without foreign_keys=ON
    con.execute("INSERT INTO contact (name, account_id) VALUES ('Orphan', 42)")
    con.commit()
    con.close()
    r = refused("db", "check", "--json", error_code="invalid")
    info = json.loads(r.out)
    assert info["ok"] is False and info["problems"]


def test_db_upgrade_when_up_to_date_says_so():
    ok("db", "init")
    before = db_content()
    r = ok("db", "upgrade")
    assert "already at the current schema" in r.err and HEAD in r.err
    assert ok("db", "upgrade", "--json").json() == {"from": HEAD, "to": HEAD, "backup": None}
    assert db_content() == before
    if not PG:
        assert sorted(p.name for p in db_path().parent.glob("orders*.db")) == ["orders.db"]  # no backup made


def test_db_upgrade_of_a_new_database():
    empty_db()
    assert ok("db", "upgrade", "--json").json() == {"from": None, "to": HEAD, "backup": None}
    assert sql(db_path(), "SELECT version_num FROM alembic_version") == [(HEAD,)]


# ---------------------------------------------------------------- db backup


@sqlite_only
def test_db_backup_copies_every_row(tmp_path, demo):
    target = tmp_path / "backups" / "copy.db"
    r = ok("db", "backup", target, "--json")
    assert r.json() == {"backup": str(target)}
    assert db_content(target) == db_content()
    assert sql(target, "PRAGMA integrity_check") == [("ok",)]
    assert sql(target, "SELECT version_num FROM alembic_version") == [(HEAD,)]
    assert not list(target.parent.glob("*.part"))
    # a folder as target: a file inside it
    r = ok("db", "backup", tmp_path / "backups")
    assert "backup written" in r.err
    assert db_content(tmp_path / "backups" / "orders-backup.db") == db_content()


@sqlite_only
def test_db_backup_refuses_an_existing_target(tmp_path, demo):
    target = tmp_path / "taken.db"
    target.write_bytes(b"precious")
    before = db_content()
    r = refused("db", "backup", target)
    assert str(target) in r.err
    refused("db", "backup", target, "--json", error_code="conflict")
    assert target.read_bytes() == b"precious"
    assert db_content() == before


@sqlite_only
def test_every_numbered_document_commits_with_synchronous_full(isolated, monkeypatch):
    """The connection that allocates a document number (and so commits it) has
    synchronous=FULL: the commit reaches the disk before the number is printed or mailed."""
    from orders_cli import store
    from orders_cli.store import numbering

    seen: list[tuple[str, int]] = []
    allocate = numbering.allocate

    def recording(session, doc_type, prefix, count=1):
        import sqlalchemy as sa

        # a Session's transaction, or the one connection of recur run's transactions (store.batch)
        conn = session if isinstance(session, sa.Connection) else session.connection()
        seen.append((doc_type, conn.exec_driver_sql("PRAGMA synchronous").scalar()))
        return allocate(session, doc_type, prefix, count)

    monkeypatch.setattr(numbering, "allocate", recording)
    monkeypatch.setattr(store, "allocate", recording, raising=False)
    monkeypatch.delattr(store, "next_number", raising=False)  # resolved again: numbering's, calling the recorder
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("vendor", "add", "Paper Co")
    ok("product", "add", "BOOK", "--name", "Book", "--price", "10.00", "--tax", "VAT20", "--vendor", "Paper Co", "--cost", "4.00")
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    ok("order", "add", "--subject", "S", "--account", "Acme", "--line", "BOOK:3", "--line", "MAINT:1")
    ok("order", "add", "--from-json", "-", stdin='[{"subject": "J", "account": {"name": "Acme"}, "lines": [{"sku": "MAINT", "quantity": "1"}]}]')
    ok("recur", "set", "SO-00002", "--frequency", "monthly", "--start", "2026-01-01")
    ok("recur", "run", "--date", "2026-03-01")  # before the invoice of today: numbers follow dates
    ok("order", "convert", "invoice", "SO-00001", "--percent", "30")
    ok("order", "convert", "delivery", "SO-00001")
    ok("order", "convert", "purchase", "SO-00001")
    kinds = {k for k, _ in seen}
    assert {"order", "invoice", "delivery", "purchase"} <= kinds, seen
    assert [v for _, v in seen] == [2] * len(seen), seen


@sqlite_only
def test_db_backup_fsyncs_the_copy_and_then_its_folder(tmp_path, demo, monkeypatch):
    import stat

    target = tmp_path / "backups" / "copy.db"
    real_fsync = os.fsync
    calls: list[tuple[str, bool]] = []

    def recording(fd):
        st = os.fstat(fd)
        if stat.S_ISDIR(st.st_mode):
            calls.append(("dir", st.st_ino == os.stat(target.parent).st_ino and target.exists()))
        else:
            calls.append(("file", st.st_ino == os.stat(target.with_name(target.name + ".part")).st_ino
                          if target.with_name(target.name + ".part").exists() else False))
        return real_fsync(fd)

    monkeypatch.setattr(os, "fsync", recording)
    ok("db", "backup", target)
    # the copy before the rename, the folder after it (with the copy already under its name)
    assert ("file", True) in calls and calls[-1] == ("dir", True), calls
    assert db_content(target) == db_content()


WRITER = """
import os, sys
from orders_cli import store
from orders_cli.parties import catalog
stop = sys.argv[1]
n = 0
while n < 5000 and not os.path.exists(stop):
    with store.transaction() as s:
        catalog.add_vendor(s, f"W{n:05d}")
    n += 1
    if n == 20:
        print("ready", flush=True)
store.dispose_all()
print(n, flush=True)
"""


@sqlite_only
def test_db_backup_is_consistent_while_another_process_writes(tmp_path, demo):
    stop = tmp_path / "stop"
    writer = subprocess.Popen(
        [sys.executable, "-c", WRITER, str(stop)],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ),
    )
    try:
        assert writer.stdout.readline().strip() == "ready", writer.stderr.read()
        seen = []
        for i in range(4):
            target = tmp_path / f"hot-{i}.db"
            ok("db", "backup", target)
            assert sql(target, "PRAGMA integrity_check") == [("ok",)]
            names = [r[0] for r in sql(target, "SELECT name FROM vendor WHERE name LIKE 'W%' ORDER BY id")]
            # each vendor is its own commit: a consistent copy holds exactly the first k of them
            assert names == [f"W{n:05d}" for n in range(len(names))]
            assert sql(target, "SELECT count(*) FROM product") == sql(db_path(), "SELECT count(*) FROM product")
            seen.append(len(names))
            time.sleep(0.05)
    finally:
        stop.touch()
        out, err = writer.communicate(timeout=30)
    assert writer.returncode == 0, err
    written = int(out.split()[-1])
    assert seen == sorted(seen) and seen[-1] <= written
    assert len(set(seen)) > 1, "the writer should have been writing during the backups"
    assert seen[0] >= 20
    assert sql(db_path(), "SELECT count(*) FROM vendor WHERE name LIKE 'W%'") == [(written,)]


# ---------------------------------------------------------------- an exact schema

FORBIDDEN_TYPES = ("REAL", "FLOA", "DOUB", "NUMERIC", "DECIMAL", "MONEY")


def test_no_float_column_anywhere():
    ok("db", "init")
    tables = table_names()
    assert len(tables) > 10
    bad = []
    for table in tables:
        for name, type_ in column_types(table).items():
            if any(word in type_.upper() for word in FORBIDDEN_TYPES):
                bad.append(f"{table}.{name} {type_}")
    assert not bad, bad


def test_no_float_type_in_the_models():
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    import orders_cli.store.schema  # noqa: F401

    bad = [
        f"{t.name}.{c.name}"
        for t in SQLModel.metadata.tables.values()
        for c in t.columns
        if isinstance(c.type, (sa.Float, sa.Numeric)) or isinstance(getattr(c.type, "impl", None), (sa.Float, sa.Numeric))
    ]
    assert not bad, bad


MONEY_COLUMNS = {"total", "subtotal", "tax_total", "discount_amount", "shipping_charge", "adjustment", "net"}


def test_money_columns_are_integer_cents():
    from sqlmodel import SQLModel

    from orders_cli.store.schema import Cents

    ok("db", "init")
    declared = {}
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if isinstance(column.type, Cents):
                declared[(table.name, column.name)] = column
    assert declared, "no Cents column at all"
    names = {name for _, name in declared}
    assert {"total", "subtotal", "tax_total", "net"} <= names
    for (table, name) in declared:
        types = column_types(table)
        assert "INT" in types[name].upper(), f"{table}.{name} is {types[name]}"
    # and the other way round: a column named like money is stored as cents
    for table in SQLModel.metadata.tables.values():
        for column in table.columns:
            if column.name in MONEY_COLUMNS:
                assert isinstance(column.type, Cents), f"{table.name}.{column.name} is {column.type!r}"


def test_an_amount_is_stored_as_an_integer_count_of_cents(in_process):
    from orders_cli.store import schema as m

    ok("account", "add", "A")
    with in_process.transaction() as s:
        s.add(m.SalesOrder(number="T-1", subject="cents", account_id=1, order_date=date(2026, 11, 28),
                           subtotal=Decimal("1234.50"), total=Decimal("0.10"), adjustment=Decimal("-1.99")))
    typeof = "pg_typeof" if PG else "typeof"
    row = sql(db_path(), f"SELECT {typeof}(subtotal)::text, subtotal, {typeof}(total)::text, total, adjustment FROM sales_order"
              if PG else "SELECT typeof(subtotal), subtotal, typeof(total), total, adjustment FROM sales_order")
    assert row == [("bigint" if PG else "integer", 123450, "bigint" if PG else "integer", 10, -199)]
    with in_process.transaction(write=False) as s:
        order = s.exec(__import__("sqlmodel").select(m.SalesOrder)).one()
        assert (order.subtotal, order.total, order.adjustment) == (Decimal("1234.50"), Decimal("0.10"), Decimal("-1.99"))


# ---------------------------------------------------------------- numbering


def test_next_number_is_not_burnt_by_a_failed_transaction(in_process):
    from orders_cli.core.errors import Invalid

    store = in_process
    with pytest.raises(RuntimeError):
        with store.transaction() as s:
            assert store.next_number(s, "order", "SO-") == "SO-00001"
            raise RuntimeError("boom")
    with store.transaction() as s:
        assert store.next_number(s, "order", "SO-") == "SO-00001"
    with pytest.raises(Invalid):  # a refusal rolls back the same way
        with store.transaction() as s:
            assert store.next_number(s, "order", "SO-") == "SO-00002"
            raise Invalid("refused")
    with store.transaction() as s:
        assert store.next_number(s, "order", "SO-") == "SO-00002"
        assert store.next_number(s, "invoice", "INV-") == "INV-00001"
    assert dict(sql(db_path(), "SELECT doc_type, last_value FROM sequence"))["order"] == 2


def test_next_number_uses_the_configured_prefix(in_process):
    from orders_cli.adapters import settings as config

    ok("config", "set", "numbering.quote_prefix", "DEV-")
    config._CACHE.clear()
    with in_process.transaction() as s:
        assert in_process.next_number(s, "quote", config.current().prefix("quote")) == "DEV-00001"
        assert in_process.next_number(s, "delivery", config.current().prefix("delivery")) == "DN-00001"
