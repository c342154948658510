"""Which documents the books count, and the SQL pieces every report shares: one definition,
so ``report sales``, ``report vat``, ``report aging`` and ``export fec | journal`` agree.

- **Invoices**: every issued invoice, dated ``invoice_date``, except one cancelled before credit
  notes existed (status ``cancelled`` and no credit note: void, balance 0.00, as
  ``core.receivable`` has it). Deposit invoices count (the final invoice deducts them).
- **Credit notes**: every one, dated ``credit_date``, amounts taken off.
- **Payments**: every live payment (not removed), dated ``payment_date``; a refund paid for a
  credit note counts the other way.
- **Net** of a document = ``total - tax_total`` (HT), **VAT** = ``tax_total``, **gross** = ``total``.
"""

from __future__ import annotations

import sqlalchemy as sa

from orders_cli.core.spans import Span
from orders_cli.store import receivables as rv
from orders_cli.store import schema as m


def invoices():
    return m.Invoice.__table__


def credit_notes():
    return rv.CreditNote.__table__


def payments():
    return rv.Payment.__table__


def counted(inv=None):
    """The condition an invoice row must meet to be counted (see the module's rules)."""
    inv = invoices() if inv is None else inv
    cn = rv.CreditNote.__table__.alias("counted_cn")
    return sa.or_(inv.c.status != "cancelled", sa.select(cn.c.id).where(cn.c.invoice_id == inv.c.id).exists())


def void_invoices():
    """The ids of the invoices not counted (cancelled before credit notes existed): few, so a
    report keeps a row with ``id NOT IN`` this rather than joining every invoice."""
    inv = invoices().alias("void_inv")
    cn = rv.CreditNote.__table__.alias("void_cn")
    return sa.select(inv.c.id).where(inv.c.status == "cancelled", ~sa.select(cn.c.id).where(cn.c.invoice_id == inv.c.id).exists())


def live(p=None):
    """The condition a payment row must meet to count (not removed)."""
    p = payments() if p is None else p
    return p.c.id.not_in(sa.select(rv.PaymentRemoval.__table__.c.payment_id))


def within(col, span: Span) -> list:
    """Conditions keeping ``col`` (a date column) within ``span``."""
    out = []
    if span.since is not None:
        out.append(col >= span.since)
    if span.until is not None:
        out.append(col <= span.until)
    return out


def dialect(session) -> str:
    return session.get_bind().dialect.name


def month_of(col, dialect_name: str):
    """``"YYYY-MM"`` of a date column, in SQL."""
    if dialect_name == "postgresql":
        return sa.func.to_char(col, "YYYY-MM")
    return sa.func.strftime("%Y-%m", col)


def cents_of_text(expr):
    """A 2-place amount stored as text in JSON ("-12.50") as exact integer cents, in SQL (no float)."""
    return sa.cast(sa.func.replace(expr, ".", ""), sa.BigInteger)
