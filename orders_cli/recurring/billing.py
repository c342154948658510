"""Recurring invoicing: the settings on an order, the billing run cron calls every day,
the dashboard, and usage records.

Safety: each period is invoiced in its own write transaction that first checks, then
inserts, the (order, period start) pair that a unique key guards; the invoice number is
allocated inside that same transaction. Two runs at once, or a run killed half way and
started again, therefore bill every due period exactly once with no gap in the numbers.
"""

from __future__ import annotations

import csv
import io
import json
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Callable, Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.adapters import settings as settings_mod
from orders_cli.store import schema as m
from orders_cli import store
from orders_cli.store import refs
from orders_cli.store import documents
from orders_cli.parties.resolver import Resolver
from orders_cli.parties.catalog import ADDRESS_FIELDS, product_taxes, rate_for
from orders_cli.core import pricing, schedule, subject, text
from orders_cli.core.money import fmt_money, non_negative, plain, positive, price_text
from orders_cli.adapters.env import today
from orders_cli.core.errors import Invalid, NotFound, OrdersError

INVOICE_STATUSES = ("auto_created", "created", "approved", "sent")
CATCH_UP = ("all", "latest")
ZERO = Decimal(0)


# ---------------------------------------------------------------- settings on an order


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"{what}: expected true or false")


def _days(value: Any, what: str = "due days") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid(f"{what}: expected a whole number of days")
    try:
        n = int(str(value).strip())
    except ValueError:
        raise Invalid(f"{what}: expected a whole number of days, got {value!r}") from None
    if not 0 <= n <= 3650:
        raise Invalid(f"{what}: from 0 to 3650 days, got {n}")
    return n


def apply_settings(rec: m.Recurrence, opts: dict) -> m.Recurrence:
    """Validate and apply recurrence options (only the keys given) to ``rec``."""
    if "frequency" in opts and opts["frequency"] is not None:
        if opts["frequency"] not in schedule.FREQUENCIES:
            raise Invalid(f"unknown frequency {opts['frequency']!r}; expected one of {', '.join(schedule.FREQUENCIES)}")
        rec.frequency = opts["frequency"]
    if opts.get("start") is not None:
        rec.start = text.parse_date(opts["start"], "start")
    if "end" in opts:
        rec.end = text.parse_date(opts["end"], "end") if opts["end"] not in (None, "") else None
    if opts.get("due_days") is not None:
        rec.due_days = _days(opts["due_days"])
    if opts.get("invoice_status") is not None:
        if opts["invoice_status"] not in INVOICE_STATUSES:
            raise Invalid(f"invoice status of recurring invoices is one of {', '.join(INVOICE_STATUSES)}, got {opts['invoice_status']!r}")
        rec.invoice_status = opts["invoice_status"]
    if opts.get("subject") is not None:
        rec.subject = text.clean(opts["subject"], "subject template", 500)
    if "language" in opts:
        rec.language = subject.check_language(opts["language"]) if opts["language"] not in (None, "") else None
    if opts.get("invoice_date") is not None:
        if opts["invoice_date"] not in schedule.INVOICE_DATES:
            raise Invalid(f"invoice date is start (in advance) or end (in arrears), got {opts['invoice_date']!r}")
        rec.invoice_date = opts["invoice_date"]
    if opts.get("last_day") is not None:
        rec.last_day = _bool(opts["last_day"], "last day")
    if opts.get("catch_up") is not None:
        if opts["catch_up"] not in CATCH_UP:
            raise Invalid(f"catch-up is all or latest, got {opts['catch_up']!r}")
        rec.catch_up = opts["catch_up"]
    if opts.get("usage") is not None:
        rec.usage = _bool(opts["usage"], "usage")
    if opts.get("enabled") is not None:
        rec.enabled = _bool(opts["enabled"], "enabled")
    if rec.frequency is None or rec.start is None:
        raise Invalid("a recurrence needs --frequency and --start")
    # the schedule's own checks: end before start, last-day with daily/weekly, ...
    schedule.period(rec.start, rec.frequency, 0, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
    rec.updated_at = m.utcnow()
    return rec


def set_recurrence(session: Session, ref: str, opts: dict) -> tuple[dict, int]:
    """Create or change an order's recurrence (allowed after finalize). Returns the view and
    how many past periods the next run will bill."""
    order = documents.get(session, documents.ORDER, ref)
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: it cannot bill again")
    rec = session.get(m.Recurrence, order.id)
    if rec is None:
        if opts.get("frequency") is None or opts.get("start") is None:
            raise Invalid("a new recurrence needs --frequency and --start")
        rec = m.Recurrence(order_id=order.id, frequency=opts["frequency"], start=text.parse_date(opts["start"], "start"))
    opts = dict(opts)
    opts.setdefault("enabled", True)
    apply_settings(rec, opts)
    session.add(rec)
    session.flush()
    pending = len(pending_periods(session, rec, today()))
    return recurrence_view(session, order.id), pending


def set_recurrence_from_json(session: Session, order_id: int, data: dict) -> None:
    allowed = {"enabled", "frequency", "start", "end", "due_days", "invoice_status", "subject", "language", "invoice_date",
               "last_day", "catch_up", "usage", "next_date"}
    unknown = sorted(set(data) - allowed)
    if unknown:
        raise Invalid(f"recurrence: unknown field {unknown[0]!r}")
    if data.get("frequency") is None or data.get("start") is None:
        raise Invalid("recurrence: frequency and start are required")
    rec = m.Recurrence(order_id=order_id, frequency=data["frequency"], start=text.parse_date(data["start"], "recurrence start"))
    try:
        apply_settings(rec, {k: v for k, v in data.items() if k != "next_date"})
    except Invalid as err:
        raise Invalid(f"recurrence: {err.message}") from None
    session.add(rec)
    session.flush()


def turn_off(session: Session, ref: str) -> dict:
    order = documents.get(session, documents.ORDER, ref)
    rec = session.get(m.Recurrence, order.id)
    if rec is None:
        raise NotFound(f"{order.number} has no recurrence")
    rec.enabled = False
    rec.updated_at = m.utcnow()
    session.add(rec)
    session.flush()
    return recurrence_view(session, order.id)


class Billed(set):
    """The period starts of an order's recurring invoices, and the days they cover: a period
    overlapping any billed span is never billed again, even after the schedule moved
    (a new start or frequency)."""

    def __init__(self, spans=()):
        spans = [(s, e) for s, e in spans]
        super().__init__(s for s, _ in spans)
        self.spans = spans

    def add_span(self, start: date, end: date) -> None:
        self.add(start)
        self.spans.append((start, end))

    def covers(self, p: schedule.Period) -> bool:
        return p.start in self or any(s <= p.end and p.start <= e for s, e in self.spans)


def is_open(p: schedule.Period, invoiced: Billed, skipped: set) -> bool:
    """Not billed (no day of it), not skipped: the run may bill it."""
    return p.start not in skipped and not invoiced.covers(p)


def done_periods(session: Session, order_id: int) -> tuple[Billed, set[date]]:
    invoiced = Billed(session.execute(sa.select(m.Invoice.period_start, m.Invoice.period_end).where(m.Invoice.order_id == order_id, m.Invoice.recurring == True)).all())  # noqa: E712
    skipped = set(session.execute(sa.select(m.SkippedPeriod.period_start).where(m.SkippedPeriod.order_id == order_id)).scalars())
    return invoiced, skipped


def pending_periods(session: Session, rec: m.Recurrence, as_of: date, done: tuple[Billed, set] | None = None) -> list[schedule.Period]:
    invoiced, skipped = done if done is not None else done_periods(session, rec.order_id)
    return [
        p
        for p in schedule.due_periods(rec.start, rec.frequency, as_of, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
        if is_open(p, invoiced, skipped)
    ]


def next_date(rec: m.Recurrence, as_of: date, pending: list, done: tuple[Billed, set] | None = None) -> date | None:
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


def recurrence_view(session: Session, order_id: int) -> dict | None:
    rec = session.get(m.Recurrence, order_id)
    if rec is None:
        return None
    done = done_periods(session, order_id)
    order = session.get(m.SalesOrder, order_id)
    live = order is None or order.status != "cancelled"  # a cancelled order never bills again
    nd = next_date(rec, today(), pending_periods(session, rec, today(), done), done) if live else None
    return {
        "enabled": rec.enabled,
        "frequency": rec.frequency,
        "start": rec.start.isoformat(),
        "end": rec.end.isoformat() if rec.end else None,
        "due_days": rec.due_days,
        "invoice_status": rec.invoice_status,
        "subject": rec.subject,
        "language": rec.language,
        "invoice_date": rec.invoice_date,
        "last_day": rec.last_day,
        "catch_up": rec.catch_up,
        "usage": rec.usage,
        "next_date": nd.isoformat() if nd else None,
    }


# ---------------------------------------------------------------- the billing run


@dataclass
class Plan:
    """One recurring order, loaded once for the whole run."""

    order: Any  # row of sales_order
    rec: m.Recurrence
    lines: list
    account: Any
    language: str


@dataclass
class RunResult:
    as_of: date
    dry_run: bool
    invoices: list[dict] = field(default_factory=list)
    skipped_periods: list[dict] = field(default_factory=list)
    failed: list[dict] = field(default_factory=list)
    send: bool = False
    mail: dict | None = None  # with --send: what outbox.send_pending reported
    no_address: list[str] = field(default_factory=list)  # with --send: invoices whose account has no e-mail

    def as_json(self) -> dict:
        out = {"as_of": self.as_of.isoformat(), "dry_run": self.dry_run, "invoices": self.invoices,
               "skipped_periods": self.skipped_periods, "failed": self.failed}
        if self.send:
            out["mail"] = {**(self.mail or {"sent": [], "failed": [], "pending": 0, "stuck": [], "error": None}), "no_address": self.no_address}
        return out


def _load_plans(session: Session) -> list[Plan]:
    """Every enabled recurrence of a non-cancelled order, with its lines and account: set-based."""
    rows = session.exec(
        select(m.Recurrence, m.SalesOrder, m.Account)
        .join(m.SalesOrder, m.SalesOrder.id == m.Recurrence.order_id)
        .join(m.Account, m.Account.id == m.SalesOrder.account_id)
        .where(m.Recurrence.enabled == True, m.SalesOrder.status != "cancelled")  # noqa: E712
        .order_by(m.SalesOrder.id)
    ).all()
    ids = [o.id for _, o, _ in rows]
    lines: dict[int, list] = {}
    for chunk in _chunks(ids, 500):
        for ln in session.exec(select(m.OrderLine).where(m.OrderLine.order_id.in_(chunk)).order_by(m.OrderLine.order_id, m.OrderLine.line_no)):
            lines.setdefault(ln.order_id, []).append(ln)
    default_language = settings_mod.current().get("language")
    return [Plan(o, r, lines.get(o.id, []), a, r.language or o.language or a.language or default_language) for r, o, a in rows]


def _chunks(items: list, n: int) -> Iterator[list]:
    for i in range(0, len(items), n):
        yield items[i : i + n]


def _done_all(session: Session) -> tuple[dict[int, Billed], dict[int, set]]:
    invoiced: dict[int, Billed] = {}
    for oid, ps, pe in session.execute(sa.select(m.Invoice.order_id, m.Invoice.period_start, m.Invoice.period_end).where(m.Invoice.recurring == True)):  # noqa: E712
        invoiced.setdefault(oid, Billed()).add_span(ps, pe)
    skipped: dict[int, set] = {}
    for oid, ps in session.execute(sa.select(m.SkippedPeriod.order_id, m.SkippedPeriod.period_start)):
        skipped.setdefault(oid, set()).add(ps)
    return invoiced, skipped


def run(as_of: date, dry_run: bool = False, max_periods: int | None = None, progress: Callable[[int, int], None] | None = None,
        send: bool = False) -> RunResult:
    """Bill every due period of every enabled recurring order up to ``as_of``; each invoice in
    its own transaction. One failing order does not stop the others.

    With ``send``, each new invoice is queued in the send log (in its billing transaction)
    for the account's e-mail; the caller then mails the queue with ``outbox.send_pending``."""
    result = RunResult(as_of, dry_run, send=send)
    with store.transaction(write=False) as s:
        plans = _load_plans(s)
        invoiced, skipped = _done_all(s)
    for i, plan in enumerate(plans, start=1):
        try:
            _run_order(plan, as_of, dry_run, max_periods, invoiced.get(plan.order.id, Billed()), skipped.get(plan.order.id, set()), result)
        except OrdersError as err:
            result.failed.append({"order": plan.order.number, "error": err.message})
        except Exception as err:  # one order's surprise must not stop the others
            if isinstance(err, (KeyboardInterrupt, SystemExit)):
                raise
            result.failed.append({"order": plan.order.number, "error": f"{type(err).__name__}: {err}"})
        if progress:
            progress(i, len(plans))
    return result


def _run_order(plan: Plan, as_of: date, dry_run: bool, max_periods: int | None, invoiced: Billed, skipped: set, result: RunResult) -> None:
    rec = plan.rec
    due = [
        p
        for p in schedule.due_periods(rec.start, rec.frequency, as_of, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
        if is_open(p, invoiced, skipped)
    ]
    if not due:
        return
    if rec.catch_up == "latest" and len(due) > 1:
        to_skip, due = due[:-1], due[-1:]
        if not dry_run:
            with store.transaction() as s:
                have = set(s.execute(sa.select(m.SkippedPeriod.period_start).where(m.SkippedPeriod.order_id == plan.order.id)).scalars())
                have |= set(s.execute(sa.select(m.Invoice.period_start).where(m.Invoice.order_id == plan.order.id, m.Invoice.recurring == True)).scalars())  # noqa: E712
                rows = [{"order_id": plan.order.id, "period_start": p.start, "period_end": p.end, "recorded_at": m.utcnow()} for p in to_skip if p.start not in have]
                if rows:
                    s.execute(sa.insert(m.SkippedPeriod.__table__), rows)
        for p in to_skip:
            result.skipped_periods.append({"order": plan.order.number, "period_start": p.start.isoformat(), "period_end": p.end.isoformat()})
    if max_periods is not None:
        due = due[:max_periods]
    for p in due:
        made = _bill(plan, p, dry_run, result.send)
        if made is not None:
            result.invoices.append(made)
            if result.send and not dry_run and not plan.account.email:
                result.no_address.append(made["number"])


def _bill(plan: Plan, p: schedule.Period, dry_run: bool, send: bool = False) -> dict | None:
    """One period, one transaction: check, number, insert. None when another run got there first."""
    order, rec = plan.order, plan.rec
    with store.transaction(write=not dry_run) as s:
        inv = m.Invoice.__table__
        exists = s.execute(  # the same period, or any billed day of it (a schedule moved since)
            sa.select(inv.c.id).where(inv.c.order_id == order.id, sa.or_(
                inv.c.period_start == p.start,
                sa.and_(inv.c.recurring == True, inv.c.period_start <= p.end, inv.c.period_end >= p.start))).limit(1)  # noqa: E712
        ).first()
        if exists is not None:
            return None
        usage_ids, usage_lines = _usage_lines(s, plan, p) if rec.usage else ([], [])
        nets = [(ln.net, documents.taxes_from_json(ln.taxes)) for ln in plan.lines] + [(u["net"], documents.taxes_from_json(u["taxes"])) for u in usage_lines]
        charge = Resolver(s).charge_tax(plan.account.tax_region)
        totals = pricing.totals_from_nets(nets, pricing.parse_discount(order.discount), order.shipping_charge, charge, order.adjustment)
        subj = subject.render(rec.subject, p.invoice_date, plan.language, fallback=order.subject)
        due_date = p.invoice_date + timedelta(days=rec.due_days)
        view = {
            "number": None,
            "order": order.number,
            "subject": subj,
            "invoice_date": p.invoice_date.isoformat(),
            "due_date": due_date.isoformat(),
            "period_start": p.start.isoformat(),
            "period_end": p.end.isoformat(),
            "status": rec.invoice_status,
            "totals": {
                "subtotal": fmt_money(totals.subtotal), "discount": fmt_money(totals.discount), "shipping": fmt_money(totals.shipping),
                "tax": fmt_money(totals.tax), "adjustment": fmt_money(totals.adjustment), "total": fmt_money(totals.total),
                "tax_breakdown": json.loads(documents.totals_columns(totals)["tax_breakdown"]),
            },
        }
        if dry_run:
            return view
        number = store.next_number(s, "invoice", settings_mod.current().prefix("invoice"))
        row = {
            "number": number, "order_id": order.id, "account_id": order.account_id, "subject": subj, "status": rec.invoice_status,
            "invoice_date": p.invoice_date, "due_date": due_date, "due_days": rec.due_days, "period_start": p.start, "period_end": p.end,
            "recurring": True, "currency": order.currency, "language": plan.language, "discount": order.discount, "created_at": m.utcnow(),
            **{f"billing_{k}": getattr(order, f"billing_{k}") for k in ADDRESS_FIELDS},
            **{f"shipping_{k}": getattr(order, f"shipping_{k}") for k in ADDRESS_FIELDS},
            **documents.totals_columns(totals),
        }
        inv_id = s.execute(sa.insert(m.Invoice.__table__).returning(m.Invoice.__table__.c.id), row).scalar_one()
        line_rows = [
            {"invoice_id": inv_id, "line_no": i, "order_line_id": ln.id, "order_line_no": ln.line_no, "product_id": ln.product_id,
             "sku": ln.sku, "description": ln.description, "kind": ln.kind, "quantity": ln.quantity, "unit_price": ln.unit_price,
             "discount": ln.discount, "net": ln.net, "taxes": ln.taxes, "comment": ln.comment}
            for i, ln in enumerate(plan.lines, start=1)
        ]
        n = len(line_rows)
        line_rows += [dict(u, invoice_id=inv_id, line_no=n + i, order_line_id=None, order_line_no=None, discount=None, comment=None)
                      for i, u in enumerate(usage_lines, start=1)]
        if line_rows:
            s.execute(sa.insert(m.InvoiceLine.__table__), line_rows)
        if usage_ids:
            updated = s.execute(
                sa.update(m.UsageRecord.__table__).where(m.UsageRecord.__table__.c.id.in_(usage_ids), m.UsageRecord.__table__.c.invoice_id.is_(None)).values(invoice_id=inv_id)
            ).rowcount
            if updated != len(usage_ids):
                raise Invalid("usage records changed during the run; run again")
        s.execute(sa.insert(m.StatusChange.__table__), {"doc_type": "invoice", "doc_id": inv_id, "old_status": None, "new_status": rec.invoice_status, "at": m.utcnow()})
        if send and plan.account.email:
            s.execute(sa.insert(m.SendLog.__table__), {"invoice_id": inv_id, "recipient": plan.account.email, "status": "pending", "at": m.utcnow()})
        view["number"] = number
        return view


def usage_cutoff(rec: m.Recurrence, p: schedule.Period) -> date:
    """Usage billed on a period's invoice: up to the day before its start (in advance) or its end (in arrears)."""
    return p.start - timedelta(days=1) if rec.invoice_date == "start" else p.end


def _usage_lines(s: Session, plan: Plan, p: schedule.Period) -> tuple[list[int], list[dict]]:
    cutoff = usage_cutoff(plan.rec, p)
    u = m.UsageRecord.__table__
    recs = s.execute(
        sa.select(u.c.id, u.c.product_id, u.c.quantity, u.c.unit_price).where(u.c.order_id == plan.order.id, u.c.invoice_id.is_(None), u.c.usage_date <= cutoff).order_by(u.c.usage_date, u.c.id)
    ).all()
    if not recs:
        return [], []
    products = {pr.id: pr for pr in s.exec(select(m.Product).where(m.Product.id.in_({r.product_id for r in recs})))}
    merged: dict[tuple[int, Decimal], Decimal] = {}
    for r in recs:
        price = r.unit_price if r.unit_price is not None else products[r.product_id].unit_price
        key = (r.product_id, price)
        merged[key] = merged.get(key, ZERO) + r.quantity
    lines = []
    for (pid, price), qty in merged.items():
        product = products[pid]
        taxes = [{"name": t.name, "rate": plain(rate_for(s, t, plan.account.tax_region))} for t in product_taxes(s, pid)]
        lines.append({"product_id": pid, "sku": product.sku, "description": product.name, "kind": product.kind, "quantity": qty,
                      "unit_price": price, "net": pricing.line_net(qty, price, None), "taxes": json.dumps(taxes)})
    return [r.id for r in recs], lines


# ---------------------------------------------------------------- dashboard


def dashboard(session: Session, as_of: date) -> dict:
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
    invoiced, skipped = _done_all(session)
    from orders_cli.core.money import from_cents

    items = []
    mrr = ZERO
    for rec, order, acc in rows:
        done = (invoiced.get(order.id, Billed()), skipped.get(order.id, set()))
        pend = pending_periods(session, rec, as_of, done)
        n, billed = stats.get(order.id, (0, 0))
        on = rec.enabled and order.status != "cancelled"  # a cancelled order never bills again
        nd = next_date(rec, as_of, pend, done) if on else None
        active = on and (rec.end is None or rec.end >= as_of)
        if active:
            mrr += order.total * schedule.periods_per_year(rec.frequency) / 12
        items.append({
            "order": order.number, "account": acc.name, "subject": order.subject, "enabled": rec.enabled, "frequency": rec.frequency,
            "start": rec.start.isoformat(), "end": rec.end.isoformat() if rec.end else None, "next_date": nd.isoformat() if nd else None,
            "invoices": n, "billed": fmt_money(from_cents(billed or 0)), "pending": len(pend) if on else 0,
            "skipped": len(skipped.get(order.id, set())), "amount": fmt_money(order.total),
        })
    return {"as_of": as_of.isoformat(), "monthly_recurring_revenue": fmt_money(pricing.round_money(mrr)), "orders": items}


def show(session: Session, ref: str, as_of: date, upcoming: int = 5) -> dict:
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
        done = (Billed((i.period_start, i.period_end) for i in invoices), {sp.period_start for sp in skipped})
        k = 0
        gen = schedule.due_periods(rec.start, rec.frequency, date.max, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
        for per in gen:
            if not is_open(per, *done):
                continue
            nxt.append({"period_start": per.start.isoformat(), "period_end": per.end.isoformat(), "invoice_date": per.invoice_date.isoformat(),
                        "amount": fmt_money(order.total), "overdue": per.invoice_date <= as_of})
            k += 1
            if k >= max(upcoming, len(pend)):
                break
    return {
        "order": order.number, "subject": order.subject, "recurrence": recurrence_view(session, order.id),
        "invoices": [{"number": i.number, "period_start": i.period_start.isoformat(), "period_end": i.period_end.isoformat(),
                      "invoice_date": i.invoice_date.isoformat(), "status": i.status, "total": fmt_money(i.total)} for i in invoices],
        "skipped_periods": [{"period_start": sp.period_start.isoformat(), "period_end": sp.period_end.isoformat()} for sp in skipped],
        "pending": len(pend) if on else 0,
        "next": nxt,
    }


# ---------------------------------------------------------------- usage


def add_usage(session: Session, ref: str, sku: str, qty: Any, on: Any = None, price: Any = None) -> dict:
    order = documents.get(session, documents.ORDER, ref)
    product = refs.product(session, sku)
    rec = m.UsageRecord(
        order_id=order.id, product_id=product.id, quantity=positive(qty, "--qty"),
        unit_price=non_negative(price, "--price") if price not in (None, "") else None,
        usage_date=text.parse_date(on, "--date") if on not in (None, "") else today(),
    )
    session.add(rec)
    session.flush()
    return usage_view(rec, order.number, product.sku, None)


def usage_view(rec, order_number: str, sku: str, invoice_number: str | None) -> dict:
    return {"id": rec.id, "order": order_number, "sku": sku, "quantity": plain(rec.quantity),
            "unit_price": price_text(rec.unit_price) if rec.unit_price is not None else None,
            "date": rec.usage_date.isoformat(), "invoice": invoice_number}


def list_usage(session: Session, ref: str) -> list[dict]:
    order = documents.get(session, documents.ORDER, ref)
    rows = session.exec(
        select(m.UsageRecord, m.Product.sku, m.Invoice.number)
        .join(m.Product, m.Product.id == m.UsageRecord.product_id)
        .outerjoin(m.Invoice, m.Invoice.id == m.UsageRecord.invoice_id)
        .where(m.UsageRecord.order_id == order.id)
        .order_by(m.UsageRecord.usage_date, m.UsageRecord.id)
    ).all()
    return [usage_view(r, order.number, sku, inv) for r, sku, inv in rows]


USAGE_COLUMNS = ("order", "product", "qty", "date", "price")


def import_usage(session: Session, handle: io.TextIOBase, source: str) -> int:
    """Usage records from CSV (order,product,qty[,date,price]); all or nothing, set-based."""
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        raise Invalid(f"{source}: the file is empty (expected a header row: {','.join(USAGE_COLUMNS)})")
    if reader.fieldnames and reader.fieldnames[0].startswith("\ufeff"):  # a BOM that came through stdin
        reader.fieldnames = [reader.fieldnames[0].lstrip("\ufeff"), *reader.fieldnames[1:]]
    header = [h.strip() for h in reader.fieldnames]
    unknown = [h for h in header if h not in USAGE_COLUMNS]
    missing = [h for h in ("order", "product", "qty") if h not in header]
    if unknown or missing:
        raise Invalid(f"{source}: line 1: " + (f"unknown column {unknown[0]!r}" if unknown else f"missing column {missing[0]!r}") + f" (columns: {','.join(USAGE_COLUMNS)})")
    orders: dict[str, int] = {}
    products: dict[str, int] = {}
    rows = []
    for row in reader:
        line = reader.line_num
        row = {(k or "").strip(): v for k, v in row.items()}
        if None in row or "" in row:
            raise Invalid(f"{source}: line {line}: more fields than columns")
        try:
            o = text.clean(row.get("order"), "order", 100, required=True)
            if o not in orders:
                orders[o] = documents.get(session, documents.ORDER, o).id
            p = text.clean(row.get("product"), "product", 100, required=True)
            if p not in products:
                products[p] = refs.product(session, p).id
            price = (row.get("price") or "").strip()
            day = (row.get("date") or "").strip()
            rows.append({"order_id": orders[o], "product_id": products[p], "quantity": positive(row.get("qty") or "", "qty"),
                         "unit_price": non_negative(price, "price") if price else None,
                         "usage_date": text.parse_date(day, "date") if day else today(), "created_at": m.utcnow()})
        except OrdersError as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
    if rows:
        session.execute(sa.insert(m.UsageRecord.__table__), rows)
    return len(rows)
