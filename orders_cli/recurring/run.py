"""The billing run cron calls every day (``recur run``): every due period of every enabled
recurring order, up to the run's day.

Safety: each period is invoiced in its own write transaction that first checks, then
inserts, the (order, period start) pair that a unique key guards; the invoice number is
allocated inside that same transaction. Two runs at once, or a run killed half way and
started again, therefore bill every due period exactly once with no gap in the numbers.

Dating (SPEC.md §4, chronology): every invoice of a run is dated the run's day (``--date``,
default today), its due date that day plus the order's due days; the billed period (start,
end) is on the invoice and the subject's tokens come from the day the period became due.
Invoice numbers follow their dates, so a run dated before the latest invoice already issued
is refused before anything is written (``check_run_date``), and each number is still taken
through ``store.issue_number``, which checks again under the counter's lock.

Freshness: the list of orders is read once at the start, but each period's transaction
(which holds the write lock) re-reads the order, its recurrence, its lines and its account,
and bills them as they are then. An order turned off, cancelled, or whose schedule no longer
has that period (an end date moved before it, a new start or frequency) gets no more
invoices in this run; the next run bills what its schedule says is still due.

Cost: the statements are built once per run (``_statements``) and prepared once per database
(``store.prepared``: SQLAlchemy's own type processing, run on the DBAPI cursor); the periods'
transactions run one after the other on one connection (``store.batch``: the guarantees of
``store.transaction``); a period's one read brings the order, recurrence, account, lines and
the period's invoices so far; lines and amounts already priced and checked in this run are
not priced again (``_price``). A period costs its read, its numbering, its inserts and its
commit.
"""

from __future__ import annotations

import json
from collections import namedtuple
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Callable

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli import store
from orders_cli.core import invoicecheck, pricing, schedule, subject
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid, OrdersError
from orders_cli.core.money import ZERO
from orders_cli.parties import snapshots
from orders_cli.parties.catalog import ADDRESS_FIELDS, product_taxes
from orders_cli.parties.resolver import Resolver
from orders_cli.recurring.periods import Billed, done_all, open_due, usage_cutoff
from orders_cli.recurring.results import (
    FailedOrder,
    InvoiceMade,
    RunResult,
    SkippedPeriod,
)
from orders_cli.store import documents
from orders_cli.store import schema as m

# the columns a run reads of a recurrence, its order, the order's account and its lines
_ADDRESS = tuple(f"{side}_{k}" for side in ("billing", "shipping") for k in ADDRESS_FIELDS)
_REC = ("order_id", "enabled", "frequency", "start", "end", "due_days", "invoice_status", "subject", "language", "invoice_date",
        "last_day", "catch_up", "usage")
_ORDER = ("id", "number", "account_id", "status", "subject", "language", "currency", "customer_ref", "discount", "shipping_charge",
          "adjustment", "doc_charges", *_ADDRESS)
_ACCOUNT = ("id", "email", "tax_region", "language", *snapshots.BUYER_FIELDS)
_LINE = ("id", "line_no", "product_id", "sku", "description", "kind", "quantity", "unit_price", "discount", "net", "taxes",
         "comment", "unit_code", "base_quantity")
RecRow, OrderRow, AccountRow = (namedtuple(n, cols) for n, cols in (("RecRow", _REC), ("OrderRow", _ORDER), ("AccountRow", _ACCOUNT)))
LineRow = namedtuple("LineRow", _LINE)
_CUTS = (len(_REC), len(_REC) + len(_ORDER), len(_REC) + len(_ORDER) + len(_ACCOUNT))


@dataclass
class Plan:
    """One recurring order: its order row, recurrence and account (and, once re-read inside a
    period's transaction, its lines)."""

    order: Any  # OrderRow
    rec: Any  # RecRow
    lines: list  # of LineRow
    account: Any  # AccountRow
    language: str


class _Stop(Exception):
    """The order is no longer billable by this run (off, cancelled, schedule changed)."""


_SQL: SimpleNamespace | None = None


def _statements() -> SimpleNamespace:
    """Every statement of a run, built once (SQLAlchemy then compiles each once)."""
    global _SQL
    if _SQL is None:
        r, o, a, ol = m.Recurrence.__table__, m.SalesOrder.__table__, m.Account.__table__, m.OrderLine.__table__
        inv, u = m.Invoice.__table__, m.UsageRecord.__table__
        plans = (sa.select(*(r.c[k] for k in _REC), *(o.c[k] for k in _ORDER), *(a.c[k] for k in _ACCOUNT))
                 .join_from(r, o, o.c.id == r.c.order_id).join(a, a.c.id == o.c.account_id))
        oid, ps, pe = sa.bindparam("oid"), sa.bindparam("ps", type_=sa.Date), sa.bindparam("pe", type_=sa.Date)
        # the same period, or any billed day of it (a schedule moved since), not credited with --rebill
        billed = sa.and_(sa.or_(inv.c.period_start == ps, sa.and_(inv.c.recurring == True, inv.c.period_start <= pe,  # noqa: E712
                                                                   inv.c.period_end >= ps)), sa.not_(documents.released(inv)))
        # the invoices of the order with that period start (the new one's rebill_no), and those that bill a day of it
        rebill_no = sa.select(sa.func.count()).where(inv.c.order_id == oid, inv.c.period_start == ps)
        days = sa.select(sa.func.count()).where(inv.c.order_id == oid, billed)
        _SQL = SimpleNamespace(
            plans=plans.where(r.c.enabled == True, o.c.status != "cancelled").order_by(o.c.id),  # noqa: E712
            # the order as it is now, with its lines (one row each; one row of no line when it has none) and
            # ``done`` for the period (ps, pe) as the run planned it: each period's one read
            now=plans.add_columns(rebill_no.scalar_subquery(), days.scalar_subquery(), *(ol.c[k] for k in _LINE))
            .outerjoin(ol, ol.c.order_id == o.c.id).where(r.c.order_id == oid).order_by(ol.c.line_no),
            done=sa.select(rebill_no.scalar_subquery(), days.scalar_subquery()),
            invoice=sa.insert(inv).returning(inv.c.id),
            lines_in=sa.insert(m.InvoiceLine.__table__),
            status=sa.insert(m.StatusChange.__table__),
            send=sa.insert(m.SendLog.__table__),
            usage=sa.update(u).where(u.c.id.in_(sa.bindparam("ids", expanding=True)), u.c.invoice_id.is_(None))
            .values(invoice_id=sa.bindparam("inv_id")),
        )
    return _SQL


def _plan(row: Any, default_language: str | None) -> Plan:
    """A row of ``_statements().plans`` as a Plan (no lines yet)."""
    i, j, k = _CUTS
    rec, order, account = RecRow._make(row[:i]), OrderRow._make(row[i:j]), AccountRow._make(row[j:k])
    return Plan(order, rec, [], account, _language(rec, order, account, default_language))


def _language(rec: Any, order: Any, account: Any, default_language: str | None) -> str:
    return rec.language or order.language or account.language or default_language


def _load_plans(session: Session | sa.Connection, default_language: str | None) -> list[Plan]:
    """Every enabled recurrence of a non-cancelled order, with its account: set-based. The
    lines are not read here: each period's transaction reads them (``_reload``)."""
    return [_plan(row, default_language) for row in session.execute(_statements().plans)]


def _reload(conn: sa.Connection, order_id: int, default_language: str | None, p: schedule.Period) -> tuple[Plan | None, tuple]:
    """The order, its recurrence, account and lines as they are now (inside the period's
    transaction), None when the order or its recurrence is gone; and (rebill_no, billed) of
    period ``p``: the invoices of the order with its start, those that bill a day of it."""
    rows = store.prepared(conn, _statements().now).rows(conn, {"oid": order_id, "ps": p.start, "pe": p.end})
    if not rows:
        return None, (0, 0)
    plan = _plan(rows[0], default_language)
    k = _CUTS[2]
    plan.lines = [LineRow._make(row[k + 2:]) for row in rows if row[k + 2] is not None]
    return plan, tuple(rows[0][k:k + 2])


def _still_due(ctx: Context, plan: Plan | None, p: schedule.Period) -> schedule.Period:
    """Period ``p`` as the order's current recurrence has it; ``_Stop`` when the order is off,
    cancelled, or its schedule no longer bills a period starting on ``p.start`` by today."""
    if plan is None or not plan.rec.enabled or plan.order.status == "cancelled":
        raise _Stop
    rec = plan.rec
    q = schedule.period(rec.start, rec.frequency, p.index, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
    if q is None or q.start != p.start or q.invoice_date > ctx.today:
        raise _Stop
    return q


def check_run_date(session: Session | sa.Connection, day: date, clock: date, allow_future: bool) -> None:
    """Refuse a run dated ``day`` (its invoices' date) after ``clock`` (the real today) without
    ``allow_future``, or before the latest invoice already issued (numbers follow dates)."""
    if day > clock and not allow_future:
        raise Invalid(f"--date {day.isoformat()} is after today ({clock.isoformat()}): its invoices would be dated ahead; "
                      "add --allow-future to bill ahead")
    latest, number = store.latest_issued(session, "invoice")
    if latest is not None and day < latest:
        raise Invalid(f"recur run {day.isoformat()}: the latest invoice already issued, {number}, is dated {latest.isoformat()}, "
                      f"and invoices are numbered in date order: nothing billed; run on {latest.isoformat()} or later "
                      f"(--date {latest.isoformat()}, with --allow-future if that is after today)")



@dataclass
class _Run:
    """What every period of one run shares: the context and options, the one connection the
    periods' transactions run on (``store.batch``), and what the settings (read once per run)
    give: the default language, the invoice prefix, the seller snapshot, the charge tax's name."""

    ctx: Context
    conn: sa.Connection
    dry_run: bool
    send: bool
    clock: date
    allow_future: bool

    def __post_init__(self) -> None:
        settings = self.ctx.settings
        self.language = settings.get("language")
        self.prefix = settings.prefix("invoice")
        self.seller = snapshots.seller(settings)
        self.charges_tax = settings.get("charges.tax")
        self.priced: dict[tuple, tuple[pricing.Totals, dict]] = {}  # _price: the totals of the lines seen so far


def run(ctx: Context, dry_run: bool = False, max_periods: int | None = None, progress: Callable[[int, int], None] | None = None,
        send: bool = False, allow_future: bool = False, clock: date | None = None) -> RunResult:
    """Bill every due period of every enabled recurring order up to ``ctx.today`` (``--date``
    or today), each invoice dated ``ctx.today`` and in its own transaction. One failing order
    does not stop the others: it is listed in the result's ``failed``.

    ``clock`` is the real today (default ``ctx.today``): a run dated after it is refused
    unless ``allow_future``; a run dated before the latest invoice issued is refused. Both
    refusals (also in a dry run) come before anything is written.

    With ``send``, each new invoice is queued in the send log (in its billing transaction)
    for the account's e-mail; ``sending.outbox`` then mails the queue."""
    result = RunResult(ctx.today, dry_run)
    clock = clock or ctx.today
    with store.transaction(write=False) as s:
        check_run_date(s, ctx.today, clock, allow_future)
        plans = _load_plans(s, ctx.settings.get("language"))
        invoiced, skipped = done_all(s)
    if not plans:
        return result
    with store.connection(write=not dry_run) as conn:
        job = _Run(ctx, conn, dry_run, send, clock, allow_future)
        for i, plan in enumerate(plans, start=1):
            try:
                billed = invoiced.get(plan.order.id)
                _run_order(job, plan, max_periods, Billed() if billed is None else billed, skipped.get(plan.order.id, set()), result)
            except OrdersError as err:
                result.failed.append(FailedOrder(plan.order.number, err.message))
            except Exception as err:  # one order's surprise must not stop the others
                if isinstance(err, (KeyboardInterrupt, SystemExit)):
                    raise
                result.failed.append(FailedOrder(plan.order.number, f"{type(err).__name__}: {err}"))
            if progress:
                progress(i, len(plans))
    return result


def _run_order(job: _Run, plan: Plan, max_periods: int | None, invoiced: Billed, skipped: set, result: RunResult) -> None:
    rec = plan.rec
    due = open_due(rec, job.ctx.today, invoiced, skipped)
    if not due:
        return
    if rec.catch_up == "latest" and len(due) > 1:
        # the older periods are skipped, but not one credited with --rebill: that one is billed again
        to_skip = [p for p in due[:-1] if p.start not in invoiced.released]
        due = [p for p in due[:-1] if p.start in invoiced.released] + due[-1:]
        if not job.dry_run:
            _record_skipped(job.conn, plan, to_skip)
        result.skipped_periods.extend(SkippedPeriod(plan.order.number, p.start, p.end) for p in to_skip)
    if max_periods is not None:
        due = due[:max_periods]
    for p in due:
        try:
            made, plan = _bill(job, plan, p)
        except _Stop:
            return  # turned off, cancelled or rescheduled since the run started: no more periods
        if made is not None:
            result.invoices.append(made)
            if job.send and not job.dry_run and not plan.account.email:
                result.no_address.append(made.number)


def _record_skipped(conn: sa.Connection, plan: Plan, to_skip: list[schedule.Period]) -> None:
    """catch-up latest: the older periods are recorded as skipped (unless billed meanwhile)."""
    sp, inv = m.SkippedPeriod.__table__, m.Invoice.__table__
    with store.begin(conn):
        have = set(conn.execute(sa.select(sp.c.period_start).where(sp.c.order_id == plan.order.id)).scalars())
        have |= set(conn.execute(sa.select(inv.c.period_start).where(inv.c.order_id == plan.order.id, inv.c.recurring == True)).scalars())  # noqa: E712
        rows = [{"order_id": plan.order.id, "period_start": p.start, "period_end": p.end, "recorded_at": m.utcnow()} for p in to_skip if p.start not in have]
        if rows:
            conn.execute(sa.insert(sp), rows)


def _bill(job: _Run, plan: Plan, p: schedule.Period) -> tuple[InvoiceMade | None, Plan]:
    """One period, one transaction: re-read the order, check, number, insert; the invoice is
    dated the run's day (``ctx.today``), its subject from the day the period became due.
    Returns the invoice (None when another run got there first) and the order as re-read;
    raises ``_Stop`` when the order is no longer billable (see ``_still_due``)."""
    ctx, conn, q = job.ctx, job.conn, _statements()
    with store.begin(conn):
        plan, (rebill_no, billed) = _reload(conn, plan.order.id, job.language, p)
        planned, p = p, _still_due(ctx, plan, p)
        order, rec = plan.order, plan.rec
        if p.end != planned.end:  # the schedule moved since the run started: the same start, other days
            rebill_no, billed = conn.execute(q.done, {"oid": order.id, "ps": p.start, "pe": p.end}).one()
        if billed:
            return None, plan
        session = Session(bind=conn) if rec.usage or job.charges_tax else None  # in this transaction (the usage, the charge tax)
        try:
            made, columns, usage_ids, usage_lines = _price(job, session, plan, p)
        finally:
            if session is not None:
                session.close()
        if job.dry_run:
            return made, plan
        made.number = store.issue_number(conn, "invoice", job.prefix, made.invoice_date, job.clock, job.allow_future, "--date")
        inv_id = _insert_invoice(conn, plan, made, columns, usage_lines, job.seller, rebill_no)
        if usage_ids:
            updated = conn.execute(q.usage, {"ids": usage_ids, "inv_id": inv_id}).rowcount
            if updated != len(usage_ids):
                raise Invalid("usage records changed during the run; run again")
        _execute(conn, q.status, {"doc_type": "invoice", "doc_id": inv_id, "old_status": None, "new_status": rec.invoice_status, "at": m.utcnow()})
        if job.send and plan.account.email:
            _execute(conn, q.send, {"invoice_id": inv_id, "recipient": plan.account.email, "status": "pending", "at": m.utcnow()})
        return made, plan


def _price(job: _Run, session: Session | None, plan: Plan, p: schedule.Period) -> tuple[InvoiceMade, dict, list[int], list[dict]]:
    """The period's invoice as it would be issued (no number yet), its totals checked: the
    invoice, its totals' columns (``documents.totals_columns``), the usage records it bills and
    their lines."""
    ctx, order, rec = job.ctx, plan.order, plan.rec
    rv = Resolver(session, ctx.settings) if session is not None else None
    usage_ids, usage_lines = _usage_lines(session, rv, plan, p) if rec.usage else ([], [])
    charge = rv.charge_tax(plan.account.tax_region) if rv is not None else None
    # the same lines, order amounts and charge tax price and check the same: once per run (the
    # text of every value in the key, so that 1.0 and 1 are not taken for one another)
    key = None if usage_lines else (
        tuple((str(ln.quantity), str(ln.unit_price), ln.discount, str(ln.net), ln.taxes, str(ln.base_quantity), ln.line_no, ln.sku)
              for ln in plan.lines),
        order.discount, str(order.shipping_charge), str(order.adjustment), order.doc_charges, repr(charge))
    priced = job.priced.get(key) if key is not None else None
    if priced is None:
        priced = _priced(order, plan.lines, usage_lines, charge, f"the {p.start.isoformat()} invoice of {order.number}")
        if key is not None:
            job.priced[key] = priced
    totals, columns = priced
    made = InvoiceMade(
        number=None, order=order.number, subject=subject.render(rec.subject, p.invoice_date, plan.language, fallback=order.subject),
        invoice_date=ctx.today, due_date=schedule.due_date(ctx.today, rec.due_days, f"the invoice of the period from {p.start.isoformat()}"),
        period_start=p.start, period_end=p.end,
        status=rec.invoice_status, totals=totals,
    )
    return made, columns, usage_ids, usage_lines


def _priced(order: Any, lines: list, usage_lines: list[dict], charge: pricing.TaxRate | None, label: str) -> tuple[pricing.Totals, dict]:
    """The totals of an invoice of these lines (the order's, then the usage) and its columns,
    checked (``invoicecheck``: the last word before anything is written, a failure writes nothing)."""
    nets = [(ln.net, documents.taxes_from_json(ln.taxes)) for ln in lines] + [(u["net"], documents.taxes_from_json(u["taxes"])) for u in usage_lines]
    totals = pricing.totals_from_nets(nets, pricing.parse_discount(order.discount), order.shipping_charge, charge, order.adjustment,
                                      documents.seq_charges_from_json(order.doc_charges))
    invoicecheck.check_invoice(
        label,
        [invoicecheck.Line(ln.quantity, ln.unit_price, ln.discount, ln.net, documents.taxes_from_json(ln.taxes), None,
                           f"line {ln.line_no} ({ln.sku})", base_quantity=ln.base_quantity or Decimal(1)) for ln in lines]
        + [invoicecheck.Line(u["quantity"], u["unit_price"], None, u["net"], documents.taxes_from_json(u["taxes"]), None,
                             f"usage {u['sku']}", base_quantity=u["base_quantity"] or Decimal(1)) for u in usage_lines],
        totals, charge)
    return totals, documents.totals_columns(totals)


def _insert_invoice(conn: sa.Connection, plan: Plan, made: InvoiceMade, columns: dict, usage_lines: list[dict], seller: str,
                    rebill_no: int) -> int:
    """The invoice row and its lines (the order's, then the usage); returns the invoice id.
    ``rebill_no``: the period's first invoice is 0; one billed again after a credit note
    --rebill, 1, ... (the invoices of the order with that period start)."""
    q, order, rec = _statements(), plan.order, plan.rec
    row = {
        "number": made.number, "order_id": order.id, "account_id": order.account_id, "subject": made.subject, "status": rec.invoice_status,
        "invoice_date": made.invoice_date, "due_date": made.due_date, "due_days": rec.due_days, "period_start": made.period_start,
        "period_end": made.period_end, "recurring": True, "currency": order.currency, "language": plan.language, "discount": order.discount,
        "created_at": m.utcnow(),
        "customer_ref": order.customer_ref, "seller": seller, "buyer": snapshots.buyer(plan.account),  # issue 15
        "rebill_no": rebill_no,
        **{k: getattr(order, k) for k in _ADDRESS},
        **columns,  # the totals' (documents.totals_columns)
    }
    inv_id = store.prepared(conn, q.invoice, row).rows(conn, row)[0][0]
    line_rows = [
        {"invoice_id": inv_id, "line_no": i, "order_line_id": ln.id, "order_line_no": ln.line_no, "product_id": ln.product_id,
         "sku": ln.sku, "description": ln.description, "kind": ln.kind, "quantity": ln.quantity, "unit_price": ln.unit_price,
         "discount": ln.discount, "net": ln.net, "taxes": ln.taxes, "comment": ln.comment, "unit_code": ln.unit_code,
         "base_quantity": ln.base_quantity}
        for i, ln in enumerate(plan.lines, start=1)
    ]
    n = len(line_rows)
    line_rows += [dict(u, invoice_id=inv_id, line_no=n + i, order_line_id=None, order_line_no=None, discount=None, comment=None)
                  for i, u in enumerate(usage_lines, start=1)]
    if line_rows:
        _execute(conn, q.lines_in, line_rows)
    return inv_id


def _execute(conn: sa.Connection, stmt, params: dict | list[dict]) -> None:
    """An insert of one row, or of rows that all name the same columns (executemany), prepared
    once per run's dialect (``store.prepared``: the values SQLAlchemy itself would write)."""
    rows = params if isinstance(params, list) else [params]
    keys = list(rows[0])
    if any(len(r) != len(keys) or r.keys() != rows[0].keys() for r in rows[1:]):
        conn.execute(stmt, params)  # (not met here: every line row names the same columns)
        return
    store.prepared(conn, stmt, keys).run(conn, params)


def _usage_lines(s: Session, rv: Resolver, plan: Plan, p: schedule.Period) -> tuple[list[int], list[dict]]:
    """The order's unbilled usage up to the period's cutoff, merged by (product, price)."""
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
        taxes = rv.taxes_of(product_taxes(s, pid), plan.account.tax_region)  # the stored taxes column, as on order lines
        base = product.base_quantity or Decimal(1)  # a price per 100 pieces bills usage per 100 too (BT-149)
        lines.append({"product_id": pid, "sku": product.sku, "description": product.name, "kind": product.kind, "quantity": qty,
                      "unit_price": price, "net": pricing.line_net(qty, price, None, base), "taxes": json.dumps(taxes),
                      "unit_code": product.unit_code, "base_quantity": product.base_quantity})
    return [r.id for r in recs], lines
