"""Orders and quotes as stored: the kind descriptors (table, line table, date column), look-ups
by reference, their lines, the quantities already delivered and invoiced, and (re-exported from
core/stored.py) the mapping between a document's amount columns and ``core.pricing.Totals``.
Imports only core/ and the rest of store/.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core.money import from_cents
from orders_cli.core.stored import (  # noqa: F401 - the JSON columns' helpers, pure (core/stored.py)
    taxes_from_json,
    taxes_json,
    breakdown_entry,
    breakdown_from_json,
    charge_entry,
    charges_from_json,
    doc_charges_from_json,
    seq_charges_from_json,
    totals_columns,
    totals_from_row,
)
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
