"""Who owes what: an account's statement (every invoice, credit note, payment and refund in
date order with a running balance) and the open balance of an account or an order.

- A **statement** line is a debit (an invoice's total, a refund paid out) or a credit (a
  credit note's total, a payment received); the balance runs from the opening balance (what
  the lines before ``since`` add up to, 0.00 without ``since``). On one day invoices come
  first, then credit notes, refunds and payments, each in the order they were recorded.
  Removed payments are left out; so is an invoice cancelled before credit notes existed
  (status cancelled, no credit note: it owes nothing) with its payments.
- The **open balance** (``open_balance``) is what the statement's closing balance says,
  without dates: the sum of the balances of the invoices (total - credit notes - payments)
  plus the refunds paid on their credit notes. Positive: the customer owes it; negative: it
  is owed to the customer (an overpayment, or a credit note not refunded yet).

One currency per statement: an account with documents in several currencies is refused
unless ``currency`` picks one.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import text
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid
from orders_cli.core.money import Money, from_cents
from orders_cli.invoicing import balances
from orders_cli.invoicing.payment_results import (
    Statement,
    StatementAccount,
    StatementLine,
)
from orders_cli.parties.catalog import address_of
from orders_cli.store import receivables as rv
from orders_cli.store import refs
from orders_cli.store import schema as m

ZERO = Decimal("0.00")
_RANK = {"invoice": 0, "credit_note": 1, "refund": 2, "payment": 3}


def _counted_invoice():
    """Invoices that count: not cancelled before credit notes existed."""
    t = m.Invoice.__table__
    cn = rv.CreditNote.__table__
    return sa.not_(sa.and_(t.c.status == "cancelled", ~sa.exists().where(cn.c.invoice_id == t.c.id)))


def _live():
    p = rv.Payment.__table__
    return p.c.id.not_in(sa.select(rv.PaymentRemoval.__table__.c.payment_id))


def _events(session: Session, account_id: int, until: date | None) -> list[tuple[Any, ...]]:
    """(date, type, id, number, description, method, amount, currency) of every line of the account."""
    t = m.Invoice.__table__
    cn = rv.CreditNote.__table__
    p = rv.Payment.__table__
    cited = t.alias("cited")
    out: list[tuple[Any, ...]] = []
    q = sa.select(t.c.invoice_date, t.c.id, t.c.number, t.c.subject, t.c.total, t.c.currency).where(t.c.account_id == account_id, _counted_invoice())
    if until:
        q = q.where(t.c.invoice_date <= until)
    out += [(r.invoice_date, "invoice", r.id, r.number, r.subject, None, r.total, r.currency) for r in session.execute(q)]
    q = (sa.select(cn.c.credit_date, cn.c.id, cn.c.number, cn.c.reason, cn.c.subject, cn.c.total, cn.c.currency, cited.c.number.label("cited"))
         .join(cited, cited.c.id == cn.c.invoice_id).where(cn.c.account_id == account_id))
    if until:
        q = q.where(cn.c.credit_date <= until)
    out += [(r.credit_date, "credit_note", r.id, r.number, f"{r.cited}: {r.reason or r.subject}", None, r.total, r.currency)
            for r in session.execute(q)]
    base = sa.select(p.c.payment_date, p.c.id, p.c.method, p.c.reference, p.c.amount).where(p.c.account_id == account_id, _live())
    if until:
        base = base.where(p.c.payment_date <= until)
    q = base.add_columns(t.c.number, t.c.currency).join(t, t.c.id == p.c.invoice_id).where(_counted_invoice())
    out += [(r.payment_date, "payment", r.id, r.number, r.reference or "", r.method, r.amount, r.currency) for r in session.execute(q)]
    q = base.add_columns(cn.c.number, cn.c.currency).join(cn, cn.c.id == p.c.credit_note_id)
    out += [(r.payment_date, "refund", r.id, r.number, r.reference or "", r.method, r.amount, r.currency) for r in session.execute(q)]
    out.sort(key=lambda e: (e[0], _RANK[e[1]], e[2]))
    return out


def _currency(events: list[tuple[Any, ...]], chosen: str | None, ctx: Context, name: str) -> str:
    found = sorted({e[7] for e in events})
    if chosen not in (None, ""):
        code = text.clean(chosen, "--currency", 3).upper()
        if len(code) != 3 or not code.isascii() or not code.isalpha():
            raise Invalid(f"--currency: a 3-letter ISO 4217 code (EUR, USD), got {text.shown(chosen)}")
        return code
    if len(found) > 1:
        raise Invalid(f"{name} has documents in {' and '.join(found)}: choose one with --currency")
    return found[0] if found else str(ctx.settings.get("currency") or "EUR")


def statement(session: Session, ctx: Context, account_ref: str, since: Any = None, until: Any = None,
              currency: str | None = None) -> Statement:
    """The account's statement from ``since`` (an opening balance first) to ``until``."""
    start = text.parse_date(since, "--since") if since not in (None, "") else None
    end = text.parse_date(until, "--until") if until not in (None, "") else None
    if start and end and end < start:
        raise Invalid(f"--until {end.isoformat()} is before --since {start.isoformat()}")
    acc = refs.account(session, account_ref)
    events = _events(session, acc.id, end)
    code = _currency(events, currency, ctx, acc.name)
    running = ZERO
    lines: list[StatementLine] = []
    opening = ZERO
    for day, kind, _, number, description, method, amount, cur in events:
        if cur != code:
            continue
        debit = amount if kind in ("invoice", "refund") else None
        credit = amount if debit is None else None
        running += amount if debit is not None else -amount
        if start and day < start:
            opening = running
            continue
        if start and not lines:
            lines.append(StatementLine(start, "opening", None, "", None, None, None, Money(opening)))
        lines.append(StatementLine(day, kind, number, description, method, Money(debit) if debit is not None else None,
                                   Money(credit) if credit is not None else None, Money(running)))
    if start and not lines:
        lines.append(StatementLine(start, "opening", None, "", None, None, None, Money(opening)))
    return Statement(
        account=StatementAccount(acc.id, acc.name, acc.email, acc.language, address_of(acc, "billing")),
        since=start,
        until=end,
        opening_balance=Money(opening),
        lines=lines,
        closing_balance=Money(running),
        currency=code,
    )


def open_balance(session: Session, account_id: int | None = None, order_id: int | None = None) -> Money:
    """What an account's (or an order's) invoices still owe: their balances plus the refunds
    paid on their credit notes (in one grouped query each)."""
    t = m.Invoice.__table__
    cn = rv.CreditNote.__table__
    p = rv.Payment.__table__
    sums = balances.sums_query()
    owed = sa.func.coalesce(sa.func.sum(sa.type_coerce(t.c.total, sa.BigInteger) - sums.c.credited - sums.c.paid, type_=sa.BigInteger), 0)
    q = sa.select(owed).select_from(t.join(sums, sums.c.invoice_id == t.c.id)).where(_counted_invoice())
    refunded = (sa.select(sa.func.coalesce(sa.func.sum(sa.type_coerce(p.c.amount, sa.BigInteger), type_=sa.BigInteger), 0))
                .select_from(p.join(cn, cn.c.id == p.c.credit_note_id).join(t, t.c.id == cn.c.invoice_id)).where(_live()))
    if account_id is not None:
        q, refunded = q.where(t.c.account_id == account_id), refunded.where(t.c.account_id == account_id)
    if order_id is not None:
        q, refunded = q.where(t.c.order_id == order_id), refunded.where(t.c.order_id == order_id)
    return Money(from_cents(session.execute(q).scalar_one()) + from_cents(session.execute(refunded).scalar_one()))
