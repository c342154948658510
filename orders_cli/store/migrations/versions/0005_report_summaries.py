"""report summaries: the VAT rows of every document and the settlement of every invoice

Revision ID: 0005
Revises: 0004
Create Date: 2026-12-03 05:00:00

Three tables the reports read (``store/summaries.py`` says what each holds), filled from what
the database already holds, then kept by triggers that run in the transaction of the write:

- ``invoice_tax`` / ``credit_note_tax``: the entries of each document's ``tax_breakdown``,
  written AFTER INSERT of the document (its breakdown is locked from then on); never changed
  or deleted (lock triggers);
- ``invoice_balance``: written AFTER INSERT of an invoice, moved AFTER INSERT of a credit note,
  a payment (or a refund paid for a credit note) and a payment removal — the only ways a
  balance moves, since all four are locked once written.

And two indexes on ``invoice``: its status (the few cancelled invoices the reports leave out)
and its recurring periods (what ``recur run``, ``recur list`` and ``report forecast`` read of
every recurring invoice, without its wide rows).
"""
import sqlalchemy as sa
from alembic import op

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TAX_MSG = "locked: the VAT of an issued document never changes"
OPEN = "'9999-12-31'"
CLOSE = (f"open_until = CASE WHEN total - credited - paid <= 0 AND total - credited - paid + refunded = 0 "
         f"THEN last_event ELSE {OPEN} END")


def _tax_table(name: str, doc: str, doc_table: str, day: str) -> None:
    op.create_table(
        name,
        sa.Column(f"{doc}_id", sa.Integer(), sa.ForeignKey(f"{doc_table}.id"), primary_key=True),
        sa.Column("seq", sa.Integer(), primary_key=True),
        sa.Column(day, sa.Date(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("category", sa.String(length=3), nullable=False, server_default="S"),
        sa.Column("name", sa.String(), nullable=False),
        sa.Column("rate", sa.String(), nullable=False),
        sa.Column("exemption_reason", sa.String(), nullable=True),
        sa.Column("base", sa.BigInteger(), nullable=False),
        sa.Column("amount", sa.BigInteger(), nullable=False),
    )
    # what report vat reads, in the order it groups: one walk of the index, no table, no sort
    # (and no index on the date alone, which SQLite would prefer for a span, then sort)
    op.create_index(f"ix_{name}_sums", name, ["category", "name", "rate", "currency", day, "base", "amount", "exemption_reason"])


def _entries(dialect: str, src: str, day: str, table: str | None = None) -> str:
    """SELECT of (id, seq, date, currency, category, name, rate, exemption_reason, base, amount)
    over the breakdown of ``src``: NEW in a trigger, else the alias of ``table`` (every row)."""
    if dialect == "postgresql":
        f = lambda k: f"j.value ->> '{k}'"  # noqa: E731
        each, seq, int_type = f"json_array_elements(CAST({src}.tax_breakdown AS json)) WITH ORDINALITY AS j(value, ord)", "j.ord - 1", "BIGINT"
    else:
        f = lambda k: f"json_extract(j.value, '$.{k}')"  # noqa: E731
        each, seq, int_type = f"json_each({src}.tax_breakdown) j", "j.key", "INTEGER"
    cents = lambda k: f"CAST(replace({f(k)}, '.', '') AS {int_type})"  # noqa: E731
    source = f"{table} {src}, {each}" if table else each
    return (f"SELECT {src}.id, {seq}, {src}.{day}, {src}.currency, coalesce({f('category')}, 'S'), {f('name')}, {f('rate')}, "
            f"{f('exemption_reason')}, {cents('base')}, {cents('amount')} FROM {source}")


def _tax_insert(doc: str, day: str) -> str:
    return f"INSERT INTO {doc}_tax ({doc}_id, seq, {day}, currency, category, name, rate, exemption_reason, base, amount) "


def create_tables() -> None:
    _tax_table("invoice_tax", "invoice", "invoice", "invoice_date")
    _tax_table("credit_note_tax", "credit_note", "credit_note", "credit_date")
    op.create_table(
        "invoice_balance",
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), primary_key=True),
        # the invoice's own (locked once issued), so aging reads this narrow table alone
        sa.Column("account_id", sa.Integer(), nullable=False),
        sa.Column("currency", sa.String(length=3), nullable=False),
        sa.Column("due_date", sa.Date(), nullable=True),
        sa.Column("total", sa.BigInteger(), nullable=False),
        sa.Column("credited", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("paid", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("refunded", sa.BigInteger(), nullable=False, server_default="0"),
        sa.Column("last_event", sa.Date(), nullable=False),
        sa.Column("open_until", sa.Date(), nullable=False),
    )
    op.create_index("ix_invoice_balance_open", "invoice_balance", ["open_until"])
    op.create_index("ix_invoice_status", "invoice", ["status"])  # the few cancelled ones (reporting.scope.void_invoices)
    # the periods billed (recurring.periods.done_all), read without the wide invoice rows
    op.create_index("ix_invoice_recurring", "invoice", ["recurring", "order_id", "period_start", "period_end"])


def fill() -> None:
    """The three tables from the documents already there (one statement each, set-wise)."""
    dialect = op.get_bind().dialect.name
    latest = "GREATEST" if dialect == "postgresql" else "max"
    op.execute(_tax_insert("invoice", "invoice_date") + _entries(dialect, "i", "invoice_date", "invoice"))
    op.execute(_tax_insert("credit_note", "credit_date") + _entries(dialect, "c", "credit_date", "credit_note"))
    live = "id NOT IN (SELECT payment_id FROM payment_removal)"
    op.execute(
        "INSERT INTO invoice_balance (invoice_id, account_id, currency, due_date, total, credited, paid, refunded, last_event, open_until) "
        f"SELECT i.id, i.account_id, i.currency, i.due_date, i.total, coalesce(c.t, 0), coalesce(p.t, 0), coalesce(r.t, 0), "
        f"{latest}(i.invoice_date, coalesce(c.d, i.invoice_date), coalesce(p.d, i.invoice_date), coalesce(r.d, i.invoice_date)), {OPEN} "
        "FROM invoice i "
        "LEFT JOIN (SELECT invoice_id, sum(total) AS t, max(credit_date) AS d FROM credit_note GROUP BY invoice_id) c ON c.invoice_id = i.id "
        f"LEFT JOIN (SELECT invoice_id, sum(amount) AS t, max(payment_date) AS d FROM payment WHERE invoice_id IS NOT NULL AND {live} "
        "GROUP BY invoice_id) p ON p.invoice_id = i.id "
        "LEFT JOIN (SELECT cn.invoice_id, sum(pr.amount) AS t, max(pr.payment_date) AS d FROM payment pr "
        f"JOIN credit_note cn ON cn.id = pr.credit_note_id WHERE pr.{live} GROUP BY cn.invoice_id) r ON r.invoice_id = i.id"
    )
    op.execute(f"UPDATE invoice_balance SET {CLOSE}")


# the invoice a payment (NEW) moves: its own, or the one its credit note cites (a refund)
_PAYMENT_INVOICE = "coalesce(NEW.invoice_id, (SELECT invoice_id FROM credit_note WHERE id = NEW.credit_note_id))"
_REMOVED = "(SELECT {col} FROM payment WHERE id = NEW.payment_id)"
_REMOVED_INVOICE = ("(SELECT coalesce(p.invoice_id, c.invoice_id) FROM payment p LEFT JOIN credit_note c ON c.id = p.credit_note_id "
                    "WHERE p.id = NEW.payment_id)")


def _bodies(dialect: str) -> dict[str, list[str]]:
    """The statements each summary trigger runs, per table it fires on."""
    latest = "GREATEST" if dialect == "postgresql" else "max"
    open_ = f"CAST({OPEN} AS DATE)" if dialect == "postgresql" else OPEN
    close = CLOSE.replace(OPEN, open_)
    return {
        "invoice": [
            _tax_insert("invoice", "invoice_date") + _entries(dialect, "NEW", "invoice_date"),
            "INSERT INTO invoice_balance (invoice_id, account_id, currency, due_date, total, credited, paid, refunded, last_event, open_until) "
            f"VALUES (NEW.id, NEW.account_id, NEW.currency, NEW.due_date, NEW.total, 0, 0, 0, NEW.invoice_date, CASE WHEN NEW.total = 0 THEN NEW.invoice_date ELSE {open_} END)",
        ],
        "credit_note": [
            _tax_insert("credit_note", "credit_date") + _entries(dialect, "NEW", "credit_date"),
            f"UPDATE invoice_balance SET credited = credited + NEW.total, last_event = {latest}(last_event, NEW.credit_date) "
            "WHERE invoice_id = NEW.invoice_id",
            f"UPDATE invoice_balance SET {close} WHERE invoice_id = NEW.invoice_id",
        ],
        "payment": [
            f"UPDATE invoice_balance SET paid = paid + NEW.amount, last_event = {latest}(last_event, NEW.payment_date) "
            "WHERE invoice_id = NEW.invoice_id",
            f"UPDATE invoice_balance SET refunded = refunded + NEW.amount, last_event = {latest}(last_event, NEW.payment_date) "
            "WHERE NEW.credit_note_id IS NOT NULL AND invoice_id = (SELECT invoice_id FROM credit_note WHERE id = NEW.credit_note_id)",
            f"UPDATE invoice_balance SET {close} WHERE invoice_id = {_PAYMENT_INVOICE}",
        ],
        "payment_removal": [
            f"UPDATE invoice_balance SET paid = paid - {_REMOVED.format(col='amount')} "
            f"WHERE invoice_id = {_REMOVED.format(col='invoice_id')}",
            f"UPDATE invoice_balance SET refunded = refunded - {_REMOVED.format(col='amount')} "
            "WHERE invoice_id = (SELECT c.invoice_id FROM payment p JOIN credit_note c ON c.id = p.credit_note_id WHERE p.id = NEW.payment_id)",
            f"UPDATE invoice_balance SET {close} WHERE invoice_id = {_REMOVED_INVOICE}",
        ],
    }


SUMMARY_TRIGGERS = {"invoice": "invoice_summaries", "credit_note": "credit_note_summaries", "payment": "payment_summaries",
                    "payment_removal": "payment_removal_summaries"}
TAX_TABLES = ("invoice_tax", "credit_note_tax")


def create_triggers() -> None:
    dialect = op.get_bind().dialect.name
    for table, statements in _bodies(dialect).items():
        name = SUMMARY_TRIGGERS[table]
        if dialect == "postgresql":
            body = "; ".join(statements)
            op.execute(f"CREATE FUNCTION orders_{name}() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN {body}; RETURN NULL; END $$")
            op.execute(f'CREATE TRIGGER {name} AFTER INSERT ON "{table}" FOR EACH ROW EXECUTE FUNCTION orders_{name}()')
        else:
            op.execute(f"CREATE TRIGGER {name} AFTER INSERT ON {table} BEGIN {'; '.join(statements)}; END")
    for table in TAX_TABLES:
        if dialect == "postgresql":
            op.execute(f"CREATE FUNCTION orders_{table}_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"RAISE EXCEPTION '{TAX_MSG}'; END $$")
            op.execute(f'CREATE TRIGGER {table}_lock BEFORE UPDATE OR DELETE ON "{table}" FOR EACH ROW EXECUTE FUNCTION orders_{table}_lock()')
            op.execute(f'CREATE TRIGGER {table}_lock_truncate BEFORE TRUNCATE ON "{table}" '
                       f"FOR EACH STATEMENT EXECUTE FUNCTION orders_{table}_lock()")
        else:
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_lock_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{TAX_MSG}'); END")


def upgrade() -> None:
    create_tables()
    fill()
    create_triggers()


def downgrade() -> None:
    dialect = op.get_bind().dialect.name
    for table, name in SUMMARY_TRIGGERS.items():
        if dialect == "postgresql":
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            op.execute(f"DROP FUNCTION IF EXISTS orders_{name}()")
        else:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    op.drop_index("ix_invoice_recurring", table_name="invoice")
    op.drop_index("ix_invoice_status", table_name="invoice")
    for table in ("invoice_balance", *TAX_TABLES):
        op.drop_table(table)  # their own triggers go with them
    if dialect == "postgresql":
        for table in TAX_TABLES:
            op.execute(f"DROP FUNCTION IF EXISTS orders_{table}_lock()")
