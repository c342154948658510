"""``order show`` and ``order list`` read through the standard library's sqlite3
(``store.quickread``, issue 19): the very results of views.py, built by the same pieces
(parts.py) from the same rows, so ``--json`` prints the same bytes (tests/test_quickread.py
holds them to it over every order of the test books); a reference that is not an exact number
is declined (``store.quickread.Decline``): the ORM's way resolves or refuses it.

Standard library, core/ and the light results only: no SQLAlchemy.
"""

from __future__ import annotations

import sqlite3
from datetime import date
from decimal import Decimal
from typing import Iterator

from orders_cli.core.money import Money
from orders_cli.recurring import dates
from orders_cli.sales import parts
from orders_cli.sales.results import DocView, ListLine, PartyRef
from orders_cli.store import quickread as q

ZERO = Decimal(0)
# store.documents.counted: not recurring, and not cancelled before credit notes existed
COUNTED = ("inv.recurring = 0 AND (inv.status != 'cancelled' OR EXISTS (SELECT counted_cn.id FROM credit_note AS counted_cn "
           "WHERE counted_cn.invoice_id = inv.id))")
LIVE = "p.id NOT IN (SELECT payment_id FROM payment_removal)"  # a payment not removed


def _party(con: sqlite3.Connection, table: str, pk: int | None) -> PartyRef | None:
    if pk is None:
        return None
    row = con.execute(f"SELECT id, name FROM {table} WHERE id = ?", (pk,)).fetchone()
    return PartyRef(row[0], row[1]) if row else None


def order_show(con: sqlite3.Connection, ref: str, today: date) -> DocView:
    """``views.show`` of an order; ``today`` dates its recurrence's next invoice."""
    doc = q.by_number(con, "sales_order", ref)
    lines = q.rows(con, "order_line", "order_id = ?", (doc.id,), "line_no")
    account = next(iter(q.rows(con, "account", "id = ?", (doc.account_id,))), None)
    out = parts.head(doc, account, _party(con, "contact", doc.contact_id), _party(con, "app_user", doc.assigned_user_id))
    quote = _quote(con, doc.quote_id)
    parts.order_body(out, doc, quote, lines, *progress_quantities(con, doc.id))
    rec = q.rows(con, "recurrence", "order_id = ?", (doc.id,), "order_id")
    out.recurrence = dates.view(rec[0], today, _done(con, doc.id), doc.status != "cancelled") if rec else None
    out.related = _related(con, doc.id, quote)
    out.open_balance = open_balance(con, doc.id)
    return out


def _done(con: sqlite3.Connection, order_id: int) -> dates.Done:
    """``recurring.periods.done_periods``: the periods billed (but those credited with --rebill)
    and skipped."""
    rows = [(q.day(ps), q.day(pe), gone) for ps, pe, gone in con.execute(
        "SELECT inv.period_start, inv.period_end, EXISTS (SELECT released_cn.id FROM credit_note AS released_cn "
        "WHERE released_cn.invoice_id = inv.id AND released_cn.rebill = 1) FROM invoice AS inv WHERE inv.order_id = ? AND inv.recurring = 1",
        (order_id,))]
    invoiced = dates.Billed((ps, pe) for ps, pe, gone in rows if not gone)
    invoiced.released = {ps for ps, _, gone in rows if gone} - set(invoiced)
    skipped = {q.day(ps) for (ps,) in con.execute("SELECT period_start FROM skipped_period WHERE order_id = ?", (order_id,))}
    return invoiced, skipped


def _quote(con: sqlite3.Connection, quote_id: int | None):
    if quote_id is None:
        return None
    found = q.named(con.execute("SELECT number, status FROM quote WHERE id = ?", (quote_id,)), "number", "status")
    return found[0] if found else None


def progress_quantities(con: sqlite3.Connection, order_id: int) -> tuple[dict, dict, Decimal]:
    """``store.documents.progress_quantities``: delivered and invoiced per order line, the amount invoiced."""
    delivered: dict = {}
    for line_id, qty in con.execute(
        "SELECT dl.order_line_id, dl.quantity FROM delivery_line AS dl JOIN delivery AS d ON d.id = dl.delivery_id "
        "WHERE d.order_id = ? AND d.status != 'cancelled'", (order_id,)
    ):
        delivered[line_id] = delivered.get(line_id, ZERO) + Decimal(qty)
    invoiced: dict = {}
    for line_id, qty in con.execute(
        f"SELECT il.order_line_id, il.quantity FROM invoice_line AS il JOIN invoice AS inv ON inv.id = il.invoice_id "
        f"WHERE inv.order_id = ? AND {COUNTED}", (order_id,)
    ):
        if line_id is not None:
            invoiced[line_id] = invoiced.get(line_id, ZERO) + Decimal(qty)
    for line_id, qty in con.execute(
        f"SELECT cl.order_line_id, cl.quantity FROM credit_note_line AS cl JOIN credit_note AS cn ON cn.id = cl.credit_note_id "
        f"JOIN invoice AS inv ON inv.id = cn.invoice_id WHERE inv.order_id = ? AND {COUNTED} AND cl.order_line_id IS NOT NULL", (order_id,)
    ):
        invoiced[line_id] = invoiced.get(line_id, ZERO) - Decimal(qty)
    (amount,) = con.execute(f"SELECT sum(inv.total) FROM invoice AS inv WHERE inv.order_id = ? AND {COUNTED}", (order_id,)).fetchone()
    (credited,) = con.execute(
        f"SELECT sum(cn.total) FROM credit_note AS cn JOIN invoice AS inv ON inv.id = cn.invoice_id WHERE inv.order_id = ? AND {COUNTED}",
        (order_id,)).fetchone()
    return delivered, invoiced, q.cents((amount or 0) - (credited or 0))


def _related(con: sqlite3.Connection, order_id: int, quote):
    """``views.related_view``."""
    invoices = q.named(con.execute(
        "SELECT id, number, invoice_date, status, total, period_start, period_end FROM invoice WHERE order_id = ? ORDER BY id", (order_id,)),
        "id", "number", "invoice_date", "status", "total", "period_start", "period_end")
    for i in invoices:
        i.invoice_date, i.period_start, i.period_end, i.total = q.day(i.invoice_date), q.day(i.period_start), q.day(i.period_end), q.cents(i.total)
    purchases = [(number, vendor, q.cents(total)) for number, vendor, total in con.execute(
        "SELECT p.number, v.name, p.total FROM purchase_order AS p JOIN vendor AS v ON v.id = p.vendor_id WHERE p.order_id = ? ORDER BY p.id",
        (order_id,))]
    deliveries = q.named(con.execute("SELECT number, delivery_date, status FROM delivery WHERE order_id = ? ORDER BY id", (order_id,)),
                         "number", "delivery_date", "status")
    for d in deliveries:
        d.delivery_date = q.day(d.delivery_date)
    documents = con.execute("SELECT id, filename, size, sha256, content_type FROM document WHERE order_id = ? ORDER BY id", (order_id,)).fetchall()
    activities = q.named(con.execute(
        "SELECT a.id, a.type, a.subject, a.due, a.done, i.number, a.note FROM activity AS a LEFT OUTER JOIN invoice AS i ON i.id = a.invoice_id "
        "WHERE a.order_id = ? OR a.invoice_id IN (SELECT id FROM invoice WHERE order_id = ?) ORDER BY a.id", (order_id, order_id)),
        "id", "type", "subject", "due", "done", "invoice", "note")
    for a in activities:
        a.due, a.done = q.day(a.due), bool(a.done)
    credits = q.named(con.execute(
        "SELECT cn.number, cn.credit_date, cn.invoice_id, cn.total FROM credit_note AS cn JOIN invoice AS inv ON inv.id = cn.invoice_id "
        "WHERE inv.order_id = ? ORDER BY cn.id", (order_id,)), "number", "credit_date", "invoice_id", "total")
    for c in credits:
        c.credit_date, c.total = q.day(c.credit_date), q.cents(c.total)
    return parts.order_related(quote, invoices, purchases, deliveries, documents, activities, credits)


def open_balance(con: sqlite3.Connection, order_id: int) -> Money:
    """``invoicing.statements.open_balance`` of an order: its counted invoices' balances plus
    the refunds paid on their credit notes."""
    (owed,) = con.execute(
        "SELECT coalesce(sum(inv.total - coalesce((SELECT sum(cn.total) FROM credit_note AS cn WHERE cn.invoice_id = inv.id), 0) "
        f"- coalesce((SELECT sum(p.amount) FROM payment AS p WHERE p.invoice_id = inv.id AND {LIVE}), 0)), 0) FROM invoice AS inv "
        "WHERE inv.order_id = ? AND NOT (inv.status = 'cancelled' AND NOT EXISTS (SELECT 1 FROM credit_note AS c2 WHERE c2.invoice_id = inv.id))",
        (order_id,)).fetchone()
    (refunded,) = con.execute(
        f"SELECT coalesce(sum(p.amount), 0) FROM payment AS p JOIN credit_note AS cn ON cn.id = p.credit_note_id "
        f"JOIN invoice AS inv ON inv.id = cn.invoice_id WHERE {LIVE} AND inv.order_id = ?", (order_id,)).fetchone()
    return Money(q.cents(owed) + q.cents(refunded))


def order_list(con: sqlite3.Connection, limit: int | None) -> Iterator[ListLine]:
    """``views.list_docs`` of orders with no filter: newest first, at most ``limit``."""
    sql = ("SELECT o.id, o.number, o.subject, o.status, o.order_date, o.currency, o.total, o.subtotal, o.tax_total, a.id, a.name, o.finalized "
           "FROM sales_order AS o JOIN account AS a ON a.id = o.account_id ORDER BY o.order_date DESC, o.id DESC")
    cursor = con.execute(sql + " LIMIT ?", (limit,)) if limit else con.execute(sql)
    for (id_, number, subject, status, day, currency, total, subtotal, tax, account_id, account_name, finalized) in cursor:
        yield ListLine(id_, number, subject, status, "order_date", day, bool(finalized), None, account_id, account_name, currency, subtotal, tax, total)
