"""``orders report vat``: the VAT of a span per category and rate (base and tax), invoices and
credit notes apart, as a French CA3 return asks; exempt, zero-rated, reverse-charge and
intra-community bases are rows of their own category (listed after the standard rates).

- ``basis="invoice"`` (VAT on debits, the default for goods): each document's tax breakdown,
  counted at its date, grouped in SQL over its VAT rows (``invoice_tax`` / ``credit_note_tax``,
  which the database writes with each document: ``store/summaries.py``; integer cents). The
  part of the net outside every rate (an untaxed shipping charge, an adjustment) is one row
  with no category, so the bases add up to the documents' net.
- ``basis="payment"`` (VAT on receipts, the French default for services): the VAT of the
  payments received (refunds paid take it back), at their dates. Each invoice's breakdown is
  shared out over what was paid cumulatively: the share of the payments of the span is
  share(paid by its end) - share(paid before its start), each rounded once, so an invoice paid
  in full in several payments counts exactly its VAT (an overpayment counts no more). An
  invoice paid whole within the span (the common case: first paid on or after its start,
  settled by its end) counts its VAT rows as they are, summed in SQL over revision 0008's
  receipt rows (``invoice_receipt_tax``) without reading a payment; only the others are shared
  out row by row (their receipt rows too, read by date).
"""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import pricing
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, Quantity, from_cents
from orders_cli.core.spans import Span
from orders_cli.reporting import scope
from orders_cli.reporting.results import VatRow
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m
from orders_cli.store import summaries as sm

BASES = ("invoice", "payment")
ZERO = Decimal("0.00")
I64 = sa.BigInteger
_CATEGORY_ORDER = {c: i for i, c in enumerate(("S", "Z", "E", "AE", "K", "G", "O", "L", "M"))}


def _taxes(kind: str, void: list[int]):
    """(tax rows table, its date column, the condition a row must meet to count); ``void`` the
    ids of the invoices not counted (usually none: then no condition, so the grouping walks
    its covering index alone)."""
    if kind == "invoice":
        t = sm.InvoiceTax.__table__
        return t, t.c.invoice_date, t.c.invoice_id.not_in(void) if void else sa.true()
    t = sm.CreditNoteTax.__table__
    return t, t.c.credit_date, sa.true()


def _groups(s: Session, kind: str, span: Span, void: list[int]) -> list:
    t, day, cond = _taxes(kind, void)
    q = (sa.select(t.c.category, t.c.name, t.c.rate, t.c.currency, sa.func.max(t.c.exemption_reason),
                   sa.func.sum(_c(t.c.base), type_=I64), sa.func.sum(_c(t.c.amount), type_=I64))
         .where(cond, *scope.within(day, span)).group_by(t.c.category, t.c.name, t.c.rate, t.c.currency))
    return [(c or "S", n, r, cur, why, from_cents(b or 0), from_cents(a or 0)) for c, n, r, cur, why, b, a in s.execute(q)]


def _c(col):
    return sa.type_coerce(col, I64)


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
    void = list(s.execute(scope.void_invoices()).scalars())
    if basis == "invoice":
        for slot, kind in ((0, "invoice"), (2, "credit")):
            for category, name, rate, currency, reason, base, amount in _groups(s, kind, span, void):
                row = _row(acc, (category, name, rate, currency))
                row[slot] += base
                row[slot + 1] += amount
                row[4] = row[4] or reason
        _outside(s, span, acc, void)
    else:
        _receipts(s, span, acc, void)
    rows = [
        VatRow(category=c, tax=n, rate=Quantity(Decimal(r)) if r is not None else None, currency=cur,
               invoices_base=Money(v[0]), invoices_vat=Money(v[1]), credit_notes_base=Money(v[2]), credit_notes_vat=Money(v[3]),
               base=Money(v[0] - v[2]), vat=Money(v[1] - v[3]), exemption_reason=v[4])
        for (c, n, r, cur), v in acc.items()
    ]
    rows.sort(key=lambda r: (r.currency, r.category is None, _CATEGORY_ORDER.get(r.category or "", 99), -(r.rate or 0), r.tax or ""))
    return rows


def _outside(s: Session, span: Span, acc: dict, void: list[int]) -> None:
    """One row per currency for the net outside every rate: the documents' net minus the bases."""
    nets: dict = defaultdict(lambda: [ZERO, ZERO])
    inv = m.Invoice.__table__
    for slot, (doc, day, cond) in enumerate(((inv, inv.c.invoice_date, inv.c.id.not_in(void) if void else sa.true()),
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


def _paid(kind: str, span: Span):
    """Per document paid (or refunded) within the span: (id, cents paid before the span, cents
    paid by its end), a grouped CTE."""
    p = rv.Payment.__table__
    fk = p.c.invoice_id if kind == "invoice" else p.c.credit_note_id
    amount = _c(p.c.amount)
    before = sa.case((p.c.payment_date < span.since, amount), else_=0) if span.since is not None else sa.literal(0)
    through = sa.case((p.c.payment_date <= span.until, amount), else_=0) if span.until is not None else amount
    in_span = sa.select(fk).where(fk.is_not(None), scope.live(p), *scope.within(p.c.payment_date, span))
    return (sa.select(fk.label("doc_id"), sa.func.sum(before, type_=I64).label("before"), sa.func.sum(through, type_=I64).label("through"))
            .where(fk.in_(in_span), scope.live(p)).group_by(fk).cte(f"paid_{kind}"))


def _receipts(s: Session, span: Span, acc: dict, void: list[int]) -> None:
    """Invoices: those paid whole within the span (revision 0008's receipt rows) summed in SQL,
    the others with a payment in it shared out here (``_invoices_in_part``); credit notes (their
    refunds, few) from their payments."""
    share = pricing.share_cents  # integer cents: exact at any size
    r = sm.InvoiceReceiptTax.__table__
    keys = (r.c.category, r.c.name, r.c.rate, r.c.currency)
    whole = [r.c.invoice_id.not_in(void) if void else sa.true(), *scope.within(r.c.settled_on, span)]
    if span.since is not None:
        whole.append(r.c.first_paid >= span.since)
    q = sa.select(*keys, sa.func.max(r.c.exemption_reason), sa.func.sum(_c(r.c.base), type_=I64), sa.func.sum(_c(r.c.amount), type_=I64))
    for category, name, rate, currency, reason, base, amount in s.execute(q.where(*whole).group_by(*keys)):
        row = _row(acc, (category or "S", name, rate, currency))
        row[0] += from_cents(base or 0)
        row[1] += from_cents(amount or 0)
        row[4] = row[4] or reason
    _shares(acc, 0, s.execute(_invoices_in_part(span, void)), share)
    _credit_receipts(s, span, acc, share)


def _shares(acc: dict, slot: int, rows, share) -> None:
    """What each document's VAT row counts of the payments between ``before`` and ``through``
    (cumulative cents paid before the span and by its end, each capped at the total), summed
    in integer cents per rate, then added to ``acc``."""
    sums: dict = {}
    for category, name, rate, currency, reason, base, amount, total, before, through in rows:
        before, through = min(before or 0, total), min(through or 0, total)
        if before == through:
            continue
        key = (category or "S", name, rate, currency)
        got = sums.get(key)
        if got is None:
            got = sums[key] = [0, 0, reason]
        if before:
            got[0] += share(base, through, total) - share(base, before, total)
            got[1] += share(amount, through, total) - share(amount, before, total)
        else:  # nothing paid before the span: a share of 0 is 0
            got[0] += share(base, through, total)
            got[1] += share(amount, through, total)
        got[2] = got[2] or reason
    for key, (base, amount, reason) in sums.items():
        row = _row(acc, key)
        row[slot] += from_cents(base)
        row[slot + 1] += from_cents(amount)
        row[4] = row[4] or reason


def _invoices_in_part(span: Span, void: list[int]) -> sa.Select:
    """The VAT rows of the invoices that may have a payment in the span but were not paid whole
    within it (first paid before it, settled after it or not at all), with their total and the
    cents paid before the span and by its end: the receipt rows' own sum when every payment of
    the invoice is on one side of a bound, else summed from its payments (read by date from the
    receipt rows' second index: no join)."""
    r, p = sm.InvoiceReceiptTax.__table__, rv.Payment.__table__
    since, until = span.since, span.until

    def paid(cond):
        return (sa.select(sa.func.coalesce(sa.func.sum(_c(p.c.amount), type_=I64), 0))
                .where(p.c.invoice_id == r.c.invoice_id, cond, scope.live(p)).scalar_subquery())

    before = sa.literal(0, I64) if since is None else sa.case((r.c.first_paid >= since, 0), else_=paid(p.c.payment_date < since))
    through = _c(r.c.paid) if until is None else sa.case((r.c.last_paid <= until, _c(r.c.paid)), else_=paid(p.c.payment_date <= until))
    whole = [r.c.settled_on.is_not(None), *scope.within(r.c.settled_on, span)] + ([r.c.first_paid >= since] if since is not None else [])
    cond = [sa.not_(sa.and_(*whole))]
    if until is not None:
        cond.append(r.c.first_paid <= until)
    if since is not None:  # settled before the span: its payments then count nothing more
        cond += [r.c.last_paid >= since, sa.or_(r.c.settled_on.is_(None), r.c.settled_on >= since)]
    if void:
        cond.append(r.c.invoice_id.not_in(void))
    return sa.select(r.c.category, r.c.name, r.c.rate, r.c.currency, r.c.exemption_reason, _c(r.c.base), _c(r.c.amount),
                     _c(r.c.total), before, through).where(*cond)


def _credit_receipts(s: Session, span: Span, acc: dict, share) -> None:
    """The refunds paid for credit notes: each credit note's breakdown shared out over what was
    refunded (the same rule as the invoices'; a credit note refunded whole counts its VAT rows)."""
    cn = rv.CreditNote.__table__
    t = sm.CreditNoteTax.__table__
    paid = _paid("credit", span)
    total = _c(cn.c.total)
    joined = paid.join(cn, cn.c.id == paid.c.doc_id).join(t, t.c.credit_note_id == paid.c.doc_id)
    q = (sa.select(t.c.category, t.c.name, t.c.rate, t.c.currency, t.c.exemption_reason, _c(t.c.base), _c(t.c.amount), total,
                   paid.c.before, paid.c.through)
         .select_from(joined).where(total > 0, paid.c.before < total))
    _shares(acc, 2, s.execute(q), share)
