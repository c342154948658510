"""``orders report recurring``: MRR, ARR and how they moved, month by month.

**MRR** is measured on what was billed, net of VAT, usage excluded: each recurring invoice's
net minus its usage lines (lines of no order line) minus its credit notes' net, grouped in SQL
per (order, period). A subscription's MRR in a month is the monthly equivalent (x periods a
year / 12) of its last billed period overlapping that month; a quarterly invoice so counts in
each of its three months. Month to month, per subscription: new (nothing the month before),
expansion / contraction (more / less), churned (nothing this month, something the month
before); ``MRR = previous MRR + new + expansion - contraction - churned`` holds every month.

``orders report forecast`` (what the schedules will bill next) is ``reporting.forecast``.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import pricing, schedule
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, from_cents
from orders_cli.core.spans import Span, add_month, month_end, month_key, month_start, months_between
from orders_cli.reporting import scope
from orders_cli.reporting.results import RecurringRow
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

ZERO = Decimal("0.00")
I64 = sa.BigInteger
MAX_MONTHS = 120


def _c(col):
    return sa.type_coerce(col, I64)


def _billed_periods(s: Session, until: date, since: date):
    """(order id, currency, frequency, period start, period end, net cents) of every counted
    recurring invoice starting by ``until`` and ending on or after ``since``, usage and credit
    notes taken off, per period (through revision 0008's indexes: the covering index of the
    recurring periods and the partial index of the usage lines)."""
    inv, il, cn, rec = m.Invoice.__table__, m.InvoiceLine.__table__, rv.CreditNote.__table__, m.Recurrence.__table__
    usage = (sa.select(sa.func.coalesce(sa.func.sum(_c(il.c.net), type_=I64), 0))
             .where(il.c.invoice_id == inv.c.id, il.c.order_line_id.is_(None), il.c.deposit_invoice_id.is_(None)).scalar_subquery())
    credited = (sa.select(sa.func.coalesce(sa.func.sum(_c(cn.c.total) - _c(cn.c.tax_total), type_=I64), 0))
                .where(cn.c.invoice_id == inv.c.id).scalar_subquery())
    net = sa.func.sum(_c(inv.c.total) - _c(inv.c.tax_total) - usage - credited, type_=I64)
    q = (sa.select(inv.c.order_id, inv.c.currency, rec.c.frequency, inv.c.period_start, inv.c.period_end, net)
         .select_from(inv.join(rec, rec.c.order_id == inv.c.order_id))
         .where(inv.c.recurring == True, scope.counted(inv), inv.c.period_start <= until,  # noqa: E712
                sa.func.coalesce(inv.c.period_end, inv.c.period_start) >= since)
         .group_by(inv.c.order_id, inv.c.currency, rec.c.frequency, inv.c.period_start, inv.c.period_end)
         .order_by(inv.c.order_id, inv.c.period_start))
    return s.execute(q)


def _months(span: Span, today: date, default_back: int = 11) -> list[str]:
    last = span.until or today
    back = add_month(month_key(last), -default_back)
    first = span.since or (month_start(back) if back >= "0001-02" else date(1, 2, 1))
    months = months_between(first, last)
    if months and months[0] < "0001-02":  # each month is compared with the one before it
        raise Invalid("report recurring compares each month with the one before: start the span in 0001-02 or later")
    if len(months) > MAX_MONTHS:
        raise Invalid(f"the span covers {len(months)} months; at most {MAX_MONTHS} (give --since/--until or --period)")
    return months


def recurring(s: Session, span: Span, today: date) -> list[RecurringRow]:
    """The rows of ``report recurring``: one per month (and currency) of the span (default the
    last 12 months up to today's)."""
    months = _months(span, today)
    if not months:
        return []
    before = add_month(months[0], -1)
    window = [before, *months]
    index = {k: i for i, k in enumerate(window)}
    first_day, last_day = month_start(before), month_end(*map(int, months[-1].split("-")))
    # per (order, currency): the monthly equivalent in each month of the window
    levels: dict = defaultdict(lambda: [ZERO] * len(window))
    per_year: dict = {}
    for order_id, currency, frequency, start, end, cents in _billed_periods(s, last_day, first_day):
        end = end or start
        times = per_year.get(frequency)
        if times is None:
            times = per_year[frequency] = schedule.periods_per_year(frequency)
        monthly = from_cents(cents or 0) * times / 12
        lo = index.get(month_key(max(start, first_day)), 0)
        hi = index.get(month_key(min(end, last_day)), len(window) - 1)
        levels[(order_id, currency)][lo:hi + 1] = [monthly] * (hi + 1 - lo)  # the last period overlapping a month wins (by start)
    # per currency and month: MRR, new, expansion, contraction, churned, active; each month's
    # sums taken over the subscriptions in the same order, a month without either skipped
    sums: dict = {}
    for (_, currency), series in levels.items():
        acc = sums.get(currency)
        if acc is None:
            acc = sums[currency] = [[Decimal(0)] * 5 + [0] for _ in months]
        prev = series[0]
        for i in range(1, len(window)):
            now = series[i]
            if now or prev:
                a = acc[i - 1]
                a[0] += now
                a[5] += now > 0
                if prev <= 0 < now:
                    a[1] += now
                elif now <= 0 < prev:
                    a[4] += prev
                elif now > prev:
                    a[2] += now - prev
                elif now < prev:
                    a[3] += prev - now
            prev = now
    rows = []
    r = pricing.round_money
    for currency in sorted(sums):
        for month, (mrr, new, expansion, contraction, churned, active) in zip(months, sums[currency]):
            rows.append(RecurringRow(month, currency, Money(r(mrr)), Money(r(mrr * 12)), Money(r(new)), Money(r(expansion)),
                                     Money(r(contraction)), Money(r(churned)), active))
    return rows
