"""``orders report vat``: the VAT of a span per category and rate (base and tax), invoices and
credit notes apart, as a French CA3 return asks; exempt, zero-rated, reverse-charge and
intra-community bases are rows of their own category (listed after the standard rates).

- ``basis="invoice"`` (VAT on debits, the default for goods): each document's stored tax
  breakdown, counted at its date, grouped in SQL (the breakdown is JSON: ``json_each`` on
  SQLite, ``json_array_elements`` on PostgreSQL; 2-place amounts summed as integer cents). The
  part of the net outside every rate (an untaxed shipping charge, an adjustment) is one row
  with no category, so the bases add up to the documents' net.
- ``basis="payment"`` (VAT on receipts, the French default for services): the VAT of the
  payments received (refunds paid take it back), at their dates. Each invoice's breakdown is
  shared out over what was paid cumulatively: the share of the payments of the span is
  share(paid by its end) - share(paid before its start), each rounded once, so an invoice paid
  in full in several payments counts exactly its VAT (an overpayment counts no more).
"""

from __future__ import annotations

import json
from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import pricing
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, Quantity, from_cents, to_cents
from orders_cli.core.spans import Span
from orders_cli.reporting import scope
from orders_cli.reporting.results import VatRow
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

BASES = ("invoice", "payment")
ZERO = Decimal("0.00")
_CATEGORY_ORDER = {c: i for i, c in enumerate(("S", "Z", "E", "AE", "K", "G", "O", "L", "M"))}


def _breakdown(doc, dialect: str):
    """(from clause, name, rate, category, reason, base cents, amount cents) over each
    document's tax breakdown entries."""
    if dialect == "postgresql":
        j = sa.func.json_array_elements(sa.cast(doc.c.tax_breakdown, sa.JSON)).table_valued("value").alias("j")
        field = lambda name: j.c.value.op("->>")(name)  # noqa: E731
    else:
        j = sa.func.json_each(doc.c.tax_breakdown).table_valued("value").alias("j")
        field = lambda name: sa.func.json_extract(j.c.value, f"$.{name}")  # noqa: E731
    return (doc.join(j, sa.true()), field("name"), field("rate"), field("category"), field("exemption_reason"),
            scope.cents_of_text(field("base")), scope.cents_of_text(field("amount")))


def _groups(s: Session, kind: str, span: Span) -> list:
    if kind == "invoice":
        doc, day, cond = m.Invoice.__table__, m.Invoice.__table__.c.invoice_date, scope.counted(m.Invoice.__table__)
    else:
        doc, day, cond = rv.CreditNote.__table__, rv.CreditNote.__table__.c.credit_date, sa.true()
    joined, name, rate, category, reason, base, amount = _breakdown(doc, scope.dialect(s))
    q = (sa.select(category, name, rate, doc.c.currency, sa.func.max(reason), sa.func.sum(base, type_=sa.BigInteger),
                   sa.func.sum(amount, type_=sa.BigInteger))
         .select_from(joined).where(cond, *scope.within(day, span)).group_by(category, name, rate, doc.c.currency))
    return [(c or "S", n, r, cur, why, from_cents(b or 0), from_cents(a or 0)) for c, n, r, cur, why, b, a in s.execute(q)]


def _row(acc: dict, key: tuple) -> list:
    if key not in acc:
        acc[key] = [ZERO, ZERO, ZERO, ZERO, None]
    return acc[key]


def vat(s: Session, span: Span = Span(), basis: str = "invoice") -> list[VatRow]:
    """The rows of ``report vat`` (see the module)."""
    basis = (basis or "invoice").strip().lower()
    if basis not in BASES:
        raise Invalid(f"--basis {basis!r}: expected invoice (VAT on debits) or payment (VAT on receipts)")
    acc: dict = {}
    if basis == "invoice":
        for slot, kind in ((0, "invoice"), (2, "credit")):
            for category, name, rate, currency, reason, base, amount in _groups(s, kind, span):
                row = _row(acc, (category, name, rate, currency))
                row[slot] += base
                row[slot + 1] += amount
                row[4] = row[4] or reason
        _outside(s, span, acc)
    else:
        _receipts(s, span, acc)
    rows = [
        VatRow(category=c, tax=n, rate=Quantity(Decimal(r)) if r is not None else None, currency=cur,
               invoices_base=Money(v[0]), invoices_vat=Money(v[1]), credit_notes_base=Money(v[2]), credit_notes_vat=Money(v[3]),
               base=Money(v[0] - v[2]), vat=Money(v[1] - v[3]), exemption_reason=v[4])
        for (c, n, r, cur), v in acc.items()
    ]
    rows.sort(key=lambda r: (r.currency, r.category is None, _CATEGORY_ORDER.get(r.category or "", 99), -(r.rate or 0), r.tax or ""))
    return rows


def _outside(s: Session, span: Span, acc: dict) -> None:
    """One row per currency for the net outside every rate: the documents' net minus the bases."""
    nets: dict = defaultdict(lambda: [ZERO, ZERO])
    for slot, (doc, day, cond) in enumerate(((m.Invoice.__table__, m.Invoice.__table__.c.invoice_date, scope.counted(m.Invoice.__table__)),
                                             (rv.CreditNote.__table__, rv.CreditNote.__table__.c.credit_date, sa.true()))):
        net = sa.func.sum(sa.type_coerce(doc.c.total, sa.BigInteger) - sa.type_coerce(doc.c.tax_total, sa.BigInteger), type_=sa.BigInteger)
        for currency, cents in s.execute(sa.select(doc.c.currency, net).where(cond, *scope.within(day, span)).group_by(doc.c.currency)):
            nets[currency][slot] = from_cents(cents or 0)
    for currency, (inv_net, cn_net) in nets.items():
        inv_rest = inv_net - sum((v[0] for key, v in acc.items() if key[3] == currency), ZERO)
        cn_rest = cn_net - sum((v[2] for key, v in acc.items() if key[3] == currency), ZERO)
        if inv_rest != 0 or cn_rest != 0:
            row = _row(acc, (None, None, None, currency))
            row[0] += inv_rest
            row[2] += cn_rest


def _paid_between(s: Session, kind: str, span: Span):
    """Per document paid (or refunded) within the span: (total, breakdown JSON, currency,
    cents paid before the span, cents paid by its end), one grouped query."""
    p = rv.Payment.__table__
    doc = m.Invoice.__table__ if kind == "invoice" else rv.CreditNote.__table__
    fk = p.c.invoice_id if kind == "invoice" else p.c.credit_note_id
    amount = sa.type_coerce(p.c.amount, sa.BigInteger)
    before = sa.case((p.c.payment_date < span.since, amount), else_=0) if span.since is not None else sa.literal(0)
    through = sa.case((p.c.payment_date <= span.until, amount), else_=0) if span.until is not None else amount
    in_span = sa.select(fk).where(fk.is_not(None), scope.live(p), *scope.within(p.c.payment_date, span))
    paid = (sa.select(fk.label("doc_id"), sa.func.sum(before, type_=sa.BigInteger).label("before"),
                      sa.func.sum(through, type_=sa.BigInteger).label("through"))
            .where(fk.in_(in_span), scope.live(p)).group_by(fk).subquery())
    cond = scope.counted(doc) if kind == "invoice" else sa.true()
    q = (sa.select(sa.type_coerce(doc.c.total, sa.BigInteger), doc.c.tax_breakdown, doc.c.currency, paid.c.before, paid.c.through)
         .select_from(paid.join(doc, doc.c.id == paid.c.doc_id)).where(cond))
    return s.execute(q)


def _receipts(s: Session, span: Span, acc: dict) -> None:
    share = pricing.share_cents  # integer cents: exact, and fast over many invoices
    for slot, kind in ((0, "invoice"), (2, "credit")):
        for total, breakdown, currency, before, through in _paid_between(s, kind, span):
            total = total or 0
            if total <= 0:
                continue
            before, through = min(before or 0, total), min(through or 0, total)
            if before == through:
                continue
            for b in json.loads(breakdown or "[]"):
                base, amount = to_cents(Decimal(b["base"])), to_cents(Decimal(b["amount"]))
                row = _row(acc, (b.get("category") or "S", b["name"], b["rate"], currency))
                row[slot] += from_cents(share(base, through, total) - share(base, before, total))
                row[slot + 1] += from_cents(share(amount, through, total) - share(amount, before, total))
                row[4] = row[4] or b.get("exemption_reason")
