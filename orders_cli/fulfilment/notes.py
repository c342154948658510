"""Use cases for the documents that move goods: delivery notes and purchase orders."""

from __future__ import annotations

import json
from decimal import Decimal
from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.store import schema as m
from orders_cli import store
from orders_cli.adapters import settings as config
from orders_cli.store import refs
from orders_cli.store import documents
from orders_cli.parties.catalog import address_of, rate_for
from orders_cli.core import pricing, text
from orders_cli.core.lines import parse_part
from orders_cli.core.money import fmt_money, plain, price_text
from orders_cli.adapters.env import today
from orders_cli.core.errors import Conflict, Invalid, NotFound, OverQuantity

ZERO = Decimal(0)
SHIP_FIELDS = ("street", "city", "postal_code", "state", "country")


def _ship_to(row) -> dict:
    return {f: getattr(row, f"ship_{f}") or "" for f in SHIP_FIELDS}


# ---------------------------------------------------------------- delivery notes


def convert_to_delivery(session: Session, ref: str, parts: list[str] | None = None, on: str | None = None) -> dict:
    """A delivery note for the remaining quantities of the product lines, or ``N:QTY`` parts."""
    order = documents.get(session, documents.ORDER, ref)
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: nothing to deliver")
    lines = documents.lines_of(session, documents.ORDER, order.id)
    delivered, _, _ = documents.progress_quantities(session, order.id)
    remaining = {ln.id: ln.quantity - delivered.get(ln.id, ZERO) for ln in lines}
    by_no = {ln.line_no: ln for ln in lines}
    wanted: dict[int, Decimal] = {}
    if parts:
        for part in parts:
            line_no, qty = parse_part(part)
            if line_no not in by_no:
                raise NotFound(f"{order.number} has no line {line_no}")
            ln = by_no[line_no]
            if ln.kind != "product":
                raise Invalid(f"{order.number} line {line_no} ({ln.sku}) is a service: services are not delivered")
            wanted[ln.id] = wanted.get(ln.id, ZERO) + qty
    else:
        wanted = {ln.id: remaining[ln.id] for ln in lines if ln.kind == "product" and remaining[ln.id] > 0}
    for ln in lines:
        if wanted.get(ln.id, ZERO) > remaining[ln.id]:
            raise OverQuantity(
                f"{order.number} line {ln.line_no} ({ln.sku}): {plain(wanted[ln.id])} asked, only {plain(max(remaining[ln.id], ZERO))} left to deliver"
            )
    if not wanted:
        raise OverQuantity(f"{order.number}: nothing left to deliver (services are never delivered)")
    day = text.parse_date(on, "--date") if on else today()
    note = m.Delivery(
        number=store.next_number(session, "delivery", config.current().prefix("delivery")),
        order_id=order.id,
        delivery_date=day,
        **{f"ship_{k}": v for k, v in address_of(order, "shipping").items()},
    )
    session.add(note)
    session.flush()
    session.execute(
        sa.insert(m.DeliveryLine.__table__),
        [
            {"delivery_id": note.id, "order_line_id": ln.id, "order_line_no": ln.line_no, "sku": ln.sku, "description": ln.description, "quantity": wanted[ln.id]}
            for ln in lines
            if ln.id in wanted
        ],
    )
    session.flush()
    return delivery_view(session, note)


def delivery_view(session: Session, note: m.Delivery) -> dict:
    order = session.get(m.SalesOrder, note.order_id)
    account = session.get(m.Account, order.account_id)
    lines = session.exec(select(m.DeliveryLine).where(m.DeliveryLine.delivery_id == note.id).order_by(m.DeliveryLine.order_line_no)).all()
    return {
        "id": note.id,
        "number": note.number,
        "order": order.number,
        "account": {"id": account.id, "name": account.name},
        "date": note.delivery_date.isoformat(),
        "status": note.status,
        "language": order.language or account.language,
        "ship_to": _ship_to(note),
        "lines": [{"line_no": ln.order_line_no, "sku": ln.sku, "description": ln.description, "quantity": plain(ln.quantity)} for ln in lines],
    }


def show_delivery(session: Session, ref: str) -> dict:
    return delivery_view(session, refs.document(session, m.Delivery, ref, "delivery note"))


def list_deliveries(session: Session, order: str | None = None, limit: int | None = None) -> Iterator[dict]:
    t = m.Delivery.__table__
    o = m.SalesOrder.__table__
    a = m.Account.__table__
    q = sa.select(t.c.id, t.c.number, t.c.delivery_date, t.c.status, o.c.number.label("order_number"), a.c.name.label("account_name")).join(
        o, o.c.id == t.c.order_id
    ).join(a, a.c.id == o.c.account_id)
    if order:
        q = q.where(t.c.order_id == documents.get(session, documents.ORDER, order).id)
    q = q.order_by(t.c.delivery_date.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    for row in session.execute(q):
        yield {"id": row.id, "number": row.number, "order": row.order_number, "account": row.account_name, "date": row.delivery_date.isoformat(), "status": row.status}


# ---------------------------------------------------------------- purchase orders


def convert_to_purchase(session: Session, ref: str, line_nos: list[int] | None = None) -> tuple[list[dict], list[str]]:
    """One purchase order per vendor for the chosen lines (default: every product line with a
    vendor not yet on a purchase order), each line at the product's purchase cost, shipping to
    the order's shipping address. Returns the purchase orders and the lines it could not place."""
    order = documents.get(session, documents.ORDER, ref)
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: nothing to purchase")
    lines = documents.lines_of(session, documents.ORDER, order.id)
    by_no = {ln.line_no: ln for ln in lines}
    on_po = set(
        session.execute(
            sa.select(m.PurchaseLine.order_line_id)
            .join(m.PurchaseOrder, m.PurchaseOrder.id == m.PurchaseLine.purchase_order_id)
            .where(m.PurchaseOrder.order_id == order.id, m.PurchaseOrder.status != "cancelled")
        ).scalars()
    )
    if line_nos:
        chosen = []
        for n in line_nos:
            if n not in by_no:
                raise NotFound(f"{order.number} has no line {n}")
            chosen.append(by_no[n])
    else:
        chosen = [ln for ln in lines if ln.kind == "product" and ln.id not in on_po]
    products = {p.id: p for p in session.exec(select(m.Product).where(m.Product.id.in_([ln.product_id for ln in chosen if ln.product_id])))}
    groups: dict[int, list] = {}
    unplaced: list[str] = []
    for ln in chosen:
        product = products.get(ln.product_id)
        if product is None or product.vendor_id is None:
            unplaced.append(f"line {ln.line_no} ({ln.sku}): the product has no vendor")
            continue
        groups.setdefault(product.vendor_id, []).append((ln, product))
    if not groups:
        if not line_nos and on_po:  # what had a vendor is already ordered; the rest has none
            raise Conflict(f"{order.number}: every product line with a vendor is already on a purchase order (name lines with --line to order again)")
        if not chosen:
            raise Invalid(f"{order.number} has no product line to purchase (services are not purchased)")
        raise Invalid(f"{order.number}: no chosen line has a vendor (" + "; ".join(unplaced) + ")")
    made = []
    for vendor_id in sorted(groups):
        items = groups[vendor_id]
        nets = []
        rows = []
        for ln, product in items:
            cost = product.cost if product.cost is not None else ZERO
            net = pricing.line_net(ln.quantity, cost, None)
            taxes = tuple(pricing.TaxRate(t.name, rate_for(session, t, None)) for t in _taxes(session, product.id))
            nets.append((net, taxes))
            rows.append({"order_line_id": ln.id, "order_line_no": ln.line_no, "product_id": product.id, "sku": product.sku,
                         "description": product.name, "quantity": ln.quantity, "unit_cost": cost, "net": net})
        totals = pricing.totals_from_nets(nets)
        po = m.PurchaseOrder(
            number=store.next_number(session, "purchase", config.current().prefix("purchase")),
            order_id=order.id,
            vendor_id=vendor_id,
            po_date=today(),
            currency=order.currency,
            subtotal=totals.subtotal,
            tax_total=totals.tax,
            total=totals.total,
            tax_breakdown=documents.totals_columns(totals)["tax_breakdown"],
            **{f"ship_{k}": v for k, v in address_of(order, "shipping").items()},
        )
        session.add(po)
        session.flush()
        session.execute(sa.insert(m.PurchaseLine.__table__), [dict(r, purchase_order_id=po.id) for r in rows])
        session.flush()
        made.append(purchase_view(session, po))
    return made, unplaced


def _taxes(session: Session, product_id: int) -> list[m.Tax]:
    from orders_cli.parties.catalog import product_taxes

    return product_taxes(session, product_id)


def purchase_view(session: Session, po: m.PurchaseOrder) -> dict:
    order = session.get(m.SalesOrder, po.order_id) if po.order_id else None
    vendor = session.get(m.Vendor, po.vendor_id)
    lines = session.exec(select(m.PurchaseLine).where(m.PurchaseLine.purchase_order_id == po.id).order_by(m.PurchaseLine.id)).all()
    return {
        "id": po.id,
        "number": po.number,
        "order": order.number if order else None,
        "vendor": {"id": vendor.id, "name": vendor.name, "email": vendor.email},
        "date": po.po_date.isoformat(),
        "status": po.status,
        "currency": po.currency,
        "ship_to": _ship_to(po),
        "lines": [
            {"line_no": ln.order_line_no, "sku": ln.sku, "description": ln.description, "quantity": plain(ln.quantity),
             "unit_cost": price_text(ln.unit_cost), "net": fmt_money(ln.net)}
            for ln in lines
        ],
        "totals": {"subtotal": fmt_money(po.subtotal), "tax": fmt_money(po.tax_total), "total": fmt_money(po.total),
                   "tax_breakdown": json.loads(po.tax_breakdown)},
    }


def show_purchase(session: Session, ref: str) -> dict:
    return purchase_view(session, refs.document(session, m.PurchaseOrder, ref, "purchase order"))


def list_purchases(session: Session, order: str | None = None, vendor: str | None = None, limit: int | None = None) -> Iterator[dict]:
    t = m.PurchaseOrder.__table__
    o = m.SalesOrder.__table__
    v = m.Vendor.__table__
    q = sa.select(t.c.id, t.c.number, t.c.po_date, t.c.status, t.c.total, o.c.number.label("order_number"), v.c.name.label("vendor_name")).join(
        v, v.c.id == t.c.vendor_id
    ).outerjoin(o, o.c.id == t.c.order_id)
    if order:
        q = q.where(t.c.order_id == documents.get(session, documents.ORDER, order).id)
    if vendor:
        q = q.where(t.c.vendor_id == refs.vendor(session, vendor).id)
    q = q.order_by(t.c.po_date.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    for row in session.execute(q):
        yield {"id": row.id, "number": row.number, "order": row.order_number, "vendor": row.vendor_name, "date": row.po_date.isoformat(),
               "status": row.status, "total": fmt_money(row.total)}
