"""Report periods, as pure rules: ``--period 2026-11 | 2026-Q4 | 2026``, ``--since/--until``,
``--year``, and the month and quarter a day falls in.

A span is inclusive at both ends (``since`` <= day <= ``until``); either end may be open
(None). Months are keyed ``"2026-11"``, quarters ``"2026-Q4"``, years ``"2026"``.
"""

from __future__ import annotations

import calendar
import re
from dataclasses import dataclass
from datetime import date, timedelta

from .errors import Invalid
from .text import parse_date

_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")
_QUARTER = re.compile(r"^(\d{4})-[Qq]([1-4])$")
_YEAR = re.compile(r"^(\d{4})$")


@dataclass(frozen=True)
class Span:
    """``since``..``until`` inclusive; None is open on that side."""

    since: date | None = None
    until: date | None = None

    def label(self) -> str:
        if self.since is None and self.until is None:
            return "all dates"
        if self.until is None:
            return f"from {self.since.isoformat()}"  # type: ignore[union-attr]
        if self.since is None:
            return f"until {self.until.isoformat()}"
        return f"{self.since.isoformat()} to {self.until.isoformat()}"

    def contains(self, day: date) -> bool:
        return (self.since is None or day >= self.since) and (self.until is None or day <= self.until)


def month_end(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def parse_period(text: str) -> Span:
    """``2026-11`` (a month), ``2026-Q4`` (a quarter) or ``2026`` (a year) as a span."""
    value = (text or "").strip()
    if m := _MONTH.match(value):
        year, month = int(m[1]), int(m[2])
        if not 1 <= month <= 12 or year < 1:
            raise Invalid(f"--period {text!r}: no such month (expected YYYY-MM, e.g. 2026-11)")
        return Span(date(year, month, 1), month_end(year, month))
    if m := _QUARTER.match(value):
        year, q = int(m[1]), int(m[2])
        if year < 1:
            raise Invalid(f"--period {text!r}: no such year")
        return Span(date(year, 3 * q - 2, 1), month_end(year, 3 * q))
    if m := _YEAR.match(value):
        year = int(m[1])
        if year < 1:
            raise Invalid(f"--period {text!r}: no such year")
        return Span(date(year, 1, 1), date(year, 12, 31))
    raise Invalid(f"--period {text!r}: expected a month (2026-11), a quarter (2026-Q4) or a year (2026)")


def span_of(period: str | None = None, since: object = None, until: object = None, year: object = None) -> Span:
    """The span a report or an export covers: ``--period`` or ``--year``, or ``--since/--until``
    (either may be left open); never both kinds, never a since after the until."""
    if period is not None and year is not None:
        raise Invalid("give --period or --year, not both")
    if year is not None:
        text = str(year).strip()
        if not _YEAR.match(text):
            raise Invalid(f"--year {year!r}: expected a year, e.g. 2026")
        period = text
    if period is not None:
        if since is not None or until is not None:
            raise Invalid(f"give --{'year' if year is not None else 'period'} or --since/--until, not both")
        return parse_period(period)
    start = parse_date(since, "--since") if since is not None else None
    end = parse_date(until, "--until") if until is not None else None
    if start and end and start > end:
        raise Invalid(f"--since {start.isoformat()} is after --until {end.isoformat()}")
    return Span(start, end)


def month_key(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def quarter_key(day: date) -> str:
    return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"


def quarter_of_month(key: str) -> str:
    """``"2026-11"`` -> ``"2026-Q4"``."""
    year, month = key.split("-")
    return f"{year}-Q{(int(month) - 1) // 3 + 1}"


def months_between(first: date, last: date) -> list[str]:
    """Every month key from ``first``'s month to ``last``'s, in order (empty when first > last)."""
    out = []
    y, mth = first.year, first.month
    while (y, mth) <= (last.year, last.month):
        out.append(f"{y:04d}-{mth:02d}")
        y, mth = (y + 1, 1) if mth == 12 else (y, mth + 1)
    return out


def month_start(key: str) -> date:
    year, month = key.split("-")
    return date(int(year), int(month), 1)


def add_month(key: str, n: int = 1) -> str:
    year, month = (int(x) for x in key.split("-"))
    total = year * 12 + month - 1 + n
    return f"{total // 12:04d}-{total % 12 + 1:02d}"


AGING_BUCKETS = ("current", "1-30", "31-60", "61-90", "over_90")


def aging_bounds(as_of: date) -> tuple[date, date, date]:
    """The due dates that start each past-due bucket: a balance due on or after ``as_of`` is
    current; due 1-30 days before is "1-30" (due >= as_of - 30), ... over 90 days before."""
    return as_of - timedelta(days=30), as_of - timedelta(days=60), as_of - timedelta(days=90)


def aging_bucket(due: date | None, as_of: date) -> str:
    """The bucket of a balance due on ``due`` (no due date: current), on ``as_of``."""
    if due is None or due >= as_of:
        return "current"
    b30, b60, b90 = aging_bounds(as_of)
    if due >= b30:
        return "1-30"
    if due >= b60:
        return "31-60"
    if due >= b90:
        return "61-90"
    return "over_90"
