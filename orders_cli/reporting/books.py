"""The books of a span, read set-wise and yielded entry by entry in date order (``export fec``,
``export journal``): constant memory whatever the size of the books.

Three SQL streams ordered by date (the documents ``reporting.scope`` counts: invoices, every
credit note, live payments), each document's lines in the same query (their nets summed per
kind as they pass), read
``yield_per`` rows at a time and merged with ``heapq.merge``. On one day: invoices, then credit
notes, then payments, each by id.

Lettering needs each invoice's final standing: the invoices settled by the span's end (customer
account balanced: total - its credit notes - its live payments + the refunds paid for its credit
notes = 0.00, all dated by the end), with the date of the last of them. Their customer postings
get the invoice's code (``ledger.letter_code`` of its id, stable from one export to the next)
and that date. The standing is asked ``BATCH`` documents at a time, for the invoices those
documents name (one grouped query over their ids, by the indexes on ``invoice_id``), so memory
stays flat however many invoices the books hold.
"""

from __future__ import annotations

import dataclasses
import heapq
import json
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Iterable, Iterator

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import ledger
from orders_cli.core.money import from_cents
from orders_cli.core.spans import Span
from orders_cli.reporting import scope
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

ZERO = Decimal("0.00")
BATCH = 500
_INT = sa.BigInteger


def chart_of(settings) -> ledger.Chart:
    """The accounts the settings name (``accounting.*``), the PCG defaults otherwise."""
    accounts = {role: settings.get(key) or default for role, (key, default, _) in ledger.ROLES.items()}
    vat = {name[len("accounting.vat."):]: value for name, value in settings.values.items() if name.startswith("accounting.vat.") and value}
    return ledger.Chart(accounts, vat, settings.get("accounting.customer_prefix"))


def _cents(col):
    return sa.func.coalesce(sa.func.sum(sa.type_coerce(col, _INT), type_=_INT), 0)


def settled(session: Session, until: date | None, ids: Iterable[int] | None = None) -> dict[int, date]:
    """Invoice id -> the date it was settled (its last document), for every invoice (or those of
    ``ids``) whose customer account is balanced by ``until`` (None: by now)."""
    inv, cn, p = scope.invoices(), scope.credit_notes(), scope.payments()
    cn2 = cn.alias("refunded_cn")
    ids = None if ids is None else sorted(set(ids))
    if ids == []:
        return {}

    def by(col, ids_col=None):
        return ([col <= until] if until is not None else []) + ([ids_col.in_(ids)] if ids is not None and ids_col is not None else [])

    credits = (sa.select(cn.c.invoice_id.label("iid"), _cents(cn.c.total).label("cents"), sa.func.max(cn.c.credit_date).label("last"))
               .where(*by(cn.c.credit_date, cn.c.invoice_id)).group_by(cn.c.invoice_id).subquery())
    paid = (sa.select(p.c.invoice_id.label("iid"), _cents(p.c.amount).label("cents"), sa.func.max(p.c.payment_date).label("last"))
            .where(p.c.invoice_id.is_not(None), scope.live(p), *by(p.c.payment_date, p.c.invoice_id)).group_by(p.c.invoice_id).subquery())
    refunds = (sa.select(cn2.c.invoice_id.label("iid"), _cents(p.c.amount).label("cents"), sa.func.max(p.c.payment_date).label("last"))
               .join(cn2, cn2.c.id == p.c.credit_note_id).where(scope.live(p), *by(p.c.payment_date, cn2.c.invoice_id))
               .group_by(cn2.c.invoice_id).subquery())
    balance = (sa.type_coerce(inv.c.total, _INT) - sa.func.coalesce(credits.c.cents, 0) - sa.func.coalesce(paid.c.cents, 0)
               + sa.func.coalesce(refunds.c.cents, 0))
    stmt = (sa.select(inv.c.id, inv.c.invoice_date, credits.c.last, paid.c.last, refunds.c.last)
            .outerjoin(credits, credits.c.iid == inv.c.id).outerjoin(paid, paid.c.iid == inv.c.id).outerjoin(refunds, refunds.c.iid == inv.c.id)
            .where(scope.counted(inv), balance == 0, *by(inv.c.invoice_date, inv.c.id)))
    return {row[0]: max(d for d in row[1:] if d is not None) for row in session.execute(stmt)}


def _taxes(raw: str | None) -> tuple[tuple[str, Decimal], ...]:
    return tuple((str(t.get("name") or ""), Decimal(str(t.get("amount") or "0"))) for t in json.loads(raw or "[]"))


def _charges(raw: str | None) -> tuple[Decimal, Decimal]:
    allowances = charges = ZERO
    for c in json.loads(raw or "[]"):
        amount = Decimal(str(c.get("amount") or "0"))
        if c.get("kind") == "allowance":
            allowances += amount
        else:
            charges += amount
    return allowances, charges


def _documents(session: Session, kind: str, span: Span) -> Iterator[tuple[tuple, ledger.DocFacts, int]]:
    """Invoices (``kind="invoice"``) or credit notes, date-ordered, as facts (not lettered yet);
    keyed for the merge, with the invoice they belong to."""
    a = m.Account.__table__
    if kind == "invoice":
        doc, lt = scope.invoices(), m.InvoiceLine.__table__
        day, fk, invoice_id, cond = doc.c.invoice_date, lt.c.invoice_id, doc.c.id, [scope.counted(doc)]
    else:
        doc, lt = scope.credit_notes(), rv.CreditNoteLine.__table__
        day, fk, invoice_id, cond = doc.c.credit_date, lt.c.credit_note_id, doc.c.invoice_id, []
    # the lines joined as they are (the index on their document's id), summed per kind here:
    # a grouped subquery of every line would be built whole before the first row
    stmt = (sa.select(doc.c.id, doc.c.number, day, doc.c.account_id, a.c.name, doc.c.currency, doc.c.discount_amount, doc.c.shipping_charge,
                      doc.c.adjustment, doc.c.tax_breakdown, doc.c.doc_charges, doc.c.total, invoice_id.label("invoice_id"), lt.c.kind,
                      sa.type_coerce(lt.c.net, _INT).label("cents"))
            .join(a, a.c.id == doc.c.account_id).outerjoin(lt, fk == doc.c.id)
            .where(*cond, *scope.within(day, span)).order_by(day, doc.c.id))
    order = 0 if kind == "invoice" else 1
    current, line_nets = None, {}

    def facts(row, line_nets):
        allowances, charges = _charges(row.doc_charges)
        return (row[2], order, row.id), ledger.DocFacts(
            kind=kind, number=row.number, day=row[2], account_id=row.account_id, account_name=row.name, currency=row.currency,
            line_nets=line_nets, discount=row.discount_amount, shipping=row.shipping_charge, allowances=allowances, charges=charges,
            adjustment=row.adjustment, taxes=_taxes(row.tax_breakdown), total=row.total), row.invoice_id

    for row in session.execute(stmt.execution_options(yield_per=BATCH)):
        if current is not None and row.id != current.id:
            yield facts(current, line_nets)
            line_nets = {}
        current = row
        if row.kind is not None:
            line_nets[row.kind] = line_nets.get(row.kind, ZERO) + from_cents(row.cents)
    if current is not None:
        yield facts(current, line_nets)


def _payments(session: Session, span: Span) -> Iterator[tuple[tuple, ledger.PaymentFacts, int]]:
    p, a, inv, cn = scope.payments(), m.Account.__table__, scope.invoices(), scope.credit_notes()
    stmt = (sa.select(p.c.id, p.c.payment_date, p.c.account_id, a.c.name, p.c.amount, p.c.method, p.c.reference, p.c.credit_note_id,
                      sa.func.coalesce(inv.c.number, cn.c.number).label("number"), sa.func.coalesce(inv.c.currency, cn.c.currency).label("currency"),
                      sa.func.coalesce(p.c.invoice_id, cn.c.invoice_id).label("invoice_id"))
            .join(a, a.c.id == p.c.account_id).outerjoin(inv, inv.c.id == p.c.invoice_id).outerjoin(cn, cn.c.id == p.c.credit_note_id)
            .where(scope.live(p), *scope.within(p.c.payment_date, span)).order_by(p.c.payment_date, p.c.id))
    for row in session.execute(stmt.execution_options(yield_per=BATCH)):
        yield (row.payment_date, 2, row.id), ledger.PaymentFacts(
            number=row.number, day=row.payment_date, account_id=row.account_id, account_name=row.name, currency=row.currency,
            amount=row.amount, refund=row.credit_note_id is not None, method=row.method or "", reference=row.reference or ""), row.invoice_id


def _lettered(session: Session, until: date | None, stream: Iterator[tuple]) -> Iterator[tuple]:
    """``stream``'s (key, facts) with the letter of the invoice each belongs to, when it is
    settled by ``until``: asked ``BATCH`` at a time (``settled`` over their invoice ids)."""
    while chunk := list(islice(stream, BATCH)):
        letters = settled(session, until, (iid for _, _, iid in chunk if iid is not None))
        for key, facts, iid in chunk:
            on = letters.get(iid)
            yield key, (dataclasses.replace(facts, letter=ledger.letter_code(iid), letter_date=on) if on else facts)


def entries(session: Session, span: Span, chart: ledger.Chart) -> Iterator[ledger.Entry]:
    """Every entry of the span, in date order (invoices, credit notes, payments on one day)."""
    streams = (_lettered(session, span.until, _documents(session, "invoice", span)),
               _lettered(session, span.until, _documents(session, "credit", span)),
               _lettered(session, span.until, _payments(session, span)))
    for _, facts in heapq.merge(*streams, key=lambda pair: pair[0]):
        if isinstance(facts, ledger.PaymentFacts):
            yield ledger.payment_entry(facts, chart)
        else:
            yield ledger.document_entry(facts, chart)
