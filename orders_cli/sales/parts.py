"""Pieces of an order's or a quote's view built from its stored rows, whoever read them: the
ORM (views.py) or the standard library's sqlite3 (quick.py). Light: no SQLAlchemy."""

from __future__ import annotations

from decimal import Decimal

from orders_cli.core import pricing
from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.stored import address_of, taxes_from_json, totals_from_row
from orders_cli.sales.results import (
    DocView,
    LineView,
    OrderRelated,
    PartyRef,
    Progress,
    QuoteRef,
    QuoteRelated,
    RelatedActivity,
    RelatedCredit,
    RelatedDelivery,
    RelatedDocument,
    RelatedInvoice,
    RelatedPurchase,
)

ZERO = Decimal(0)


def line_view(ln, delivered: Decimal | None = None, invoiced: Decimal | None = None) -> LineView:
    """A stored line; an order's with the quantities delivered and invoiced of it."""
    out = LineView(
        line_no=ln.line_no,
        sku=ln.sku,
        description=ln.description,
        kind=ln.kind,
        quantity=Quantity(ln.quantity),
        unit_price=Price(ln.unit_price),
        discount=ln.discount,
        net=Money(ln.net),
        taxes=taxes_from_json(ln.taxes),
        comment=ln.comment,
        unit_code=ln.unit_code,
        base_quantity=Quantity(ln.base_quantity if ln.base_quantity is not None else 1),
    )
    if delivered is not None:
        out.delivered_quantity = Quantity(delivered)
        out.invoiced_quantity = Quantity(invoiced or ZERO)
    return out


def progress_view(lines, delivered: dict, invoiced: dict, invoiced_amount: Decimal) -> Progress:
    inv = [(ln.net, ln.quantity, invoiced.get(ln.id, ZERO)) for ln in lines]
    dlv = [(ln.net, ln.quantity, delivered.get(ln.id, ZERO)) for ln in lines if ln.kind == "product"]
    return Progress(
        delivered_percent=Quantity(pricing.percent_done(dlv)),
        invoiced_percent=Quantity(pricing.percent_done(inv)),
        invoiced_amount=Money(invoiced_amount),
    )


def head(doc, account, contact: PartyRef | None, assigned_to: PartyRef | None) -> DocView:
    """What an order's and a quote's view share: header, addresses, amounts and totals (the
    lines and relations are the caller's); ``account`` its stored row (None if gone)."""
    return DocView(
        id=doc.id,
        number=doc.number,
        subject=doc.subject,
        status=doc.status,
        currency=doc.currency,
        language=getattr(doc, "language", None) or (account.language if account else None),
        account=PartyRef(account.id, account.name) if account else None,
        contact=contact,
        assigned_to=assigned_to,
        billing_address=address_of(doc, "billing"),
        shipping_address=address_of(doc, "shipping"),
        discount=doc.discount,
        shipping_charge=Money(doc.shipping_charge),
        adjustment=Money(doc.adjustment),
        lines=[],
        totals=totals_from_row(doc),
        related=QuoteRelated([]),
    )


def order_body(out: DocView, doc, quote, lines, delivered: dict, invoiced: dict, invoiced_amount: Decimal) -> None:
    """An order's own fields of its view: its quote's number, its lines with what was delivered
    and invoiced of each (``store.documents.progress_quantities``) and the progress."""
    out.finalized = doc.finalized
    out.order_date = doc.order_date
    out.quote = quote.number if quote else None
    out.customer_ref = doc.customer_ref
    out.lines = [line_view(ln, delivered.get(ln.id, ZERO), invoiced.get(ln.id, ZERO)) for ln in lines]
    out.progress = progress_view(lines, delivered, invoiced, invoiced_amount)


def order_related(quote, invoices, purchases, deliveries, documents, activities, credits) -> OrderRelated:
    """An order's related records, each in id order: ``purchases`` (number, vendor name, total),
    ``documents`` (id, filename, size, sha256, content type), ``credits`` those of ``invoices``."""
    numbers = {i.id: i.number for i in invoices}
    return OrderRelated(
        quote=QuoteRef(quote.number, quote.status) if quote else None,
        invoices=[RelatedInvoice(i.number, i.invoice_date, i.status, Money(i.total), i.period_start, i.period_end) for i in invoices],
        purchase_orders=[RelatedPurchase(number, vendor, Money(total)) for number, vendor, total in purchases],
        deliveries=[RelatedDelivery(d.number, d.delivery_date, d.status) for d in deliveries],
        documents=[RelatedDocument(id=d[0], filename=d[1], content_type=d[4], size=d[2], sha256=d[3]) for d in documents],
        activities=[RelatedActivity(a.id, a.type, a.subject, a.due, a.done, a.invoice, a.note) for a in activities],
        credit_notes=[RelatedCredit(c.number, c.credit_date, numbers[c.invoice_id], Money(c.total)) for c in credits],
    )
