"""``order delete``: an order made by mistake goes, while nothing else stands on it.

Only an order that was never finalized, invoiced, delivered, bought for, credited, used
(usage records) or handled by ``recur run`` (billed or skipped periods) may go; any of those
refuses, naming it. With it go, in the one transaction, its lines, its status history and
change log, its recurrence settings, its attached documents and its activities. Its number is
not reused: the numbering counter never goes back (a lock trigger, revision 0002), so order
numbers may have gaps, which invoice and credit note numbers never have (``db check``).
A quote it came from stays as it is (accepted).
"""

from __future__ import annotations

from dataclasses import dataclass

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core.errors import Conflict, Locked
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m
from orders_cli.store.documents import ORDER, get, lock

SHOWN = 3  # the numbers a refusal names before "..."


@dataclass
class Deleted:
    number: str
    id: int
    subject: str
    deleted: bool
    lines: int
    documents: int
    activities: int
    recurrence: bool
    number_reused: bool = False  # never: the counter does not go back


def _count(session: Session, table, where) -> int:
    return session.execute(sa.select(sa.func.count()).select_from(table).where(where)).scalar_one()


def _numbers(session: Session, column, where) -> list[str]:
    return list(session.execute(sa.select(column).where(where).order_by(column).limit(SHOWN + 1)).scalars())


def _named(numbers: list[str]) -> str:
    return ", ".join(numbers[:SHOWN]) + (", ..." if len(numbers) > SHOWN else "")


def _refusal(session: Session, doc: m.SalesOrder) -> str | None:
    """Why ``doc`` may not be deleted (the first reason found), or None."""
    inv, cn = m.Invoice.__table__, rv.CreditNote.__table__
    po, dn = m.PurchaseOrder.__table__, m.Delivery.__table__
    for label, column in (("invoices", inv.c.number), ("credit notes", cn.c.number), ("delivery notes", dn.c.number),
                          ("purchase orders", po.c.number)):
        found = _numbers(session, column, column.table.c.order_id == doc.id)
        if found:
            return f"{doc.number} has {label} ({_named(found)})"
    used = _count(session, m.UsageRecord.__table__, m.UsageRecord.__table__.c.order_id == doc.id)
    if used:
        return f"{doc.number} has {used} usage record(s) to bill"
    skipped = _count(session, m.SkippedPeriod.__table__, m.SkippedPeriod.__table__.c.order_id == doc.id)
    if skipped:
        return f"{doc.number} has recurring periods recur run already handled"
    return None


def _plan(session: Session, doc: m.SalesOrder) -> Deleted:
    if doc.finalized:
        raise Locked(f"{doc.number} is finalized: a finalized order is never deleted (cancel it: orders order status {doc.number} cancelled)")
    why = _refusal(session, doc)
    if why:
        raise Conflict(f"{why}: it cannot be deleted (cancel it instead: orders order status {doc.number} cancelled)")
    return Deleted(
        number=doc.number,
        id=doc.id,
        subject=doc.subject,
        deleted=False,
        lines=_count(session, m.OrderLine.__table__, m.OrderLine.__table__.c.order_id == doc.id),
        documents=_count(session, m.Document.__table__, m.Document.__table__.c.order_id == doc.id),
        activities=_count(session, m.Activity.__table__, m.Activity.__table__.c.order_id == doc.id),
        recurrence=session.get(m.Recurrence, doc.id) is not None,
    )


def deletion(session: Session, ref: str) -> Deleted:
    """What ``order delete`` would remove (``deleted`` false), or its refusal: asked before."""
    return _plan(session, get(session, ORDER, ref))


def delete_order(session: Session, ref: str) -> Deleted:
    """Delete the order and everything that is only its own (see the module's docstring)."""
    doc = get(session, ORDER, ref)
    lock(session, m.SalesOrder, doc.id)
    out = _plan(session, doc)
    for model, where in (
        (m.OrderLine, m.OrderLine.__table__.c.order_id == doc.id),
        (m.Recurrence, m.Recurrence.__table__.c.order_id == doc.id),
        (m.Document, m.Document.__table__.c.order_id == doc.id),
        (m.Activity, m.Activity.__table__.c.order_id == doc.id),
        (m.StatusChange, sa.and_(m.StatusChange.__table__.c.doc_type == "order", m.StatusChange.__table__.c.doc_id == doc.id)),
        (m.FieldChange, sa.and_(m.FieldChange.__table__.c.doc_type == "order", m.FieldChange.__table__.c.doc_id == doc.id)),
    ):
        session.execute(sa.delete(model.__table__).where(where))
    session.expunge(doc)
    session.execute(sa.delete(m.SalesOrder.__table__).where(m.SalesOrder.__table__.c.id == out.id))
    session.flush()
    out.deleted = True
    return out
