"""Use cases for invoices: made from orders (whole, per line, or a percent), shown,
listed, moved through their statuses. They return the typed results of ``results.py``.

Invariant: once every line of an order is fully invoiced, its (non-cancelled,
non-recurring) invoices add up exactly, to the cent, to the order's total and to each
rate of its tax breakdown, because the last invoice is the order minus the others
(the rules are ``core.planner``'s; this module loads the state and writes the invoice).
"""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from typing import Any, Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli import store
from orders_cli.core import invoicecheck, lifecycle, planner, receivable, schedule, text
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, from_cents
from orders_cli.invoicing import balances, billed, labels, parts, payments
from orders_cli.invoicing import results as r
from orders_cli.parties import snapshots
from orders_cli.parties.catalog import address_of
from orders_cli.parties.resolver import Resolver
from orders_cli.parties.taxes import require_buyer_vat_id
from orders_cli.store import documents, refs
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

ZERO = Decimal(0)


def planned_order(order: m.SalesOrder, lines: list) -> planner.Order:
    """A stored order as the planner's input (lines already loaded, in line order)."""
    return planner.Order(
        number=order.number,
        status=order.status,
        lines=tuple(
            planner.OrderLine(ln.id, ln.line_no, ln.sku, ln.kind, ln.quantity, ln.net, documents.taxes_from_json(ln.taxes)) for ln in lines
        ),
        totals=documents.totals_from_row(order),
        discount=order.discount,
        shipping=order.shipping_charge,
        adjustment=order.adjustment,
        extras=documents.seq_charges_from_json(order.doc_charges),
    )


def invoice_date_and_due(ctx: Context, on: Any, due_days: int) -> tuple[date, date]:
    day = text.parse_date(on, "--date") if on not in (None, "") else ctx.today
    return day, schedule.due_date(day, due_days, "--date" if on not in (None, "") else "today")


def convert_to_invoice(session: Session, ctx: Context, ref: str, parts: list[str] | None = None, percent: Any = None,
                       on: Any = None, deposit: Any = None, allow_future: bool = False, delivered_on: Any = None) -> r.Invoice:
    """Invoice an order: the remaining quantities (default), ``N:QTY`` parts of lines, P % of every
    line, or a deposit (``deposit``: "30%" or an amount before tax). An ordinary invoice deducts
    the deposits still open."""
    order = documents.get(session, documents.ORDER, ref)
    documents.lock(session, m.SalesOrder, order.id)  # what it has billed is read after this (PostgreSQL)
    lines = documents.lines_of(session, documents.ORDER, order.id)
    plan_in = planned_order(order, lines)
    earlier_totals = billed.earlier_totals(session, order.id)
    if deposit is not None:
        if parts or percent is not None:
            raise Invalid("use --deposit alone: a deposit takes no --line or --percent")
        deposit_plan = planner.plan_deposit(plan_in, earlier_totals, deposit)
        require_buyer_vat_id(order.number, ((ln.line_no, ln.sku, ln.taxes) for ln in lines), session.get(m.Account, order.account_id))
        return _write_deposit(session, ctx, order, deposit_plan, on, allow_future, _delivery_date(session, order, delivered_on, default=False))
    _, invoiced, _ = documents.progress_quantities(session, order.id)
    take = planner.invoice_quantities(plan_in, invoiced, parts, percent)

    earlier_nets, earlier_parts = billed.invoiced_nets(session, order.id)
    account = session.get(m.Account, order.account_id)
    require_buyer_vat_id(order.number, ((ln.line_no, ln.sku, ln.taxes) for ln in lines if take.wanted.get(ln.id)), account)
    charge = Resolver(session, ctx.settings).charge_tax(account.tax_region)
    plan = planner.plan_invoice(plan_in, take, earlier_nets, earlier_totals, charge, deposits=billed.open_deposits(session, order.id))
    rows = {ln.id: ln for ln in lines}
    # the last word before anything is written (a failure is an internal error: nothing is written)
    invoicecheck.check_plan(f"the invoice of {order.number}", plan_in, plan, {ln.id: (ln.unit_price, ln.discount, ln.base_quantity or Decimal(1)) for ln in lines},
                            invoiced, earlier_nets, earlier_parts, earlier_totals, charge)
    inv = _new_invoice(session, ctx, order, plan.totals, on, allow_future, percent=plan.percent,
                       delivery_date=_delivery_date(session, order, delivered_on))
    line_rows = [
        {
            "order_line_id": ln.id, "order_line_no": ln.line_no, "product_id": ln.product_id, "sku": ln.sku, "description": ln.description,
            "kind": ln.kind, "quantity": part.quantity, "unit_price": ln.unit_price, "discount": ln.discount, "net": part.net,
            "taxes": ln.taxes, "comment": ln.comment, "unit_code": ln.unit_code, "base_quantity": ln.base_quantity,
        }
        for part, ln in ((p, rows[p.line.id]) for p in plan.parts)
    ]
    dates = dict(session.execute(sa.select(m.Invoice.id, m.Invoice.invoice_date).where(
        m.Invoice.id.in_({d.deposit.invoice_id for d in plan.deductions}))).all()) if plan.deductions else {}
    for d in plan.deductions:
        line_rows.append({
            "order_line_id": None, "order_line_no": None, "product_id": None, "sku": "DEPOSIT",
            "description": labels.deduction(order.language or account.language, d.deposit.number, dates[d.deposit.invoice_id]),
            "kind": "deduction", "quantity": Decimal(-1), "unit_price": d.amount, "discount": None, "net": -d.amount,
            "taxes": billed.taxes_json(d.deposit.tax), "comment": None, "deposit_invoice_id": d.deposit.invoice_id,
        })
    return _seal(session, inv, line_rows, ctx.today)


def _delivery_date(session: Session, order: m.SalesOrder, given: Any, default: bool = True) -> date | None:
    """The invoice's delivery date (EN 16931 BT-72): ``--delivery-date``, else (``default``) the
    date of the order's latest delivery note that is not cancelled, else none."""
    if given not in (None, ""):
        return text.parse_date(given, "--delivery-date")
    if not default:
        return None
    return session.execute(sa.select(sa.func.max(m.Delivery.delivery_date)).where(
        m.Delivery.order_id == order.id, m.Delivery.status != "cancelled")).scalar()


def _new_invoice(session: Session, ctx: Context, order: m.SalesOrder, totals, on: Any, allow_future: bool, percent=None,
                 kind: str = "standard", delivery_date: date | None = None) -> m.Invoice:
    due_days = int(ctx.settings.get("invoice.due_days"))
    day, due = invoice_date_and_due(ctx, on, due_days)
    number = store.issue_number(session, "invoice", ctx.settings.prefix("invoice"), day, ctx.today, allow_future)
    inv = m.Invoice(
        number=number,
        order_id=order.id,
        account_id=order.account_id,
        subject=order.subject,
        status="created",
        invoice_date=day,
        due_date=due,
        due_days=due_days,
        percent=percent,
        currency=order.currency,
        language=order.language,
        discount=order.discount if kind == "standard" else None,
        kind=kind,
        customer_ref=order.customer_ref,  # identities at issue (issue 15)
        delivery_date=delivery_date,
        seller=snapshots.seller(ctx.settings),
        buyer=snapshots.buyer(session.get(m.Account, order.account_id)),
        **{f"billing_{k}": v for k, v in address_of(order, "billing").items()},
        **{f"shipping_{k}": v for k, v in address_of(order, "shipping").items()},
        **documents.totals_columns(totals),
    )
    session.add(inv)
    session.flush()
    return inv


def _seal(session: Session, inv: m.Invoice, line_rows: list[dict], today: date) -> r.Invoice:
    """Write the lines, then the "created" history row that seals them (revision 0002)."""
    session.execute(
        sa.insert(m.InvoiceLine.__table__),
        [{"invoice_id": inv.id, "line_no": i, "deposit_invoice_id": None, "unit_code": None, "base_quantity": None, **row} for i, row in enumerate(line_rows, start=1)],
    )
    session.add(m.StatusChange(doc_type="invoice", doc_id=inv.id, old_status=None, new_status="created"))
    session.flush()
    return invoice_view(session, inv, today)


def _write_deposit(session: Session, ctx: Context, order: m.SalesOrder, plan: planner.DepositPlan, on: Any,
                   allow_future: bool, delivery_date: date | None = None) -> r.Invoice:
    invoicecheck.check_invoice(
        f"the deposit invoice of {order.number}",
        [invoicecheck.Line(Decimal(1), share, None, share, (tax,) if tax is not None else (), None, "a deposit line") for tax, share in plan.shares],
        plan.totals,
    )
    inv = _new_invoice(session, ctx, order, plan.totals, on, allow_future, percent=plan.percent, kind="deposit",
                       delivery_date=delivery_date)
    text_ = labels.deposit(order.language or session.get(m.Account, order.account_id).language, plan.percent, order.number)
    rows = [
        {
            "order_line_id": None, "order_line_no": None, "product_id": None, "sku": "DEPOSIT", "description": text_, "kind": "deposit",
            "quantity": Decimal(1), "unit_price": share, "discount": None, "net": share, "taxes": billed.taxes_json(tax), "comment": None,
            "deposit_invoice_id": inv.id,
        }
        for tax, share in plan.shares
    ]
    return _seal(session, inv, rows, ctx.today)


# ---------------------------------------------------------------- viewing invoices


def _as_of(as_of: Any) -> date:
    """The day payment states are told on: ``--as-of`` if given, else today."""
    if as_of in (None, ""):
        from orders_cli.adapters.env import today

        return today()
    return text.parse_date(as_of, "--as-of")


def invoice_view(session: Session, inv: m.Invoice, as_of: Any = None) -> r.Invoice:
    """An invoice with its lines, totals and standing (paid, credited, balance, payment state on
    ``as_of``, default today)."""
    order = session.get(m.SalesOrder, inv.order_id) if inv.order_id else None
    standing = balances.standing_of(session, inv, _as_of(as_of))
    account = session.get(m.Account, inv.account_id)
    lines = session.exec(select(m.InvoiceLine).where(m.InvoiceLine.invoice_id == inv.id).order_by(m.InvoiceLine.line_no)).all()
    credit_notes = list(session.execute(sa.select(rv.CreditNote.number).where(rv.CreditNote.invoice_id == inv.id).order_by(rv.CreditNote.id)).scalars())
    return parts.invoice_result(inv, order.number if order else None, account, lines, credit_notes, standing)


def get_invoice(session: Session, ref: str) -> m.Invoice:
    return refs.document(session, m.Invoice, ref, "invoice")


def show_invoice(session: Session, ref: str, as_of: Any = None) -> r.Invoice:
    return invoice_view(session, get_invoice(session, ref), as_of)


def list_invoices(session: Session, order: str | None = None, status: str | None = None, since: str | None = None,
                  until: str | None = None, account: str | None = None, limit: int | None = None, unpaid: bool = False,
                  overdue: bool = False, as_of: Any = None, search: str | None = None) -> Iterator[r.InvoiceRow]:
    """Newest first, each with its standing on ``as_of`` (default today), in one query (the
    sums of credit notes and payments joined set-wise). ``unpaid``: a balance > 0 (unpaid,
    partially paid, overdue); ``overdue``: a balance > 0 and a due date before ``as_of``;
    ``search``: words in the number, subject, customer reference, account name, order number
    or a line's SKU or description (``store.search``, in SQL)."""
    day = _as_of(as_of)
    t = m.Invoice.__table__
    o = m.SalesOrder.__table__
    a = m.Account.__table__
    sums = balances.sums_query()
    balance = sa.type_coerce(t.c.total, sa.BigInteger) - sums.c.credited - sums.c.paid
    q = (
        sa.select(t.c.id, t.c.number, t.c.subject, t.c.status, t.c.invoice_date, t.c.due_date, t.c.period_start, t.c.period_end,
                  t.c.currency, t.c.subtotal, t.c.tax_total, t.c.total, o.c.number.label("order_number"), a.c.id.label("account_id"),
                  a.c.name.label("account_name"), sums.c.credited, sums.c.notes, sums.c.paid)
        .join(a, a.c.id == t.c.account_id)
        .join(sums, sums.c.invoice_id == t.c.id)
        .outerjoin(o, o.c.id == t.c.order_id)
    )
    if unpaid or overdue:
        # an invoice cancelled before credit notes existed owes nothing (core.receivable)
        q = q.where(balance > 0, sa.not_(sa.and_(t.c.status == "cancelled", sums.c.notes == 0)))
    if overdue:
        q = q.where(t.c.due_date.is_not(None), t.c.due_date < day)
    if order:
        q = q.where(t.c.order_id == documents.get(session, documents.ORDER, order).id)
    if account:
        q = q.where(t.c.account_id == refs.account(session, account).id)
    if status:
        q = q.where(t.c.status == lifecycle.check_status(status, lifecycle.INVOICE_STATUSES, "invoice status"))
    if since:
        q = q.where(t.c.invoice_date >= text.parse_date(since, "--since"))
    if until:
        q = q.where(t.c.invoice_date <= text.parse_date(until, "--until"))
    if search is not None:
        from orders_cli.store import search as searching

        il = m.InvoiceLine.__table__
        fields = [t.c.number, t.c.subject, t.c.customer_ref, a.c.name, o.c.number]
        q = q.where(searching.clause(session, search, fields, [t.c.number, o.c.number], [(il.c.invoice_id == t.c.id, [il.c.sku, il.c.description])]))
    q = q.order_by(t.c.invoice_date.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    for row in session.connection().execution_options(stream_results=True, yield_per=1000).execute(q):
        st = receivable.standing(row.total, from_cents(row.credited), from_cents(row.paid), row.due_date, day, row.status, row.notes > 0)
        yield r.InvoiceRow(
            id=row.id,
            number=row.number,
            order=row.order_number,
            account=r.AccountRef(row.account_id, row.account_name),
            subject=row.subject,
            status=row.status,
            invoice_date=row.invoice_date,
            due_date=row.due_date,
            period_start=row.period_start,
            period_end=row.period_end,
            currency=row.currency,
            subtotal=Money(row.subtotal),
            tax=Money(row.tax_total),
            total=Money(row.total),
            paid=Money(st.paid),
            credited=Money(st.credited),
            balance=Money(st.balance),
            payment_state=st.state,
        )


def set_invoice_status(session: Session, ref: str, status: str, ctx: Context | None = None) -> r.Invoice:
    """Move an invoice along its statuses. ``paid`` records a payment of the balance first (dated
    today; none when nothing is left to pay): the result's ``recorded_payment`` says it.
    ``cancelled`` on an issued invoice issues a credit note of all that is not yet credited
    (``credits.credit_invoice``), dated today."""
    inv = get_invoice(session, ref)
    new = lifecycle.invoice_transition(inv.status, status)
    recorded = None
    if new == "paid":
        recorded = payments.settle(session, ctx or _default_context(), inv)
    if new == "cancelled":
        from orders_cli.invoicing import credits

        credited, notes, _ = balances.credited_and_paid(session, [inv.id])[inv.id]
        if credited < inv.total or not notes:
            credits.credit_invoice(session, ctx or _default_context(), inv.number, reason="invoice status cancelled")
    session.add(m.StatusChange(doc_type="invoice", doc_id=inv.id, old_status=inv.status, new_status=new))
    inv.status = new
    session.add(inv)
    session.flush()
    view = invoice_view(session, inv, (ctx or _default_context()).today)
    return dataclasses.replace(view, recorded_payment=Money(recorded)) if recorded is not None else view


def _default_context() -> Context:
    from orders_cli.adapters import settings
    from orders_cli.adapters.env import today

    return Context(today=today, settings=settings.current)
