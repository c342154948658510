"""receipts: when each invoice was paid, and the VAT rows of the invoices paid

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 22:00:00

What ``report vat --basis payment`` (VAT on receipts) reads instead of grouping every payment of
a span by its invoice (``store/summaries.py`` says what each holds):

- three dates on ``invoice_balance``: ``first_paid`` and ``last_paid``, the dates of its
  earliest and latest live payment, and ``settled_on``, the first day on which its live
  payments dated by then reach its total (none while they do not, nor for a total of 0 or less);
- ``invoice_receipt_tax``: the VAT rows (``invoice_tax``) of every invoice of a total over 0
  with a live payment, with those three dates, its total and the sum of its live payments, and
  two covering indexes. An invoice paid whole within a span (first paid on or after its start,
  settled by its end) counts its VAT rows as they are: one walk of the index in the order the
  report groups. The others with a payment in the span are read by date from the second index
  (no join) and shared out.

And two indexes for ``report recurring``, which sums every recurring invoice's net less its usage
lines and credit notes per billed period: ``ix_invoice_recurring`` (0005) made covering
(currency, status, total and VAT after the periods: no wide invoice row read), and
``ix_invoice_line_usage``, a partial index of the usage lines alone (no order line, no
deposit), so finding an invoice's usage reads no line of an invoice without any.

The receipts are filled from the payments already there (set-wise), then kept by two triggers, AFTER INSERT of a
payment of an invoice and of a payment removal (the only ways what was paid moves: payments and
removals are locked once written). Each recomputes the three dates of the one invoice from its
live payments and writes its receipt rows again, so a back-dated payment or a removal moves them
as it moves the paid amount.
"""
import sqlalchemy as sa
from alembic import op

from orders_cli.store.schema import RECURRING_INDEX
from orders_cli.store.summaries import PART_INDEX, RECEIPT_COLUMNS, USAGE_LINES, receipt_dates, receipt_select

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

TRIGGERS = {"payment": "payment_receipts", "payment_removal": "payment_removal_receipts"}
SUMS_INDEX = ["category", "name", "rate", "currency", "settled_on", "first_paid", "base", "amount", "exemption_reason"]


def dates(inv: str) -> str:
    """SET clause of the three dates of invoice ``inv`` (an SQL expression) from its live payments."""
    return ", ".join(f"{col} = {expr}" for col, expr in receipt_dates(inv).items())


def receipt_rows(where: str) -> str:
    """INSERT of the receipt rows of the paid invoices that ``where`` keeps (on ``t``, ``b``)."""
    return f"INSERT INTO invoice_receipt_tax ({RECEIPT_COLUMNS}) " + receipt_select(where)


def _bodies() -> dict[str, list[str]]:
    removed = "(SELECT invoice_id FROM payment WHERE id = NEW.payment_id)"  # None for a refund: nothing moves
    out = {}
    for table, inv in (("payment", "NEW.invoice_id"), ("payment_removal", removed)):
        out[table] = [f"UPDATE invoice_balance SET {dates(inv)} WHERE invoice_id = {inv}",
                      f"DELETE FROM invoice_receipt_tax WHERE invoice_id = {inv}",
                      receipt_rows(f"t.invoice_id = {inv}")]
    return out


def upgrade() -> None:
    dialect = op.get_bind().dialect.name
    for column in ("first_paid", "last_paid", "settled_on"):
        op.add_column("invoice_balance", sa.Column(column, sa.Date(), nullable=True))
    op.create_table(
        "invoice_receipt_tax",
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column("first_paid", sa.Date(), nullable=False),
        sa.Column("last_paid", sa.Date(), nullable=False),
        sa.Column("settled_on", sa.Date(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("paid", sa.BigInteger(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("rate", sa.String(), nullable=False),
        sa.Column("exemption_reason", sa.String(), nullable=True),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
    )
    # the invoices with a payment: their dates, set-wise; then their receipt rows
    op.execute(f"UPDATE invoice_balance SET {dates('invoice_balance.invoice_id')} "
               "WHERE invoice_id IN (SELECT invoice_id FROM payment WHERE invoice_id IS NOT NULL)")
    op.execute(receipt_rows("1 = 1"))
    # after the fill: one sorted build of each index instead of a b-tree insert per row
    op.create_index("ix_invoice_receipt_tax_part", "invoice_receipt_tax", list(PART_INDEX))
    op.create_index("ix_invoice_receipt_tax_sums", "invoice_receipt_tax", SUMS_INDEX)
    op.drop_index("ix_invoice_recurring", table_name="invoice")
    op.create_index("ix_invoice_recurring", "invoice", list(RECURRING_INDEX))
    op.create_index("ix_invoice_line_usage", "invoice_line", ["invoice_id", "net"], sqlite_where=sa.text(USAGE_LINES),
                    postgresql_where=sa.text(USAGE_LINES))
    for table, statements in _bodies().items():
        name = TRIGGERS[table]
        if dialect == "postgresql":
            when = " WHEN (NEW.invoice_id IS NOT NULL)" if table == "payment" else ""
            op.execute(f"CREATE FUNCTION orders_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {'; '.join(statements)}; "
                       "RETURN NULL; END $$")
            op.execute(f'CREATE TRIGGER {name} AFTER INSERT ON "{table}" FOR EACH ROW{when} EXECUTE FUNCTION orders_{name}()')
        else:
            when = " WHEN NEW.invoice_id IS NOT NULL" if table == "payment" else ""
            op.execute(f"CREATE TRIGGER {name} AFTER INSERT ON {table}{when} BEGIN {'; '.join(statements)}; END")


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, name in TRIGGERS.items():
        if dialect == "postgresql":
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            op.execute(f"DROP FUNCTION IF EXISTS orders_{name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_table("invoice_receipt_tax")
    op.drop_index("ix_invoice_line_usage", table_name="invoice_line")
    op.drop_index("ix_invoice_recurring", table_name="invoice")
    op.create_index("ix_invoice_recurring", "invoice", ["recurring", "order_id", "period_start", "period_end"])
    for column in ("settled_on", "last_paid", "first_paid"):
        op.drop_column("invoice_balance", column)
