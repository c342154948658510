"""Usage records (consumption) billed on an order's next recurring invoice: ``usage add``,
``usage list`` and ``usage import``."""

from __future__ import annotations

import io
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import csvcheck, text
from orders_cli.core.context import Context
from orders_cli.core.errors import OrdersError
from orders_cli.core.money import Price, Quantity, non_negative, positive
from orders_cli.recurring.results import UsageImport, UsageRow
from orders_cli.store import documents, refs
from orders_cli.store import schema as m

USAGE_COLUMNS = ("order", "product", "qty", "date", "price")
REQUIRED_COLUMNS = ("order", "product", "qty")


def add_usage(session: Session, ctx: Context, ref: str, sku: str, qty: Any, on: Any = None, price: Any = None) -> UsageRow:
    """One usage record (dated ``on``, default today), at ``price`` or the catalog's."""
    order = documents.get(session, documents.ORDER, ref)
    product = refs.product(session, sku)
    rec = m.UsageRecord(
        order_id=order.id, product_id=product.id, quantity=positive(qty, "--qty"),
        unit_price=non_negative(price, "--price") if price not in (None, "") else None,
        usage_date=text.parse_date(on, "--date") if on not in (None, "") else ctx.today,
    )
    session.add(rec)
    session.flush()
    return usage_row(rec, order.number, product.sku, None)


def usage_row(rec: m.UsageRecord, order_number: str, sku: str, invoice_number: str | None) -> UsageRow:
    return UsageRow(id=rec.id, order=order_number, sku=sku, quantity=Quantity(rec.quantity),
                    unit_price=Price(rec.unit_price) if rec.unit_price is not None else None,
                    date=rec.usage_date, invoice=invoice_number)


def list_usage(session: Session, ref: str) -> list[UsageRow]:
    """An order's usage records, oldest first, with the invoice that billed each."""
    order = documents.get(session, documents.ORDER, ref)
    rows = session.exec(
        select(m.UsageRecord, m.Product.sku, m.Invoice.number)
        .join(m.Product, m.Product.id == m.UsageRecord.product_id)
        .outerjoin(m.Invoice, m.Invoice.id == m.UsageRecord.invoice_id)
        .where(m.UsageRecord.order_id == order.id)
        .order_by(m.UsageRecord.usage_date, m.UsageRecord.id)
    ).all()
    return [usage_row(r, order.number, sku, inv) for r, sku, inv in rows]


def import_usage(session: Session, ctx: Context, handle: io.TextIOBase, source: str) -> UsageImport:
    """Usage records from CSV (order,product,qty[,date,price]); all or nothing, set-based."""
    orders: dict[str, int] = {}
    products: dict[str, int] = {}
    rows = []
    for line, row in csvcheck.dict_rows(handle, source, USAGE_COLUMNS, REQUIRED_COLUMNS):
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
                         "usage_date": text.parse_date(day, "date") if day else ctx.today, "created_at": m.utcnow()})
        except OrdersError as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
    if rows:
        session.execute(sa.insert(m.UsageRecord.__table__), rows)
    return UsageImport(len(rows))
