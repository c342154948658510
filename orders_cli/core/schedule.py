"""Recurring schedules (SPEC.md §4): occurrences, periods and what is due.

Occurrence ``k`` is ``start + k periods``, always computed from ``start`` (never
chained from the previous occurrence) and clamped to the month's end, so a
monthly schedule started 2026-01-31 bills 01-31, 02-28, 03-31, 04-30 whatever
days the job ran. Period ``k`` runs from occurrence ``k`` to the day before
occurrence ``k+1``, cut at the (inclusive) end date. Its invoice date is the
period start (billing in advance) or the period end (billing in arrears).

Everything here is pure and O(1) per occurrence; ``due_periods`` is lazy.
"""

from __future__ import annotations

import calendar
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from .errors import Invalid

FREQUENCIES = ("daily", "weekly", "monthly", "quarterly", "semiannual", "annual")
INVOICE_DATES = ("start", "end")

# Frequencies counted in months, and how many months one period lasts.
_MONTHS = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}
# Frequencies counted in days.
_DAYS = {"daily": 1, "weekly": 7}
_PER_YEAR = {"daily": 365, "weekly": 52, "monthly": 12, "quarterly": 4, "semiannual": 2, "annual": 1}

_ONE_DAY = timedelta(days=1)


# --------------------------------------------------------------------------- dates


def end_of_month(d: date) -> date:
    """The last day of ``d``'s month."""
    _check_date(d, "date")
    return d.replace(day=calendar.monthrange(d.year, d.month)[1])


def add_months(d: date, months: int) -> date:
    """``d`` plus ``months`` calendar months, clamped to the month's end.

    >>> add_months(date(2026, 1, 31), 1)
    datetime.date(2026, 2, 28)
    """
    _check_date(d, "date")
    _check_int(months, "months", minimum=None)
    result = _add_months(d, months)
    if result is None:
        raise Invalid(f"date out of range: {d.isoformat()} + {months} months")
    return result


def _add_months(d: date, months: int) -> date | None:
    """add_months without validation; None when the result leaves year 1..9999."""
    total = d.year * 12 + (d.month - 1) + months
    year, month0 = divmod(total, 12)
    if not 1 <= year <= 9999:
        return None
    month = month0 + 1
    day = min(d.day, calendar.monthrange(year, month)[1])
    return date(year, month, day)


def due_date(day: date, days: int, what: str = "date") -> date:
    """``day`` plus a payment term of ``days``; refused when that leaves the calendar.

    >>> due_date(date(9999, 12, 1), 30)
    datetime.date(9999, 12, 31)
    """
    try:
        return day + timedelta(days=days)
    except OverflowError:
        raise Invalid(f"{what}: {day.isoformat()} + {days} due days falls after {date.max.isoformat()}, the calendar's last day") from None


# --------------------------------------------------------------------------- validation


def _check_date(d: object, what: str) -> None:
    if isinstance(d, datetime) or not isinstance(d, date):
        raise Invalid(f"{what}: expected a date, got {d!r}")


def _check_int(n: object, what: str, minimum: int | None = 0) -> None:
    if isinstance(n, bool) or not isinstance(n, int):
        raise Invalid(f"{what}: expected an integer, got {n!r}")
    if minimum is not None and n < minimum:
        raise Invalid(f"{what}: must be >= {minimum}, got {n}")


def _check_frequency(frequency: object) -> None:
    if frequency not in _PER_YEAR:
        raise Invalid(f"unknown frequency {frequency!r}: expected one of {', '.join(FREQUENCIES)}")


def _check_schedule(
    start: date,
    frequency: str,
    last_day: bool,
    end: date | None = None,
    invoice_date: str = "start",
) -> None:
    _check_date(start, "start")
    _check_frequency(frequency)
    if last_day and frequency in _DAYS:
        raise Invalid(
            f"last day of the month only applies to monthly and longer frequencies "
            f"({', '.join(_MONTHS)}), not {frequency!r}"
        )
    if end is not None:
        _check_date(end, "end")
        if end < start:
            raise Invalid(f"end date {end.isoformat()} is before start date {start.isoformat()}")
    if invoice_date not in INVOICE_DATES:
        raise Invalid(
            f"unknown invoice date {invoice_date!r}: expected one of {', '.join(INVOICE_DATES)}"
        )


# --------------------------------------------------------------------------- occurrences


def _occ(start: date, frequency: str, k: int, last_day: bool) -> date | None:
    """Occurrence k without validation; None when it falls past year 9999."""
    step = _DAYS.get(frequency)
    if step is not None:
        try:
            return start + timedelta(days=step * k)
        except OverflowError:
            return None
    d = _add_months(start, k * _MONTHS[frequency])
    if d is None:
        return None
    if last_day:
        d = d.replace(day=calendar.monthrange(d.year, d.month)[1])
    return d


def _ends_on_the_last_day(start: date, frequency: str, k: int, last_day: bool) -> bool:
    """Whether occurrence ``k`` (past year 9999) would be exactly 10000-01-01, so that the period
    before it ends on date.max, the calendar's last day."""
    step = _DAYS.get(frequency)
    if step is not None:
        return (date.max - start).days + 1 == step * k
    year, month0 = divmod(start.year * 12 + (start.month - 1) + k * _MONTHS[frequency], 12)
    return year == 10000 and month0 == 0 and start.day == 1 and not last_day


def occurrence(start: date, frequency: str, k: int, last_day: bool = False) -> date:
    """Occurrence ``k`` (0 = the first) of the schedule, anchored on ``start``.

    With ``last_day`` (monthly and longer only) every occurrence is the last day of
    its month, so occurrence 0 is the end of ``start``'s month.
    """
    _check_schedule(start, frequency, last_day)
    _check_int(k, "k")
    d = _occ(start, frequency, k, last_day)
    if d is None:
        raise Invalid(f"occurrence {k} of a {frequency} schedule from {start.isoformat()} is out of range")
    return d


@dataclass(frozen=True)
class Period:
    """One billing period: ``start``..``end`` inclusive, invoiced on ``invoice_date``."""

    index: int
    start: date
    end: date
    invoice_date: date


def _period(
    start: date,
    frequency: str,
    k: int,
    end: date | None,
    last_day: bool,
    invoice_date: str,
) -> Period | None:
    begin = _occ(start, frequency, k, last_day)
    if begin is None or (end is not None and begin > end):
        return None
    following = _occ(start, frequency, k + 1, last_day)
    if following is not None:
        stop = following - _ONE_DAY
    elif end is not None:
        stop = end  # the next occurrence is past the calendar, so the end date cuts the period
    elif _ends_on_the_last_day(start, frequency, k + 1, last_day):
        stop = date.max
    else:
        return None  # the period would end after 9999-12-31: the schedule is over
    if end is not None and end < stop:
        stop = end
    return Period(k, begin, stop, begin if invoice_date == "start" else stop)


def period(
    start: date,
    frequency: str,
    k: int,
    *,
    end: date | None = None,
    last_day: bool = False,
    invoice_date: str = "start",
) -> Period | None:
    """Period ``k``, cut at ``end`` (inclusive); None when it would start after ``end``."""
    _check_schedule(start, frequency, last_day, end, invoice_date)
    _check_int(k, "k")
    return _period(start, frequency, k, end, last_day, invoice_date)


def _first_index_after(start: date, frequency: str, x: date, last_day: bool) -> int:
    """The smallest k >= 0 with occurrence(k) > x, in O(1) (occurrences strictly increase)."""
    if x < start:
        return 0
    step = _DAYS.get(frequency)
    if step is not None:
        return (x - start).days // step + 1
    months = (x.year - start.year) * 12 + (x.month - start.month)
    k = max(months // _MONTHS[frequency], 0)
    # The estimate is off by at most one either way (clamping, last_day).
    while k > 0:
        prev = _occ(start, frequency, k - 1, last_day)
        if prev is None or prev <= x:
            break
        k -= 1
    while True:
        d = _occ(start, frequency, k, last_day)
        if d is None or d > x:
            return k
        k += 1


def due_periods(
    start: date,
    frequency: str,
    as_of: date,
    *,
    end: date | None = None,
    last_day: bool = False,
    invoice_date: str = "start",
    from_index: int = 0,
) -> Iterator[Period]:
    """Every period ``k >= from_index`` whose invoice date is on or before ``as_of``.

    Oldest first, lazily (nothing is built up front); stops at ``end``. Arguments
    are validated when called, not on the first ``next()``.
    """
    _check_schedule(start, frequency, last_day, end, invoice_date)
    _check_date(as_of, "as_of")
    _check_int(from_index, "from_index")
    return _due(start, frequency, as_of, end, last_day, invoice_date, from_index)


def _due(
    start: date,
    frequency: str,
    as_of: date,
    end: date | None,
    last_day: bool,
    invoice_date: str,
    k: int,
) -> Iterator[Period]:
    while True:
        p = _period(start, frequency, k, end, last_day, invoice_date)
        if p is None or p.invoice_date > as_of:
            return
        yield p
        if p.end == date.max:
            return
        k += 1


def next_period(
    start: date,
    frequency: str,
    as_of: date,
    *,
    end: date | None = None,
    last_day: bool = False,
    invoice_date: str = "start",
    from_index: int = 0,
) -> Period | None:
    """The first period ``k >= from_index`` invoiced after ``as_of``; None when the schedule is over."""
    _check_schedule(start, frequency, last_day, end, invoice_date)
    _check_date(as_of, "as_of")
    _check_int(from_index, "from_index")
    if invoice_date == "start":
        # first k with start_k > as_of
        k = _first_index_after(start, frequency, as_of, last_day)
    elif as_of == date.max:
        return None
    else:
        # end_k = start_{k+1} - 1 (or the cut end, which is only ever smaller and
        # still >= start_k), so end_k > as_of <=> start_{k+1} > as_of + 1 for uncut periods.
        k = max(_first_index_after(start, frequency, as_of + _ONE_DAY, last_day) - 1, 0)
    k = max(k, from_index)
    # Invoice dates strictly increase with k; a cut last period may need one more step.
    while True:
        p = _period(start, frequency, k, end, last_day, invoice_date)
        if p is None:
            return None
        if p.invoice_date > as_of:
            return p
        if p.end == date.max:
            return None
        k += 1


def periods_per_year(frequency: str) -> int:
    """How many periods fit in a year (for the monthly recurring revenue)."""
    _check_frequency(frequency)
    return _PER_YEAR[frequency]
