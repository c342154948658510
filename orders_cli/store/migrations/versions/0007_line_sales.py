"""line sales: one narrow row per line of every invoice and credit note

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:30:00

``invoice_line_sales`` / ``credit_note_line_sales`` (``store/summaries.py`` says what they hold):
what ``report sales --by product | vendor`` groups, with a covering index in the order it groups
(SKU, currency, product, then the date and the sums: one walk of the index, no table, no sort).
Filled from the lines already there (one statement each, set-wise), then written AFTER INSERT
of a line by a trigger reading its document (an issued document's lines are locked from then
on, and a sealed document takes no new line: 0002, 0003); never changed or deleted (lock
triggers, TRUNCATE refused on PostgreSQL).

And one index on ``invoice``, ``ix_invoice_sales`` (date, currency, status, total, tax): what
``report sales`` sums of a span's invoices (the documents' net of the document-level row, the
sums by month), read from the index alone instead of the wide rows.
"""
import sqlalchemy as sa
from alembic import op

from orders_cli.store.summaries import quantity_parts

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None

MSG = "locked: the sales lines of an issued document never change"
# (summary table, line table, document table, document key, document date)
TABLES = (("invoice_line_sales", "invoice_line", "invoice", "invoice_id", "invoice_date"),
          ("credit_note_line_sales", "credit_note_line", "credit_note", "credit_note_id", "credit_date"))
TRIGGERS = {"invoice_line": "invoice_line_summaries", "credit_note_line": "credit_note_line_summaries"}
COLUMNS = "line_id, {key}, {day}, currency, account_id, sku, product_id, units, fraction, net"


def _create(name: str, line: str, doc: str, key: str, day: str) -> None:
    op.create_table(
        name,
        sa.Column("line_id", sa.Integer(), sa.ForeignKey(f"{line}.id"), primary_key=True),
        sa.Column(key, sa.Integer(), sa.ForeignKey(f"{doc}.id"), nullable=False),
        sa.Column(day, sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("product_id", sa.Integer(), nullable=True),
        sa.Column("units", sa.BigInteger(), nullable=False),
        sa.Column("fraction", sa.BigInteger(), nullable=False),
        sa.Column("net", sa.BigInteger(), nullable=False),
    )


def _select(dialect: str, src: str, key: str, day: str, doc: str, line_table: str | None = None) -> str:
    """SELECT of the summary columns of the lines ``src`` (NEW in a trigger, else the alias of
    ``line_table``: every line) joined to their document."""
    units, fraction = quantity_parts(dialect, f"{src}.quantity")
    source = f"{line_table} {src} JOIN {doc} d ON d.id = {src}.{key}" if line_table else f"{doc} d WHERE d.id = NEW.{key}"
    return (f"SELECT {src}.id, {src}.{key}, d.{day}, d.currency, d.account_id, {src}.sku, {src}.product_id, {units}, {fraction}, "
            f"{src}.net FROM {source}")


INVOICE_SALES = ["invoice_date", "currency", "status", "total", "tax_total"]


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.create_index("ix_invoice_sales", "invoice", INVOICE_SALES)
    for name, line, doc, key, day in TABLES:
        _create(name, line, doc, key, day)
        columns = COLUMNS.format(key=key, day=day)
        op.execute(f"INSERT INTO {name} ({columns}) " + _select(dialect, "l", key, day, doc, line))
        # after the fill: one sorted build instead of 3 million inserts into a b-tree
        op.create_index(f"ix_{name}_sums", name, ["sku", "currency", "product_id", day, "units", "fraction", "net", key, "account_id"])
        insert = f"INSERT INTO {name} ({columns}) " + _select(dialect, "NEW", key, day, doc)
        trigger = TRIGGERS[line]
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION orders_{trigger}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {insert}; RETURN NULL; END $$")
            op.execute(f'CREATE TRIGGER {trigger} AFTER INSERT ON "{line}" FOR EACH ROW EXECUTE FUNCTION orders_{trigger}()')
            op.execute(f"CREATE FUNCTION orders_{name}_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RAISE EXCEPTION '{MSG}'; END $$")
            op.execute(f'CREATE TRIGGER {name}_lock BEFORE UPDATE OR DELETE ON "{name}" FOR EACH ROW EXECUTE FUNCTION orders_{name}_lock()')
            op.execute(f'CREATE TRIGGER {name}_lock_truncate BEFORE TRUNCATE ON "{name}" FOR EACH STATEMENT EXECUTE FUNCTION orders_{name}_lock()')
        else:
            op.execute(f"CREATE TRIGGER {trigger} AFTER INSERT ON {line} BEGIN {insert}; END")
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {name}_lock_{event.lower()} BEFORE {event} ON {name} BEGIN SELECT RAISE(ABORT, '{MSG}'); END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    op.drop_index("ix_invoice_sales", table_name="invoice")
    for name, line, *_ in TABLES:
        trigger = TRIGGERS[line]
        if dialect == "postgresql":
            op.execute(f'DROP TRIGGER IF EXISTS {trigger} ON "{line}"')
            op.execute(f"DROP FUNCTION IF EXISTS orders_{trigger}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {trigger}")
        op.drop_table(name)  # its index and lock triggers go with it
        if dialect == "postgresql":
            op.execute(f"DROP FUNCTION IF EXISTS orders_{name}_lock()")
