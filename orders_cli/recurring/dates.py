"""Which periods of a recurrence are open and its next invoice date, from what was billed and
skipped: pure (core.schedule only), shared by periods.py (which reads them with the ORM) and the
standard-library read path of ``order show`` (sales/quick.py). Also the view of a recurrence."""

from __future__ import annotations

from bisect import bisect_left
from datetime import date, timedelta

from orders_cli.core import schedule
from orders_cli.recurring.results import RecurrenceView


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


def left_unbilled(rec, invoiced: Billed) -> list[tuple[date, date]]:
    """The days the schedule of ``rec`` will never bill, as (first, last) spans: the days of its
    periods that overlap a billed span (so are not billed: ``Billed.covers``) yet fall outside
    every billed span. Only a schedule moved after billing (a new start, frequency, end or last
    day) leaves any; none past the last billed day."""
    if not invoiced.spans:
        return []
    billed: list[list[date]] = []  # the billed days as disjoint spans, in order
    for s, e in sorted(invoiced.spans):
        if billed and s <= billed[-1][1] + timedelta(days=1):
            billed[-1][1] = max(billed[-1][1], e)
        else:
            billed.append([s, e])
    ends = [e for _, e in billed]
    gaps: list[tuple[date, date]] = []
    for p in schedule.due_periods(rec.start, rec.frequency, ends[-1], end=rec.end, last_day=rec.last_day, invoice_date="start"):
        i = bisect_left(ends, p.start)  # the first billed span that reaches the period's start
        if p.start not in invoiced and (i == len(billed) or billed[i][0] > p.end):
            continue  # no billed day in it: not covered, a run bills it
        day = p.start
        while i < len(billed) and billed[i][0] <= p.end:
            if billed[i][0] > day:
                gaps.append((day, billed[i][0] - timedelta(days=1)))
            day = max(day, billed[i][1] + timedelta(days=1))
            i += 1
        if day <= p.end:
            gaps.append((day, p.end))
    merged: list[tuple[date, date]] = []
    for s, e in gaps:
        if merged and s <= merged[-1][1] + timedelta(days=1):
            merged[-1] = (merged[-1][0], max(merged[-1][1], e))
        else:
            merged.append((s, e))
    return merged


def is_open(p: schedule.Period, invoiced: Billed, skipped: set) -> bool:
    """Not billed (no day of it), not skipped: the run may bill it."""
    return p.start not in skipped and not invoiced.covers(p)


def open_due(rec, as_of: date, invoiced: Billed, skipped: set) -> list[schedule.Period]:
    """The periods due by ``as_of`` that are neither billed nor skipped, oldest first."""
    return [
        p
        for p in schedule.due_periods(rec.start, rec.frequency, as_of, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
        if is_open(p, invoiced, skipped)
    ]


def next_date(rec, as_of: date, pending: list, done: Done | None = None) -> date | None:
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


def usage_cutoff(rec, p: schedule.Period) -> date:
    """Usage billed on a period's invoice: up to the day before its start (in advance) or its end (in arrears)."""
    return p.start - timedelta(days=1) if rec.invoice_date == "start" else p.end


def view(rec, today: date, done: Done, live: bool, cls: type[RecurrenceView] = RecurrenceView, **extra) -> RecurrenceView:
    """The recurrence ``rec`` (its stored row) as of ``today``: its settings and next date, given
    what was billed and skipped (``done``); ``live``: its order is not cancelled (a cancelled
    order never bills again: no next date)."""
    nd = next_date(rec, today, open_due(rec, today, *done), done) if live else None
    return cls(
        enabled=rec.enabled, frequency=rec.frequency, start=rec.start, end=rec.end, due_days=rec.due_days,
        invoice_status=rec.invoice_status, subject=rec.subject, language=rec.language, invoice_date=rec.invoice_date,
        last_day=rec.last_day, catch_up=rec.catch_up, usage=rec.usage, next_date=nd, **extra,
    )
