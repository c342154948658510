"""Which periods of a recurrence are billed, skipped and pending, read with the ORM; the rules
(open periods, the next invoice date) are dates.py's."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import schedule
from orders_cli.recurring.dates import Billed, Done, is_open, next_date, open_due, usage_cutoff  # noqa: F401 - pure (dates.py), used from here
from orders_cli.store import documents
from orders_cli.store import schema as m


def done_periods(session: Session, order_id: int) -> Done:
    inv = m.Invoice.__table__
    rows = session.execute(sa.select(inv.c.period_start, inv.c.period_end, documents.released(inv).label("released"))
                           .where(inv.c.order_id == order_id, inv.c.recurring == True)).all()  # noqa: E712
    invoiced = Billed((ps, pe) for ps, pe, gone in rows if not gone)
    invoiced.released = {ps for ps, _, gone in rows if gone} - set(invoiced)
    skipped = set(session.execute(sa.select(m.SkippedPeriod.period_start).where(m.SkippedPeriod.order_id == order_id)).scalars())
    return invoiced, skipped


def done_all(session: Session, order_ids: Collection[int] | None = None) -> tuple[dict[int, Billed], dict[int, set]]:
    """``done_periods`` of every order at once (or of ``order_ids`` only), by order id."""
    if order_ids is not None:
        ids = sorted(order_ids)
        invoiced, skipped = {}, {}
        for i in range(0, len(ids), _CHUNK):
            more = _done(session, ids[i:i + _CHUNK])
            invoiced.update(more[0])
            skipped.update(more[1])
        return invoiced, skipped
    return _done(session, None)


_CHUNK = 1000  # order ids per IN list


def _done(session: Session, ids: list[int] | None) -> tuple[dict[int, Billed], dict[int, set]]:
    invoiced: dict[int, Billed] = {}
    inv, sp = m.Invoice.__table__, m.SkippedPeriod.__table__
    gone: list[tuple[int, date]] = []
    for oid, ps, pe, released in session.execute(sa.select(inv.c.order_id, inv.c.period_start, inv.c.period_end, documents.released(inv))
                                                 .where(inv.c.recurring == True,  # noqa: E712
                                                        *([inv.c.order_id.in_(ids)] if ids is not None else []))):
        if released:
            gone.append((oid, ps))
        else:
            invoiced.setdefault(oid, Billed()).add_span(ps, pe)
    for oid, ps in gone:
        billed = invoiced.setdefault(oid, Billed())
        if ps not in billed:
            billed.released.add(ps)
    skipped: dict[int, set] = {}
    for oid, ps in session.execute(sa.select(sp.c.order_id, sp.c.period_start).where(*([sp.c.order_id.in_(ids)] if ids is not None else []))):
        skipped.setdefault(oid, set()).add(ps)
    return invoiced, skipped


def reach_all(session: Session) -> tuple[dict[int, tuple[date, date, date, bool]], set[int]]:
    """What decides where each order's open periods start, without reading its periods: per
    order with recurring invoices, (first period start, latest period start, latest period end,
    gap), ``gap`` when, its spans sorted by start, one starts more than a day after every span
    before it ends (the rule of a walk that may skip the billed periods: see
    ``reporting.forecast``); and the orders whose spans alone do not decide it (a period credited
    with ``--rebill``, a period skipped), to be read whole with ``done_all``. One grouped query."""
    from orders_cli.store import receivables as rv

    inv, cn, sp = m.Invoice.__table__, rv.CreditNote.__table__, m.SkippedPeriod.__table__
    before = sa.func.max(inv.c.period_end).over(partition_by=inv.c.order_id, order_by=inv.c.period_start, rows=(None, -1))
    if session.get_bind().dialect.name == "postgresql":
        days = inv.c.period_start - before  # date - date: days
    else:
        days = sa.func.julianday(inv.c.period_start) - sa.func.julianday(before)
    spans = (sa.select(inv.c.order_id, inv.c.period_start.label("ps"), inv.c.period_end.label("pe"),
                       sa.case((days > 1, 1), else_=0).label("gap"))
             .where(inv.c.recurring == True).subquery())  # noqa: E712
    q = sa.select(spans.c.order_id, sa.func.min(spans.c.ps), sa.func.max(spans.c.ps), sa.func.max(spans.c.pe),
                  sa.func.max(spans.c.gap)).group_by(spans.c.order_id)
    reach = {oid: (first, last, end, bool(gap)) for oid, first, last, end, gap in session.execute(q)}
    whole = set(session.execute(sa.select(inv.c.order_id).distinct().select_from(cn.join(inv, inv.c.id == cn.c.invoice_id))
                                .where(cn.c.rebill == True, inv.c.recurring == True)).scalars())  # noqa: E712
    whole |= set(session.execute(sa.select(sp.c.order_id).distinct()).scalars())
    return reach, whole


def pending_periods(session: Session, rec: m.Recurrence, as_of: date, done: Done | None = None) -> list[schedule.Period]:
    invoiced, skipped = done if done is not None else done_periods(session, rec.order_id)
    return open_due(rec, as_of, invoiced, skipped)
