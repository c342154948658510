"""A quote's life: its status (sent, accepted, rejected, expired, cancelled; the rules are in
``core.lifecycle``), its validity, its conversion into an order, and the mail that sent it.

A quote is expired when its status says so or when its valid-until date is past. Accepting
an expired quote (``quote status Q accepted``, ``quote convert order Q``) needs ``force``;
sending one needs a new valid-until date first. Every status change is a row of the status
history (``status_history``), every mail a row of its change log: ``quote history`` and
``quote show`` list both.
"""

from __future__ import annotations

from datetime import date

from sqlmodel import Session, select

from orders_cli.core import lifecycle
from orders_cli.core.context import Context
from orders_cli.core.errors import Conflict, Invalid
from orders_cli.sales.inputs import Prepared, insert
from orders_cli.sales.results import DocView
from orders_cli.sales.views import view
from orders_cli.store import schema as m
from orders_cli.store.documents import ORDER, QUOTE, get, lines_of, lock

FORCE_HINT = "accept it anyway with --force, or give it a new date first: orders quote edit {n} --valid-until YYYY-MM-DD"


def expired(quote: m.Quote, today: date) -> str | None:
    """Why the quote is expired (its status, or its valid-until date past), or None."""
    if quote.status == "expired":
        return f"{quote.number} is expired"
    if quote.valid_until is not None and quote.valid_until < today:
        return f"{quote.number} expired on {quote.valid_until.isoformat()} (valid until then)"
    return None


def order_of(session: Session, quote_id: int) -> str | None:
    """The number of the order made from the quote, if any."""
    return session.exec(select(m.SalesOrder.number).where(m.SalesOrder.quote_id == quote_id).order_by(m.SalesOrder.id)).first()


def _change(session: Session, quote: m.Quote, new: str) -> None:
    session.add(m.StatusChange(doc_type="quote", doc_id=quote.id, old_status=quote.status, new_status=new))
    quote.status = new
    session.add(quote)
    session.flush()


def set_status(session: Session, ctx: Context, ref: str, status: str, force: bool = False) -> DocView:
    """``quote status QUOTE STATUS``: one transition of ``core.lifecycle``'s, logged."""
    quote = get(session, QUOTE, ref)
    lock(session, m.Quote, quote.id)
    new = lifecycle.quote_transition(quote.status, status, quote.number, order_of(session, quote.id))
    why = expired(quote, ctx.today)
    if new == "accepted" and why and not force:
        raise Conflict(f"{why}: {FORCE_HINT.format(n=quote.number)}")
    if new == "sent" and quote.valid_until is not None and quote.valid_until < ctx.today:
        raise Conflict(f"{why}: give it a new date first: orders quote edit {quote.number} --valid-until YYYY-MM-DD")
    _change(session, quote, new)
    return view(session, QUOTE, quote, ctx.today)


def convert(session: Session, ctx: Context, ref: str, force: bool = False) -> DocView:
    """A quote into an order (lines, customer, contact, addresses, discount and charges), the
    order linked to it, the quote accepted. One order per quote; an expired quote needs ``force``."""
    quote = get(session, QUOTE, ref)
    lock(session, m.Quote, quote.id)
    existing = order_of(session, quote.id)
    if existing:
        raise Conflict(f"{quote.number} was already converted into {existing}")
    if quote.status in ("rejected", "cancelled"):
        raise Conflict(f"{quote.number} is {quote.status}; it cannot become an order")
    why = expired(quote, ctx.today) if quote.status != "accepted" else None  # accepted in time: stays convertible
    if why and not force:
        raise Conflict(f"{why}: {FORCE_HINT.format(n=quote.number).replace('accept', 'convert')}")
    header = {c: getattr(quote, c) for c in m.Quote.__table__.c.keys()}
    for c in ("id", "number", "status", "created_at", "quote_date", "valid_until"):
        header.pop(c, None)
    header["quote_id"] = quote.id
    header["order_date"] = ctx.today
    header["customer_ref"] = None
    account = session.get(m.Account, quote.account_id)
    header["language"] = account.language
    lines = [{c: getattr(ln, c) for c in m.QuoteLine.__table__.c.keys() if c not in ("id", "quote_id")} for ln in lines_of(session, QUOTE, quote.id)]
    ((order_id, _),) = insert(session, ctx, ORDER, [Prepared(header, lines, "created", False, None, account)])
    if quote.status != "accepted":
        _change(session, quote, "accepted")
    return view(session, ORDER, session.get(m.SalesOrder, order_id), ctx.today)


def check_sendable(quote: m.Quote, today: date) -> None:
    """Before mailing a quote: not a rejected or cancelled one, nor one past its date."""
    if quote.status in ("rejected", "cancelled"):
        raise Invalid(f"{quote.number} is {quote.status}: it is not sent")
    why = expired(quote, today)
    if why and quote.valid_until is not None and quote.valid_until < today:
        raise Invalid(f"{why}: give it a new date first: orders quote edit {quote.number} --valid-until YYYY-MM-DD")


def record_mail(session: Session, quote_id: int, subject: str, to: str, message_id: str) -> str:
    """A mailed quote: the mail in its change log, and a created or expired quote becomes sent.
    Returns its status afterwards."""
    quote = session.get(m.Quote, quote_id)
    session.add(m.FieldChange(doc_type="quote", doc_id=quote.id, field="e-mail", old_value=None,
                              new_value=f"{subject} (to {to}; {message_id})"))
    if quote.status in ("created", "expired"):
        _change(session, quote, "sent")
    session.flush()
    return quote.status
