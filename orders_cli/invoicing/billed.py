"""What an order's invoices have billed so far, net of their credit notes: the state the
planner needs to make the next invoice or deposit of the order (``core.planner``).

An invoice counts when it is not recurring and was not cancelled before credit notes existed
(``store.documents.counted``); each of its credit notes counts against it (negated totals,
nets and quantities given back to the order lines).
"""

from __future__ import annotations

import json
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import planner, pricing, shares
from orders_cli.store import documents
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

ZERO = Decimal(0)


def _counted_invoices(order_id: int):
    inv = m.Invoice.__table__
    return sa.select(inv.c.id).where(inv.c.order_id == order_id, documents.counted(inv))


def earlier_totals(session: Session, order_id: int) -> list[pricing.Totals]:
    """The totals of the order's counted invoices, and of their credit notes negated.

    A price reduction (a credit note of mode ``amount``) lowers what the order is worth for
    good: it does not come back on the invoice that later completes the order, so it stays out
    of these sums, unless its invoice was since credited in full by a credit note that gives
    quantities back (that last credit note gave the reduction back, and all of it counts). A
    reduction that itself takes the invoice to nothing gives no quantity back: it stands, like
    any other (the order's lines, invoiced, add up with the invoice's nets)."""
    ids = _counted_invoices(order_id)
    inv = m.Invoice.__table__
    invoices = {r.id: documents.totals_from_row(r) for r in session.execute(sa.select(inv).where(inv.c.id.in_(ids)).order_by(inv.c.id))}
    cn = rv.CreditNote.__table__
    notes: dict[int, list] = {}
    for row in session.execute(sa.select(cn).where(cn.c.invoice_id.in_(ids)).order_by(cn.c.id)):
        notes.setdefault(row.invoice_id, []).append((row.mode, documents.totals_from_row(row)))
    out = list(invoices.values())
    for inv_id, credited in notes.items():
        done = credited[-1][0] != "amount" and _nothing_left(pricing.remainder_totals(invoices[inv_id], [t for _, t in credited]))
        out += [shares.negated(t) for mode, t in credited if done or mode != "amount"]
    return out


def _nothing_left(t: pricing.Totals) -> bool:
    return all(getattr(t, k) == 0 for k in ("subtotal", "discount", "shipping", "tax", "adjustment", "total")) and all(
        b.base == 0 and b.amount == 0 for b in t.tax_breakdown)


def invoiced_nets(session: Session, order_id: int) -> tuple[dict[int, Decimal], dict[int, int]]:
    """The nets the order's invoices took of each order line id (less what credit notes gave
    back), and how many invoice and credit note lines took part in them."""
    nets: dict[int, Decimal] = {}
    parts: dict[int, int] = {}
    il = m.InvoiceLine.__table__
    for line_id, net in session.execute(
        sa.select(il.c.order_line_id, il.c.net).where(il.c.invoice_id.in_(_counted_invoices(order_id)), il.c.order_line_id.is_not(None))
    ):
        nets[line_id] = nets.get(line_id, ZERO) + net
        parts[line_id] = parts.get(line_id, 0) + 1
    for line_id, _, net in session.execute(documents.credit_lines_of_order(order_id)):
        nets[line_id] = nets.get(line_id, ZERO) - net
        parts[line_id] = parts.get(line_id, 0) + 1
    return nets, parts


def tax_of(taxes_json: str) -> pricing.TaxRate | None:
    taxes = documents.taxes_from_json(taxes_json)
    return taxes[0] if taxes else None


def open_deposits(session: Session, order_id: int) -> list[planner.OpenDeposit]:
    """Each deposit invoice of the order, per rate, with what is left to deduct of it: its
    deposit lines, less the deductions of later invoices, less its own credit notes, plus the
    deductions that credit notes gave back. Oldest first."""
    ids = _counted_invoices(order_id)
    il = m.InvoiceLine.__table__
    left: dict[tuple[int, str], Decimal] = {}
    for dep, taxes, net in session.execute(
        sa.select(il.c.deposit_invoice_id, il.c.taxes, il.c.net).where(il.c.invoice_id.in_(ids), il.c.deposit_invoice_id.is_not(None))
    ):
        left[(dep, taxes)] = left.get((dep, taxes), ZERO) + net
    cl = rv.CreditNoteLine.__table__
    cn = rv.CreditNote.__table__
    for dep, taxes, net in session.execute(
        sa.select(cl.c.deposit_invoice_id, cl.c.taxes, cl.c.net).join(cn, cn.c.id == cl.c.credit_note_id)
        .where(cn.c.invoice_id.in_(ids), cl.c.deposit_invoice_id.is_not(None))
    ):
        left[(dep, taxes)] = left.get((dep, taxes), ZERO) - net
    numbers = dict(session.execute(sa.select(m.Invoice.id, m.Invoice.number).where(m.Invoice.id.in_({d for d, _ in left}))).all()) if left else {}
    return [
        planner.OpenDeposit(dep, numbers[dep], tax_of(taxes), amount)
        for (dep, taxes), amount in sorted(left.items(), key=lambda kv: (kv[0][0], kv[0][1]))
        if amount > 0
    ]


def taxes_json(tax: pricing.TaxRate | None) -> str:
    """A line's tax snapshot for one rate (the form deposit and deduction lines share)."""
    if tax is None:
        return "[]"
    return json.dumps([tax.snapshot()])
