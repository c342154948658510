"""core/schedule.py: anchored occurrences, periods, due and next periods (SPEC.md §4)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from itertools import islice

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_cli.core.errors import Invalid
from orders_cli.core.schedule import (
    FREQUENCIES,
    Period,
    add_months,
    due_periods,
    end_of_month,
    next_period,
    occurrence,
    period,
    periods_per_year,
)

D = date.fromisoformat


def ds(*isos: str) -> list[date]:
    return [D(s) for s in isos]


# --------------------------------------------------------------------------- dates


@pytest.mark.parametrize(
    "d, months, expected",
    [
        ("2026-01-31", 1, "2026-02-28"),
        ("2028-01-31", 1, "2028-02-29"),
        ("2026-01-31", 2, "2026-03-31"),
        ("2026-01-31", 3, "2026-04-30"),
        ("2026-03-31", -1, "2026-02-28"),
        ("2026-01-15", -1, "2025-12-15"),
        ("2026-11-30", 3, "2027-02-28"),
        ("2026-12-31", 1, "2027-01-31"),
        ("2024-02-29", 12, "2025-02-28"),
        ("2024-02-29", 48, "2028-02-29"),
        ("2026-05-10", 0, "2026-05-10"),
        ("2026-05-10", 120, "2036-05-10"),
    ],
)
def test_add_months_clamps_to_month_end(d, months, expected):
    assert add_months(D(d), months) == D(expected)


@pytest.mark.parametrize(
    "d, expected",
    [
        ("2026-01-01", "2026-01-31"),
        ("2026-02-10", "2026-02-28"),
        ("2028-02-01", "2028-02-29"),
        ("2100-02-01", "2100-02-28"),
        ("2000-02-01", "2000-02-29"),
        ("2026-04-30", "2026-04-30"),
        ("2026-12-05", "2026-12-31"),
    ],
)
def test_end_of_month(d, expected):
    assert end_of_month(D(d)) == D(expected)


def test_add_months_out_of_range_is_invalid():
    with pytest.raises(Invalid):
        add_months(date(9999, 12, 1), 1)
    with pytest.raises(Invalid):
        add_months(date(1, 1, 1), -1)


# --------------------------------------------------------------------------- occurrences


@pytest.mark.parametrize(
    "start, frequency, last_day, expected",
    [
        # SPEC example: anchored on the 31st, clamped, never drifting to the 28th.
        ("2026-01-31", "monthly", False, ds("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31")),
        ("2026-01-30", "monthly", False, ds("2026-01-30", "2026-02-28", "2026-03-30", "2026-04-30")),
        ("2027-12-31", "monthly", False, ds("2027-12-31", "2028-01-31", "2028-02-29", "2028-03-31")),
        ("2024-02-29", "annual", False, ds("2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29")),
        ("2026-11-30", "quarterly", False, ds("2026-11-30", "2027-02-28", "2027-05-30", "2027-08-30", "2027-11-30")),
        ("2027-11-30", "quarterly", False, ds("2027-11-30", "2028-02-29", "2028-05-30", "2028-08-30")),
        ("2026-03-31", "quarterly", False, ds("2026-03-31", "2026-06-30", "2026-09-30", "2026-12-31", "2027-03-31")),
        ("2026-08-31", "semiannual", False, ds("2026-08-31", "2027-02-28", "2027-08-31", "2028-02-29", "2028-08-31")),
        ("2026-12-29", "weekly", False, ds("2026-12-29", "2027-01-05", "2027-01-12", "2027-01-19")),
        ("2028-02-22", "weekly", False, ds("2028-02-22", "2028-02-29", "2028-03-07")),
        ("2026-12-30", "daily", False, ds("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02")),
        ("2028-02-28", "daily", False, ds("2028-02-28", "2028-02-29", "2028-03-01")),
        # last_day: every occurrence is the month's last day, whatever the start day.
        ("2026-01-15", "monthly", True, ds("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31")),
        ("2028-01-01", "monthly", True, ds("2028-01-31", "2028-02-29", "2028-03-31")),
        ("2026-02-28", "monthly", True, ds("2026-02-28", "2026-03-31", "2026-04-30")),
        ("2026-11-15", "quarterly", True, ds("2026-11-30", "2027-02-28", "2027-05-31", "2027-08-31")),
        ("2026-08-01", "semiannual", True, ds("2026-08-31", "2027-02-28", "2027-08-31", "2028-02-29")),
        ("2027-02-01", "annual", True, ds("2027-02-28", "2028-02-29", "2029-02-28")),
    ],
)
def test_occurrences(start, frequency, last_day, expected):
    got = [occurrence(D(start), frequency, k, last_day) for k in range(len(expected))]
    assert got == expected


def test_occurrence_is_anchored_and_constant_time():
    # k large: computed directly, not by stepping 100 000 times.
    assert occurrence(D("2026-01-31"), "monthly", 12 * 50 + 1) == D("2076-02-29")
    assert occurrence(D("2026-01-01"), "daily", 10**6) == D("2026-01-01") + timedelta(days=10**6)


# --------------------------------------------------------------------------- periods


@pytest.mark.parametrize(
    "start, frequency, last_day, expected",
    [
        ("2026-01-31", "monthly", False,
         [("2026-01-31", "2026-02-27"), ("2026-02-28", "2026-03-30"), ("2026-03-31", "2026-04-29"),
          ("2026-04-30", "2026-05-30")]),
        ("2024-02-29", "annual", False,
         [("2024-02-29", "2025-02-27"), ("2025-02-28", "2026-02-27"), ("2026-02-28", "2027-02-27"),
          ("2027-02-28", "2028-02-28"), ("2028-02-29", "2029-02-27")]),
        ("2026-11-30", "quarterly", False,
         [("2026-11-30", "2027-02-27"), ("2027-02-28", "2027-05-29"), ("2027-05-30", "2027-08-29")]),
        ("2026-08-31", "semiannual", False,
         [("2026-08-31", "2027-02-27"), ("2027-02-28", "2027-08-30"), ("2027-08-31", "2028-02-28")]),
        ("2026-12-29", "weekly", False, [("2026-12-29", "2027-01-04"), ("2027-01-05", "2027-01-11")]),
        ("2026-12-31", "daily", False, [("2026-12-31", "2026-12-31"), ("2027-01-01", "2027-01-01")]),
        ("2026-01-15", "monthly", True,
         [("2026-01-31", "2026-02-27"), ("2026-02-28", "2026-03-30"), ("2026-03-31", "2026-04-29")]),
        ("2028-01-10", "monthly", True, [("2028-01-31", "2028-02-28"), ("2028-02-29", "2028-03-30")]),
    ],
)
def test_periods(start, frequency, last_day, expected):
    for k, (p_start, p_end) in enumerate(expected):
        p = period(D(start), frequency, k, last_day=last_day)
        assert p == Period(k, D(p_start), D(p_end), D(p_start))
        arrears = period(D(start), frequency, k, last_day=last_day, invoice_date="end")
        assert arrears == Period(k, D(p_start), D(p_end), D(p_end))


@pytest.mark.parametrize(
    "k, end, expected",
    [
        # end falls inside period 1: it is cut at the end date (inclusive).
        (1, "2026-03-10", ("2026-02-28", "2026-03-10")),
        # end is the last day of period 1: nothing to cut.
        (1, "2026-03-30", ("2026-02-28", "2026-03-30")),
        # period 2 starts exactly on the end date: a one-day period.
        (2, "2026-03-31", ("2026-03-31", "2026-03-31")),
        # period 2 starts after the end date: no period.
        (2, "2026-03-30", None),
        (5, "2026-03-30", None),
        # end on the start day: period 0 is that one day.
        (0, "2026-01-31", ("2026-01-31", "2026-01-31")),
    ],
)
def test_period_cut_at_end(k, end, expected):
    start = D("2026-01-31")
    p = period(start, "monthly", k, end=D(end))
    q = period(start, "monthly", k, end=D(end), invoice_date="end")
    if expected is None:
        assert p is None and q is None
    else:
        assert p == Period(k, D(expected[0]), D(expected[1]), D(expected[0]))
        assert q == Period(k, D(expected[0]), D(expected[1]), D(expected[1]))


# --------------------------------------------------------------------------- due periods


def starts(periods) -> list[date]:
    return [p.start for p in periods]


MONTHLY_31 = ds("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30")


@pytest.mark.parametrize(
    "as_of",
    # whatever day the job ran (or caught up), the same invoice dates come out
    ["2026-04-30", "2026-05-01", "2026-05-15", "2026-05-29", "2026-05-30"],
)
def test_monthly_31st_bills_the_same_dates_whenever_the_job_runs(as_of):
    due = list(due_periods(D("2026-01-31"), "monthly", D(as_of)))
    assert starts(due) == MONTHLY_31
    assert [p.invoice_date for p in due] == MONTHLY_31
    assert [p.end for p in due[:3]] == ds("2026-02-27", "2026-03-30", "2026-04-29")


def test_daily_runs_bill_the_same_dates_as_one_catch_up_run():
    start, frequency = D("2026-01-31"), "monthly"
    billed: list[date] = []
    day = D("2026-01-01")
    while day <= D("2026-05-30"):
        # a cron run every day, resuming after what was already billed
        for p in due_periods(start, frequency, day, from_index=len(billed)):
            billed.append(p.invoice_date)
        day += timedelta(days=1)
    assert billed == MONTHLY_31
    # and a run on an irregular set of days gives the same result
    billed = []
    for day in ds("2026-02-01", "2026-02-27", "2026-04-02", "2026-05-30"):
        billed += [p.invoice_date for p in due_periods(start, frequency, day, from_index=len(billed))]
    assert billed == MONTHLY_31


@pytest.mark.parametrize(
    "start, frequency, as_of, last_day, expected",
    [
        ("2024-02-29", "annual", "2028-02-29", False,
         ds("2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28", "2028-02-29")),
        ("2024-02-29", "annual", "2028-02-28", False,
         ds("2024-02-29", "2025-02-28", "2026-02-28", "2027-02-28")),
        ("2026-11-30", "quarterly", "2027-08-30", False, ds("2026-11-30", "2027-02-28", "2027-05-30", "2027-08-30")),
        ("2027-11-30", "quarterly", "2028-03-01", False, ds("2027-11-30", "2028-02-29")),
        ("2026-08-31", "semiannual", "2028-02-29", False, ds("2026-08-31", "2027-02-28", "2027-08-31", "2028-02-29")),
        ("2026-12-22", "weekly", "2027-01-12", False,
         ds("2026-12-22", "2026-12-29", "2027-01-05", "2027-01-12")),
        ("2026-12-30", "daily", "2027-01-02", False, ds("2026-12-30", "2026-12-31", "2027-01-01", "2027-01-02")),
        ("2026-01-15", "monthly", "2026-05-31", True,
         ds("2026-01-31", "2026-02-28", "2026-03-31", "2026-04-30", "2026-05-31")),
        ("2028-01-15", "monthly", "2028-03-30", True, ds("2028-01-31", "2028-02-29")),
        ("2026-05-01", "monthly", "2026-04-30", False, []),  # start in the future
    ],
)
def test_due_periods_in_advance(start, frequency, as_of, last_day, expected):
    due = list(due_periods(D(start), frequency, D(as_of), last_day=last_day))
    assert [p.invoice_date for p in due] == expected
    assert [p.index for p in due] == list(range(len(expected)))


@pytest.mark.parametrize(
    "as_of, expected_ends",
    [
        ("2026-02-26", []),
        ("2026-02-27", ds("2026-02-27")),
        ("2026-03-30", ds("2026-02-27", "2026-03-30")),
        ("2026-04-29", ds("2026-02-27", "2026-03-30", "2026-04-29")),
    ],
)
def test_due_periods_in_arrears(as_of, expected_ends):
    due = list(due_periods(D("2026-01-31"), "monthly", D(as_of), invoice_date="end"))
    assert [p.invoice_date for p in due] == expected_ends
    assert [p.end for p in due] == expected_ends
    assert starts(due) == MONTHLY_31[: len(expected_ends)]


@pytest.mark.parametrize(
    "invoice_date, end, as_of, expected",
    [
        # end date passed long ago: every period up to it, the last one cut, nothing after.
        ("start", "2026-03-10", "2030-01-01",
         [("2026-01-31", "2026-02-27", "2026-01-31"), ("2026-02-28", "2026-03-10", "2026-02-28")]),
        ("end", "2026-03-10", "2030-01-01",
         [("2026-01-31", "2026-02-27", "2026-02-27"), ("2026-02-28", "2026-03-10", "2026-03-10")]),
        # a period starting exactly on the end date is a one-day period.
        ("start", "2026-03-31", "2030-01-01",
         [("2026-01-31", "2026-02-27", "2026-01-31"), ("2026-02-28", "2026-03-30", "2026-02-28"),
          ("2026-03-31", "2026-03-31", "2026-03-31")]),
        ("end", "2026-03-31", "2030-01-01",
         [("2026-01-31", "2026-02-27", "2026-02-27"), ("2026-02-28", "2026-03-30", "2026-03-30"),
          ("2026-03-31", "2026-03-31", "2026-03-31")]),
        # in arrears, the cut period is due on the end date, not on the uncut period end.
        ("end", "2026-03-10", "2026-03-09", [("2026-01-31", "2026-02-27", "2026-02-27")]),
        ("end", "2026-03-10", "2026-03-10",
         [("2026-01-31", "2026-02-27", "2026-02-27"), ("2026-02-28", "2026-03-10", "2026-03-10")]),
    ],
)
def test_due_periods_with_end(invoice_date, end, as_of, expected):
    due = list(due_periods(D("2026-01-31"), "monthly", D(as_of), end=D(end), invoice_date=invoice_date))
    assert [(p.start, p.end, p.invoice_date) for p in due] == [tuple(map(D, row)) for row in expected]


@pytest.mark.parametrize("from_index, expected", [(0, MONTHLY_31), (2, MONTHLY_31[2:]), (4, []), (99, [])])
def test_due_periods_from_index_resumes(from_index, expected):
    due = list(due_periods(D("2026-01-31"), "monthly", D("2026-05-15"), from_index=from_index))
    assert starts(due) == expected
    assert [p.index for p in due] == list(range(from_index, from_index + len(expected)))


def test_due_periods_is_lazy():
    it = due_periods(D("2000-01-01"), "daily", D("2050-01-01"))
    assert not isinstance(it, (list, tuple))
    first = list(islice(it, 3))
    assert starts(first) == ds("2000-01-01", "2000-01-02", "2000-01-03")


def test_due_periods_validates_when_called():
    with pytest.raises(Invalid):
        due_periods(D("2026-01-01"), "fortnightly", D("2026-02-01"))  # no next() needed


# --------------------------------------------------------------------------- next period


@pytest.mark.parametrize(
    "start, frequency, as_of, kwargs, expected",
    [
        ("2026-01-31", "monthly", "2026-01-30", {}, (0, "2026-01-31", "2026-02-27", "2026-01-31")),
        ("2026-01-31", "monthly", "2026-01-31", {}, (1, "2026-02-28", "2026-03-30", "2026-02-28")),
        ("2026-01-31", "monthly", "2026-03-15", {}, (2, "2026-03-31", "2026-04-29", "2026-03-31")),
        ("2026-01-31", "monthly", "2026-03-30", {}, (2, "2026-03-31", "2026-04-29", "2026-03-31")),
        ("2026-01-31", "monthly", "2026-03-31", {}, (3, "2026-04-30", "2026-05-30", "2026-04-30")),
        ("2026-01-31", "monthly", "2026-02-26", {"invoice_date": "end"},
         (0, "2026-01-31", "2026-02-27", "2026-02-27")),
        ("2026-01-31", "monthly", "2026-02-27", {"invoice_date": "end"},
         (1, "2026-02-28", "2026-03-30", "2026-03-30")),
        ("2026-01-31", "monthly", "2026-03-30", {"invoice_date": "end"},
         (2, "2026-03-31", "2026-04-29", "2026-04-29")),
        ("2026-01-31", "monthly", "2026-03-01", {"end": D("2026-03-10"), "invoice_date": "end"},
         (1, "2026-02-28", "2026-03-10", "2026-03-10")),
        ("2026-01-31", "monthly", "2026-03-10", {"end": D("2026-03-10"), "invoice_date": "end"}, None),
        ("2026-01-31", "monthly", "2026-03-01", {"end": D("2026-03-10")}, None),
        ("2026-01-31", "monthly", "2030-01-01", {"end": D("2026-12-31")}, None),
        ("2026-01-31", "monthly", "2026-01-01", {"from_index": 2}, (2, "2026-03-31", "2026-04-29", "2026-03-31")),
        ("2026-01-15", "monthly", "2028-02-01", {"last_day": True}, (25, "2028-02-29", "2028-03-30", "2028-02-29")),
        ("2024-02-29", "annual", "2027-03-01", {}, (4, "2028-02-29", "2029-02-27", "2028-02-29")),
        ("2026-12-29", "weekly", "2027-01-01", {}, (1, "2027-01-05", "2027-01-11", "2027-01-05")),
        ("2026-12-29", "weekly", "2027-01-04", {"invoice_date": "end"}, (1, "2027-01-05", "2027-01-11", "2027-01-11")),
        ("2000-01-01", "daily", "2049-12-31", {}, (18263, "2050-01-01", "2050-01-01", "2050-01-01")),
    ],
)
def test_next_period(start, frequency, as_of, kwargs, expected):
    got = next_period(D(start), frequency, D(as_of), **kwargs)
    if expected is None:
        assert got is None
    else:
        k, s, e, inv = expected
        assert got == Period(k, D(s), D(e), D(inv))


# --------------------------------------------------------------------------- validation & misc


@pytest.mark.parametrize(
    "frequency, expected", [("daily", 365), ("weekly", 52), ("monthly", 12), ("quarterly", 4), ("semiannual", 2), ("annual", 1)]
)
def test_periods_per_year(frequency, expected):
    assert periods_per_year(frequency) == expected


def test_frequencies_constant():
    assert FREQUENCIES == ("daily", "weekly", "monthly", "quarterly", "semiannual", "annual")


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: occurrence(D("2026-01-01"), "fortnightly", 0), "daily, weekly, monthly, quarterly, semiannual, annual"),
        (lambda: periods_per_year("yearly"), "daily, weekly, monthly, quarterly, semiannual, annual"),
        (lambda: period(D("2026-01-01"), "monthly", 0, end=D("2025-12-31")), "before start"),
        (lambda: period(D("2026-01-01"), "monthly", 0, invoice_date="middle"), "start, end"),
        (lambda: next_period(D("2026-01-01"), "monthly", D("2026-02-01"), invoice_date="END"), "start, end"),
        (lambda: occurrence(D("2026-01-01"), "daily", 0, last_day=True), "monthly"),
        (lambda: occurrence(D("2026-01-01"), "weekly", 0, last_day=True), "monthly"),
        (lambda: occurrence(D("2026-01-01"), "monthly", -1), "k"),
        (lambda: occurrence(D("2026-01-01"), "monthly", 1.0), "k"),
        (lambda: occurrence(datetime(2026, 1, 1), "monthly", 1), "start"),
        (lambda: due_periods(D("2026-01-01"), "monthly", D("2026-02-01"), from_index=-1), "from_index"),
        (lambda: due_periods(D("2026-01-01"), "monthly", "2026-02-01"), "as_of"),
    ],
)
def test_invalid_input(call, message):
    with pytest.raises(Invalid) as exc:
        call()
    assert message in exc.value.message


# --------------------------------------------------------------------------- properties

_starts = st.dates(min_value=date(1990, 1, 1), max_value=date(2090, 12, 31))
_frequencies = st.sampled_from(FREQUENCIES)


def _anchored(start: date, frequency: str, k: int, last_day: bool) -> date:
    """The reference computation, written independently of schedule.py."""
    if frequency == "daily":
        return start + timedelta(days=k)
    if frequency == "weekly":
        return start + timedelta(weeks=k)
    months = {"monthly": 1, "quarterly": 3, "semiannual": 6, "annual": 12}[frequency] * k
    y, m = start.year + (start.month - 1 + months) // 12, (start.month - 1 + months) % 12 + 1
    first_of_next = date(y + (m == 12), m % 12 + 1, 1)
    last = (first_of_next - timedelta(days=1)).day
    return date(y, m, last if last_day else min(start.day, last))


@settings(max_examples=200, deadline=None)
@given(start=_starts, frequency=_frequencies, k=st.integers(0, 120), last_day=st.booleans())
def test_property_periods_contiguous_and_anchored(start, frequency, k, last_day):
    if frequency in ("daily", "weekly"):
        last_day = False
    a = period(start, frequency, k, last_day=last_day)
    b = period(start, frequency, k + 1, last_day=last_day)
    assert a.start == occurrence(start, frequency, k, last_day) == _anchored(start, frequency, k, last_day)
    assert b.start == _anchored(start, frequency, k + 1, last_day)
    assert a.start <= a.end < b.start  # never empty, never overlapping
    assert a.end + timedelta(days=1) == b.start  # contiguous


@settings(max_examples=100, deadline=None)
@given(
    start=_starts,
    frequency=st.sampled_from(("monthly", "quarterly", "semiannual", "annual", "weekly")),
    span=st.integers(0, 2000),
    invoice_date=st.sampled_from(("start", "end")),
    last_day=st.booleans(),
    cut=st.one_of(st.none(), st.integers(0, 2500)),
)
def test_property_due_then_next(start, frequency, span, invoice_date, last_day, cut):
    """due_periods and next_period partition the schedule at as_of."""
    if frequency == "weekly":
        last_day = False
    as_of = start + timedelta(days=span)
    end = None if cut is None else start + timedelta(days=cut)
    kw = dict(end=end, last_day=last_day, invoice_date=invoice_date)
    due = list(due_periods(start, frequency, as_of, **kw))
    assert [p.index for p in due] == list(range(len(due)))
    for p, q in zip(due, due[1:]):
        assert p.end + timedelta(days=1) == q.start
    assert all(p.invoice_date <= as_of for p in due)
    if end is not None:
        assert all(p.end <= end for p in due)
    nxt = next_period(start, frequency, as_of, **kw)
    assert nxt == period(start, frequency, len(due), **kw)
    if nxt is not None:
        assert nxt.invoice_date > as_of


# ---------------------------------------------------------------- the calendar's end (issue 13)


@pytest.mark.parametrize(
    "start, frequency, k, kwargs, expected",
    [
        # a period that ends exactly on 9999-12-31 exists; one that would end in year 10000 does not
        ("9999-10-01", "monthly", 2, {}, ("9999-12-01", "9999-12-31")),
        ("9999-10-15", "monthly", 1, {}, ("9999-11-15", "9999-12-14")),
        ("9999-10-15", "monthly", 2, {}, None),
        ("9999-01-31", "monthly", 11, {"last_day": True}, None),
        ("9999-12-31", "daily", 0, {}, ("9999-12-31", "9999-12-31")),
        ("9999-12-25", "weekly", 0, {}, ("9999-12-25", "9999-12-31")),
        ("9999-12-26", "weekly", 0, {}, None),
        ("9999-12-15", "monthly", 0, {"end": D("9999-12-20")}, ("9999-12-15", "9999-12-20")),
        ("9999-12-15", "monthly", 0, {"end": date.max}, ("9999-12-15", "9999-12-31")),
    ],
)
def test_a_period_never_ends_past_the_calendar(start, frequency, k, kwargs, expected):
    p = period(D(start), frequency, k, **kwargs)
    assert (p and (p.start.isoformat(), p.end.isoformat())) == expected
    if expected is None:  # the schedule is over: nothing more is due, nothing is next
        assert [q.index for q in due_periods(D(start), frequency, date.max, **kwargs)] == list(range(k))
        assert next_period(D(start), frequency, date(9999, 12, 30), **kwargs) is None


def test_due_date_refuses_to_leave_the_calendar():
    from orders_cli.core.schedule import due_date

    assert due_date(D("9999-12-01"), 30) == D("9999-12-31")
    with pytest.raises(Invalid, match="--date: 9999-12-02 \\+ 30 due days falls after 9999-12-31"):
        due_date(D("9999-12-02"), 30, "--date")
