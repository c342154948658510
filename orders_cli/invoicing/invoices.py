"""Use cases for invoices: made from orders (whole, per line, or a percent), shown,
listed, moved through their statuses; and the recurrence settings of an order.

Invariant: once every line of an order is fully invoiced, its (non-cancelled,
non-recurring) invoices add up exactly, to the cent, to the order's total and to each
rate of its tax breakdown, because the last invoice is the order minus the others.
"""

from __future__ import annotations

import json
from datetime import date, timedelta
from decimal import Decimal
from typing import Any, Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.store import schema as m
from orders_cli import store
from orders_cli.adapters import settings as config
from orders_cli.store import refs
from orders_cli.store import documents
from orders_cli.parties.resolver import Resolver
from orders_cli.parties.catalog import address_of
from orders_cli.core import lifecycle, pricing, text
from orders_cli.core.lines import parse_part
from orders_cli.core.money import D, fmt_money, plain, price_text
from orders_cli.adapters.env import today
from orders_cli.core.errors import Invalid, NotFound, OverQuantity

ZERO = Decimal(0)


def _earlier_invoices(session: Session, order_id: int) -> list[m.Invoice]:
    return list(
        session.exec(
            select(m.Invoice).where(
                m.Invoice.order_id == order_id, m.Invoice.recurring == False, m.Invoice.status != "cancelled"  # noqa: E712
            )
        )
    )


def _invoiced_nets(session: Session, invoice_ids: list[int]) -> dict[int, Decimal]:
    nets: dict[int, Decimal] = {}
    if invoice_ids:
        for line_id, net in session.execute(
            sa.select(m.InvoiceLine.order_line_id, m.InvoiceLine.net).where(m.InvoiceLine.invoice_id.in_(invoice_ids))
        ):
            if line_id is not None:
                nets[line_id] = nets.get(line_id, ZERO) + net
    return nets


def _percent(value: Any) -> Decimal:
    p = D(value, "--percent")
    if p <= 0 or p > 100:
        raise Invalid(f"--percent is between 0 (excluded) and 100, got {plain(p)}")
    if p != p.quantize(Decimal("0.01")):
        raise Invalid(f"--percent has at most 2 decimal places, got {plain(p)}")
    return p


def invoice_date_and_due(on: Any, due_days: int) -> tuple[date, date]:
    day = text.parse_date(on, "--date") if on not in (None, "") else today()
    return day, day + timedelta(days=due_days)


def convert_to_invoice(session: Session, ref: str, parts: list[str] | None = None, percent: Any = None, on: Any = None) -> dict:
    """Invoice an order: the remaining quantities (default), ``N:QTY`` parts of lines, or P % of every line."""
    order = documents.get(session, documents.ORDER, ref)
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: nothing to invoice")
    if parts and percent is not None:
        raise Invalid("use --line or --percent, not both")
    lines = documents.lines_of(session, documents.ORDER, order.id)
    if not lines:
        raise Invalid(f"{order.number} has no lines to invoice")
    _, invoiced, _ = documents.progress_quantities(session, order.id)
    remaining = {ln.id: ln.quantity - invoiced.get(ln.id, ZERO) for ln in lines}
    by_no = {ln.line_no: ln for ln in lines}

    wanted: dict[int, Decimal] = {}
    if parts:
        for part in parts:
            line_no, qty = parse_part(part)
            if line_no not in by_no:
                raise NotFound(f"{order.number} has no line {line_no}")
            ln = by_no[line_no]
            wanted[ln.id] = wanted.get(ln.id, ZERO) + qty
    elif percent is not None:
        p = _percent(percent)
        for ln in lines:
            wanted[ln.id] = pricing.part_quantity(ln.quantity, p)
            if wanted[ln.id].as_tuple().exponent < -10:  # what a stored quantity can hold (core.money.MAX_PLACES)
                raise Invalid(
                    f"--percent {plain(p)} of line {ln.line_no} ({plain(ln.quantity)}) has more than 10 decimal places; "
                    f"invoice it with --line {ln.line_no}:QTY"
                )
    else:
        wanted = {ln.id: remaining[ln.id] for ln in lines if remaining[ln.id] > 0}
    for ln in lines:
        qty = wanted.get(ln.id, ZERO)
        if qty > remaining[ln.id]:
            raise OverQuantity(
                f"{order.number} line {ln.line_no} ({ln.sku}): {plain(qty)} asked, only {plain(max(remaining[ln.id], ZERO))} left to invoice"
            )
    wanted = {k: v for k, v in wanted.items() if v > 0}
    if not wanted:
        raise OverQuantity(f"{order.number} is fully invoiced: nothing left to invoice")

    earlier = _earlier_invoices(session, order.id)
    final = all(remaining[ln.id] - wanted.get(ln.id, ZERO) == 0 for ln in lines)
    first = not earlier
    earlier_nets = _invoiced_nets(session, [i.id for i in earlier])
    account = session.get(m.Account, order.account_id)
    charge = Resolver(session).charge_tax(account.tax_region)

    inv_lines = []
    for ln in lines:
        qty = wanted.get(ln.id)
        if not qty:
            continue
        if qty == remaining[ln.id]:
            # the last part of a line (on any invoice) takes what is left of its net, so a
            # line's invoiced nets add up to its net and the final invoice's lines to its subtotal
            net = ln.net - earlier_nets.get(ln.id, ZERO)
        else:
            net = pricing.prorate(ln.net, qty, ln.quantity)
        inv_lines.append((ln, qty, net))

    if final:
        totals = pricing.remainder_totals(documents.totals_from_row(order), [documents.totals_from_row(i) for i in earlier])
    else:
        discount = pricing.parse_discount(order.discount)
        nets = [(net, documents.taxes_from_json(ln.taxes)) for ln, _, net in inv_lines]
        subtotal = sum((n for n, _ in nets), ZERO)
        if discount is not None and discount.kind == "amount":
            discount = pricing.Discount("amount", min(discount.value, subtotal)) if first and subtotal > 0 else None
        totals = pricing.totals_from_nets(
            nets,
            discount,
            order.shipping_charge if first else ZERO,
            charge,
            order.adjustment if first else ZERO,
        )

    due_days = _due_days_setting()
    day, due = invoice_date_and_due(on, due_days)
    number = store.next_number(session, "invoice", config.current().prefix("invoice"))
    inv = m.Invoice(
        number=number,
        order_id=order.id,
        account_id=order.account_id,
        subject=order.subject,
        status="created",
        invoice_date=day,
        due_date=due,
        due_days=due_days,
        percent=_percent(percent) if percent is not None else None,
        currency=order.currency,
        language=order.language,
        discount=order.discount,
        **{f"billing_{k}": v for k, v in address_of(order, "billing").items()},
        **{f"shipping_{k}": v for k, v in address_of(order, "shipping").items()},
        **documents.totals_columns(totals),
    )
    session.add(inv)
    session.flush()
    session.execute(
        sa.insert(m.InvoiceLine.__table__),
        [
            {
                "invoice_id": inv.id,
                "line_no": i,
                "order_line_id": ln.id,
                "order_line_no": ln.line_no,
                "product_id": ln.product_id,
                "sku": ln.sku,
                "description": ln.description,
                "kind": ln.kind,
                "quantity": qty,
                "unit_price": ln.unit_price,
                "discount": ln.discount,
                "net": net,
                "taxes": ln.taxes,
                "comment": ln.comment,
            }
            for i, (ln, qty, net) in enumerate(inv_lines, start=1)
        ],
    )
    session.add(m.StatusChange(doc_type="invoice", doc_id=inv.id, old_status=None, new_status="created"))
    session.flush()
    return invoice_view(session, inv)


def _due_days_setting() -> int:
    from orders_cli.adapters import settings as config

    return int(config.current().get("invoice.due_days"))


# ---------------------------------------------------------------- viewing invoices


def invoice_view(session: Session, inv: m.Invoice) -> dict:
    order = session.get(m.SalesOrder, inv.order_id) if inv.order_id else None
    account = session.get(m.Account, inv.account_id)
    lines = session.exec(select(m.InvoiceLine).where(m.InvoiceLine.invoice_id == inv.id).order_by(m.InvoiceLine.line_no)).all()
    return {
        "id": inv.id,
        "number": inv.number,
        "order": order.number if order else None,
        "account": {"id": account.id, "name": account.name},
        "subject": inv.subject,
        "status": inv.status,
        "invoice_date": inv.invoice_date.isoformat(),
        "due_date": inv.due_date.isoformat() if inv.due_date else None,
        "due_days": inv.due_days,
        "period_start": inv.period_start.isoformat() if inv.period_start else None,
        "period_end": inv.period_end.isoformat() if inv.period_end else None,
        "recurring": inv.recurring,
        "percent": plain(inv.percent) if inv.percent is not None else None,
        "currency": inv.currency,
        "language": inv.language or account.language,
        "billing_address": address_of(inv, "billing"),
        "shipping_address": address_of(inv, "shipping"),
        "discount": inv.discount,
        "lines": [
            {
                "line_no": ln.order_line_no,
                "sku": ln.sku,
                "description": ln.description,
                "kind": ln.kind,
                "quantity": plain(ln.quantity),
                "unit_price": price_text(ln.unit_price),
                "discount": ln.discount,
                "net": fmt_money(ln.net),
                "taxes": json.loads(ln.taxes),
            }
            for ln in lines
        ],
        "totals": documents.totals_view(inv),
    }


def get_invoice(session: Session, ref: str) -> m.Invoice:
    return refs.document(session, m.Invoice, ref, "invoice")


def show_invoice(session: Session, ref: str) -> dict:
    return invoice_view(session, get_invoice(session, ref))


def list_invoices(session: Session, order: str | None = None, status: str | None = None, since: str | None = None,
                  until: str | None = None, account: str | None = None, limit: int | None = None) -> Iterator[dict]:
    t = m.Invoice.__table__
    o = m.SalesOrder.__table__
    a = m.Account.__table__
    q = (
        sa.select(t.c.id, t.c.number, t.c.subject, t.c.status, t.c.invoice_date, t.c.due_date, t.c.period_start, t.c.period_end,
                  t.c.currency, t.c.subtotal, t.c.tax_total, t.c.total, o.c.number.label("order_number"), a.c.id.label("account_id"),
                  a.c.name.label("account_name"))
        .join(a, a.c.id == t.c.account_id)
        .outerjoin(o, o.c.id == t.c.order_id)
    )
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
    q = q.order_by(t.c.invoice_date.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    for row in session.connection().execution_options(stream_results=True, yield_per=1000).execute(q):
        yield {
            "id": row.id,
            "number": row.number,
            "order": row.order_number,
            "account": {"id": row.account_id, "name": row.account_name},
            "subject": row.subject,
            "status": row.status,
            "invoice_date": row.invoice_date.isoformat(),
            "due_date": row.due_date.isoformat() if row.due_date else None,
            "period_start": row.period_start.isoformat() if row.period_start else None,
            "period_end": row.period_end.isoformat() if row.period_end else None,
            "currency": row.currency,
            "subtotal": fmt_money(row.subtotal),
            "tax": fmt_money(row.tax_total),
            "total": fmt_money(row.total),
        }


def set_invoice_status(session: Session, ref: str, status: str) -> dict:
    inv = get_invoice(session, ref)
    new = lifecycle.invoice_transition(inv.status, status)
    session.add(m.StatusChange(doc_type="invoice", doc_id=inv.id, old_status=inv.status, new_status=new))
    inv.status = new
    session.add(inv)
    session.flush()
    return invoice_view(session, inv)
