"""The guards against ``INSERT OR REPLACE`` (SQLite, revision 0009).

SQLite resolves a REPLACE conflict by deleting the rows in the way without firing their DELETE
triggers (``recursive_triggers`` is off, and a connection of another tool sets what it likes),
so ``INSERT OR REPLACE INTO invoice SELECT ...`` of an issued invoice's id rewrote it past every
lock. A guard is a BEFORE INSERT trigger per locked table: the row may not arrive while a row
it would replace (the same primary key, or the same value of a unique key) is one the table's
delete lock keeps; it is refused with that lock's message. A plain insert that meets such a row
fails as before (it met a unique key), only with the lock's message. PostgreSQL has no REPLACE:
``ON CONFLICT DO UPDATE`` fires the UPDATE locks.

Standard library only (the migration and ``db check`` read it).
"""

from __future__ import annotations

ORDER = "locked: the order is finalized"
INVOICE = "locked: an issued invoice never changes"
CREDIT = "locked: an issued credit note never changes"
PAYMENT = "locked: a payment is never changed or deleted (remove it with orders payment remove)"
VAT = "locked: the VAT of an issued document never changes"
SALES = "locked: the sales lines of an issued document never change"

# trigger -> (table, its keys (each a tuple of columns), the rows kept (on alias o), message)
GUARDS: dict[str, tuple[str, tuple[tuple[str, ...], ...], str, str]] = {
    "sales_order_lock_replace": ("sales_order", (("id",), ("number",)), "o.finalized", ORDER),
    "order_line_lock_replace": ("order_line", (("id",), ("order_id", "line_no")),
                                "(SELECT finalized FROM sales_order WHERE id = o.order_id)", ORDER),
    "invoice_lock_replace": ("invoice", (("id",), ("number",), ("order_id", "period_start", "rebill_no")), "1", INVOICE),
    "invoice_line_lock_replace": ("invoice_line", (("id",),), "1", INVOICE),
    "status_history_lock_replace": ("status_history", (("id",),), "o.doc_type = 'invoice'",
                                    "locked: the history of an invoice never changes"),
    "status_history_lock_credit_replace": ("status_history", (("id",),), "o.doc_type = 'credit_note'",
                                           "locked: the history of a credit note never changes"),
    "sequence_lock_replace": ("sequence", (("doc_type",),), "1", "locked: a numbering counter never goes back and is never deleted"),
    "credit_note_lock_replace": ("credit_note", (("id",), ("number",)), "1", CREDIT),
    "credit_note_line_lock_replace": ("credit_note_line", (("id",), ("credit_note_id", "line_no")), "1", CREDIT),
    "payment_lock_replace": ("payment", (("id",),), "1", PAYMENT),
    "payment_removal_lock_replace": ("payment_removal", (("payment_id",),), "1", PAYMENT),
    "reminder_lock_replace": ("reminder", (("id",), ("invoice_id", "level")), "1", "locked: a reminder sent is never deleted"),
    "invoice_tax_lock_replace": ("invoice_tax", (("invoice_id", "seq"),), "1", VAT),
    "credit_note_tax_lock_replace": ("credit_note_tax", (("credit_note_id", "seq"),), "1", VAT),
    "invoice_line_sales_lock_replace": ("invoice_line_sales", (("line_id",),), "1", SALES),
    "credit_note_line_sales_lock_replace": ("credit_note_line_sales", (("line_id",),), "1", SALES),
}


def create(name: str) -> str:
    """The CREATE TRIGGER statement of guard ``name``."""
    table, keys, kept, message = GUARDS[name]
    clash = " OR ".join("(" + " AND ".join(f"o.{c} = NEW.{c}" for c in key) + ")" for key in keys)
    return (f'CREATE TRIGGER {name} BEFORE INSERT ON "{table}" WHEN EXISTS (SELECT 1 FROM "{table}" AS o WHERE ({clash}) AND {kept}) '
            f"BEGIN SELECT RAISE(ABORT, '{message}'); END")
