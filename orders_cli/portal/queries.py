"""What a signed-in customer may read: their account's finalized orders, those orders'
invoices, and the PDFs of both. Everything else is ``None`` (the web layer answers 404).

Every request runs in a read-only transaction (SQLite ``PRAGMA query_only``, PostgreSQL
``SET TRANSACTION READ ONLY``): the portal cannot write even by mistake.
"""

from __future__ import annotations

from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import date
from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli import store
from orders_cli.core.money import Money
from orders_cli.core.results import to_data
from orders_cli.invoicing import invoices as billing
from orders_cli.sales import views as sales
from orders_cli.store import schema as m

MAX_NUMBER = 40  # the number column's width: anything longer is not a number of ours


@contextmanager
def read_only() -> Iterator[Session]:
    with store.transaction(write=False) as s:
        conn = s.connection()
        if conn.dialect.name == "sqlite":
            conn.exec_driver_sql("PRAGMA query_only = ON")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        yield s


def plausible_number(number: str) -> bool:
    return 0 < len(number) <= MAX_NUMBER and not any(ord(c) < 32 or ord(c) == 127 for c in number)


@dataclass(frozen=True)
class InvoiceEntry:
    number: str
    subject: str
    status: str
    invoice_date: date
    due_date: date | None
    currency: str
    total: Money


@dataclass(frozen=True)
class OrderEntry:
    number: str
    subject: str
    status: str
    order_date: date
    currency: str
    total: Money
    invoices: list[InvoiceEntry] = field(default_factory=list)


def overview(session: Session, account_id: int) -> list[OrderEntry]:
    """The account's finalized orders, newest first, each with its invoices."""
    o = m.SalesOrder.__table__
    i = m.Invoice.__table__
    orders = session.execute(
        sa.select(o.c.id, o.c.number, o.c.subject, o.c.status, o.c.order_date, o.c.currency, o.c.total)
        .where(o.c.account_id == account_id, o.c.finalized == True)  # noqa: E712
        .order_by(o.c.order_date.desc(), o.c.id.desc())
    ).all()
    out: dict[int, OrderEntry] = {}
    for r in orders:
        out[r.id] = OrderEntry(r.number, r.subject, r.status, r.order_date, r.currency, Money(r.total))
    if out:
        for r in session.execute(
            sa.select(i.c.order_id, i.c.number, i.c.subject, i.c.status, i.c.invoice_date, i.c.due_date, i.c.currency, i.c.total)
            .where(i.c.order_id.in_(list(out)), i.c.account_id == account_id)
            .order_by(i.c.invoice_date, i.c.id)
        ):
            out[r.order_id].invoices.append(InvoiceEntry(r.number, r.subject, r.status, r.invoice_date, r.due_date, r.currency, Money(r.total)))
    return list(out.values())


def order(session: Session, account_id: int, number: str, today) -> dict | None:
    """The order's full view, if it is this account's and finalized (``today`` dates its recurrence)."""
    if not plausible_number(number):
        return None
    row = session.execute(
        sa.select(m.SalesOrder).where(m.SalesOrder.number == number, m.SalesOrder.account_id == account_id,
                                      m.SalesOrder.finalized == True)  # noqa: E712
    ).scalar_one_or_none()
    if row is None:
        return None
    view = to_data(sales.view(session, sales.ORDER, row, today))  # plain data for the page and the PDF
    related = view["related"]
    view["related"] = {"invoices": related["invoices"], "credit_notes": related["credit_notes"]}  # nothing internal (purchase orders, activities, documents)
    return view


def invoice(session: Session, account_id: int, number: str) -> dict | None:
    """The invoice's full view, if it belongs to one of this account's finalized orders."""
    if not plausible_number(number):
        return None
    i = m.Invoice
    o = m.SalesOrder
    row = session.execute(
        sa.select(i).join(o, o.id == i.order_id).where(
            i.number == number, i.account_id == account_id, o.account_id == account_id, o.finalized == True  # noqa: E712
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    return to_data(billing.invoice_view(session, row))  # plain data for the page and the PDF


def credit(session: Session, account_id: int, number: str) -> dict | None:
    """The credit note's full view, if its invoice belongs to one of this account's finalized orders."""
    if not plausible_number(number):
        return None
    from orders_cli.invoicing import credit_views
    from orders_cli.store import receivables as rv

    c, i, o = rv.CreditNote, m.Invoice, m.SalesOrder
    row = session.execute(
        sa.select(c).join(i, i.id == c.invoice_id).join(o, o.id == i.order_id).where(
            c.number == number, c.account_id == account_id, i.account_id == account_id, o.account_id == account_id,
            o.finalized == True  # noqa: E712
        )
    ).scalar_one_or_none()
    if row is None:
        return None
    return to_data(credit_views.credit_view(session, row))
