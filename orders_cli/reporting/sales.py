"""``orders report sales``: net (HT), VAT and gross of the invoices minus the credit notes of a
span, by month, quarter, account, product or vendor; with ``margin`` the catalog cost.

Set-wise: one grouped query per document type (invoices, credit notes) and, by product or
vendor or with the margin, one grouped query per line table; Python only merges the few
groups. By product and vendor, the document-level part of the net (overall discounts,
allowances, shipping, charges, adjustments: net minus the sum of the line nets) is its own
row, so the rows always add up to the documents' net. Quantities and costs are exact: lines
are grouped by (product, quantity text), so each group's quantity is ``quantity x count``; by
product or vendor the lines are revision 0007's sales rows (``line_sales``), whose quantities
SQL sums exactly as integers.
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import pricing
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, Quantity, from_cents
from orders_cli.core.results import Ref
from orders_cli.core.spans import Span, quarter_of_month
from orders_cli.reporting import line_sales, scope
from orders_cli.reporting.results import SalesRow
from orders_cli.store import receivables as rv
from orders_cli.store import refs
from orders_cli.store import schema as m

GROUPINGS = ("month", "quarter", "account", "product", "vendor")
DOCUMENT_LEVEL = "(document level)"
ZERO = Decimal("0.00")
I64 = sa.BigInteger


def _cents(col):
    return sa.type_coerce(col, I64)


def _docs(kind: str):
    """(table, date column, condition) of invoices or credit notes."""
    if kind == "invoice":
        t = m.Invoice.__table__
        return t, t.c.invoice_date, scope.counted(t)
    t = rv.CreditNote.__table__
    return t, t.c.credit_date, sa.true()


def _lines(kind: str):
    """(line table, document table, date column, condition, document foreign key)."""
    doc, day, cond = _docs(kind)
    if kind == "invoice":
        lt = m.InvoiceLine.__table__
        return lt, doc, day, cond, lt.c.invoice_id
    lt = rv.CreditNoteLine.__table__
    return lt, doc, day, cond, lt.c.credit_note_id


def _where(day, cond, doc, span: Span, account_id: int | None) -> list:
    out = [cond, *scope.within(day, span)]
    if account_id is not None:
        out.append(doc.c.account_id == account_id)
    return out


def _doc_key(by: str, doc, day, dialect: str):
    return scope.month_of(day, dialect) if by in ("month", "quarter") else doc.c.account_id


def doc_sums(s: Session, by: str, span: Span, account_id: int | None = None) -> dict:
    """{(key, currency): [invoices, credit notes, net, vat, gross]} with credit notes taken off;
    ``by`` month (key "YYYY-MM"), account (key the account id) or None (one group per currency)."""
    dialect = scope.dialect(s)
    out: dict = defaultdict(lambda: [0, 0, ZERO, ZERO, ZERO])
    for kind, sign in (("invoice", 1), ("credit", -1)):
        doc, day, cond = _docs(kind)
        key = _doc_key(by, doc, day, dialect) if by else sa.literal("")
        q = (sa.select(key.label("k"), doc.c.currency, sa.func.count(), sa.func.sum(_cents(doc.c.total) - _cents(doc.c.tax_total), type_=I64),
                       sa.func.sum(_cents(doc.c.tax_total), type_=I64), sa.func.sum(_cents(doc.c.total), type_=I64))
             .where(*_where(day, cond, doc, span, account_id)).group_by(key, doc.c.currency))
        for k, currency, count, net, vat, gross in s.execute(q):
            row = out[(k, currency)]
            row[0 if sign > 0 else 1] += count
            row[2] += sign * from_cents(net or 0)
            row[3] += sign * from_cents(vat or 0)
            row[4] += sign * from_cents(gross or 0)
    return out


def line_sums(s: Session, by: str, span: Span, account_id: int | None = None) -> dict:
    """{(key, currency): {"net", "quantity", "cost", "costed_net"}}, credit note lines taken
    off; ``by`` month, account, product (key the SKU) or vendor (key the vendor id or None).
    From the lines themselves; by product and vendor the report reads ``line_sales.line_sums``
    (the same figures from revision 0007's narrow rows; tests/test_line_sales.py compares both)."""
    dialect = scope.dialect(s)
    p = m.Product.__table__
    costs = {pid: cost for pid, cost in s.execute(sa.select(p.c.id, p.c.cost).where(p.c.cost.is_not(None)))}
    out: dict = defaultdict(lambda: {"net": ZERO, "quantity": Decimal(0), "cost": Decimal(0), "costed_net": ZERO})
    for kind, sign in (("invoice", 1), ("credit", -1)):
        lt, doc, day, cond, fk = _lines(kind)
        joined = lt.join(doc, fk == doc.c.id)
        if by == "product":
            key = lt.c.sku
        elif by == "vendor":
            key = p.c.vendor_id
            joined = joined.outerjoin(p, p.c.id == lt.c.product_id)
        else:
            key = _doc_key(by, doc, day, dialect)
        q = (sa.select(key.label("k"), doc.c.currency, lt.c.product_id, lt.c.quantity, sa.func.count(),
                       sa.func.sum(_cents(lt.c.net), type_=I64))
             .select_from(joined).where(*_where(day, cond, doc, span, account_id))
             .group_by(key, doc.c.currency, lt.c.product_id, lt.c.quantity))
        for k, currency, pid, qty, count, net in s.execute(q):
            row = out[(k, currency)]
            quantity = Decimal(qty) * count
            amount = from_cents(net or 0)
            row["net"] += sign * amount
            row["quantity"] += sign * quantity
            if pid in costs:
                row["cost"] += sign * quantity * costs[pid]
                row["costed_net"] += sign * amount
    return out


def _margin(row: SalesRow, lines: dict | None) -> None:
    lines = lines or {"cost": Decimal(0), "costed_net": ZERO, "net": ZERO}
    cost = pricing.round_money(lines["cost"])
    row.cost = Money(cost)
    row.margin = Money(lines["costed_net"] - cost)
    row.uncosted_net = Money(row.net - lines["costed_net"])


def sales(s: Session, by: str = "month", span: Span = Span(), account: str | None = None, margin: bool = False) -> list[SalesRow]:
    """The rows of ``report sales`` (see the module)."""
    by = (by or "month").strip().lower()
    if by not in GROUPINGS:
        raise Invalid(f"--by {by!r}: expected one of {', '.join(GROUPINGS)}")
    account_id = refs.account(s, account).id if account is not None else None
    if by in ("product", "vendor"):
        return _by_lines(s, by, span, account_id, margin)
    docs = doc_sums(s, "month" if by == "quarter" else by, span, account_id)
    lines = line_sums(s, "month" if by == "quarter" else by, span, account_id) if margin else {}
    if by == "quarter":
        docs, lines = _to_quarters(docs), _to_quarters(lines)
    names = _account_names(s, {k for k, _ in docs}) if by == "account" else {}
    rows = []
    for (k, currency), (n_inv, n_cn, net, vat, gross) in sorted(docs.items(), key=lambda kv: _order(by, kv[0], names)):
        row = SalesRow(currency=currency, invoices=n_inv, credit_notes=n_cn, net=Money(net), vat=Money(vat), gross=Money(gross))
        if by == "account":
            row.account = Ref(k, names.get(k, ""))
        else:
            setattr(row, by, k)
        if margin:
            _margin(row, lines.get((k, currency)))
        rows.append(row)
    return rows


def _order(by: str, key: tuple, names: dict):
    k, currency = key
    return ((names.get(k) or "").casefold(), k, currency) if by == "account" else (k, currency)


def _to_quarters(groups: dict) -> dict:
    out: dict = {}
    for (k, currency), value in groups.items():
        q = (quarter_of_month(k), currency)
        if q not in out:
            out[q] = list(value) if isinstance(value, list) else dict(value)
            continue
        acc = out[q]
        if isinstance(value, list):
            for i, v in enumerate(value):
                acc[i] += v
        else:
            for f in ("net", "quantity", "cost", "costed_net"):
                acc[f] += value[f]
    return out


def _account_names(s: Session, ids: set) -> dict:
    a = m.Account.__table__
    return dict(s.execute(sa.select(a.c.id, a.c.name).where(a.c.id.in_(ids))).all()) if ids else {}


def _by_lines(s: Session, by: str, span: Span, account_id: int | None, margin: bool) -> list[SalesRow]:
    lines = line_sales.line_sums(s, by, span, account_id)
    docs = doc_sums(s, None, span, account_id)
    line_net: dict = defaultdict(lambda: ZERO)
    for (_, currency), v in lines.items():
        line_net[currency] += v["net"]
    if by == "product":
        p = m.Product.__table__
        skus = {k for k, _ in lines}
        catalog = dict(s.execute(sa.select(p.c.sku, p.c.name).where(p.c.sku.in_(skus))).all()) if skus else {}
        label = {**line_sales.descriptions(s, skus - set(catalog), span, account_id), **catalog}
        order = sorted(lines, key=lambda kc: (kc[0], kc[1]))
    else:
        v = m.Vendor.__table__
        ids = {k for k, _ in lines if k is not None}
        label = dict(s.execute(sa.select(v.c.id, v.c.name).where(v.c.id.in_(ids))).all()) if ids else {}
        order = sorted(lines, key=lambda kc: (kc[0] is None, (label.get(kc[0]) or "").casefold(), kc[1]))
    rows = []
    for k, currency in order:
        value = lines[(k, currency)]
        row = SalesRow(currency=currency, quantity=Quantity(value["quantity"]), net=Money(value["net"]))
        if by == "product":
            row.sku, row.product = k, label.get(k)
        else:
            row.vendor = Ref(k, label.get(k, "")) if k is not None else None
        if margin:
            _margin(row, value)
        rows.append(row)
    for (_, currency), (_, _, net, _, _) in sorted(docs.items(), key=lambda kv: kv[0][1]):
        rest = net - line_net[currency]
        if rest != 0:
            row = SalesRow(currency=currency, net=Money(rest))
            if by == "product":
                row.sku, row.product, row.quantity = None, DOCUMENT_LEVEL, Quantity(0)
            else:
                row.vendor, row.quantity = Ref(None, DOCUMENT_LEVEL), Quantity(0)  # type: ignore[arg-type]
            if margin:
                _margin(row, None)
            rows.append(row)
    return rows
