"""A schedule moved after billing (a new start, an end taken away, another frequency): no day
is billed twice, so a period that overlaps billed days is not billed, and the days of it no
invoice covers would go unbilled without a word. ``recur set`` says which (``left_unbilled``
in its JSON, a note on stderr), and only when there are some."""

from __future__ import annotations

from datetime import date, timedelta
from types import SimpleNamespace

from conftest import ok, run
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from orders_cli.core import schedule
from orders_cli.recurring import dates
from test_recurring import bill, catalog, catalog_template, new_order, recur  # noqa: F401  (the fixtures)


def test_a_new_start_names_the_days_it_leaves_unbilled(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01")
    assert len(bill("2026-03-10")["invoices"]) == 3  # January, February, March (in advance)
    r = run("recur", "set", catalog, "--start", "2026-01-15", "--json")
    assert r.code == 0
    # 01-15..02-14 and 02-15..03-14 are billed days; 03-15..04-14 overlaps March, so it is not billed: 04-01..04-14 never are
    assert r.json()["left_unbilled"] == [{"start": "2026-04-01", "end": "2026-04-14"}]
    assert "2026-04-01 to 2026-04-14: never billed by this schedule" in r.err
    made = bill("2026-05-20")["invoices"]
    assert [(i["period_start"], i["period_end"]) for i in made] == [("2026-04-15", "2026-05-14"), ("2026-05-15", "2026-06-14")]


def test_an_end_taken_away_names_the_rest_of_the_cut_period(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01", "--end", "2026-01-15")
    assert [(i["period_start"], i["period_end"]) for i in bill("2026-03-10")["invoices"]] == [("2026-01-01", "2026-01-15")]
    r = run("recur", "set", catalog, "--end", "", "--json")
    assert r.json()["left_unbilled"] == [{"start": "2026-01-16", "end": "2026-01-31"}]
    assert "2026-01-16 to 2026-01-31" in r.err


def test_a_schedule_that_still_covers_every_day_says_nothing(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01")
    bill("2026-03-10")
    for change in (("--frequency", "quarterly"), ("--due-days", "15"), ("--frequency", "monthly", "--start", "2026-01-01")):
        r = run("recur", "set", catalog, *change, "--json")
        assert r.code == 0 and r.json()["left_unbilled"] == [] and "never billed" not in r.err, change
    other = new_order()
    assert recur(other, "--frequency", "monthly", "--start", "2026-01-31")["left_unbilled"] == []  # nothing billed yet
    assert "never billed" not in ok("recur", "set", other, "--start", "2026-02-15").err


FREQUENCIES = ("daily", "weekly", "monthly", "quarterly")


@settings(max_examples=200, deadline=None)
@given(old=st.tuples(st.dates(date(2025, 1, 1), date(2026, 6, 30)), st.sampled_from(FREQUENCIES), st.booleans(), st.integers(1, 14)),
       new=st.tuples(st.dates(date(2024, 6, 1), date(2026, 12, 31)), st.sampled_from(FREQUENCIES), st.booleans(),
                     st.none() | st.dates(date(2025, 1, 1), date(2027, 6, 30))))
def test_left_unbilled_is_every_day_a_dropped_period_does_not_bill(old, new):
    """Against the days one by one: the billed spans of an old schedule's first periods, then a
    new schedule; every day of a period that holds a billed day (so is not billed) but that no
    billed span holds, and no other."""
    start, frequency, last_day, k = old
    assume(new[3] is None or new[3] >= new[0])  # (recur set refuses an end before the start)
    last_day, new = last_day and frequency in ("monthly", "quarterly"), (new[0], new[1], new[2] and new[1] in ("monthly", "quarterly"), new[3])
    billed_periods = list(schedule.due_periods(start, frequency, date(2030, 1, 1), last_day=last_day))[:k]
    invoiced = dates.Billed((p.start, p.end) for p in billed_periods)
    rec = SimpleNamespace(start=new[0], frequency=new[1], last_day=new[2], end=new[3])
    days = {p.start + timedelta(days=i) for p in billed_periods for i in range((p.end - p.start).days + 1)}
    last = max(days)
    want = set()
    for p in schedule.due_periods(rec.start, rec.frequency, last, end=rec.end, last_day=rec.last_day):
        own = {p.start + timedelta(days=i) for i in range((p.end - p.start).days + 1)}
        if invoiced.covers(p):
            want |= own - days
    got = {s + timedelta(days=i) for s, e in dates.left_unbilled(rec, invoiced) for i in range((e - s).days + 1)}
    assert got == want
