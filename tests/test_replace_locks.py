"""Revision 0009 (store/replace_locks.py): on SQLite, ``INSERT OR REPLACE`` deletes the rows in
its way without firing their DELETE triggers; every locked row must still be kept. For each
guarded table, a REPLACE of a row its delete lock keeps (by its primary key, and by each unique
key under a new id) is refused with the lock's message and changes nothing; rows the locks do
not keep (a draft order, its lines) may still be replaced; and the product's own writes (orders,
invoices, credit notes, payments, removals, reminders, a recurring run) go on as before."""

from __future__ import annotations

import os
import sqlite3

import pytest
from conftest import PG, clone_db, ok, sql
from test_migrations import contents
from test_quickread import scenario

from orders_cli.store.replace_locks import GUARDS

pytestmark = pytest.mark.skipif(bool(PG), reason="SQLite's REPLACE: PostgreSQL has none (ON CONFLICT DO UPDATE fires the UPDATE locks)")


def everything() -> None:
    """The read path's book (credit notes, payments, a removal, refunds, recurring invoices),
    with reminders recorded and an order finalized."""
    scenario()
    ok("order", "finalize", sql("SELECT number FROM sales_order WHERE subject = 'Quoted'")[0][0], "--yes")
    os.environ["ORDERS_TODAY"] = "2027-03-31"
    ok("remind", "run")
    os.environ["ORDERS_TODAY"] = "2026-11-28"


@pytest.fixture
def book(db_template):
    clone_db(db_template("replace-locks", everything))
    return os.environ["ORDERS_DB"]


def replace(db: str, table: str, where: str, change: str = "") -> None:
    """``INSERT OR REPLACE`` of the first row of ``table`` matching ``where`` (``change``: SQL run
    on the copy first), through a plain sqlite3 connection, as another tool would."""
    con = sqlite3.connect(db, isolation_level=None)
    try:
        con.execute(f'CREATE TEMP TABLE t AS SELECT * FROM "{table}" WHERE {where} LIMIT 1')
        assert con.execute("SELECT count(*) FROM t").fetchone()[0] == 1, (table, where)
        if change:
            con.execute(change)
        con.execute(f'INSERT OR REPLACE INTO "{table}" SELECT * FROM t')
    finally:
        con.close()


# a row each lock keeps, per guard (the WHERE that finds it)
KEPT = {
    "sales_order_lock_replace": "finalized",
    "order_line_lock_replace": "order_id IN (SELECT id FROM sales_order WHERE finalized)",
    "invoice_lock_replace": "1",
    "invoice_line_lock_replace": "1",
    "status_history_lock_replace": "doc_type = 'invoice'",
    "status_history_lock_credit_replace": "doc_type = 'credit_note'",
    "sequence_lock_replace": "doc_type = 'invoice'",
    "credit_note_lock_replace": "1",
    "credit_note_line_lock_replace": "1",
    "payment_lock_replace": "1",
    "payment_removal_lock_replace": "1",
    "reminder_lock_replace": "1",
    "invoice_tax_lock_replace": "1",
    "credit_note_tax_lock_replace": "1",
    "invoice_line_sales_lock_replace": "1",
    "credit_note_line_sales_lock_replace": "1",
}


def test_every_guard_is_tried():
    assert set(KEPT) == set(GUARDS)


def test_a_replace_of_a_kept_row_is_refused_and_changes_nothing(book):
    before = contents(book)
    for name, where in KEPT.items():
        table, keys, _, message = GUARDS[name]
        for key in keys:
            # the same key, the other columns as they are: the key's row would be deleted
            change = "" if len(keys) == 1 or key == keys[0] else f"UPDATE t SET {keys[0][0]} = {keys[0][0]} + 100000"
            with pytest.raises(sqlite3.IntegrityError, match=message.replace("(", r"\(").replace(")", r"\)")):
                replace(book, table, where, change)
        assert contents(book) == before, name


def test_rows_no_lock_keeps_may_still_be_replaced(book):
    draft = sql("SELECT id FROM sales_order WHERE NOT finalized AND id IN (SELECT order_id FROM order_line) ORDER BY id")[0][0]
    replace(book, "sales_order", f"id = {draft}", "UPDATE t SET subject = 'Replaced'")
    assert sql("SELECT subject FROM sales_order WHERE id = ?", draft) == [("Replaced",)]
    replace(book, "order_line", f"order_id = {draft}", "UPDATE t SET description = 'Replaced too'")
    assert sql("SELECT count(*) FROM order_line WHERE order_id = ? AND description = 'Replaced too'", draft) == [(1,)]


def test_the_products_own_writes_go_on(book):
    invoices = sql("SELECT count(*) FROM invoice")[0][0]
    number = ok("order", "add", "--subject", "After 0009", "--account", "North", "--line", "MUG:2", "--json").json()["number"]
    ok("order", "status", number, "approved")
    invoice = ok("order", "convert", "invoice", number, "--json").json()["number"]
    ok("payment", "add", invoice, "--amount", "1.00")
    ok("invoice", "credit", invoice, "--amount", "1.00")
    os.environ["ORDERS_TODAY"] = "2027-06-30"
    ok("recur", "run", "--date", "2027-06-30")
    ok("remind", "run")
    assert sql("SELECT count(*) FROM invoice")[0][0] > invoices + 1
    assert "integrity: ok" in ok("db", "check").err
