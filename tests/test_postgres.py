"""PostgreSQL only (the ORDERS_TEST_PG pass): what SQLite gives by having one writer, the
PostgreSQL engine gives with one advisory lock per write transaction and a lock timeout."""

from __future__ import annotations

import os
import subprocess
import sys
import time

import pytest
from conftest import PG, Raw, ok, own_db, refused, sql

pytestmark = pytest.mark.skipif(not PG, reason="PostgreSQL only: set ORDERS_TEST_PG (the second pass of .ci/run)")


@pytest.fixture
def store():
    from orders_cli import store as store_mod

    yield store_mod
    store_mod.dispose_all()


def test_session_settings(store):
    with store.transaction(write=False) as s:
        conn = s.connection()
        assert conn.exec_driver_sql("SHOW lock_timeout").scalar() == "30s"
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "repeatable read"
    with store.transaction() as s:
        conn = s.connection()
        assert conn.exec_driver_sql("SHOW transaction_isolation").scalar() == "read committed"
        held = conn.exec_driver_sql(
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND objid = %d AND pid = pg_backend_pid()" % store.WRITE_LOCK_KEY
        ).scalar()
        assert held == 1


def test_a_second_writer_waits_for_the_first(store):
    ok("account", "add", "Acme")
    with store.transaction() as s:
        store.next_number(s, "order", "SO-")  # holds the write lock and the counter row
        proc = subprocess.Popen([sys.executable, "-m", "orders_cli", "vendor", "add", "Waiting"],
                                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=dict(os.environ))
        time.sleep(2.5)
        assert proc.poll() is None, proc.communicate()  # still queued behind this transaction
        assert sql("SELECT count(*) FROM vendor") == [(0,)]
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert sql("SELECT name FROM vendor") == [("Waiting",)]
    assert sql("SELECT last_value FROM sequence WHERE doc_type = 'order'") == [(1,)]


def test_a_writer_that_waits_too_long_says_so_and_changes_nothing(store, monkeypatch):
    from orders_cli.store import database

    monkeypatch.setattr(database, "BUSY_TIMEOUT_MS", 500)
    ok("account", "add", "Acme")
    holder = Raw()
    try:
        holder.execute(f"SELECT pg_advisory_xact_lock({store.WRITE_LOCK_KEY})")
        r = refused("vendor", "add", "Late")
        assert "busy" in r.err and "try again" in r.err
        refused("vendor", "add", "Late", "--json", error_code="conflict")
        ok("account", "list")  # readers never wait
    finally:
        holder.rollback()
        holder.close()
    assert sql("SELECT count(*) FROM vendor") == [(0,)]
    ok("vendor", "add", "Late")


def test_db_backup_points_to_pg_dump(tmp_path):
    r = refused("db", "backup", tmp_path / "copy.db")
    assert "pg_dump" in r.err
    assert not (tmp_path / "copy.db").exists()


def test_a_trigger_refusal_is_a_clean_locked_error():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "W", "--name", "W", "--price", "1.00", "--tax", "VAT20")
    ok("order", "add", "--subject", "x", "--account", "Acme", "--line", "W:1")
    ok("order", "finalize", "SO-00001", "--yes")
    with pytest.raises(Exception, match="locked: the order is finalized"):
        sql("UPDATE sales_order SET subject = 'y'")
    import sqlalchemy as sa

    from orders_cli import store
    from orders_cli.core.errors import Locked

    with pytest.raises(Locked, match="the order is finalized"):
        with store.transaction() as s:
            s.execute(sa.text("UPDATE sales_order SET subject = 'y'"))
    store.dispose_all()


def test_db_check_reports_a_missing_finalize_trigger():
    own_db()  # the schema changes: not on the shared work database
    assert ok("db", "check", "--json").json()["problems"] == []
    sql("DROP TRIGGER invoice_lock ON invoice")
    r = refused("db", "check", "--json", error_code="invalid")
    import json

    info = json.loads(r.out)
    assert info["ok"] is False and info["problems"] == ["missing trigger invoice_lock (the finalize lock)"]


def test_an_unreachable_database_is_one_clean_line():
    from conftest import pg_url

    r = refused("--db", pg_url("orders_no_such_database"), "tax", "list")
    assert "cannot open the database" in r.err and "orders_no_such_database" in r.err
    r = refused("--db", "postgresql+psycopg://nobody:secret@127.0.0.1:1/x", "tax", "list", "--json", error_code="invalid")
    assert "secret" not in r.err and "Connection refused" in r.err
