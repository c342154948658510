"""Migrations from the first released schema (issue 8): a database made at revision 0001
with every kind of record (tests/fixtures/orders_0001.sql, made by make_fixture_0001.py)
is upgraded to the current head, and every value in it must come through.

The comparison is generic (every row of every table in the fixture, on the columns the
fixture has), so these tests keep their meaning when later revisions add tables or
columns: they then prove the upgrade carries the 0001 data across.
"""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

import pytest
from conftest import ok, run

from orders_cli.store.migrations import HEAD

FIXTURES = Path(__file__).parent / "fixtures"
DUMP = FIXTURES / "orders_0001.sql"
CONFIG = FIXTURES / "orders_0001.toml"
FIXTURE_REVISION = "0001"


def load_fixture(path: Path) -> Path:
    con = sqlite3.connect(path)
    con.executescript(DUMP.read_text(encoding="utf-8"))
    con.close()
    return path


def columns(con: sqlite3.Connection, table: str) -> list[str]:
    return [r[1] for r in con.execute(f'PRAGMA table_info("{table}")')]


def contents(path: Path, shape: dict[str, list[str]] | None = None) -> dict[str, list]:
    """Every row of every table, sorted; on ``shape``'s tables and columns when given
    (so a table that gained columns is compared on the ones it had)."""
    con = sqlite3.connect(path)
    try:
        if shape is None:
            tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
            shape = {t: columns(con, t) for t in tables}
        out = {}
        for table, cols in shape.items():
            sel = ", ".join(f'"{c}"' for c in cols)
            out[table] = sorted(map(repr, con.execute(f'SELECT {sel} FROM "{table}"').fetchall()))
        return out
    finally:
        con.close()


def shape_of(path: Path) -> dict[str, list[str]]:
    con = sqlite3.connect(path)
    try:
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")]
        return {t: columns(con, t) for t in tables}
    finally:
        con.close()


@pytest.fixture
def old_db(tmp_path, monkeypatch):
    db = load_fixture(tmp_path / "shop.db")
    shutil.copyfile(CONFIG, tmp_path / "config.toml")
    monkeypatch.setenv("ORDERS_DB", str(db))
    monkeypatch.setenv("ORDERS_CONFIG", str(tmp_path / "config.toml"))
    return db


def test_the_fixture_is_at_0001_and_holds_every_kind_of_record(old_db):
    con = sqlite3.connect(old_db)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(FIXTURE_REVISION,)]
        tables = [t for (t,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name")]
        assert len(tables) >= 29
        empty = [t for t in tables if con.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] == 0]
        assert empty == []
        # the kinds the issue names, beyond "a row exists"
        assert con.execute("SELECT count(*) FROM sales_order WHERE finalized").fetchone()[0] >= 2
        assert con.execute("SELECT count(*) FROM invoice WHERE recurring").fetchone()[0] >= 2
        assert con.execute("SELECT count(*) FROM invoice WHERE NOT recurring").fetchone()[0] >= 3
        assert con.execute("SELECT count(*) FROM usage_record WHERE invoice_id IS NOT NULL").fetchone()[0] >= 1
        assert con.execute("SELECT count(*) FROM usage_record WHERE invoice_id IS NULL").fetchone()[0] >= 1
        assert con.execute("SELECT count(*) FROM sqlite_master WHERE type = 'trigger'").fetchone()[0] >= 8
    finally:
        con.close()


def test_db_upgrade_carries_every_value_across(old_db):
    before_shape = shape_of(old_db)
    before = contents(old_db)
    r = ok("db", "upgrade", "--json")
    result = r.json()
    assert result["from"] == FIXTURE_REVISION and result["to"] == HEAD
    after_shape = shape_of(old_db)
    for table, cols in before_shape.items():
        if table == "alembic_version":
            continue
        assert table in after_shape, f"the upgrade lost table {table}"
        assert set(cols) <= set(after_shape[table]), f"the upgrade lost columns of {table}: {set(cols) - set(after_shape[table])}"
    after = contents(old_db, {t: c for t, c in before_shape.items() if t != "alembic_version"})
    # 0003 adds a counter (credit notes) and nothing else to the old tables
    added = {"sequence": ["('credit', 0)"]}
    for table in after:
        assert sorted(after[table]) == sorted(before[table] + added.get(table, [])), f"values changed in {table}"
    assert contents(old_db, {"alembic_version": ["version_num"]}) == {"alembic_version": [repr((HEAD,))]}
    # a backup was taken first, holding the database exactly as it was, whenever there was an upgrade to make
    if FIXTURE_REVISION != HEAD:
        backup = Path(result["backup"])
        assert backup.exists() and backup.parent == old_db.parent
        assert backup.name == f"shop-before-{HEAD}-2026-11-28.db"
        assert contents(backup) == before
    else:
        assert result["backup"] is None


def test_db_check_after_the_upgrade(old_db):
    ok("db", "upgrade")
    info = ok("db", "check", "--json").json()
    assert info == {"ok": True, "revision": HEAD, "head": HEAD, "problems": []}


def test_any_command_upgrades_on_open_and_reads_the_old_records(old_db):
    """ensure_schema: the first command on an old database migrates it, then works on it."""
    before = contents(old_db)
    before_shape = {t: c for t, c in shape_of(old_db).items() if t != "alembic_version"}
    orders = ok("order", "list", "--json").json()
    assert len(orders) == len(before["sales_order"])
    after = contents(old_db, before_shape)
    assert all(after[t] == before[t] for t in after if t != "sequence")
    assert sorted(after["sequence"]) == sorted(before["sequence"] + ["('credit', 0)"])
    # the records read back through the current code, totals and all
    final = [o for o in orders if o["finalized"]]
    assert final
    doc = ok("order", "show", final[0]["number"], "--json").json()
    assert doc["lines"] and doc["totals"]["total"] == final[0]["total"]
    everything = next(o for o in orders if o["subject"].startswith("Everything order"))
    doc = ok("order", "show", everything["number"], "--json").json()
    assert doc["recurrence"]["frequency"] == "monthly"
    assert [d["filename"] for d in doc["related"]["documents"]] == ["contrat signé.pdf"]
    # the order's own activity, and the one on its invoice (order show lists both)
    assert {a["subject"] for a in doc["related"]["activities"]} == {"Appeler Anna", "Relance facture"}
    invoices = ok("invoice", "list", "--json").json()
    assert len(invoices) == len(before["invoice"])
    old_invoice = ok("invoice", "show", invoices[-1]["number"], "--json").json()  # issued before identity snapshots (issue 15)
    assert (old_invoice["seller"], old_invoice["buyer"], old_invoice["customer_ref"]) == (None, None, None)
    assert ok("config", "get", "company.vat_id").out.strip() == "FR12345678901"  # written before it was checked: still read
    assert ok("config", "get", "company.name").out.strip() == "Atelier Müller & Fils"
    # and the finalize lock still holds after the upgrade (the triggers came through)
    r = run("order", "edit", final[0]["number"], "--subject", "changed")
    assert r.code == 1
    assert contents(old_db, before_shape) == after


def test_db_upgrade_backs_up_first_whenever_the_revision_is_behind(old_db, monkeypatch):
    """The backup branch of `db upgrade`, exercised whatever the head is: pretend
    the code is one revision ahead; the backup must be a complete copy made before anything."""
    from orders_cli import store

    monkeypatch.setattr(store, "HEAD", "0001-next")
    before = contents(old_db)
    result = ok("db", "upgrade", "--json").json()
    backup = Path(result["backup"])
    assert result["from"] == FIXTURE_REVISION
    assert backup == old_db.parent / "shop-before-0001-next-2026-11-28.db"
    assert contents(backup) == before
    # a second upgrade on the same day refuses to overwrite that backup
    r = run("db", "upgrade")
    assert r.code == 1 and "already exists" in r.err
    assert contents(backup) == before


def test_the_dump_is_what_the_generator_makes():
    """The fixture is reviewable text, and its generator is beside it."""
    text = DUMP.read_text(encoding="utf-8")
    assert text.startswith("BEGIN TRANSACTION;") and text.rstrip().endswith("COMMIT;")
    assert "INSERT INTO \"alembic_version\" VALUES('0001');" in text
    assert (FIXTURES / "make_fixture_0001.py").exists()


def test_the_upgrade_closes_the_locks_on_the_old_records(old_db):
    """0002 on a 0001 database: every lock trigger in place, and they hold on the old rows
    (a line into an old invoice, a key change, a rewound or deleted counter are refused)."""
    from orders_cli.store.database import expected_lock_triggers

    ok("db", "upgrade")
    before = contents(old_db)
    con = sqlite3.connect(old_db)
    try:
        have = {n for (n,) in con.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'")}
        assert set(expected_lock_triggers("sqlite", HEAD)) <= have
        inv = con.execute("SELECT min(id) FROM invoice").fetchone()[0]
        order = con.execute("SELECT min(id) FROM sales_order WHERE finalized").fetchone()[0]
        for statement, params in (
            ("INSERT INTO invoice_line (invoice_id, line_no, sku, description, kind, quantity, unit_price, net, taxes) "
             "VALUES (?, 99, 'X', 'smuggled', 'product', '1', '1', 100, '[]')", (inv,)),
            ("UPDATE invoice SET id = id + 1000 WHERE id = ?", (inv,)),
            ("UPDATE sales_order SET id = id + 1000 WHERE id = ?", (order,)),
            ("UPDATE sequence SET last_value = 0", ()),
            ("DELETE FROM sequence", ()),
        ):
            with pytest.raises(sqlite3.DatabaseError, match="locked"):
                con.execute(statement, params)
            con.rollback()
    finally:
        con.close()
    assert contents(old_db) == before


def test_0003_carries_a_paid_status_into_a_payment_and_opens_the_credit_series(old_db):
    con = sqlite3.connect(old_db)
    try:
        paid = con.execute("SELECT id, total, account_id FROM invoice WHERE status = 'paid'").fetchall()
        others = con.execute("SELECT count(*) FROM invoice WHERE status != 'paid'").fetchone()[0]
    finally:
        con.close()
    assert paid and others
    ok("db", "upgrade")
    con = sqlite3.connect(old_db)
    try:
        payments = con.execute("SELECT invoice_id, amount, account_id, method FROM payment ORDER BY invoice_id").fetchall()
        assert payments == [(i, total, account, "other") for i, total, account in paid]
        assert con.execute("SELECT last_value FROM sequence WHERE doc_type = 'credit'").fetchone() == (0,)
        assert con.execute("SELECT count(*) FROM invoice WHERE kind != 'standard'").fetchone() == (0,)
        # the new rows are locked like the old ones
        with pytest.raises(sqlite3.DatabaseError, match="locked"):
            con.execute("UPDATE payment SET amount = 1")
        with pytest.raises(sqlite3.DatabaseError, match="locked"):
            con.execute("DELETE FROM payment")
        with pytest.raises(sqlite3.DatabaseError, match="locked"):
            con.execute("UPDATE invoice SET kind = 'deposit'")
    finally:
        con.close()
