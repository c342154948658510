"""Credit notes read back: one in full, a list, an invoice's own."""

from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import text
from orders_cli.core.money import Money
from orders_cli.invoicing import balances
from orders_cli.invoicing import credit_results as r
from orders_cli.invoicing.lines import line_result
from orders_cli.parties import snapshots
from orders_cli.parties.catalog import address_of
from orders_cli.store import documents, refs
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m


def credit_view(session: Session, note: rv.CreditNote) -> r.CreditNote:
    inv = session.get(m.Invoice, note.invoice_id)
    order = session.get(m.SalesOrder, note.order_id) if note.order_id else None
    account = session.get(m.Account, note.account_id)
    lines = session.exec(select(rv.CreditNoteLine).where(rv.CreditNoteLine.credit_note_id == note.id).order_by(rv.CreditNoteLine.line_no)).all()
    return r.CreditNote(
        id=note.id,
        number=note.number,
        invoice=inv.number,
        invoice_date=inv.invoice_date,
        order=order.number if order else None,
        account=r.Ref(account.id, account.name),
        subject=note.subject,
        credit_date=note.credit_date,
        reason=note.reason,
        mode=note.mode,
        rebill=note.rebill,
        currency=note.currency,
        language=note.language or account.language,
        billing_address=address_of(note, "billing"),
        shipping_address=address_of(note, "shipping"),
        lines=[line_result(ln) for ln in lines],
        totals=documents.totals_from_row(note),
        refunded=Money(balances.credit_note_refunded(session, [note.id])[note.id]),
        customer_ref=inv.customer_ref,
        seller=snapshots.read(note.seller),
        buyer=snapshots.read(note.buyer),
    )


def get_credit(session: Session, ref: str) -> rv.CreditNote:
    return refs.document(session, rv.CreditNote, ref, "credit note")


def show_credit(session: Session, ref: str) -> r.CreditNote:
    return credit_view(session, get_credit(session, ref))


def numbers_of_invoice(session: Session, invoice_id: int) -> list[str]:
    return list(session.execute(sa.select(rv.CreditNote.number).where(rv.CreditNote.invoice_id == invoice_id).order_by(rv.CreditNote.id)).scalars())


def list_credits(session: Session, invoice: str | None = None, order: str | None = None, account: str | None = None,
                 since: str | None = None, until: str | None = None, limit: int | None = None) -> Iterator[r.CreditRow]:
    t = rv.CreditNote.__table__
    i = m.Invoice.__table__.alias("inv")
    o = m.SalesOrder.__table__
    a = m.Account.__table__
    q = (
        sa.select(t.c.id, t.c.number, t.c.credit_date, t.c.reason, t.c.currency, t.c.subtotal, t.c.tax_total, t.c.total,
                  i.c.number.label("invoice_number"), o.c.number.label("order_number"), a.c.id.label("account_id"), a.c.name.label("account_name"))
        .join(i, i.c.id == t.c.invoice_id)
        .join(a, a.c.id == t.c.account_id)
        .outerjoin(o, o.c.id == t.c.order_id)
    )
    if invoice:
        q = q.where(t.c.invoice_id == refs.document(session, m.Invoice, invoice, "invoice").id)
    if order:
        q = q.where(t.c.order_id == documents.get(session, documents.ORDER, order).id)
    if account:
        q = q.where(t.c.account_id == refs.account(session, account).id)
    if since:
        q = q.where(t.c.credit_date >= text.parse_date(since, "--since"))
    if until:
        q = q.where(t.c.credit_date <= text.parse_date(until, "--until"))
    q = q.order_by(t.c.credit_date.desc(), t.c.id.desc())
    if limit:
        q = q.limit(limit)
    for row in session.execute(q):
        yield r.CreditRow(row.id, row.number, row.credit_date, row.invoice_number, row.order_number, r.Ref(row.account_id, row.account_name),
                          row.reason, row.currency, Money(row.subtotal), Money(row.tax_total), Money(row.total))
