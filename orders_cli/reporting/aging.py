"""``orders report aging``: who owes what on a day, and for how long past due.

On ``as_of`` (default today) each counted invoice dated on or before it has a balance: its
total - its credit notes dated by then - the live payments received by then (the rule of
``core.receivable``, as of that day). A positive balance falls in the bucket of its due date
(``core.spans.aging_bucket``: current, 1-30, 31-60, 61-90, over 90 days past due); a negative
one (overpaid or over-credited: owed to the customer) and the refunds already paid out on it
make the ``credit`` column. One grouped query: a subquery of balances per invoice, summed per
account and bucket with CASE over the bucket's due-date bounds (portable: dates compared,
never subtracted in SQL). An invoice whose every credit note, payment and refund is dated
on or before ``as_of`` (``invoice_balance.last_event``) has the balance ``invoice_balance``
holds, and adds nothing once settled for good (``open_until``): those are read through the
index of the open ones alone. Only the invoices dated by ``as_of`` with an event after it are
balanced from the documents: found once (a CTE: as of a past day, a few of the invoices with a
later event, most of the book being dated after that day), then their credit notes, payments
and refunds dated by ``as_of`` summed through the per-invoice indexes.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core.money import Money, from_cents
from orders_cli.core.results import Ref
from orders_cli.core.spans import aging_bounds
from orders_cli.reporting import scope
from orders_cli.reporting.results import AgingRow
from orders_cli.store import receivables as rv
from orders_cli.store import refs
from orders_cli.store import schema as m
from orders_cli.store import summaries as sm

I64 = sa.BigInteger


def _c(col):
    return sa.type_coerce(col, I64)


def aging(s: Session, as_of: date, account: str | None = None) -> list[AgingRow]:
    """The rows of ``report aging``: one per account (and currency) with something open."""
    account_id = refs.account(s, account).id if account is not None else None
    inv, cn, p = m.Invoice.__table__, rv.CreditNote.__table__, rv.Payment.__table__
    bal = sm.InvoiceBalance.__table__
    void = list(s.execute(scope.void_invoices()).scalars())
    counted = inv.c.id.not_in(void) if void else sa.true()
    mine = [inv.c.account_id == account_id] if account_id is not None else []
    # every event of the invoice dated by as_of: its balance then is its balance now, which
    # invoice_balance holds (store/summaries.py); settled for good (open_until) adds nothing
    counted_bal = bal.c.invoice_id.not_in(void) if void else sa.true()
    # (open_until is last_event once settled, else OPEN: with last_event <= as_of < open_until
    # the invoice is open, so the index is read for the open ones only, whatever the day)
    settled = (sa.select(bal.c.account_id, bal.c.currency, bal.c.due_date,
                         (_c(bal.c.total) - _c(bal.c.credited) - _c(bal.c.paid)).label("balance"), _c(bal.c.refunded).label("refunded"))
               .where(bal.c.open_until == sm.OPEN, bal.c.open_until > as_of, bal.c.last_event <= as_of, counted_bal,
                      *([bal.c.account_id == account_id] if account_id is not None else [])))
    # the few with a credit note or payment dated after as_of: balanced from the documents,
    # each sum grouped once and joined (a correlated subquery per invoice would be evaluated
    # again for every bucket column once SQLite flattens the per-invoice query into the outer one)
    any_later = s.execute(sa.select(bal.c.invoice_id).where(bal.c.last_event > as_of).limit(1)).first() is not None  # none, as of today: one part only
    # only those dated by as_of (the invoices dated after it have no balance then): as of a past
    # day the invoices with a later event are most of the book, those dated by then a few
    # (found once: a CTE read by each sum below)
    later = sa.select((sa.select(bal.c.invoice_id.label("id")).select_from(inv.join(bal, bal.c.invoice_id == inv.c.id))
                       .where(inv.c.invoice_date <= as_of, bal.c.last_event > as_of, counted, *mine)).cte("later").c.id)
    credited = (sa.select(cn.c.invoice_id.label("id"), sa.func.sum(_c(cn.c.total), type_=I64).label("cents"))
                .where(cn.c.credit_date <= as_of, cn.c.invoice_id.in_(later)).group_by(cn.c.invoice_id).subquery("credited"))
    paid = (sa.select(p.c.invoice_id.label("id"), sa.func.sum(_c(p.c.amount), type_=I64).label("cents"))
            .where(p.c.invoice_id.in_(later), p.c.payment_date <= as_of, scope.live(p)).group_by(p.c.invoice_id).subquery("paid"))
    refunded = (sa.select(cn.c.invoice_id.label("id"), sa.func.sum(_c(p.c.amount), type_=I64).label("cents"))
                .select_from(p.join(cn, cn.c.id == p.c.credit_note_id))
                .where(cn.c.invoice_id.in_(later), p.c.payment_date <= as_of, scope.live(p)).group_by(cn.c.invoice_id).subquery("refunded"))
    zero = sa.literal(0, I64)
    moved = (sa.select(inv.c.account_id, inv.c.currency, inv.c.due_date,
                       (_c(inv.c.total) - sa.func.coalesce(credited.c.cents, zero) - sa.func.coalesce(paid.c.cents, zero)).label("balance"),
                       sa.func.coalesce(refunded.c.cents, zero).label("refunded"))
             .select_from(inv.outerjoin(credited, credited.c.id == inv.c.id).outerjoin(paid, paid.c.id == inv.c.id)
                          .outerjoin(refunded, refunded.c.id == inv.c.id))
             .where(inv.c.id.in_(later), counted, inv.c.invoice_date <= as_of, *mine))
    per_invoice = (sa.union_all(settled, moved) if any_later else settled).subquery()
    b = per_invoice.c
    b30, b60, b90 = aging_bounds(as_of)
    owed = b.balance > 0

    def bucket(*conds):
        return sa.func.sum(sa.case((sa.and_(owed, *conds), b.balance), else_=0), type_=I64)

    q = (sa.select(b.account_id, b.currency,
                   sa.func.sum(sa.case((owed, 1), else_=0), type_=I64),
                   bucket(sa.or_(b.due_date.is_(None), b.due_date >= as_of)),
                   bucket(b.due_date < as_of, b.due_date >= b30),
                   bucket(b.due_date < b30, b.due_date >= b60),
                   bucket(b.due_date < b60, b.due_date >= b90),
                   bucket(b.due_date < b90),
                   sa.func.sum(sa.case((b.balance < 0, b.balance), else_=0) + b.refunded, type_=I64))
         .group_by(b.account_id, b.currency))
    found = [r for r in s.execute(q) if any(r[2:])]
    a = m.Account.__table__
    names = dict(s.execute(sa.select(a.c.id, a.c.name).where(a.c.id.in_({r[0] for r in found}))).all()) if found else {}
    rows = []
    for account_id, currency, n, *cents in found:
        current, d30, d60, d90, over, credit = (from_cents(c or 0) for c in cents)
        if n == 0 and credit == 0:
            continue
        rows.append(AgingRow(Ref(account_id, names.get(account_id, "")), currency, int(n or 0), Money(current), Money(d30), Money(d60),
                             Money(d90), Money(over), Money(credit), Money(current + d30 + d60 + d90 + over + credit)))
    rows.sort(key=lambda r: (-(r.total), r.account.name.casefold(), r.currency))
    return rows

