"""legal invoices: identities, VAT categories, document allowances and charges, units

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 13:00:00

Every column is added (nothing rebuilt), nullable or with a default that keeps what a
database holds meaning what it meant:

- ``tax.category`` (EN 16931 VAT category, ``S`` for every existing tax), ``exemption_reason``
  and ``exemption_code`` (VATEX) for the categories that are not standard;
- ``account``: ``vat_id``, ``siren``, ``siret``, ``electronic_address``, ``country``;
- ``product`` and the four line tables: ``unit_code`` (UN/ECE Rec 20) and ``base_quantity``
  (the price is per that many units; NULL is 1). Existing products get the code their free-text
  unit maps to, when it maps to one;
- ``quote``, ``sales_order``, ``invoice``, ``credit_note``: ``doc_charges``, the document
  allowances and charges (JSON, ``[]``);
- ``invoice``: ``customer_ref`` (the order's, copied at issue), ``delivery_date``, and the
  snapshots ``seller`` / ``buyer`` of both identities at issue (JSON); ``credit_note``: the
  same two snapshots.

The new invoice columns are locked like the rest of an issued invoice (``invoice_lock_legal``),
and an order's allowances and charges like the rest of a finalized order
(``sales_order_lock_legal``); credit notes are locked whole since 0003.
"""
import sqlalchemy as sa
from alembic import op

from orders_cli.store.schema import DecimalText

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

INVOICE_MSG = "locked: an issued invoice never changes"
ORDER_MSG = "locked: the order is finalized"
INVOICE_NEW = ("doc_charges", "customer_ref", "delivery_date", "seller", "buyer")
LINE_TABLES = ("quote_line", "order_line", "invoice_line", "credit_note_line")
DOC_TABLES = ("quote", "sales_order", "invoice", "credit_note")


def _changed(cols, op_):
    return " OR ".join(f"NEW.{c} {op_} OLD.{c}" for c in cols)


def upgrade() -> None:
    op.add_column("tax", sa.Column("category", sa.String(length=3), nullable=False, server_default="S"))
    op.add_column("tax", sa.Column("exemption_reason", sa.String(), nullable=True))
    op.add_column("tax", sa.Column("exemption_code", sa.String(length=40), nullable=True))
    op.add_column("account", sa.Column("vat_id", sa.String(length=40), nullable=True))
    op.add_column("account", sa.Column("siren", sa.String(length=9), nullable=True))
    op.add_column("account", sa.Column("siret", sa.String(length=14), nullable=True))
    op.add_column("account", sa.Column("electronic_address", sa.String(length=200), nullable=True))
    op.add_column("account", sa.Column("country", sa.String(length=2), nullable=True))
    for table in ("product", *LINE_TABLES):
        op.add_column(table, sa.Column("unit_code", sa.String(length=3), nullable=True))
        op.add_column(table, sa.Column("base_quantity", DecimalText(), nullable=True))
    for table in DOC_TABLES:
        op.add_column(table, sa.Column("doc_charges", sa.String(), nullable=False, server_default="[]"))
    op.add_column("invoice", sa.Column("customer_ref", sa.String(length=200), nullable=True))
    op.add_column("invoice", sa.Column("delivery_date", sa.Date(), nullable=True))
    op.add_column("invoice", sa.Column("seller", sa.String(), nullable=True))
    op.add_column("invoice", sa.Column("buyer", sa.String(), nullable=True))
    op.add_column("credit_note", sa.Column("seller", sa.String(), nullable=True))
    op.add_column("credit_note", sa.Column("buyer", sa.String(), nullable=True))
    carry_units()
    create_lock_triggers()


def carry_units() -> None:
    """Each product whose free-text unit maps to a Rec 20 code gets it (the others keep NULL)."""
    from orders_cli.core.units import unit_code_or_none

    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT DISTINCT unit FROM product")).all()
    for (unit,) in rows:
        code = unit_code_or_none(unit)
        if code is not None:
            bind.execute(sa.text("UPDATE product SET unit_code = :c WHERE unit = :u"), {"c": code, "u": unit})


def create_lock_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(f"CREATE TRIGGER invoice_lock_legal BEFORE UPDATE ON invoice WHEN {_changed(INVOICE_NEW, 'IS NOT')} "
                   f"BEGIN SELECT RAISE(ABORT, '{INVOICE_MSG}'); END")
        op.execute("CREATE TRIGGER sales_order_lock_legal BEFORE UPDATE ON sales_order "
                   "WHEN OLD.finalized AND NEW.doc_charges IS NOT OLD.doc_charges "
                   f"BEGIN SELECT RAISE(ABORT, '{ORDER_MSG}'); END")
    elif bind.dialect.name == "postgresql":
        op.execute("CREATE FUNCTION orders_invoice_lock_legal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   f"IF {_changed(INVOICE_NEW, 'IS DISTINCT FROM')} THEN RAISE EXCEPTION '{INVOICE_MSG}'; END IF; "
                   "RETURN NEW; END $$")
        op.execute("CREATE TRIGGER invoice_lock_legal BEFORE UPDATE ON invoice FOR EACH ROW EXECUTE FUNCTION orders_invoice_lock_legal()")
        op.execute("CREATE FUNCTION orders_sales_order_lock_legal() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                   "IF OLD.finalized AND NEW.doc_charges IS DISTINCT FROM OLD.doc_charges THEN "
                   f"RAISE EXCEPTION '{ORDER_MSG}'; END IF; RETURN NEW; END $$")
        op.execute("CREATE TRIGGER sales_order_lock_legal BEFORE UPDATE ON sales_order "
                   "FOR EACH ROW EXECUTE FUNCTION orders_sales_order_lock_legal()")


def downgrade() -> None:
    bind = op.get_bind()
    for table, name in (("invoice", "invoice_lock_legal"), ("sales_order", "sales_order_lock_legal")):
        if bind.dialect.name == "postgresql":
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            op.execute(f"DROP FUNCTION IF EXISTS orders_{name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    # plain ALTER TABLE DROP COLUMN (SQLite 3.35+): no table is rebuilt, so the triggers stay
    for table, cols in (("credit_note", ("buyer", "seller")), ("invoice", ("buyer", "seller", "delivery_date", "customer_ref")),
                        *((t, ("doc_charges",)) for t in DOC_TABLES), *((t, ("base_quantity", "unit_code")) for t in ("product", *LINE_TABLES)),
                        ("account", ("country", "electronic_address", "siret", "siren", "vat_id")),
                        ("tax", ("exemption_code", "exemption_reason", "category"))):
        for col in cols:
            op.drop_column(table, col)
