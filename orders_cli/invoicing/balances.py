"""What credit notes and payments took off each invoice, set-wise: the sums behind every
balance and payment state (the rules are ``core.receivable``'s).

``credited_and_paid`` answers for many invoices in two grouped queries; ``sums_query`` gives
the same sums as a subquery to join in a list.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import receivable
from orders_cli.core.money import from_cents
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m

ZERO = Decimal("0.00")


def _live_payments():
    p = rv.Payment.__table__
    removed = sa.select(rv.PaymentRemoval.__table__.c.payment_id)
    return p, p.c.id.not_in(removed)


def sums_query():
    """A subquery of (invoice_id, credited cents, credit notes, paid cents) for every invoice."""
    cn = rv.CreditNote.__table__
    p, live = _live_payments()
    inv = m.Invoice.__table__
    credited = (
        sa.select(sa.func.coalesce(sa.func.sum(cn.c.total, type_=sa.BigInteger), 0))
        .where(cn.c.invoice_id == inv.c.id).scalar_subquery()
    )
    notes = sa.select(sa.func.count()).select_from(cn).where(cn.c.invoice_id == inv.c.id).scalar_subquery()
    paid = (
        sa.select(sa.func.coalesce(sa.func.sum(p.c.amount, type_=sa.BigInteger), 0))
        .where(p.c.invoice_id == inv.c.id, live).scalar_subquery()
    )
    return sa.select(inv.c.id.label("invoice_id"), credited.label("credited"), notes.label("notes"), paid.label("paid")).subquery()


def credited_and_paid(session: Session, invoice_ids: Iterable[int]) -> dict[int, tuple[Decimal, int, Decimal]]:
    """Per invoice id: (credited, number of credit notes, paid), 0.00 when none."""
    ids = list(invoice_ids)
    out = {i: (ZERO, 0, ZERO) for i in ids}
    if not ids:
        return out
    cn = rv.CreditNote.__table__
    for inv_id, cents, count in session.execute(
        sa.select(cn.c.invoice_id, sa.func.sum(cn.c.total, type_=sa.BigInteger), sa.func.count()).where(cn.c.invoice_id.in_(ids)).group_by(cn.c.invoice_id)
    ):
        out[inv_id] = (from_cents(cents or 0), count, out[inv_id][2])
    p, live = _live_payments()
    for inv_id, cents in session.execute(
        sa.select(p.c.invoice_id, sa.func.sum(p.c.amount, type_=sa.BigInteger)).where(p.c.invoice_id.in_(ids), live).group_by(p.c.invoice_id)
    ):
        out[inv_id] = (out[inv_id][0], out[inv_id][1], from_cents(cents or 0))
    return out


def standing_of(session: Session, inv: m.Invoice, as_of: date) -> receivable.Standing:
    credited, notes, paid = credited_and_paid(session, [inv.id])[inv.id]
    return receivable.standing(inv.total, credited, paid, inv.due_date, as_of, inv.status, notes > 0)


def credit_note_refunded(session: Session, credit_note_ids: Iterable[int]) -> dict[int, Decimal]:
    """Per credit note id: the refunds paid (live payments)."""
    ids = list(credit_note_ids)
    out = {i: ZERO for i in ids}
    if ids:
        p, live = _live_payments()
        for cn_id, cents in session.execute(
            sa.select(p.c.credit_note_id, sa.func.sum(p.c.amount, type_=sa.BigInteger)).where(p.c.credit_note_id.in_(ids), live).group_by(p.c.credit_note_id)
        ):
            out[cn_id] = from_cents(cents or 0)
    return out
