"""Issue 13 item 5: the locks hold against plain SQL (sqlite3 / psql on the file or server),
not only against the product's code: no line smuggled into an issued invoice, no key change
of a finalized order or an invoice, no rewound or deleted numbering counter, and `db check`
names any lock trigger that is missing and any counter behind the numbers issued. Each
attempt runs through `Raw` (a plain DB-API connection) and must leave the database unchanged."""

from __future__ import annotations

import json

import pytest
from conftest import PG, Raw, db_content, ok, own_db, refused, run

from orders_cli.store.database import expected_lock_triggers
from orders_cli.store.migrations import HEAD

INSERT_LINE = (
    "INSERT INTO invoice_line (invoice_id, line_no, product_id, sku, description, kind, quantity, unit_price, discount, net, taxes, comment) "
    "SELECT invoice_id, 99, product_id, sku, 'smuggled', kind, '100', unit_price, discount, 999999, taxes, comment FROM invoice_line WHERE invoice_id = ? LIMIT 1"
)


@pytest.fixture
def issued(isolated):
    """A finalized order SO-00001 with an issued invoice INV-00001 (and a draft order SO-00002)."""
    from orders_cli import store

    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "W", "--name", "Widget", "--price", "10.00", "--tax", "VAT20")
    ok("order", "add", "--subject", "locked", "--account", "Acme", "--line", "W:2")
    ok("order", "add", "--subject", "draft", "--account", "Acme", "--line", "W:1")
    ok("order", "finalize", "SO-00001", "--yes")
    ok("order", "convert", "invoice", "SO-00001")
    store.dispose_all()
    with Raw() as con:
        oid = con.execute("SELECT id FROM sales_order WHERE number = 'SO-00001'").fetchone()[0]
        iid = con.execute("SELECT id FROM invoice WHERE number = 'INV-00001'").fetchone()[0]
    yield {"order": oid, "invoice": iid}
    store.dispose_all()


def refused_sql(statement: str, params=()) -> None:
    before = db_content()
    con = Raw()
    try:
        with pytest.raises(con.Error, match="locked"):
            con.execute(statement, params)
            con.commit()
        con.rollback()
    finally:
        con.close()
    assert db_content() == before, statement


SMUGGLING = [
    # a line into an issued invoice (show would list it, its total disagreeing)
    ("invoice", INSERT_LINE),
    # key changes: renumber, edit the lines freely, renumber back
    ("invoice", "UPDATE invoice SET id = id + 1000 WHERE id = ?"),
    ("order", "UPDATE sales_order SET id = id + 1000 WHERE id = ?"),
    ("order", "UPDATE order_line SET order_id = order_id + 1000 WHERE order_id = ?"),
    # the history that seals an invoice's lines
    ("invoice", "DELETE FROM status_history WHERE doc_type = 'invoice' AND doc_id = ?"),
    ("invoice", "UPDATE status_history SET doc_id = doc_id + 1000 WHERE doc_type = 'invoice' AND doc_id = ?"),
    # the numbering counters: rewind, delete, rename
    (None, "UPDATE sequence SET last_value = last_value - 1 WHERE doc_type = 'invoice'"),
    (None, "UPDATE sequence SET last_value = 0"),
    (None, "DELETE FROM sequence WHERE doc_type = 'invoice'"),
    (None, "DELETE FROM sequence"),
    (None, "UPDATE sequence SET doc_type = 'old' WHERE doc_type = 'order'"),
    # revision 0004: an invoice's allowances, identities, reference and delivery date; a finalized order's allowances
    ("invoice", "UPDATE invoice SET doc_charges = '[]' || doc_charges WHERE id = ?"),
    ("invoice", "UPDATE invoice SET buyer = '{}', seller = '{}' WHERE id = ?"),
    ("invoice", "UPDATE invoice SET customer_ref = 'PO-1', delivery_date = invoice_date WHERE id = ?"),
    ("order", "UPDATE sales_order SET doc_charges = '[{}]' WHERE id = ?"),
]


@pytest.mark.parametrize("target,statement", SMUGGLING, ids=[s for _, s in SMUGGLING])
def test_plain_sql_cannot_go_around_the_locks(issued, target, statement):
    refused_sql(statement, (issued[target],) if target else ())


def test_invoice_show_after_a_refused_smuggle_is_unchanged(issued):
    shown = ok("invoice", "show", "INV-00001", "--json").json()
    refused_sql(INSERT_LINE, (issued["invoice"],))
    assert ok("invoice", "show", "INV-00001", "--json").json() == shown
    assert len(shown["lines"]) == 1


@pytest.mark.skipif(not PG, reason="TRUNCATE skips row triggers on PostgreSQL only")
@pytest.mark.parametrize("table", ["invoice_line CASCADE", "order_line CASCADE", "sequence", "status_history", "invoice CASCADE", "sales_order CASCADE",
                                   "credit_note CASCADE", "credit_note_line CASCADE", "payment CASCADE", "payment_removal", "reminder"])
def test_truncate_is_refused_on_postgresql(issued, table):
    refused_sql(f"TRUNCATE {table}")


def test_what_stays_allowed(issued):
    """The product's own moves still pass: a draft order's key and lines, raising a counter
    (the product allocates blocks that way), an order's history."""
    with Raw() as con:
        draft = con.execute("SELECT id FROM sales_order WHERE number = 'SO-00002'").fetchone()[0]
        con.execute("UPDATE sequence SET last_value = last_value + 5 WHERE doc_type = 'quote'")
        con.execute("DELETE FROM status_history WHERE doc_type = 'order' AND doc_id = ?", (draft,))
    ok("order", "line", "add", "SO-00002", "--line", "W:3")
    ok("order", "convert", "invoice", "SO-00002")
    assert ok("invoice", "show", "INV-00002", "--json").json()["lines"]
    ok("quote", "add", "--subject", "q", "--account", "Acme", "--line", "W:1")
    assert ok("db", "check", "--json").json()["problems"] == []


@pytest.mark.parametrize("name", sorted(expected_lock_triggers("postgresql" if PG else "sqlite", HEAD)))
def test_db_check_names_a_dropped_lock_trigger(isolated, name):
    own_db()  # the schema changes: not on the shared work database
    assert ok("db", "check", "--json").json()["problems"] == []
    with Raw() as con:
        if con.pg:
            table = con.execute("SELECT tgrelid::regclass::text FROM pg_trigger WHERE tgname = ?", (name,)).fetchone()[0]
            con.execute(f"DROP TRIGGER {name} ON {table}")
        else:
            con.execute(f"DROP TRIGGER {name}")
    r = refused("db", "check", "--json", error_code="invalid")
    info = json.loads(r.out)
    assert info["ok"] is False and len(info["problems"]) == 1
    assert info["problems"][0].startswith(f"missing trigger {name} (")
    r = run("db", "check")
    assert r.code == 1 and f"missing trigger {name}" in r.err


@pytest.mark.skipif(not PG, reason="PostgreSQL: a trigger can be disabled")
def test_db_check_names_a_disabled_lock_trigger(isolated):
    own_db()
    with Raw() as con:
        con.execute("ALTER TABLE invoice_line DISABLE TRIGGER invoice_line_lock_insert")
    info = json.loads(refused("db", "check", "--json").out)
    assert info["problems"] == ["disabled trigger invoice_line_lock_insert (no new line on an issued invoice)"]


def _force_counter(value: int) -> None:
    """Rewind the invoice counter the way only someone dropping the lock can."""
    with Raw() as con:
        if con.pg:
            con.execute("ALTER TABLE sequence DISABLE TRIGGER sequence_lock")
            con.execute("UPDATE sequence SET last_value = ? WHERE doc_type = 'invoice'", (value,))
            con.execute("ALTER TABLE sequence ENABLE TRIGGER sequence_lock")
        else:
            sql = con.execute("SELECT sql FROM sqlite_master WHERE name = 'sequence_lock_update'").fetchone()[0]
            con.execute("DROP TRIGGER sequence_lock_update")
            con.execute("UPDATE sequence SET last_value = ? WHERE doc_type = 'invoice'", (value,))
            con.execute(sql)


def test_db_check_reports_a_rewound_counter(issued):
    _force_counter(0)
    info = json.loads(refused("db", "check", "--json").out)
    assert info["problems"] == ["counter invoice is at 0, behind the highest number issued (1): the next one would collide"]


def test_db_check_reports_a_skipped_invoice_counter_as_a_gap(issued):
    with Raw() as con:
        con.execute("UPDATE sequence SET last_value = 7 WHERE doc_type = 'invoice'")  # allowed by the trigger
    info = json.loads(refused("db", "check", "--json").out)
    assert info["problems"] == ["counter invoice is at 7, ahead of the highest number issued (1): a gap in the numbering"]
