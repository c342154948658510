"""Orders and quotes as stored: the kind descriptors (table, line table, date column), look-ups
by reference, their lines, the quantities already delivered and invoiced, and the mapping
between a document's amount columns and ``core.pricing.Totals``. Imports only core/ and the
rest of store/.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import pricing
from orders_cli.core.money import fmt_money, from_cents, plain
from orders_cli.store import refs
from orders_cli.store import schema as m


@dataclass(frozen=True)
class Kind:
    name: str  # "order" | "quote"
    table: Any
    line_table: Any
    fk: str
    date_field: str
    label: str


ORDER = Kind("order", m.SalesOrder, m.OrderLine, "order_id", "order_date", "order")


QUOTE = Kind("quote", m.Quote, m.QuoteLine, "quote_id", "quote_date", "quote")


def taxes_from_json(raw: str) -> tuple[pricing.TaxRate, ...]:
    return tuple(pricing.TaxRate.from_snapshot(t) for t in json.loads(raw))


def taxes_json(taxes) -> str:
    """A line's ``taxes`` column: the snapshot of each tax (name, rate, category, exemption)."""
    return json.dumps([t.snapshot() for t in taxes])


def breakdown_entry(b: pricing.TaxAmount) -> dict:
    out = {"name": b.name, "rate": plain(b.rate), "category": b.category, "base": fmt_money(b.base), "amount": fmt_money(b.amount)}
    if b.exemption_reason:
        out["exemption_reason"] = b.exemption_reason
    if b.exemption_code:
        out["exemption_code"] = b.exemption_code
    return out


def breakdown_from_json(raw: str) -> tuple[pricing.TaxAmount, ...]:
    return tuple(
        pricing.TaxAmount(b["name"], Decimal(b["rate"]), Decimal(b["base"]), Decimal(b["amount"]), b.get("category") or "S",
                          b.get("exemption_reason"), b.get("exemption_code"))
        for b in json.loads(raw)
    )


def charge_entry(c: pricing.ChargeAmount, value: str | None = None) -> dict:
    """One allowance or charge of a document, as its ``doc_charges`` column keeps it."""
    return {
        "seq": c.seq, "kind": c.kind, "reason": c.reason, "reason_code": c.reason_code,
        "value": value if value is not None else (plain(c.percent) + "%" if c.percent is not None else fmt_money(c.amount)),
        "amount": fmt_money(c.amount), "base": fmt_money(c.base) if c.base is not None else None,
        "tax": c.tax.snapshot() if c.tax is not None else None,
    }


def charges_from_json(raw: str | None) -> tuple[pricing.ChargeAmount, ...]:
    """A stored document's allowances and charges as computed on it."""
    out = []
    for c in json.loads(raw or "[]"):
        value = c.get("value") or ""
        out.append(pricing.ChargeAmount(
            seq=int(c["seq"]), kind=c["kind"], reason=c["reason"], amount=Decimal(c["amount"]),
            tax=pricing.TaxRate.from_snapshot(c["tax"]) if c.get("tax") else None, reason_code=c.get("reason_code"),
            percent=Decimal(value[:-1]) if value.endswith("%") else None,
            base=Decimal(c["base"]) if c.get("base") is not None else None,
        ))
    return tuple(out)


def doc_charges_from_json(raw: str | None) -> tuple[pricing.DocCharge, ...]:
    """A document's allowances and charges as entered (to price it, or an invoice of it, again)."""
    return tuple(c for _, c in seq_charges_from_json(raw))


def seq_charges_from_json(raw: str | None) -> tuple[tuple[int, pricing.DocCharge], ...]:
    """The same, each with its place in the order's list (an invoice's, to plan a credit note)."""
    out = []
    for c in json.loads(raw or "[]"):
        value = pricing.parse_discount(c["value"], c["kind"])
        if value is None:
            continue
        out.append((int(c["seq"]), pricing.DocCharge(c["kind"], c["reason"], value,
                                                     pricing.TaxRate.from_snapshot(c["tax"]) if c.get("tax") else None, c.get("reason_code"))))
    return tuple(out)


def totals_columns(t: pricing.Totals, entered=None) -> dict:
    """The totals columns of a document; ``entered`` the DocCharge values as typed (an order's
    "10%"), else each allowance is kept as computed."""
    values = {}
    for c, item in zip(t.extras, entered or ()):
        values[c.seq] = item.value.text()
    return {
        "doc_charges": json.dumps([charge_entry(c, values.get(c.seq)) for c in t.extras]),
        "subtotal": t.subtotal,
        "discount_amount": t.discount,
        "shipping_charge": t.shipping,
        "tax_total": t.tax,
        "adjustment": t.adjustment,
        "total": t.total,
        "tax_breakdown": json.dumps([breakdown_entry(b) for b in t.tax_breakdown]),
    }


def totals_from_row(row) -> pricing.Totals:
    """A stored document's totals as a pricing.Totals (for sums, remainders and the results of
    every document type; a purchase order stores no discount, shipping or adjustment: 0.00)."""
    none = Decimal("0.00")
    extras = charges_from_json(getattr(row, "doc_charges", None))
    return pricing.Totals(
        subtotal=row.subtotal,
        discount=getattr(row, "discount_amount", none),
        shipping=getattr(row, "shipping_charge", none),
        tax=row.tax_total,
        adjustment=getattr(row, "adjustment", none),
        total=row.total,
        tax_breakdown=breakdown_from_json(row.tax_breakdown),
        line_nets=(),
        allowances=sum((c.amount for c in extras if c.kind == "allowance"), none),
        charges=sum((c.amount for c in extras if c.kind == "charge"), none),
        extras=extras,
    )


def counted(inv=None):
    """The invoices that count against an order's quantities and amounts: not recurring, and not
    cancelled before credit notes existed (an invoice cancelled since is corrected by a credit
    note, which gives its quantities back)."""
    from orders_cli.store import receivables as rv

    inv = m.Invoice.__table__ if inv is None else inv
    cn = rv.CreditNote.__table__.alias("counted_cn")
    credited = sa.select(cn.c.id).where(cn.c.invoice_id == inv.c.id).exists()
    return sa.and_(inv.c.recurring == False, sa.or_(inv.c.status != "cancelled", credited))  # noqa: E712


def released(inv=None):
    """A recurring invoice credited with ``--rebill``: its period is billed again (by an invoice
    of the next ``rebill_no``), so it no longer counts as the period's invoice."""
    from orders_cli.store import receivables as rv

    inv = m.Invoice.__table__ if inv is None else inv
    cn = rv.CreditNote.__table__.alias("released_cn")
    return sa.select(cn.c.id).where(cn.c.invoice_id == inv.c.id, cn.c.rebill == True).exists()  # noqa: E712


def credit_lines_of_order(order_id: int):
    """(order_line_id, quantity, net) of the credit note lines of an order's counted invoices."""
    from orders_cli.store import receivables as rv

    inv = m.Invoice.__table__
    cn = rv.CreditNote.__table__
    cl = rv.CreditNoteLine.__table__
    return (
        sa.select(cl.c.order_line_id, cl.c.quantity, cl.c.net)
        .join(cn, cn.c.id == cl.c.credit_note_id)
        .join(inv, inv.c.id == cn.c.invoice_id)
        .where(inv.c.order_id == order_id, counted(inv), cl.c.order_line_id.is_not(None))
    )


def progress_quantities(session: Session, order_id: int) -> tuple[dict[int, Decimal], dict[int, Decimal], Decimal]:
    """Delivered and invoiced quantity per order line id, and the amount invoiced: invoices
    minus their credit notes. Recurring invoices and invoices cancelled before credit notes
    existed do not count."""
    from orders_cli.store import receivables as rv

    delivered: dict[int, Decimal] = {}
    for line_id, qty in session.execute(
        sa.select(m.DeliveryLine.order_line_id, m.DeliveryLine.quantity)
        .join(m.Delivery, m.Delivery.id == m.DeliveryLine.delivery_id)
        .where(m.Delivery.order_id == order_id, m.Delivery.status != "cancelled")
    ):
        delivered[line_id] = delivered.get(line_id, Decimal(0)) + qty
    invoiced: dict[int, Decimal] = {}
    inv = m.Invoice.__table__
    for line_id, qty in session.execute(
        sa.select(m.InvoiceLine.order_line_id, m.InvoiceLine.quantity)
        .join(inv, inv.c.id == m.InvoiceLine.invoice_id)
        .where(inv.c.order_id == order_id, counted(inv))
    ):
        if line_id is not None:
            invoiced[line_id] = invoiced.get(line_id, Decimal(0)) + qty
    for line_id, qty, _ in session.execute(credit_lines_of_order(order_id)):
        invoiced[line_id] = invoiced.get(line_id, Decimal(0)) - qty
    amount = session.execute(
        sa.select(sa.func.sum(inv.c.total, type_=sa.BigInteger)).where(inv.c.order_id == order_id, counted(inv))
    ).scalar_one()
    cn = rv.CreditNote.__table__
    credited = session.execute(
        sa.select(sa.func.sum(cn.c.total, type_=sa.BigInteger)).join(inv, inv.c.id == cn.c.invoice_id)
        .where(inv.c.order_id == order_id, counted(inv))
    ).scalar_one()
    return delivered, invoiced, from_cents((amount or 0) - (credited or 0))


def order_invoice_numbers(session: Session, order_id: int) -> list[str]:
    """The numbers of the order's invoices that lock its amounts: counted (not recurring, not
    cancelled before credit notes existed) and not credited in full (a credit note of all of
    it leaves nothing of it standing against the order)."""
    from orders_cli.store import receivables as rv

    inv = m.Invoice.__table__
    cn = rv.CreditNote.__table__
    credited = sa.select(sa.func.coalesce(sa.func.sum(cn.c.total, type_=sa.BigInteger), 0)).where(cn.c.invoice_id == inv.c.id).scalar_subquery()
    return list(session.execute(
        sa.select(inv.c.number).where(inv.c.order_id == order_id, counted(inv), sa.or_(inv.c.total == 0, credited != inv.c.total))
        .order_by(inv.c.id)
    ).scalars())


def lock(session: Session, table, row_id: int) -> None:
    """The row lock a writer takes before it reads what it decides on (PostgreSQL: SELECT ...
    FOR UPDATE, held to the commit; SQLite's write transaction already holds the database).
    Always the order before its invoice, so two writers never wait on each other in a circle."""
    t = table.__table__ if hasattr(table, "__table__") else table
    session.execute(sa.select(t.c.id).where(t.c.id == row_id).with_for_update())


def lines_of(session: Session, kind: Kind, doc_id: int) -> list:
    lt = kind.line_table
    return list(session.exec(select(lt).where(getattr(lt, kind.fk) == doc_id).order_by(lt.line_no)))


def get(session: Session, kind: Kind, ref: str):
    return refs.document(session, kind.table, ref, kind.label)
