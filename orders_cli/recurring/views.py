"""What recurring billing shows: an order's recurrence, the dashboard (with the MRR) and
``recur show``."""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import pricing, schedule
from orders_cli.core.context import Context
from orders_cli.core.errors import NotFound
from orders_cli.core.money import ZERO, Money, from_cents
from orders_cli.recurring import dates
from orders_cli.recurring.periods import (
    Billed,
    done_all,
    done_periods,
    is_open,
    next_date,
    pending_periods,
)
from orders_cli.recurring.results import (
    BilledInvoice,
    Dashboard,
    DashboardRow,
    NextPeriod,
    RecurrenceShow,
    RecurrenceView,
    Span,
)
from orders_cli.store import documents
from orders_cli.store import schema as m


def recurrence_of(session: Session, order_id: int, today: date, cls: type[RecurrenceView] = RecurrenceView, **extra) -> RecurrenceView | None:
    """The order's recurrence as of ``today`` (its next date), or None when it has none."""
    rec = session.get(m.Recurrence, order_id)
    if rec is None:
        return None
    order = session.get(m.SalesOrder, order_id)
    return dates.view(rec, today, done_periods(session, order_id), order is None or order.status != "cancelled", cls, **extra)


def dashboard(session: Session, as_of: date) -> Dashboard:
    """Every recurring order as of a day: next date, invoices, amount billed, pending and
    skipped periods; and the monthly recurring revenue of those still running."""
    rows = session.exec(
        select(m.Recurrence, m.SalesOrder, m.Account)
        .join(m.SalesOrder, m.SalesOrder.id == m.Recurrence.order_id)
        .join(m.Account, m.Account.id == m.SalesOrder.account_id)
        .order_by(m.SalesOrder.id)
    ).all()
    inv = m.Invoice.__table__
    stats = {
        oid: (n, total)
        for oid, n, total in session.execute(
            sa.select(inv.c.order_id, sa.func.count(), sa.func.sum(inv.c.total, type_=sa.BigInteger)).where(inv.c.recurring == True, inv.c.status != "cancelled").group_by(inv.c.order_id)  # noqa: E712
        )
    }
    invoiced, skipped = done_all(session)
    items = []
    mrr = ZERO
    for rec, order, acc in rows:
        done = (invoiced.get(order.id, Billed()), skipped.get(order.id, set()))
        pend = pending_periods(session, rec, as_of, done)
        n, billed = stats.get(order.id, (0, 0))
        on = rec.enabled and order.status != "cancelled"  # a cancelled order never bills again
        active = on and (rec.end is None or rec.end >= as_of)
        if active:
            mrr += order.total * schedule.periods_per_year(rec.frequency) / 12
        items.append(DashboardRow(
            order=order.number, account=acc.name, subject=order.subject, enabled=rec.enabled, frequency=rec.frequency,
            start=rec.start, end=rec.end, next_date=next_date(rec, as_of, pend, done) if on else None,
            invoices=n, billed=Money(from_cents(billed or 0)), pending=len(pend) if on else 0,
            skipped=len(skipped.get(order.id, set())), amount=Money(order.total),
        ))
    return Dashboard(as_of=as_of, monthly_recurring_revenue=Money(pricing.round_money(mrr)), orders=items)


def show(session: Session, ctx: Context, ref: str, as_of: date, upcoming: int = 5) -> RecurrenceShow:
    """One recurring order as of ``as_of``; its settings (next date) as of ``ctx.today``."""
    order = documents.get(session, documents.ORDER, ref)
    rec = session.get(m.Recurrence, order.id)
    if rec is None:
        raise NotFound(f"{order.number} has no recurrence (set one: orders recur set {order.number} --frequency monthly --start YYYY-MM-DD)")
    invoices = session.exec(select(m.Invoice).where(m.Invoice.order_id == order.id, m.Invoice.recurring == True).order_by(m.Invoice.period_start)).all()  # noqa: E712
    skipped = session.exec(select(m.SkippedPeriod).where(m.SkippedPeriod.order_id == order.id).order_by(m.SkippedPeriod.period_start)).all()
    pend = pending_periods(session, rec, as_of)
    nxt = []
    on = rec.enabled and order.status != "cancelled"  # a cancelled order never bills again
    if on:
        done = (done_periods(session, order.id)[0], {sp.period_start for sp in skipped})  # a period credited --rebill is open again
        gen = schedule.due_periods(rec.start, rec.frequency, date.max, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
        for per in gen:
            if not is_open(per, *done):
                continue
            nxt.append(NextPeriod(per.start, per.end, per.invoice_date, Money(order.total), per.invoice_date <= as_of))
            if len(nxt) >= max(upcoming, len(pend)):
                break
    return RecurrenceShow(
        order=order.number, subject=order.subject, recurrence=recurrence_of(session, order.id, ctx.today),
        invoices=[BilledInvoice(i.number, i.period_start, i.period_end, i.invoice_date, i.status, Money(i.total)) for i in invoices],
        skipped_periods=[Span(sp.period_start, sp.period_end) for sp in skipped],
        pending=len(pend) if on else 0,
        next=nxt,
    )
