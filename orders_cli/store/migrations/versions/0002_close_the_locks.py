"""close the locks: keys, invoice line inserts, history and counters

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 23:30:00

0001 locked the columns of a finalized order and of an invoice, but not their keys, not
an INSERT of an invoice line, and not the numbering counters. Here, on both backends:

- the id of a finalized order or of any invoice never changes (``*_lock_key``);
- an invoice takes lines only while it is being created: once its history has a row (the
  product writes the "created" row right after the lines, in the same transaction) a new
  line is refused (``invoice_line_lock_insert``), and an invoice's history rows never change
  or go (``status_history_lock``), so that seal cannot be broken;
- a numbering counter never goes down, never changes its document type and is never
  deleted (``sequence_lock``). Raising it is allowed: the product itself raises it by N in
  one statement to allocate a block (set-wise import), and a trigger cannot tell a block
  from a skip; ``orders db check`` reports an invoice counter ahead of the highest invoice
  number (a gap) and any counter behind the highest number issued (the next one collides);
- PostgreSQL only: TRUNCATE (which skips row triggers) is refused on these tables.
"""
from alembic import op

revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None

ORDER_MSG = "locked: the order is finalized"
INVOICE_MSG = "locked: an issued invoice never changes"
HISTORY_MSG = "locked: the history of an invoice never changes"
COUNTER_MSG = "locked: a numbering counter never goes back and is never deleted"

# The tables whose rows the locks guard (PostgreSQL: TRUNCATE is refused on them).
TRUNCATE_LOCKED = ("sales_order", "order_line", "invoice", "invoice_line", "status_history", "sequence")

INVOICE_SEALED = "EXISTS (SELECT 1 FROM status_history WHERE doc_type = 'invoice' AND doc_id = NEW.invoice_id)"


def upgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        op.execute(
            "CREATE TRIGGER sales_order_lock_key BEFORE UPDATE OF id ON sales_order "
            "WHEN OLD.finalized AND NEW.id IS NOT OLD.id "
            f"BEGIN SELECT RAISE(ABORT, '{ORDER_MSG}'); END"
        )
        op.execute(
            "CREATE TRIGGER invoice_lock_key BEFORE UPDATE OF id ON invoice WHEN NEW.id IS NOT OLD.id "
            f"BEGIN SELECT RAISE(ABORT, '{INVOICE_MSG}'); END"
        )
        op.execute(
            f"CREATE TRIGGER invoice_line_lock_insert BEFORE INSERT ON invoice_line WHEN {INVOICE_SEALED} "
            f"BEGIN SELECT RAISE(ABORT, '{INVOICE_MSG}'); END"
        )
        for event in ("UPDATE", "DELETE"):
            op.execute(
                f"CREATE TRIGGER status_history_lock_{event.lower()} BEFORE {event} ON status_history "
                f"WHEN OLD.doc_type = 'invoice' BEGIN SELECT RAISE(ABORT, '{HISTORY_MSG}'); END"
            )
        op.execute(
            "CREATE TRIGGER sequence_lock_update BEFORE UPDATE ON sequence "
            "WHEN NEW.last_value < OLD.last_value OR NEW.last_value IS NULL OR NEW.doc_type IS NOT OLD.doc_type "
            f"BEGIN SELECT RAISE(ABORT, '{COUNTER_MSG}'); END"
        )
        op.execute(
            f"CREATE TRIGGER sequence_lock_delete BEFORE DELETE ON sequence BEGIN SELECT RAISE(ABORT, '{COUNTER_MSG}'); END"
        )
    elif bind.dialect.name == "postgresql":
        op.execute(
            "CREATE FUNCTION orders_sales_order_lock_key() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF OLD.finalized AND NEW.id IS DISTINCT FROM OLD.id THEN RAISE EXCEPTION '{ORDER_MSG}'; END IF; "
            "RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER sales_order_lock_key BEFORE UPDATE ON sales_order "
            "FOR EACH ROW EXECUTE FUNCTION orders_sales_order_lock_key()"
        )
        op.execute(
            "CREATE FUNCTION orders_invoice_lock_key() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF NEW.id IS DISTINCT FROM OLD.id THEN RAISE EXCEPTION '{INVOICE_MSG}'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER invoice_lock_key BEFORE UPDATE ON invoice FOR EACH ROW EXECUTE FUNCTION orders_invoice_lock_key()"
        )
        op.execute(
            "CREATE FUNCTION orders_invoice_line_lock_insert() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF {INVOICE_SEALED} THEN RAISE EXCEPTION '{INVOICE_MSG}'; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER invoice_line_lock_insert BEFORE INSERT ON invoice_line "
            "FOR EACH ROW EXECUTE FUNCTION orders_invoice_line_lock_insert()"
        )
        op.execute(
            "CREATE FUNCTION orders_status_history_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            f"IF OLD.doc_type = 'invoice' THEN RAISE EXCEPTION '{HISTORY_MSG}'; END IF; "
            "IF TG_OP = 'DELETE' THEN RETURN OLD; END IF; RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER status_history_lock BEFORE UPDATE OR DELETE ON status_history "
            "FOR EACH ROW EXECUTE FUNCTION orders_status_history_lock()"
        )
        op.execute(
            "CREATE FUNCTION orders_sequence_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "IF TG_OP = 'DELETE' OR NEW.last_value IS NULL OR NEW.last_value < OLD.last_value "
            f"OR NEW.doc_type IS DISTINCT FROM OLD.doc_type THEN RAISE EXCEPTION '{COUNTER_MSG}'; END IF; "
            "RETURN NEW; END $$"
        )
        op.execute(
            "CREATE TRIGGER sequence_lock BEFORE UPDATE OR DELETE ON sequence "
            "FOR EACH ROW EXECUTE FUNCTION orders_sequence_lock()"
        )
        op.execute(
            "CREATE FUNCTION orders_truncate_lock() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION USING MESSAGE = 'locked: ' || TG_TABLE_NAME || ' cannot be truncated'; END $$"
        )
        for table in TRUNCATE_LOCKED:
            op.execute(
                f'CREATE TRIGGER {table}_lock_truncate BEFORE TRUNCATE ON "{table}" '
                "FOR EACH STATEMENT EXECUTE FUNCTION orders_truncate_lock()"
            )


def downgrade() -> None:
    bind = op.get_bind()
    if bind.dialect.name == "sqlite":
        for name in ("sales_order_lock_key", "invoice_lock_key", "invoice_line_lock_insert", "status_history_lock_update",
                     "status_history_lock_delete", "sequence_lock_update", "sequence_lock_delete"):
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
    elif bind.dialect.name == "postgresql":
        for name, table in (("sales_order_lock_key", "sales_order"), ("invoice_lock_key", "invoice"),
                            ("invoice_line_lock_insert", "invoice_line"), ("status_history_lock", "status_history"),
                            ("sequence_lock", "sequence")):
            op.execute(f'DROP TRIGGER IF EXISTS {name} ON "{table}"')
            op.execute(f"DROP FUNCTION IF EXISTS orders_{name}()")
        for table in TRUNCATE_LOCKED:
            op.execute(f'DROP TRIGGER IF EXISTS {table}_lock_truncate ON "{table}"')
        op.execute("DROP FUNCTION IF EXISTS orders_truncate_lock()")
