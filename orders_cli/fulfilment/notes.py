"""Use cases for the documents that move goods: delivery notes and purchase orders. They
return the typed results of ``results.py``; what a delivery note may take is ``core.planner``'s rule."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli import store
from orders_cli.core import planner, pricing, text
from orders_cli.core.context import Context
from orders_cli.core.errors import Conflict, Invalid, NotFound
from orders_cli.core.money import Money, Price, Quantity
from orders_cli.fulfilment import results as r
from orders_cli.parties.catalog import address_of, rate_for
from orders_cli.store import documents, refs
from orders_cli.store import schema as m

ZERO = Decimal(0)
SHIP_FIELDS = ("street", "city", "postal_code", "state", "country")


def _ship_to(row) -> dict:
    return {f: getattr(row, f"ship_{f}") or "" for f in SHIP_FIELDS}


# ---------------------------------------------------------------- delivery notes


def convert_to_delivery(session: Session, ctx: Context, ref: str, parts: list[str] | None = None, on: str | None = None) -> r.Delivery:
    """A delivery note for the remaining quantities of the product lines, or ``N:QTY`` parts."""
    order = documents.get(session, documents.ORDER, ref)
    lines = documents.lines_of(session, documents.ORDER, order.id)
    delivered, _, _ = documents.progress_quantities(session, order.id)
    plan_in = planner.Order(order.number, order.status, tuple(planner.OrderLine(ln.id, ln.line_no, ln.sku, ln.kind, ln.quantity) for ln in lines))
    plan = planner.plan_delivery(plan_in, delivered, parts)
    day = text.parse_date(on, "--date") if on else ctx.today
    note = m.Delivery(
        number=store.next_number(session, "delivery", ctx.settings.prefix("delivery")),
        order_id=order.id,
        delivery_date=day,
        **{f"ship_{k}": v for k, v in address_of(order, "shipping").items()},
    )
    session.add(note)
    session.flush()
    rows = {ln.id: ln for ln in lines}
    session.execute(
        sa.insert(m.DeliveryLine.__table__),
        [
            {"delivery_id": note.id, "order_line_id": p.line.id, "order_line_no": p.line.line_no, "sku": p.line.sku,
             "description": rows[p.line.id].description, "quantity": p.quantity}
            for p in plan.parts
        ],
    )
    session.flush()
    return delivery_view(session, note)


def delivery_view(session: Session, note: m.Delivery) -> r.Delivery:
    order = session.get(m.SalesOrder, note.order_id)
    account = session.get(m.Account, order.account_id)
    lines = session.exec(select(m.DeliveryLine).where(m.DeliveryLine.delivery_id == note.id).order_by(m.DeliveryLine.order_line_no)).all()
    return r.Delivery(
        id=note.id,
        number=note.number,
        order=order.number,
        account=r.AccountRef(account.id, account.name),
        date=note.delivery_date,
        status=note.status,
        language=order.language or account.language,
        ship_to=_ship_to(note),
        lines=[r.DeliveryLine(ln.order_line_no, ln.sku, ln.description, Quantity(ln.quantity)) for ln in lines],
    )


def show_delivery(session: Session, ref: str) -> r.Delivery:
    return delivery_view(session, refs.document(session, m.Delivery, ref, "delivery note"))


def list_deliveries(session: Session, order: str | None = None, limit: int | None = None) -> Iterator[r.DeliveryRow]:
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
        yield r.DeliveryRow(row.id, row.number, row.order_number, row.account_name, row.delivery_date, row.status)


# ---------------------------------------------------------------- purchase orders


def convert_to_purchase(session: Session, ctx: Context, ref: str, line_nos: list[int] | None = None) -> r.PurchasesMade:
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
            taxes = tuple(pricing.TaxRate(t.name, rate_for(session, t, None), t.category or "S", t.exemption_reason, t.exemption_code) for t in _taxes(session, product.id))
            nets.append((net, taxes))
            rows.append({"order_line_id": ln.id, "order_line_no": ln.line_no, "product_id": product.id, "sku": product.sku,
                         "description": product.name, "quantity": ln.quantity, "unit_cost": cost, "net": net})
        totals = pricing.totals_from_nets(nets)
        po = m.PurchaseOrder(
            number=store.next_number(session, "purchase", ctx.settings.prefix("purchase")),
            order_id=order.id,
            vendor_id=vendor_id,
            po_date=ctx.today,
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
    return r.PurchasesMade(made, unplaced)


def _taxes(session: Session, product_id: int) -> list[m.Tax]:
    from orders_cli.parties.catalog import product_taxes

    return product_taxes(session, product_id)


def purchase_view(session: Session, po: m.PurchaseOrder) -> r.Purchase:
    order = session.get(m.SalesOrder, po.order_id) if po.order_id else None
    vendor = session.get(m.Vendor, po.vendor_id)
    lines = session.exec(select(m.PurchaseLine).where(m.PurchaseLine.purchase_order_id == po.id).order_by(m.PurchaseLine.id)).all()
    return r.Purchase(
        id=po.id,
        number=po.number,
        order=order.number if order else None,
        vendor=r.VendorRef(vendor.id, vendor.name, vendor.email, {f: getattr(vendor, f) or "" for f in SHIP_FIELDS}),
        date=po.po_date,
        status=po.status,
        currency=po.currency,
        ship_to=_ship_to(po),
        lines=[
            r.PurchaseLine(ln.order_line_no, ln.sku, ln.description, Quantity(ln.quantity), Price(ln.unit_cost), Money(ln.net))
            for ln in lines
        ],
        totals=documents.totals_from_row(po),
        account=_customer(session, order),
    )


def _customer(session: Session, order: m.SalesOrder | None) -> r.AccountRef | None:
    account = session.get(m.Account, order.account_id) if order is not None else None
    return r.AccountRef(account.id, account.name) if account is not None else None


def show_purchase(session: Session, ref: str) -> r.Purchase:
    return purchase_view(session, refs.document(session, m.PurchaseOrder, ref, "purchase order"))


def list_purchases(session: Session, order: str | None = None, vendor: str | None = None, limit: int | None = None) -> Iterator[r.PurchaseRow]:
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
        yield r.PurchaseRow(row.id, row.number, row.order_number, row.vendor_name, row.po_date, row.status, Money(row.total))
