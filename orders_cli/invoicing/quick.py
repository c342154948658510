"""``invoice show`` read through the standard library's sqlite3 (``store.quickread``, issue 19):
the very result of ``invoices.invoice_view``, built by the same piece (parts.py) from the same
rows, so ``--json`` prints the same bytes (tests/test_quickread.py holds them to it over every
invoice of the test books).

Standard library, core/ and the light results only: no SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from datetime import date

from orders_cli.core import receivable
from orders_cli.invoicing import parts
from orders_cli.invoicing import results as r
from orders_cli.store import quickread as q

LIVE = "p.id NOT IN (SELECT payment_id FROM payment_removal)"  # a payment not removed (balances._live_payments)


def invoice_show(con: sqlite3.Connection, ref: str, as_of: date) -> r.Invoice:
    """``invoices.show_invoice``: the invoice numbered ``ref``, its standing on ``as_of``."""
    inv = q.by_number(con, "invoice", ref)
    order = con.execute("SELECT number FROM sales_order WHERE id = ?", (inv.order_id,)).fetchone() if inv.order_id else None
    (account,) = q.rows(con, "account", "id = ?", (inv.account_id,))
    lines = q.rows(con, "invoice_line", "invoice_id = ?", (inv.id,), "line_no")
    credit_notes = [n for (n,) in con.execute("SELECT number FROM credit_note WHERE invoice_id = ? ORDER BY id", (inv.id,))]
    credited, notes = con.execute("SELECT sum(total), count(*) FROM credit_note WHERE invoice_id = ?", (inv.id,)).fetchone()
    (paid,) = con.execute(f"SELECT sum(p.amount) FROM payment AS p WHERE p.invoice_id = ? AND {LIVE}", (inv.id,)).fetchone()
    standing = receivable.standing(inv.total, q.cents(credited), q.cents(paid), inv.due_date, as_of, inv.status, notes > 0)
    return parts.invoice_result(inv, order[0] if order else None, account, lines, credit_notes, standing)
