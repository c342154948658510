"""``orders report forecast``: what the recurring schedules will bill in the coming months.

It runs the schedule rules of ``recur run`` forward (``core.schedule``): every enabled
recurrence of an order not cancelled, its periods not yet billed nor skipped, end dates
honoured, catch-up ``latest`` billing only the last overdue period; a period already due is
billed by the next run, so it counts in the current month. Each period bills the order's
totals (usage excluded: it is not known ahead).

What is open is decided per schedule without reading its periods when it can be: a schedule
billed in order (its billed spans cover every day from its start to the latest one's end, no
period skipped nor credited with ``--rebill``) has every period after its latest billed one
open and none before (``periods.reach_all``, one grouped query); the walk over those periods
is integer month (or day) arithmetic. Any other schedule is walked as ``recur run`` does, over
its billed spans and skipped periods read whole (``periods.done_all``).
"""

from __future__ import annotations

import calendar
from datetime import date, timedelta
from typing import NamedTuple

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import schedule
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, from_cents
from orders_cli.core.spans import add_month, month_end, month_key
from orders_cli.recurring.periods import Billed, done_all, is_open, reach_all
from orders_cli.reporting.results import ForecastRow
from orders_cli.store import schema as m

MAX_MONTHS = 120
_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
_DAYS = {"daily": 1, "weekly": 7}
_ONE_DAY = timedelta(days=1)
_LAST_YEAR = 9990  # a horizon or period nearer the calendar's end than this: the general walk


class Plan(NamedTuple):
    """An enabled recurrence of an order not cancelled, and what each of its periods bills."""

    order_id: int
    start: date
    end: date | None
    frequency: str
    last_day: bool
    invoice_date: str
    catch_up: str
    currency: str
    gross: int | None  # cents
    vat: int | None


def forecast(s: Session, today: date, months: int = 12) -> list[ForecastRow]:
    """The rows of ``report forecast``: this month and the ``months - 1`` after it."""
    if not isinstance(months, int) or not 1 <= months <= MAX_MONTHS:
        raise Invalid(f"--months {months}: expected 1 to {MAX_MONTHS}")
    keys = [add_month(month_key(today), i) for i in range(months)]
    horizon = month_end(*map(int, keys[-1].split("-")))
    rec, so = m.Recurrence.__table__, m.SalesOrder.__table__
    plans = [Plan(*row) for row in s.execute(
        sa.select(rec.c.order_id, rec.c.start, rec.c.end, rec.c.frequency, rec.c.last_day, rec.c.invoice_date, rec.c.catch_up,
                  so.c.currency, sa.type_coerce(so.c.total, sa.BigInteger), sa.type_coerce(so.c.tax_total, sa.BigInteger))
        .select_from(rec.join(so, so.c.id == rec.c.order_id))
        .where(rec.c.enabled == True, so.c.status != "cancelled")  # noqa: E712
    )]
    reach, whole = reach_all(s) if plans else ({}, set())
    month0 = today.year * 12 + today.month - 1
    # per currency: per month index, [invoices, net cents, vat cents, gross cents]
    acc: dict[str, list[list[int]]] = {}
    slow = []
    for p in plans:
        first = None if p.order_id in whole or horizon.year > _LAST_YEAR else first_open_index(p, reach.get(p.order_id))
        found = None if first is None else open_days(p, first, today, horizon)
        if found is None:
            slow.append(p)
            continue
        due, days = found
        _add(acc, p, month0, months, [today] * due + days)
    if slow:
        invoiced, skipped = done_all(s, {p.order_id for p in slow})
        for p in slow:
            _add(acc, p, month0, months, billing_days(p, today, horizon, (invoiced.get(p.order_id, Billed()), skipped.get(p.order_id, set()))))
    rows = []
    for cur in sorted(acc):
        for i, k in enumerate(keys):
            n, net, vat, gross = acc[cur][i]
            rows.append(ForecastRow(k, cur, n, Money(from_cents(net)), Money(from_cents(vat)), Money(from_cents(gross))))
    return rows


def _add(acc: dict, p, month0: int, months: int, days: list[date]) -> None:
    if not days:
        return
    series = acc.setdefault(p.currency, [[0, 0, 0, 0] for _ in range(months)])
    gross, vat = p.gross or 0, p.vat or 0
    for day in days:
        row = series[day.year * 12 + day.month - 1 - month0]
        row[0] += 1
        row[1] += gross - vat
        row[2] += vat
        row[3] += gross


def first_open_index(p, reach: tuple[date, date, date, bool] | None) -> int | None:
    """The index of the first open period of a schedule billed in order (every period from it
    on is open, none before it), from ``periods.reach_all``'s (first start, latest start, latest
    end, gap) of its billed spans (None: nothing billed, so from 0); None when the spans do not
    decide it (a gap, a span before the schedule's start, the schedule moved over its billed
    days): those are walked period by period."""
    if reach is None:
        return 0
    first, latest, end, gap = reach
    if gap or first > p.start:
        return None
    k = _first_start_after(p, latest)
    if k is None:
        return None
    after = _occurrence(p, k)
    if after is None or after <= end:
        return None
    return k


def _first_start_after(p, x: date) -> int | None:
    """The smallest k >= 0 whose occurrence (period start) is after ``x``, as
    ``core.schedule`` finds it; None near the calendar's end."""
    if x < p.start:
        return 0
    step = _DAYS.get(p.frequency)
    if step is not None:
        return (x - p.start).days // step + 1
    k = max(((x.year - p.start.year) * 12 + x.month - p.start.month) // _MONTHS[p.frequency], 0)
    while k > 0:  # the estimate is off by at most one either way (clamping, last day)
        prev = _occurrence(p, k - 1)
        if prev is None:
            return None
        if prev <= x:
            break
        k -= 1
    while True:
        d = _occurrence(p, k)
        if d is None:
            return None
        if d > x:
            return k
        k += 1


def _occurrence(p, k: int) -> date | None:
    step = _DAYS.get(p.frequency)
    if step is not None:
        try:
            d = p.start + timedelta(days=step * k)
        except OverflowError:
            return None
        return d if d.year <= _LAST_YEAR else None
    return _month_day(p.start.year * 12 + p.start.month - 1 + k * _MONTHS[p.frequency], p.start.day, p.last_day)


def open_days(p, first: int, today: date, horizon: date) -> tuple[int, list[date]] | None:
    """Periods ``first``, ``first + 1``, ... of schedule ``p``, every one open: how many are due
    by ``today`` (billed by the next run; catch-up latest bills only the last of them) and the
    invoice dates of the later ones up to ``horizon``. Integer month or day steps from the
    schedule's start, as ``core.schedule`` counts them; None near the calendar's end."""
    start, end, last_day, by_start = p.start, p.end, p.last_day, p.invoice_date == "start"
    step = _DAYS.get(p.frequency)
    begin = _occurrence(p, first)
    if step is not None:
        delta = timedelta(days=step)
    else:
        size = _MONTHS[p.frequency]
        total = start.year * 12 + start.month - 1 + first * size
        day = start.day
    due, days = 0, []
    while True:
        if begin is None:
            return None
        if end is not None and begin > end:
            break
        if step is not None:
            following = begin + delta
            if following.year > _LAST_YEAR:
                return None
        else:
            total += size
            following = _month_day(total, day, last_day)
            if following is None:
                return None
        stop = following - _ONE_DAY
        if end is not None and end < stop:
            stop = end
        billed_on = begin if by_start else stop
        if billed_on <= today:
            due += 1
        elif billed_on <= horizon:
            days.append(billed_on)
        else:
            break
        begin = following
    if p.catch_up == "latest" and due > 1:
        due = 1
    return due, days


def _month_day(total: int, day: int, last_day: bool) -> date | None:
    """The day ``day`` (clamped to the month's end, or the month's last with ``last_day``) of
    month ``total`` (year * 12 + month - 1); None past ``_LAST_YEAR``."""
    known = _MONTH.get(total)
    if known is None:
        year, month0 = divmod(total, 12)
        if not 1 <= year <= _LAST_YEAR:
            return None
        known = _MONTH[total] = (year, month0 + 1, calendar.monthrange(year, month0 + 1)[1])
    year, month, days = known
    return date(year, month, days if last_day or day > days else day)


_MONTH: dict[int, tuple[int, int, int]] = {}  # month (year * 12 + month - 1) -> (year, month, its days)


def billing_days(p, today: date, horizon: date, done) -> list[date]:
    """The days the next runs bill the periods of recurrence ``p`` up to ``horizon``, walked
    period by period over its billed spans and skipped periods (``done``): a period already
    due (not billed nor skipped) on the next run (today), a later one on its invoice date."""
    due = [q for q in schedule.due_periods(p.start, p.frequency, today, end=p.end, last_day=p.last_day, invoice_date=p.invoice_date)
           if is_open(q, *done)] if p.start <= today else []
    if p.catch_up == "latest" and len(due) > 1:
        due = [q for q in due[:-1] if q.start in done[0].released] + due[-1:]
    days = [today for _ in due]
    q = schedule.next_period(p.start, p.frequency, today, end=p.end, last_day=p.last_day, invoice_date=p.invoice_date)
    while q is not None and q.invoice_date <= horizon:
        if is_open(q, *done):
            days.append(q.invoice_date)
        if q.end == date.max:
            break
        # the periods follow one another: the next is period k + 1, no search from a date
        q = schedule.period(p.start, p.frequency, q.index + 1, end=p.end, last_day=p.last_day, invoice_date=p.invoice_date)
    return days
