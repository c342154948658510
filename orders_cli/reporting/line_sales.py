"""The line part of ``report sales --by product | vendor`` read from the sales lines of revision
0007 (``store/summaries.py``): one grouped query per document type over a covering index in
the order it groups (SKU, currency, product), so no sort of every line by its quantity text.
Quantities stay exact: SQL sums each group's whole parts and its 10^-10 parts as integers.
The vendor of a product (and its cost) is the catalog's today, as ``sales.line_sums`` has it.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core.money import from_cents
from orders_cli.core.spans import Span
from orders_cli.reporting import scope
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m
from orders_cli.store import summaries as sm

ZERO = Decimal("0.00")
I64 = sa.BigInteger


def quantity_of(units, fraction) -> Decimal:
    """The exact quantity of summed whole parts and 10^-SCALE parts."""
    whole = Decimal(int(units or 0))
    return whole if not fraction else whole + Decimal(int(fraction)).scaleb(-sm.SCALE)


def _kinds():
    """(summary table, line table, date column name, sign) of invoices, then credit notes."""
    return ((sm.InvoiceLineSales.__table__, m.InvoiceLine.__table__, "invoice_date", 1),
            (sm.CreditNoteLineSales.__table__, rv.CreditNoteLine.__table__, "credit_date", -1))


def _where(t, day: str, sign: int, span: Span, account_id: int | None) -> list:
    """The rows of the span (of counted invoices), of one account if asked."""
    out = scope.within(t.c[day], span)
    if sign > 0:
        out.append(t.c.invoice_id.not_in(scope.void_invoices()))
    if account_id is not None:
        out.append(t.c.account_id == account_id)
    return out


def line_sums(s: Session, by: str, span: Span, account_id: int | None = None) -> dict:
    """{(key, currency): {"net", "quantity", "cost", "costed_net"}}, credit note lines taken
    off; ``by`` product (key the SKU) or vendor (key the vendor id or None)."""
    p = m.Product.__table__
    catalog = {pid: (vendor, cost) for pid, vendor, cost in s.execute(sa.select(p.c.id, p.c.vendor_id, p.c.cost))}
    out: dict = defaultdict(lambda: {"net": ZERO, "quantity": Decimal(0), "cost": Decimal(0), "costed_net": ZERO})
    for t, _, day, sign in _kinds():
        q = (sa.select(t.c.sku, t.c.currency, t.c.product_id, sa.func.sum(t.c.units, type_=I64), sa.func.sum(t.c.fraction, type_=I64),
                       sa.func.sum(sa.type_coerce(t.c.net, I64), type_=I64))
             .where(*_where(t, day, sign, span, account_id)).group_by(t.c.sku, t.c.currency, t.c.product_id))
        for sku, currency, pid, units, fraction, net in s.execute(q):
            vendor, cost = catalog.get(pid, (None, None))
            row = out[(sku if by == "product" else vendor, currency)]
            quantity = quantity_of(units, fraction)
            amount = from_cents(net or 0)
            row["net"] += sign * amount
            row["quantity"] += sign * quantity
            if cost is not None:
                row["cost"] += sign * quantity * cost
                row["costed_net"] += sign * amount
    return out


def descriptions(s: Session, skus: set, span: Span, account_id: int | None) -> dict:
    """A name for each SKU not in the catalog (a deposit, a price reduction): the greatest
    description its lines of the span carry (invoices first), found through the sales rows'
    index (SKU first) rather than by reading every line."""
    out: dict = {}
    for t, lt, day, sign in _kinds():
        missing = skus - set(out)
        if not missing:
            break
        q = (sa.select(t.c.sku, sa.func.max(lt.c.description)).select_from(t.join(lt, lt.c.id == t.c.line_id))
             .where(t.c.sku.in_(missing), *_where(t, day, sign, span, account_id)).group_by(t.c.sku))
        out.update({sku: d for sku, d in s.execute(q) if sku not in out})
    return out
