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
from orders_cli.core import receivable
from orders_cli.core.money import Money
from orders_cli.core.results import to_data
from orders_cli.invoicing import balances
from orders_cli.invoicing import invoices as billing
from orders_cli.portal import states
from orders_cli.sales import views as sales
from orders_cli.store import schema as m

MAX_NUMBER = 40  # the number column's width: anything longer is not a number of ours


@contextmanager
def read_only() -> Iterator[Session]:
    with store.transaction(write=False) as s:
        conn = s.connection()
        sqlite = conn.dialect.name == "sqlite"
        if sqlite:
            conn.exec_driver_sql("PRAGMA query_only = ON")
        elif conn.dialect.name == "postgresql":
            conn.exec_driver_sql("SET TRANSACTION READ ONLY")
        try:
            yield s
        finally:
            if sqlite:  # the pooled connection goes back as it came (a command in the same process may write)
                conn.exec_driver_sql("PRAGMA query_only = OFF")


def plausible_number(number: str) -> bool:
    return 0 < len(number) <= MAX_NUMBER and not any(ord(c) < 32 or ord(c) == 127 for c in number)


@dataclass(frozen=True)
class InvoiceEntry:
    number: str
    subject: str
    kind: str
    invoice_date: date
    due_date: date | None
    currency: str
    total: Money
    balance: Money
    state: str  # the portal's payment state (states.py)


@dataclass(frozen=True)
class OrderEntry:
    number: str
    subject: str
    order_date: date
    currency: str
    total: Money
    state: str  # the portal's payment state of the order (states.py)
    balance: Money | None  # what its live invoices leave to pay (None: nothing invoiced that counts)
    invoices: list[InvoiceEntry] = field(default_factory=list)


def invoices_of(session: Session, account_id: int, order_ids: list[int], today: date) -> dict[int, list[InvoiceEntry]]:
    """Per order id, the account's invoices of it, oldest first, each with its payment state on ``today``."""
    out: dict[int, list[InvoiceEntry]] = {oid: [] for oid in order_ids}
    if not order_ids:
        return out
    i = m.Invoice.__table__
    rows = session.execute(
        sa.select(i.c.id, i.c.order_id, i.c.number, i.c.subject, i.c.kind, i.c.status, i.c.invoice_date, i.c.due_date, i.c.currency, i.c.total)
        .where(i.c.order_id.in_(order_ids), i.c.account_id == account_id)
        .order_by(i.c.invoice_date, i.c.id)
    ).all()
    sums = balances.credited_and_paid(session, [r.id for r in rows])  # the sums every balance is made of
    for r in rows:
        credited, notes, paid = sums[r.id]
        standing = receivable.standing(r.total, credited, paid, r.due_date, today, r.status, notes > 0)
        out[r.order_id].append(InvoiceEntry(r.number, r.subject, r.kind, r.invoice_date, r.due_date, r.currency, Money(r.total),
                                            Money(standing.balance), states.invoice_state(standing.state, r.due_date, today)))
    return out


def overview(session: Session, account_id: int, today: date) -> list[OrderEntry]:
    """The account's finalized orders, newest first, each with its invoices and payment states on ``today``."""
    o = m.SalesOrder.__table__
    orders = session.execute(
        sa.select(o.c.id, o.c.number, o.c.subject, o.c.status, o.c.order_date, o.c.currency, o.c.total)
        .where(o.c.account_id == account_id, o.c.finalized == True)  # noqa: E712
        .order_by(o.c.order_date.desc(), o.c.id.desc())
    ).all()
    invoices = invoices_of(session, account_id, [r.id for r in orders], today)
    out = []
    for r in orders:
        state = states.order_state(r.status, [e.state for e in invoices[r.id]])
        live = [e.balance for e in invoices[r.id] if not states.void(e.state)]
        balance = Money(sum(live, Money("0.00"))) if live and not states.void(state) else None
        out.append(OrderEntry(r.number, r.subject, r.order_date, r.currency, Money(r.total), state, balance, invoices[r.id]))
    return out


def order(session: Session, account_id: int, number: str, today) -> dict | None:
    """The order's full view, if it is this account's and finalized (``today`` dates its recurrence
    and the payment states)."""
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
    entries = invoices_of(session, account_id, [row.id], today)[row.id]
    # nothing internal (purchase orders, activities, documents); invoices with their payment states
    view["related"] = {"invoices": to_data(entries), "credit_notes": related["credit_notes"]}
    view["portal_state"] = states.order_state(row.status, [e.state for e in entries])
    return view


def invoice(session: Session, account_id: int, number: str, today: date) -> dict | None:
    """The invoice's full view with its payment state on ``today``, if it belongs to one of this
    account's finalized orders."""
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
    view = to_data(billing.invoice_view(session, row, today))  # plain data for the page and the PDF
    view["portal_state"] = states.invoice_state(view["payment_state"], view["due_date"], today)
    return view


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
