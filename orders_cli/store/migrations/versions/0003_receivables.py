"""receivables: credit notes, deposits, payments, reminders

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 09:00:00

- ``credit_note`` / ``credit_note_line``: a numbered series of its own (counter ``credit``);
  never changed or deleted, and a credit note takes lines only while it is being created (its
  "created" history row seals it, as for invoices since 0002);
- ``invoice.kind`` (``standard`` | ``deposit``) and ``invoice_line.deposit_invoice_id`` (a
  deduction line cites the deposit invoice it deducts); ``kind`` is locked like the rest;
- ``payment`` (received for an invoice, refunded for a credit note) and ``payment_removal``
  (a mistaken entry taken out of the balances; the payment row itself stays): neither ever
  changes or goes;
- ``reminder``: one row per invoice and level (the unique key that makes ``remind run`` safe
  to run twice); never deleted;
- ``invoice.rebill_no``: a recurring period credited with ``--rebill`` is billed again, by an
  invoice of the next ``rebill_no``; the unique key of a billed period becomes (order,
  period start, rebill_no). On SQLite that takes rebuilding ``invoice`` (a table constraint
  cannot be dropped): SQLite's recipe, with foreign keys off for the upgrade's one transaction
  (``store.database.upgrade`` checks every reference before it commits): the new table is
  created, filled, the old one dropped, the new one renamed, its indexes and lock triggers
  made again;
- an invoice marked ``paid`` before payments existed gets a payment of its total, dated the
  day it was marked paid, method ``other``: its balance stays what the status said.
"""
import sqlalchemy as sa
from alembic import op

from orders_cli.store.schema import Cents, DecimalText

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

CREDIT_MSG = "locked: an issued credit note never changes"
INVOICE_MSG = "locked: an issued invoice never changes"
PAYMENT_MSG = "locked: a payment is never changed or deleted (remove it with orders payment remove)"
REMINDER_MSG = "locked: a reminder sent is never deleted"
HISTORY_MSG = "locked: the history of a credit note never changes"

IMMUTABLE = {
    "credit_note": CREDIT_MSG,
    "credit_note_line": CREDIT_MSG,
    "payment": PAYMENT_MSG,
    "payment_removal": PAYMENT_MSG,
}
TRUNCATE_LOCKED = ("credit_note", "credit_note_line", "payment", "payment_removal", "reminder")
CREDIT_SEALED = "EXISTS (SELECT 1 FROM status_history WHERE doc_type = 'credit_note' AND doc_id = NEW.credit_note_id)"
LINE_COLUMNS = ("line_no", "product_id", "sku", "description", "kind", "quantity", "unit_price", "discount", "net", "taxes", "comment")


def _address_columns():
    return [sa.Column(f"{side}_{part}", sa.String(), nullable=False, server_default="")
            for side in ("billing", "shipping") for part in ("street", "city", "postal_code", "state", "country")]


def _totals_columns():
    return [
        sa.Column("discount", sa.String(length=40), nullable=True),
        *[sa.Column(c, Cents(), nullable=False, server_default="0")
          for c in ("shipping_charge", "adjustment", "subtotal", "discount_amount", "tax_total", "total")],
        sa.Column("tax_breakdown", sa.String(), nullable=False, server_default="[]"),
    ]


def _line_columns():
    return [
        sa.Column("line_no", sa.Integer(), nullable=False),
        sa.Column("product_id", sa.Integer(), sa.ForeignKey("product.id"), nullable=True),
        sa.Column("sku", sa.String(length=100), nullable=False),
        sa.Column("description", sa.String(), nullable=False, server_default=""),
        sa.Column("kind", sa.String(length=10), nullable=False, server_default="product"),
        sa.Column("quantity", DecimalText(), nullable=False),
        sa.Column("unit_price", DecimalText(), nullable=False),
        sa.Column("discount", sa.String(length=40), nullable=True),
        sa.Column("net", Cents(), nullable=False, server_default="0"),
        sa.Column("taxes", sa.String(), nullable=False, server_default="[]"),
        sa.Column("comment", sa.String(), nullable=True),
    ]


def _tz():
    return sa.DateTime(timezone=True)


INVOICE_INDEXES = (("ix_invoice_account_id", "account_id"), ("ix_invoice_date", "invoice_date"), ("ix_invoice_order_id", "order_id"))
PERIOD_KEY = "CREATE UNIQUE INDEX uq_invoice_order_period ON invoice (order_id, period_start, rebill_no)"


def _sqlite_rebuild_invoice() -> None:
    """Add kind and rebill_no to ``invoice`` and widen its period key (see the docstring)."""
    import importlib
    import re

    bind = op.get_bind()
    old = bind.exec_driver_sql("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'invoice'").scalar_one()
    key = re.compile(r",\s*CONSTRAINT uq_invoice_order_period UNIQUE \(order_id, period_start\)")
    if not key.search(old):
        raise RuntimeError("0003: the invoice table is not the one revision 0001 made (no uq_invoice_order_period)")
    new = key.sub("", old)
    new = new.replace("created_at DATETIME NOT NULL,", "created_at DATETIME NOT NULL, kind VARCHAR(10) DEFAULT 'standard' NOT NULL, "
                      "rebill_no INTEGER DEFAULT 0 NOT NULL,", 1)
    if "rebill_no" not in new:
        raise RuntimeError("0003: cannot place the new invoice columns")
    if bind.exec_driver_sql("PRAGMA foreign_keys").scalar():
        raise RuntimeError("0003 rebuilds the invoice table: run it with PRAGMA foreign_keys=OFF (store.database.upgrade does)")
    cols = [r[1] for r in bind.exec_driver_sql("PRAGMA table_info(invoice)")]
    listed = ", ".join(f'"{c}"' for c in cols)
    bind.exec_driver_sql(new.replace("CREATE TABLE invoice (", "CREATE TABLE invoice_0003 (", 1))
    bind.exec_driver_sql(f"INSERT INTO invoice_0003 ({listed}) SELECT {listed} FROM invoice")
    bind.exec_driver_sql("DROP TABLE invoice")  # its indexes and triggers go with it; references elsewhere keep its name
    bind.exec_driver_sql("ALTER TABLE invoice_0003 RENAME TO invoice")
    for name, col in INVOICE_INDEXES:
        bind.exec_driver_sql(f"CREATE INDEX {name} ON invoice ({col})")
    bind.exec_driver_sql(PERIOD_KEY)
    # the lock triggers of 0001 and 0002 on invoice, as they were
    first = importlib.import_module("orders_cli.store.migrations.versions.0001_initial_schema")
    op.execute(
        "CREATE TRIGGER invoice_lock BEFORE UPDATE ON invoice WHEN " + first._changed(first.INVOICE_LOCKED, "IS NOT") + " "
        "BEGIN SELECT RAISE(ABORT, 'locked: an issued invoice never changes'); END"
    )
    op.execute("CREATE TRIGGER invoice_lock_delete BEFORE DELETE ON invoice "
               "BEGIN SELECT RAISE(ABORT, 'locked: an issued invoice never changes'); END")
    op.execute("CREATE TRIGGER invoice_lock_key BEFORE UPDATE OF id ON invoice WHEN NEW.id IS NOT OLD.id "
               f"BEGIN SELECT RAISE(ABORT, '{INVOICE_MSG}'); END")


def create_tables() -> None:
    if op.get_bind().dialect.name == "sqlite":
        _sqlite_rebuild_invoice()
    else:
        op.add_column("invoice", sa.Column("kind", sa.String(length=10), nullable=False, server_default="standard"))
        op.add_column("invoice", sa.Column("rebill_no", sa.Integer(), nullable=False, server_default="0"))
        op.drop_constraint("uq_invoice_order_period", "invoice", type_="unique")
        op.execute(PERIOD_KEY)
    with op.batch_alter_table("invoice_line") as b:
        b.add_column(sa.Column("deposit_invoice_id", sa.Integer(), nullable=True))
    op.create_index("ix_invoice_line_deposit_invoice_id", "invoice_line", ["deposit_invoice_id"])

    op.create_table(
        "credit_note",
        *_address_columns(),
        *_totals_columns(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("number", sa.String(length=40), nullable=False, unique=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=False),
        sa.Column("order_id", sa.Integer(), sa.ForeignKey("sales_order.id"), nullable=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("subject", sa.String(length=500), nullable=False),
        sa.Column("credit_date", sa.Date(), nullable=False),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("mode", sa.String(length=10), nullable=False, server_default="whole"),
        sa.Column("rebill", sa.Boolean(), nullable=False, server_default=sa.false()),
        sa.Column("currency", sa.String(length=3), nullable=False, server_default="EUR"),
        sa.Column("language", sa.String(length=20), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
    )
    for col in ("invoice_id", "order_id", "account_id"):
        op.create_index(f"ix_credit_note_{col}", "credit_note", [col])
    op.create_index("ix_credit_note_date", "credit_note", ["credit_date"])

    op.create_table(
        "credit_note_line",
        *_line_columns(),
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("credit_note_id", sa.Integer(), sa.ForeignKey("credit_note.id"), nullable=False),
        sa.Column("invoice_line_id", sa.Integer(), sa.ForeignKey("invoice_line.id"), nullable=True),
        sa.Column("order_line_id", sa.Integer(), sa.ForeignKey("order_line.id"), nullable=True),
        sa.Column("order_line_no", sa.Integer(), nullable=True),
        sa.Column("deposit_invoice_id", sa.Integer(), nullable=True),
        sa.UniqueConstraint("credit_note_id", "line_no"),
    )
    for col in ("credit_note_id", "invoice_line_id", "order_line_id", "deposit_invoice_id"):
        op.create_index(f"ix_credit_note_line_{col}", "credit_note_line", [col])

    op.create_table(
        "payment",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=True),
        sa.Column("credit_note_id", sa.Integer(), sa.ForeignKey("credit_note.id"), nullable=True),
        sa.Column("account_id", sa.Integer(), sa.ForeignKey("account.id"), nullable=False),
        sa.Column("amount", Cents(), nullable=False, server_default="0"),
        sa.Column("payment_date", sa.Date(), nullable=False),
        sa.Column("method", sa.String(length=20), nullable=False, server_default="transfer"),
        sa.Column("reference", sa.String(length=200), nullable=True),
        sa.Column("created_at", _tz(), nullable=False),
        sa.CheckConstraint("(invoice_id IS NULL) <> (credit_note_id IS NULL)", name="ck_payment_document"),
        sa.CheckConstraint("amount > 0", name="ck_payment_amount"),
        sa.CheckConstraint("method IN ('transfer', 'card', 'cash', 'cheque', 'direct_debit', 'other')", name="ck_payment_method"),
    )
    op.create_index("ix_payment_invoice_id", "payment", ["invoice_id"])
    op.create_index("ix_payment_credit_note_id", "payment", ["credit_note_id"])
    op.create_index("ix_payment_account_date", "payment", ["account_id", "payment_date"])

    op.create_table(
        "payment_removal",
        sa.Column("payment_id", sa.Integer(), sa.ForeignKey("payment.id"), primary_key=True),
        sa.Column("reason", sa.String(length=500), nullable=True),
        sa.Column("removed_at", _tz(), nullable=False),
    )

    op.create_table(
        "reminder",
        sa.Column("id", sa.Integer(), primary_key=True),
        sa.Column("invoice_id", sa.Integer(), sa.ForeignKey("invoice.id"), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("reminder_date", sa.Date(), nullable=False),
        sa.Column("balance", Cents(), nullable=False, server_default="0"),
        sa.Column("recipient", sa.String(length=500), nullable=False, server_default=""),
        sa.Column("status", sa.String(length=20), nullable=False, server_default="claimed"),
        sa.Column("at", _tz(), nullable=False),
        sa.UniqueConstraint("invoice_id", "level", name="uq_reminder_invoice_level"),
    )
    op.create_index("ix_reminder_invoice_id", "reminder", ["invoice_id"])


def carry_paid_statuses() -> None:
    """An invoice marked paid before payments existed: a payment of its total on the day it was marked."""
    bind = op.get_bind()
    rows = bind.execute(sa.text(
        "SELECT i.id, i.account_id, i.total, i.invoice_date, "
        "(SELECT MAX(h.at) FROM status_history h WHERE h.doc_type = 'invoice' AND h.doc_id = i.id AND h.new_status = 'paid') "
        "FROM invoice i WHERE i.status = 'paid' AND i.total > 0 ORDER BY i.id"
    )).fetchall()
    for inv_id, account_id, total, invoice_date, marked in rows:
        day = marked if marked is not None else invoice_date
        if isinstance(day, str):
            day = day[:10]
        elif hasattr(day, "date"):
            day = day.date()
        bind.execute(
            sa.text("INSERT INTO payment (invoice_id, account_id, amount, payment_date, method, reference, created_at) "
                    "VALUES (:i, :a, :t, :d, 'other', 'status paid (recorded before payments existed)', CURRENT_TIMESTAMP)"),
            {"i": inv_id, "a": account_id, "t": total, "d": day},
        )


def create_lock_triggers() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER invoice_lock_kind BEFORE UPDATE ON invoice WHEN NEW.kind IS NOT OLD.kind OR NEW.rebill_no IS NOT OLD.rebill_no "
            f"BEGIN SELECT RAISE(ABORT, '{INVOICE_MSG}'); END"
        )
        for table, msg in IMMUTABLE.items():
            for event in ("UPDATE", "DELETE"):
                op.execute(f"CREATE TRIGGER {table}_lock_{event.lower()} BEFORE {event} ON {table} "
                           f"BEGIN SELECT RAISE(ABORT, '{msg}'); END")
        op.execute(
            f"CREATE TRIGGER credit_note_line_lock_insert BEFORE INSERT ON credit_note_line WHEN {CREDIT_SEALED} "
            f"BEGIN SELECT RAISE(ABORT, '{CREDIT_MSG}'); END"
        )
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER status_history_lock_credit_{event.lower()} BEFORE {event} ON status_history "
                f"WHEN OLD.doc_type = 'credit_note' BEGIN SELECT RAISE(ABORT, '{HISTORY_MSG}'); END"
            )
        op.execute(f"CREATE TRIGGER reminder_lock_delete BEFORE DELETE ON reminder BEGIN SELECT RAISE(ABORT, '{REMINDER_MSG}'); END")
        op.execute(
            "CREATE TRIGGER reminder_lock_update BEFORE UPDATE ON reminder WHEN NEW.id IS NOT OLD.id OR NEW.invoice_id IS NOT OLD.invoice_id "
            "OR NEW.level IS NOT OLD.level OR NEW.reminder_date IS NOT OLD.reminder_date OR NEW.balance IS NOT OLD.balance "
            f"BEGIN SELECT RAISE(ABORT, '{REMINDER_MSG}'); END"
        )
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION orders_invoice_lock_kind() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF NEW.kind IS DISTINCT FROM OLD.kind OR NEW.rebill_no IS DISTINCT FROM OLD.rebill_no THEN "
            f"RAISE EXCEPTION '{INVOICE_MSG}'; END IF; RETURN NEW; END $$"
        )
        op.execute("CREATE TRIGGER invoice_lock_kind BEFORE UPDATE ON invoice FOR EACH ROW EXECUTE FUNCTION orders_invoice_lock_kind()")
        for table, msg in IMMUTABLE.items():
            op.execute(f"CREATE FUNCTION orders_{table}_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
                       f"RAISE EXCEPTION '{msg}'; END $$")
            op.execute(f'CREATE TRIGGER {table}_lock BEFORE UPDATE OR DELETE ON "{table}" '
                       f"FOR EACH ROW EXECUTE FUNCTION orders_{table}_lock()")
        op.execute(
            "CREATE FUNCTION orders_credit_note_line_lock_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {CREDIT_SEALED} THEN RAISE EXCEPTION '{CREDIT_MSG}'; END IF; RETURN NEW; END $$"
        )
        op.execute("CREATE TRIGGER credit_note_line_lock_insert BEFORE INSERT ON credit_note_line "
                   "FOR EACH ROW EXECUTE FUNCTION orders_credit_note_line_lock_insert()")
        op.execute(
            "CREATE FUNCTION orders_status_history_lock_credit() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF OLD.doc_type = 'credit_note' THEN RAISE EXCEPTION '{HISTORY_MSG}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        op.execute("CREATE TRIGGER status_history_lock_credit BEFORE UPDATE OR DELETE ON status_history "
                   "FOR EACH ROW EXECUTE FUNCTION orders_status_history_lock_credit()")
        op.execute(
            "CREATE FUNCTION orders_reminder_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF TG_OP = 'DELETE' THEN RAISE EXCEPTION '{REMINDER_MSG}'; END IF; "
            "IF NEW.id IS DISTINCT FROM OLD.id OR NEW.invoice_id IS DISTINCT FROM OLD.invoice_id OR NEW.level IS DISTINCT FROM OLD.level "
            "OR NEW.reminder_date IS DISTINCT FROM OLD.reminder_date OR NEW.balance IS DISTINCT FROM OLD.balance "
            f"THEN RAISE EXCEPTION '{REMINDER_MSG}'; END IF; RETURN NEW; END $$"
        )
        op.execute("CREATE TRIGGER reminder_lock BEFORE UPDATE OR DELETE ON reminder FOR EACH ROW EXECUTE FUNCTION orders_reminder_lock()")
        for table in TRUNCATE_LOCKED:
            op.execute(f'CREATE TRIGGER {table}_lock_truncate BEFORE TRUNCATE ON "{table}" '
                       "FOR EACH STATEMENT EXECUTE FUNCTION orders_truncate_lock()")


def upgrade() -> None:
    create_tables()
    op.execute("INSERT INTO sequence (doc_type, last_value) VALUES ('credit', 0)")
    carry_paid_statuses()
    create_lock_triggers()


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "postgresql":
        for table in TRUNCATE_LOCKED:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_lock_truncate ON "{table}"')
        op.execute('DROP TRIGGER IF EXISTS status_history_lock_credit ON "status_history"')
        op.execute("DROP FUNCTION IF EXISTS orders_status_history_lock_credit()")
        op.execute('DROP TRIGGER IF EXISTS invoice_lock_kind ON "invoice"')
        op.execute("DROP FUNCTION IF EXISTS orders_invoice_lock_kind()")
    else:
        for name in ("status_history_lock_credit_update", "status_history_lock_credit_delete", "invoice_lock_kind"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    for table in ("reminder", "payment_removal", "payment", "credit_note_line", "credit_note"):
        op.drop_table(table)
    op.drop_index("ix_invoice_line_deposit_invoice_id", "invoice_line")
    with op.batch_alter_table("invoice_line") as b:
        b.drop_column("deposit_invoice_id")
    with op.batch_alter_table("invoice") as b:
        b.drop_column("kind")
