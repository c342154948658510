"""Payments: money received for an invoice, or a refund paid out for a credit note.

- ``add_payment``: the reference is read as an invoice first, then as a credit note (a
  refund). Refused: an amount <= 0 or of more than 2 places, a date after today or before
  the document's own date, an unknown method, and paying more than the document's balance (or anything on a balance <= 0)
  unless ``allow_overpayment``; the refusal says the balance.
- ``remove_payment``: a payment entered by mistake is never changed or deleted (triggers of
  revision 0003); a ``payment_removal`` row takes it out of every balance.
- ``settle``: what ``invoice status INV paid`` records, a payment of the whole balance.

Every payment, refund and removal is logged as an activity on the invoice (types
``payment``, ``refund``, ``payment_removed``), so ``activity list`` of its order shows it.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any, Iterator

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import text
from orders_cli.core.context import Context
from orders_cli.core.errors import Conflict, Invalid, NotFound, OverQuantity
from orders_cli.core.money import Money, fmt_money, money
from orders_cli.core.results import Ref
from orders_cli.invoicing import balances
from orders_cli.invoicing.payment_results import PaymentResult
from orders_cli.store import documents, refs
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

METHODS = rv.PAYMENT_METHODS
STATUS_PAID_REFERENCE = "invoice status paid"


@dataclass(frozen=True)
class Document:
    """What a payment is for: an invoice, or a credit note (its refund)."""

    kind: str  # invoice | credit_note
    id: int
    number: str
    account_id: int
    currency: str
    invoice_id: int  # the invoice itself, or the one the credit note cites (where activities go)
    row: Any


def find_document(session: Session, ref: str) -> Document:
    """An invoice by number or id, else a credit note by number or id."""
    try:
        inv = refs.document(session, m.Invoice, ref, "invoice")
        return Document("invoice", inv.id, inv.number, inv.account_id, inv.currency, inv.id, inv)
    except NotFound:
        pass
    try:
        cn = refs.document(session, rv.CreditNote, ref, "credit note")
    except NotFound:
        near = refs.near_numbers(session, (m.Invoice, rv.CreditNote), ref)
        raise NotFound(f"no invoice or credit note {text.shown(ref)}{near}") from None
    return Document("credit_note", cn.id, cn.number, cn.account_id, cn.currency, cn.invoice_id, cn)


def _lock(session: Session, doc: Document) -> None:
    """The document's row lock (``store.documents.lock``), so two payments cannot both fit one balance."""
    documents.lock(session, m.Invoice if doc.kind == "invoice" else rv.CreditNote, doc.id)


def balance_of(session: Session, doc: Document, as_of: date) -> tuple[Decimal, str | None]:
    """(balance, payment state) of an invoice; (total - refunds paid, None) of a credit note."""
    if doc.kind == "invoice":
        st = balances.standing_of(session, doc.row, as_of)
        return st.balance, st.state
    refunded = balances.credit_note_refunded(session, [doc.id])[doc.id]
    return doc.row.total - refunded, None


def _method(value: str | None) -> str:
    if value is None:
        return "transfer"
    kind = text.clean(value, "--method", 20).lower()
    if kind not in METHODS:
        raise Invalid(f"--method: one of {', '.join(METHODS)}, got {text.shown(value)}")
    return kind


def _amount(value: Any) -> Decimal:
    amount = money(value, "--amount")
    if amount <= 0:
        raise Invalid(f"--amount must be greater than 0, got {fmt_money(amount)}")
    return amount


def _day(ctx: Context, on: Any) -> date:
    if on in (None, ""):
        return ctx.today
    day = text.parse_date(on, "--date")
    if day > ctx.today:
        raise Invalid(f"--date {day.isoformat()} is after today ({ctx.today.isoformat()}): record a payment once it is received")
    return day


def _log(session: Session, doc: Document, type_: str, subject: str, note: str | None = None) -> None:
    session.execute(sa.insert(m.Activity.__table__).values(
        order_id=None, invoice_id=doc.invoice_id, type=type_, subject=subject[:500], note=note, done=True, created_at=m.utcnow()))


def _money_text(amount: Decimal, currency: str) -> str:
    return f"{fmt_money(amount)} {currency}"


def add_payment(session: Session, ctx: Context, ref: str, amount: Any, on: Any = None, method: str | None = None,
                reference: str | None = None, allow_overpayment: bool = False) -> PaymentResult:
    """Record a payment received for an invoice, or a refund paid out for a credit note."""
    value = _amount(amount)
    day = _day(ctx, on)
    kind = _method(method)
    ref_text = text.optional(reference, "--reference", 200)
    doc = find_document(session, ref)
    issued = doc.row.invoice_date if doc.kind == "invoice" else doc.row.credit_date
    if day < issued:
        raise Invalid(f"--date {day.isoformat()} is before {doc.number}'s date ({issued.isoformat()}): a payment comes after its document")
    _lock(session, doc)
    balance, _ = balance_of(session, doc, ctx.today)
    if not allow_overpayment:
        what = "to pay" if doc.kind == "invoice" else "to refund"
        if balance <= 0:
            raise OverQuantity(f"{doc.number} has nothing left {what} (balance {_money_text(balance, doc.currency)}); "
                               "add --allow-overpayment to record it anyway")
        if value > balance:
            raise OverQuantity(f"{_money_text(value, doc.currency)} is more than the balance of {doc.number} "
                               f"({_money_text(balance, doc.currency)}); add --allow-overpayment to record it anyway")
    return _record(session, ctx, doc, value, day, kind, ref_text)


def _record(session: Session, ctx: Context, doc: Document, value: Decimal, day: date, kind: str, ref_text: str | None) -> PaymentResult:
    pay = rv.Payment(
        invoice_id=doc.id if doc.kind == "invoice" else None,
        credit_note_id=doc.id if doc.kind == "credit_note" else None,
        account_id=doc.account_id, amount=value, payment_date=day, method=kind, reference=ref_text,
    )
    session.add(pay)
    session.flush()
    after, _ = balance_of(session, doc, ctx.today)
    how = f" by {kind}" + (f" (reference {ref_text})" if ref_text else "")
    if doc.kind == "invoice":
        subject = f"Payment received for {doc.number}: {_money_text(value, doc.currency)}{how}, balance {_money_text(after, doc.currency)}"
        _log(session, doc, "payment", subject)
    else:
        subject = f"Refund paid for {doc.number}: {_money_text(value, doc.currency)}{how}, left to refund {_money_text(after, doc.currency)}"
        _log(session, doc, "refund", subject)
    return payment_view(session, ctx, pay.id, with_balance=True)


def settle(session: Session, ctx: Context, inv: m.Invoice) -> Decimal | None:
    """``invoice status INV paid``: record a payment of the balance (method other, dated
    today); None when nothing is left to pay."""
    doc = Document("invoice", inv.id, inv.number, inv.account_id, inv.currency, inv.id, inv)
    _lock(session, doc)
    balance, _ = balance_of(session, doc, ctx.today)
    if balance <= 0:
        return None
    _record(session, ctx, doc, balance, ctx.today, "other", STATUS_PAID_REFERENCE)
    return balance


# ---------------------------------------------------------------- reading payments


def _query():
    p = rv.Payment.__table__
    rm = rv.PaymentRemoval.__table__
    i = m.Invoice.__table__
    cn = rv.CreditNote.__table__
    a = m.Account.__table__
    return (
        sa.select(
            p.c.id, p.c.payment_date, p.c.amount, p.c.method, p.c.reference, p.c.invoice_id, p.c.credit_note_id,
            sa.func.coalesce(i.c.number, cn.c.number).label("document"),
            sa.func.coalesce(i.c.currency, cn.c.currency).label("currency"),
            a.c.id.label("account_id"), a.c.name.label("account_name"),
            rm.c.payment_id.label("removed_id"), rm.c.reason.label("removed_reason"),
        )
        .select_from(p)
        .join(a, a.c.id == p.c.account_id)
        .outerjoin(i, i.c.id == p.c.invoice_id)
        .outerjoin(cn, cn.c.id == p.c.credit_note_id)
        .outerjoin(rm, rm.c.payment_id == p.c.id)
    )


def _view(row, **extra) -> PaymentResult:
    removed = row.removed_id is not None
    return PaymentResult(
        id=row.id,
        date=row.payment_date,
        document=row.document,
        kind="payment" if row.invoice_id is not None else "refund",
        account=Ref(row.account_id, row.account_name),
        amount=Money(row.amount),
        currency=row.currency,
        method=row.method,
        reference=row.reference,
        removed=removed,
        removed_reason=row.removed_reason if removed else None,
        **extra,
    )


def payment_view(session: Session, ctx: Context, payment_id: int, with_balance: bool = False) -> PaymentResult:
    row = session.execute(_query().where(rv.Payment.__table__.c.id == payment_id)).first()
    if row is None:
        raise NotFound(f"no payment {payment_id}")
    if not with_balance:
        return _view(row)
    doc = _document_of(session, row.invoice_id, row.credit_note_id)
    balance, state = balance_of(session, doc, ctx.today)
    extra: dict[str, Any] = {"balance": Money(balance)}
    if state is not None:
        extra["payment_state"] = state
    return _view(row, **extra)


def _document_of(session: Session, invoice_id: int | None, credit_note_id: int | None) -> Document:
    if invoice_id is not None:
        inv = session.get(m.Invoice, invoice_id)
        return Document("invoice", inv.id, inv.number, inv.account_id, inv.currency, inv.id, inv)
    cn = session.get(rv.CreditNote, credit_note_id)
    return Document("credit_note", cn.id, cn.number, cn.account_id, cn.currency, cn.invoice_id, cn)


def list_payments(session: Session, invoice: str | None = None, account: str | None = None, since: str | None = None,
                  until: str | None = None) -> Iterator[PaymentResult]:
    """Payments and refunds, oldest first; removed ones are listed too, flagged ``removed``."""
    p = rv.Payment.__table__
    q = _query()
    if invoice:
        doc = find_document(session, invoice)
        q = q.where(p.c.invoice_id == doc.id if doc.kind == "invoice" else p.c.credit_note_id == doc.id)
    if account:
        q = q.where(p.c.account_id == refs.account(session, account).id)
    if since:
        q = q.where(p.c.payment_date >= text.parse_date(since, "--since"))
    if until:
        q = q.where(p.c.payment_date <= text.parse_date(until, "--until"))
    q = q.order_by(p.c.payment_date, p.c.id)
    for row in session.connection().execution_options(stream_results=True, yield_per=1000).execute(q):
        yield _view(row)


# ---------------------------------------------------------------- removing a mistaken payment


def _payment_id(ref: Any) -> int:
    value = str(ref).strip()
    if not value.isdecimal() or not value.isascii() or len(value) > 18:
        raise NotFound(f"no payment {text.shown(ref)} (payments are named by their id: orders payment list)")
    return int(value)


def check_removable(session: Session, ref: Any) -> int:
    """The id of a payment that exists and is not removed yet (else the refusal)."""
    payment_id = _payment_id(ref)
    if session.get(rv.Payment, payment_id) is None:
        raise NotFound(f"no payment {payment_id}")
    if session.get(rv.PaymentRemoval, payment_id) is not None:
        raise Conflict(f"payment {payment_id} was already removed")
    return payment_id


def remove_payment(session: Session, ctx: Context, ref: Any, reason: str | None = None) -> PaymentResult:
    """Take a payment entered by mistake out of every balance (the payment row stays)."""
    why = text.optional(reason, "--reason", 500)
    payment_id = check_removable(session, ref)
    pay = session.get(rv.Payment, payment_id)
    doc = _document_of(session, pay.invoice_id, pay.credit_note_id)
    _lock(session, doc)
    session.add(rv.PaymentRemoval(payment_id=payment_id, reason=why))
    session.flush()
    what = "Payment" if doc.kind == "invoice" else "Refund"
    _log(session, doc, "payment_removed",
         f"{what} {payment_id} of {pay.payment_date.isoformat()} removed from {doc.number}: {_money_text(pay.amount, doc.currency)}", why)
    return payment_view(session, ctx, payment_id, with_balance=True)
