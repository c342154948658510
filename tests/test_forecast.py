"""Issue 17 item 4, `report forecast` on a big book: a schedule billed in order is forecast from
its latest billed period on (``reporting.forecast.open_days``, integer month or day steps)
instead of walking every period over its billed spans. The fast path must give what the walk
gives (``billing_days``, the rules of ``recur run``), for any schedule, and the report what
the walk over every schedule gives, on a book made by the real commands."""

from __future__ import annotations

from datetime import date, timedelta

from conftest import ok
from hypothesis import given, settings
from hypothesis import strategies as st

from orders_cli.core import schedule
from orders_cli.recurring.periods import Billed
from orders_cli.reporting import forecast as fc

TODAY = date(2026, 11, 28)


def reach_of(spans: list[tuple[date, date]]):
    """What ``periods.reach_all`` gives for these billed spans, by hand: (first start, latest
    start, latest end, a gap: one span starting more than a day after all before it end)."""
    if not spans:
        return None
    spans = sorted(spans)
    reach, gap = spans[0][1], False
    for start, end in spans[1:]:
        gap |= (start - reach).days > 1
        reach = max(reach, end)
    return spans[0][0], spans[-1][0], reach, gap


schedules = st.fixed_dictionaries({
    "frequency": st.sampled_from(schedule.FREQUENCIES),
    "start": st.dates(date(2023, 1, 1), date(2027, 6, 30)),
    "end": st.one_of(st.none(), st.integers(0, 1500)),
    "last_day": st.booleans(),
    "invoice_date": st.sampled_from(schedule.INVOICE_DATES),
    "catch_up": st.sampled_from(("all", "latest")),
})


def plan_of(d: dict) -> fc.Plan:
    last_day = d["last_day"] and d["frequency"] not in ("daily", "weekly")
    end = d["start"] + timedelta(days=d["end"]) if d["end"] is not None else None
    return fc.Plan(1, d["start"], end, d["frequency"], last_day, d["invoice_date"], d["catch_up"], "EUR", 12000, 2000)


def spans_of(p: fc.Plan, n: int) -> list[tuple[date, date]]:
    out = []
    for k in range(n):
        q = schedule.period(p.start, p.frequency, k, end=p.end, last_day=p.last_day, invoice_date=p.invoice_date)
        if q is None:
            break
        out.append((q.start, q.end))
    return out


@settings(max_examples=400, deadline=None)
@given(now=schedules, before=st.one_of(st.none(), schedules), billed=st.integers(0, 40), drop=st.one_of(st.none(), st.integers(0, 40)),
       months=st.integers(1, 120), today=st.dates(date(2024, 1, 1), date(2028, 12, 31)))
def test_the_fast_path_is_the_walk(now, before, billed, drop, months, today):
    """Billed in order (or with a period dropped: a gap; or by an older schedule: moved), the
    days the fast path finds are the days the walk over the spans finds, in the same order."""
    p = plan_of(now)
    spans = spans_of(plan_of(before) if before else p, billed)
    if drop is not None and drop < len(spans):
        del spans[drop]
    first = fc.first_open_index(p, reach_of(spans))
    horizon = schedule.end_of_month(schedule.add_months(today.replace(day=1), months - 1))
    walk = fc.billing_days(p, today, horizon, (Billed(spans), set()))
    if first is None:
        return  # not decided by the spans alone: the report walks it
    found = fc.open_days(p, first, today, horizon)
    assert found is not None
    due, days = found
    assert [today] * due + days == walk


def test_near_the_end_of_the_calendar_the_walk_is_used():
    p = fc.Plan(1, date(9989, 12, 1), None, "monthly", False, "start", "all", "EUR", 100, 0)
    assert fc.open_days(p, 0, date(9990, 6, 1), date(9991, 1, 31)) is None


# ---------------------------------------------------------------- the report, on a real book


def _walked(months: int) -> list[dict]:
    """The forecast by the walk over every schedule (``billing_days`` over ``done_all``)."""
    import sqlalchemy as sa

    from orders_cli import store
    from orders_cli.core.results import to_data
    from orders_cli.recurring.periods import done_all
    from orders_cli.reporting.results import ForecastRow
    from orders_cli.store import schema as m

    rec, so = m.Recurrence.__table__, m.SalesOrder.__table__
    keys = [f"{(TODAY.year * 12 + TODAY.month - 1 + i) // 12:04d}-{(TODAY.month - 1 + i) % 12 + 1:02d}" for i in range(months)]
    horizon = schedule.end_of_month(date(*map(int, keys[-1].split("-")), 1))
    acc: dict = {}
    with store.transaction(write=False) as s:
        invoiced, skipped = done_all(s)
        for row in s.execute(sa.select(rec.c.order_id, rec.c.start, rec.c.end, rec.c.frequency, rec.c.last_day, rec.c.invoice_date,
                                       rec.c.catch_up, so.c.currency, so.c.total, so.c.tax_total)
                             .select_from(rec.join(so, so.c.id == rec.c.order_id)).where(rec.c.enabled == True, so.c.status != "cancelled")):  # noqa: E712
            p = fc.Plan(*row[:8], int(row.total * 100), int(row.tax_total * 100))
            for day in fc.billing_days(p, TODAY, horizon, (invoiced.get(p.order_id, Billed()), skipped.get(p.order_id, set()))):
                a = acc.setdefault((f"{day.year:04d}-{day.month:02d}", p.currency), [0, 0, 0])
                a[0] += 1
                a[1] += p.gross - p.vat
                a[2] += p.vat
    from orders_cli.core.money import Money, from_cents

    rows = []
    for cur in sorted({c for _, c in acc}):
        for k in keys:
            n, net, vat = acc.get((k, cur), (0, 0, 0))
            rows.append(ForecastRow(k, cur, n, Money(from_cents(net)), Money(from_cents(vat)), Money(from_cents(net + vat))))
    return to_data(rows)


def _sub(line: str, *opts: str) -> str:
    so = ok("order", "add", "--subject", "Plan", "--account", "Acme", "--line", line, "--json").json()["number"]
    ok("recur", "set", so, *opts)
    return so


def test_the_report_is_the_walk_over_every_schedule():
    """Schedules billed in order, moved after billing, with a gap, a period skipped (catch-up
    latest), one credited --rebill, ended, in arrears, weekly, last day: `report forecast` gives
    what the walk over every schedule's billed spans gives."""
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "SUB", "--name", "Plan", "--price", "29.00", "--tax", "VAT20", "--service")
    ok("product", "add", "BIG", "--name", "Big plan", "--price", "199.99", "--tax", "VAT20", "--service")
    in_order = _sub("SUB:1", "--frequency", "monthly", "--start", "2026-01-31")
    moved = _sub("SUB:2", "--frequency", "monthly", "--start", "2026-05-01")
    gap = _sub("BIG:1", "--frequency", "monthly", "--start", "2026-03-01")
    _sub("SUB:3", "--frequency", "monthly", "--start", "2026-02-01", "--catch-up", "latest")
    rebill = _sub("BIG:2", "--frequency", "quarterly", "--start", "2026-01-15")
    _sub("SUB:1", "--frequency", "weekly", "--start", "2026-10-05", "--invoice-date", "end")
    _sub("BIG:1", "--frequency", "annual", "--start", "2025-12-31", "--last-day")
    _sub("SUB:4", "--frequency", "monthly", "--start", "2026-06-10", "--end", "2027-02-09", "--invoice-date", "end")
    _sub("SUB:5", "--frequency", "semiannual", "--start", "2027-03-01")  # nothing billed yet
    ok("recur", "run", "--date", "2026-09-30")
    ok("recur", "set", moved, "--start", "2026-04-15")  # moved over its billed days
    ok("recur", "set", gap, "--start", "2026-01-01")  # periods before the first billed one: a gap
    last = [i for i in ok("invoice", "list", "--json").json() if i["order"] == rebill][-1]
    ok("invoice", "credit", last["number"], "--rebill", "--date", "2026-10-01")
    assert in_order
    for months in (1, 4, 12, 30):
        assert ok("report", "forecast", "--months", str(months), "--json").json() == _walked(months)
    ok("recur", "run", "--date", "2026-11-28")
    assert ok("report", "forecast", "--json").json() == _walked(12)
