"""Which periods of a recurrence are billed, skipped, pending, and the next invoice date."""

from __future__ import annotations

from collections.abc import Collection
from datetime import date, timedelta

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import schedule
from orders_cli.store import documents
from orders_cli.store import schema as m


class Billed(set):
    """The period starts of an order's recurring invoices, and the days they cover: a period
    overlapping any billed span is never billed again, even after the schedule moved
    (a new start or frequency)."""

    def __init__(self, spans=()):
        spans = [(s, e) for s, e in spans]
        super().__init__(s for s, _ in spans)
        self.spans = spans
        self.released: set = set()  # period starts credited with --rebill: billed again, whatever the catch-up

    def add_span(self, start: date, end: date) -> None:
        self.add(start)
        self.spans.append((start, end))

    def covers(self, p: schedule.Period) -> bool:
        return p.start in self or any(s <= p.end and p.start <= e for s, e in self.spans)


Done = tuple[Billed, set]  # (billed spans, skipped period starts) of one order


def is_open(p: schedule.Period, invoiced: Billed, skipped: set) -> bool:
    """Not billed (no day of it), not skipped: the run may bill it."""
    return p.start not in skipped and not invoiced.covers(p)


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


def open_due(rec: m.Recurrence, as_of: date, invoiced: Billed, skipped: set) -> list[schedule.Period]:
    """The periods due by ``as_of`` that are neither billed nor skipped, oldest first."""
    return [
        p
        for p in schedule.due_periods(rec.start, rec.frequency, as_of, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
        if is_open(p, invoiced, skipped)
    ]


def pending_periods(session: Session, rec: m.Recurrence, as_of: date, done: Done | None = None) -> list[schedule.Period]:
    invoiced, skipped = done if done is not None else done_periods(session, rec.order_id)
    return open_due(rec, as_of, invoiced, skipped)


def next_date(rec: m.Recurrence, as_of: date, pending: list, done: Done | None = None) -> date | None:
    if not rec.enabled:
        return None
    if pending:
        return pending[0].invoice_date
    p = schedule.next_period(rec.start, rec.frequency, as_of, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
    # periods already billed ahead (a run with a later --date) are not next
    while p is not None and done and not is_open(p, *done):
        p = schedule.next_period(rec.start, rec.frequency, p.invoice_date, end=rec.end, last_day=rec.last_day,
                                 invoice_date=rec.invoice_date, from_index=p.index + 1)
    return p.invoice_date if p else None


def usage_cutoff(rec: m.Recurrence, p: schedule.Period) -> date:
    """Usage billed on a period's invoice: up to the day before its start (in advance) or its end (in arrears)."""
    return p.start - timedelta(days=1) if rec.invoice_date == "start" else p.end
