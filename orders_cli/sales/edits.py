"""Changing orders and quotes: header and amounts, lines, status, finalize, duplicate (a
quote's life and its conversion into an order: quotes.py). Totals are recomputed after every change; each change of a
field is logged (``order history``). Every use case returns the document's view.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import lifecycle, text
from orders_cli.core.context import Context
from orders_cli.core.errors import Conflict, Invalid, Locked, NotFound
from orders_cli.core.money import Quantity, non_negative, positive, text_of
from orders_cli.parties.catalog import address_of
from orders_cli.parties.edits import refuse_archived
from orders_cli.parties.resolver import Resolver
from orders_cli.parties.taxes import require_buyer_vat_id
from orders_cli.sales import guards
from orders_cli.sales.inputs import (
    LineInput,
    Prepared,
    address_override,
    amount_or_zero,
    compute,
    discount_text,
    doc_charges,
    insert,
    prepare_line,
    valid_until,
)
from orders_cli.sales.results import DocView
from orders_cli.sales.views import view
from orders_cli.store import schema as m
from orders_cli.store.documents import (
    ORDER,
    doc_charges_from_json,
    QUOTE,
    Kind,
    get,
    lines_of,
    order_invoice_numbers,
    progress_quantities,
)

AMOUNTS_LOCKED = "make a credit note (coming next) for what was invoiced wrongly, or add a line for what is new"


def _log(session: Session, kind: Kind, doc_id: int, field_name: str, old: Any, new: Any) -> None:
    def fmt(v):
        if v is None:
            return None
        if isinstance(v, Decimal):
            return text_of(Quantity(v))  # the stored text: "2.5", "12"
        if isinstance(v, date):
            return v.isoformat()
        return str(v)

    if fmt(old) != fmt(new):
        session.add(m.FieldChange(doc_type=kind.name, doc_id=doc_id, field=field_name, old_value=fmt(old), new_value=fmt(new)))


def _editable(doc, kind: Kind, what: str) -> None:
    if kind is ORDER:
        lifecycle.check_editable(doc.finalized, what, doc.number)
    else:
        lifecycle.check_quote_editable(doc.status, doc.number)


def recompute(session: Session, ctx: Context, kind: Kind, doc, extras=None) -> None:
    """The document's totals again from its lines; ``extras`` its new allowances and charges
    (None: the ones it has)."""
    lines = lines_of(session, kind, doc.id)
    dicts = [{"line_no": ln.line_no, "quantity": ln.quantity, "unit_price": ln.unit_price, "discount": ln.discount, "taxes": ln.taxes,
              "base_quantity": ln.base_quantity} for ln in lines]
    account = session.get(m.Account, doc.account_id)
    rv = Resolver(session, ctx.settings)
    if extras is None:
        extras = doc_charges_from_json(doc.doc_charges)
    cols = compute(dicts, doc.discount, doc.shipping_charge, rv.charge_tax(account.tax_region), doc.adjustment, extras)
    for ln, d in zip(lines, dicts):
        if ln.net != d["net"]:
            ln.net = d["net"]
            session.add(ln)
    for key, value in cols.items():
        setattr(doc, key, value)
    if kind is ORDER:
        doc.updated_at = m.utcnow()
    session.add(doc)
    session.flush()


def edit(session: Session, ctx: Context, kind: Kind, ref: str, changes: dict) -> DocView:
    """Change header fields, document-level amounts or addresses; totals are recomputed."""
    doc = get(session, kind, ref)
    if not changes:
        raise Invalid("nothing to change: give at least one option (see --help)")
    _editable(doc, kind, "header")
    rv = Resolver(session, ctx.settings)
    account = session.get(m.Account, doc.account_id)
    setters: dict[str, Any] = {}
    if "subject" in changes:
        setters["subject"] = text.clean(changes["subject"], "subject", 500, required=True)
    if "contact" in changes:
        setters["contact_id"] = rv.contact(changes["contact"], account).id if changes["contact"] else None
    if "assigned_to" in changes:
        setters["assigned_user_id"] = rv.user(changes["assigned_to"]).id if changes["assigned_to"] else None
    if "customer_ref" in changes and kind is ORDER:
        setters["customer_ref"] = text.optional(changes["customer_ref"], "customer reference", 200)
    if "date" in changes:
        setters[kind.date_field] = text.parse_date(changes["date"], f"{kind.label} date")
    if kind is QUOTE and ("valid_until" in changes or "date" in changes):
        day = setters.get("quote_date", doc.quote_date)
        setters["valid_until"] = valid_until(ctx, day, changes["valid_until"]) if "valid_until" in changes else doc.valid_until
        if setters["valid_until"] is not None and setters["valid_until"] < day:
            raise Invalid(f"the quote date {day.isoformat()} would be after its valid-until date {setters['valid_until'].isoformat()}: "
                          "give a new --valid-until too")
    if "discount" in changes:
        setters["discount"] = discount_text(changes["discount"])
    if "shipping_charge" in changes:
        setters["shipping_charge"] = amount_or_zero(changes["shipping_charge"], "shipping charge")
    if "adjustment" in changes:
        setters["adjustment"] = amount_or_zero(changes["adjustment"], "adjustment", allow_negative=True)
    extras = None
    if "allowances_charges" in changes:
        extras = doc_charges(rv, changes["allowances_charges"] or [], account.tax_region)
    if kind is ORDER:
        amounts = {"discount": "discount", "shipping_charge": "shipping charge", "adjustment": "adjustment"}
        changed = [label for key, label in amounts.items() if key in setters and setters[key] != getattr(doc, key)]
        if extras is not None and extras != doc_charges_from_json(doc.doc_charges):
            changed.append("allowances and charges")
        if changed:
            numbers = order_invoice_numbers(session, doc.id)
            if numbers:
                # the invoices already issued were computed with the old amounts: a new value
                # would leave the order and its invoices disagreeing for good
                raise Locked(f"{doc.number} has invoices ({', '.join(numbers)}): its {', '.join(changed)} can no longer change: "
                             f"{AMOUNTS_LOCKED}")
    for prefix in ("billing", "shipping"):
        part = changes.get(prefix)
        if part:
            for key, value in address_override(address_of(doc, prefix), part, prefix).items():
                setters[f"{prefix}_{key}"] = value
    for key, value in setters.items():
        _log(session, kind, doc.id, key, getattr(doc, key), value)
        setattr(doc, key, value)
    old_charges = doc.doc_charges
    recompute(session, ctx, kind, doc, extras)
    if doc.doc_charges != old_charges:
        _log(session, kind, doc.id, "doc_charges", old_charges, doc.doc_charges)
    return view(session, kind, doc, ctx.today)


def add_lines(session: Session, ctx: Context, kind: Kind, ref: str, specs: list[str]) -> DocView:
    doc = get(session, kind, ref)
    _editable(doc, kind, "lines")
    if not specs:
        raise Invalid("give at least one --line SKU:QTY[:PRICE[:DISCOUNT]]")
    rv = Resolver(session, ctx.settings)
    account = session.get(m.Account, doc.account_id)
    last = session.execute(sa.select(sa.func.max(kind.line_table.line_no)).where(getattr(kind.line_table, kind.fk) == doc.id)).scalar() or 0
    for i, spec in enumerate(specs, start=1):
        row = prepare_line(rv, LineInput.parse(spec), last + i, account.tax_region)
        require_buyer_vat_id(doc.number, [(row["line_no"], row["sku"], row["taxes"])], account)
        row["net"] = Decimal("0.00")
        session.add(kind.line_table(**row, **{kind.fk: doc.id}))
        _log(session, kind, doc.id, f"line {last + i}", None, spec)
    session.flush()
    recompute(session, ctx, kind, doc)
    return view(session, kind, doc, ctx.today)


def _line(session: Session, kind: Kind, doc, line_no: int):
    if not 0 < line_no < 2**31:  # also keeps a huge number away from the driver (OverflowError)
        raise NotFound(f"{doc.number} has no line {line_no}")
    lt = kind.line_table
    ln = session.exec(select(lt).where(getattr(lt, kind.fk) == doc.id, lt.line_no == line_no)).first()
    if ln is None:
        raise NotFound(f"{doc.number} has no line {line_no}")
    return ln


def edit_line(session: Session, ctx: Context, kind: Kind, ref: str, line_no: int, quantity=None, price=None, discount=None, comment=None) -> DocView:
    doc = get(session, kind, ref)
    _editable(doc, kind, "lines")
    ln = _line(session, kind, doc, line_no)
    if quantity is None and price is None and discount is None and comment is None:
        raise Invalid("nothing to change: give --qty, --price, --discount or --comment")
    if kind is ORDER:
        delivered, invoiced, _ = progress_quantities(session, doc.id)
        billed = invoiced.get(ln.id, Decimal(0))
        new_price = non_negative(price, "price") != ln.unit_price if price is not None else False
        new_discount = discount_text(discount, f"line {line_no} discount") != ln.discount if discount is not None else False
        if billed and (new_price or new_discount):
            # the units already invoiced were priced the old way: a new price or discount would
            # leave the line's invoices disagreeing with it (a negative or false remainder)
            how = "fully" if billed >= ln.quantity else f"partly ({text_of(billed)} of {text_of(ln.quantity)})"
            raise Locked(f"line {line_no} is {how} invoiced; its price and discount can no longer change: {AMOUNTS_LOCKED}")
    if quantity is not None:
        q = positive(quantity, "quantity")
        if kind is ORDER:
            floor = max(delivered.get(ln.id, Decimal(0)), billed)
            if q < floor:
                raise Conflict(f"line {line_no}: {text_of(floor)} already delivered or invoiced; the quantity cannot go below that")
        _log(session, kind, doc.id, f"line {line_no} quantity", ln.quantity, q)
        ln.quantity = q
    if price is not None:
        p = non_negative(price, "price")
        _log(session, kind, doc.id, f"line {line_no} unit_price", ln.unit_price, p)
        ln.unit_price = p
    if discount is not None:
        d = discount_text(discount, f"line {line_no} discount")
        _log(session, kind, doc.id, f"line {line_no} discount", ln.discount, d)
        ln.discount = d
    if comment is not None:
        ln.comment = text.optional(comment, "comment", 2000)
    session.add(ln)
    session.flush()
    recompute(session, ctx, kind, doc)
    return view(session, kind, doc, ctx.today)


def remove_line(session: Session, ctx: Context, kind: Kind, ref: str, line_no: int) -> DocView:
    doc = get(session, kind, ref)
    _editable(doc, kind, "lines")
    ln = _line(session, kind, doc, line_no)
    if kind is ORDER:
        used = session.execute(sa.select(sa.func.count()).select_from(m.InvoiceLine).where(m.InvoiceLine.order_line_id == ln.id)).scalar_one()
        used += session.execute(sa.select(sa.func.count()).select_from(m.DeliveryLine).where(m.DeliveryLine.order_line_id == ln.id)).scalar_one()
        used += session.execute(sa.select(sa.func.count()).select_from(m.PurchaseLine).where(m.PurchaseLine.order_line_id == ln.id)).scalar_one()
        if used:
            raise Conflict(f"line {line_no} is on an invoice, delivery note or purchase order; it cannot be removed")
    _log(session, kind, doc.id, f"line {line_no}", f"{ln.sku}:{text_of(ln.quantity)}", None)
    session.delete(ln)
    session.flush()
    recompute(session, ctx, kind, doc)
    return view(session, kind, doc, ctx.today)


def set_status(session: Session, ctx: Context, ref: str, status: str, force: bool = False) -> DocView:
    """A new status, kept in the history; ``delivered`` with goods undelivered needs ``force``."""
    doc = get(session, ORDER, ref)
    new = lifecycle.order_transition(doc.status, status)
    if new == "delivered" and not force:
        guards.check_delivered(session, doc)
    session.add(m.StatusChange(doc_type="order", doc_id=doc.id, old_status=doc.status, new_status=new))
    doc.status = new
    doc.updated_at = m.utcnow()
    session.add(doc)
    session.flush()
    return view(session, ORDER, doc, ctx.today)


def finalize(session: Session, ctx: Context, ref: str) -> DocView:
    doc = get(session, ORDER, ref)
    if doc.finalized:
        raise Locked(f"{doc.number} is already finalized")
    if not lines_of(session, ORDER, doc.id):
        raise Invalid(f"{doc.number} has no lines: add some before finalizing")
    doc.finalized = True
    doc.finalized_at = m.utcnow()
    doc.updated_at = doc.finalized_at
    session.add(doc)
    session.add(m.FieldChange(doc_type="order", doc_id=doc.id, field="finalized", old_value="false", new_value="true"))
    session.flush()
    return view(session, ORDER, doc, ctx.today)


def duplicate(session: Session, ctx: Context, kind: Kind, ref: str) -> DocView:
    """A new document (new number, status created, not finalized, today's date) with the
    same header and lines, and no links to the old one's invoices, deliveries or purchases."""
    doc = get(session, kind, ref)
    header = {c: getattr(doc, c) for c in kind.table.__table__.c.keys()}
    for c in ("id", "number", "status", "created_at", "updated_at", "finalized", "finalized_at"):
        header.pop(c, None)
    header[kind.date_field] = ctx.today
    if kind is QUOTE:
        header["valid_until"] = valid_until(ctx, ctx.today)
    lines = []
    for ln in lines_of(session, kind, doc.id):
        if ln.product_id is not None:  # a new document: no archived product on it
            refuse_archived(session.get(m.Product, ln.product_id), f"{doc.number} line {ln.line_no}")
        row = {c: getattr(ln, c) for c in kind.line_table.__table__.c.keys() if c not in ("id", kind.fk)}
        lines.append(row)
    account = session.get(m.Account, doc.account_id)
    ((new_id, _),) = insert(session, ctx, kind, [Prepared(header, lines, "created", False, None, account)])
    return view(session, kind, session.get(kind.table, new_id), ctx.today)
