"""What the reports read instead of re-deriving it from every document (Alembic revision 0005).

Both are written by the database itself, by triggers, in the transaction that writes the
document, so no write path (the use cases, ``recur run``, a bulk import, a raw script) can
forget them:

- ``invoice_tax`` / ``credit_note_tax``: one row per entry of a document's tax breakdown
  (the ``tax_breakdown`` JSON, which is locked once issued), its date and currency copied,
  amounts as integer cents. ``report vat`` groups these rows instead of parsing JSON. Never
  changed or deleted (lock triggers).
- ``invoice_balance``: per invoice, its account, currency, due date and total and the running sums of its credit notes, live
  payments and refunds paid out on its credit notes, the latest date of any of them
  (``last_event``) and ``open_until``: that date once the invoice contributes nothing to
  ``report aging`` (owes nothing, is owed nothing), else ``9999-12-31``. As of any day on or
  after ``open_until`` the invoice is settled, so aging only balances the invoices with
  ``open_until > as_of``. The sums are a cache the triggers keep (``db check`` compares them
  with the documents); aging itself still balances each candidate from the documents.

Revision 0007 adds one more, written AFTER INSERT of each invoice or credit note line:

- ``invoice_line_sales`` / ``credit_note_line_sales``: one narrow row per line of an issued
  document: its document's date, currency and account, the line's SKU, product, net (cents) and
  quantity as two exact integers, ``units`` (the whole part) and ``fraction`` (the rest in
  10^-10, a quantity has at most 10 places; same sign), so SQL sums quantities exactly.
  ``report sales --by product | vendor`` groups these rows through a covering index in the order
  it groups instead of sorting every line by its quantity text. Never changed or deleted (lock
  triggers); ``db check`` compares every row with its line.
Revision 0008 adds what ``report vat --basis payment`` reads, moved AFTER INSERT of a payment of
an invoice and of a payment removal (each recomputes the one invoice from its live payments):

- on ``invoice_balance``, ``first_paid`` and ``last_paid`` (its earliest and latest live payment)
  and ``settled_on``, the first day its live payments dated by then reach its total (none while
  they do not, nor for a total of 0 or less);
- ``invoice_receipt_tax``: the VAT rows of every invoice (of a total over 0) with a live payment,
  with its three dates, total and what its live payments sum to. An invoice paid whole within a
  span is one first paid on or after the span's start and settled by its end: the report sums
  its rows through a covering index in the order it groups, without reading a payment; the
  others it shares out come from a second covering index, by date. ``db check`` compares both
  with the payments.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from orders_cli.store.schema import InvoiceLine, Money

OPEN = date(9999, 12, 31)
SCALE = 10  # the places of ``fraction`` (core.money.MAX_PLACES)


def quantity_parts(dialect: str, q: str) -> tuple[str, str]:
    """SQL of (units, fraction) of the quantity text ``q`` (canonical: "3", "2.5", "-0.125"):
    the whole part, and the rest scaled by 10^SCALE with the sign of the quantity."""
    find = f"strpos({q}, '.')" if dialect == "postgresql" else f"instr({q}, '.')"
    units = f"CAST(CASE WHEN {find} = 0 THEN {q} ELSE substr({q}, 1, {find} - 1) END AS BIGINT)"
    digits = f"substr(substr({q}, {find} + 1) || '{'0' * SCALE}', 1, {SCALE})"
    fraction = f"CASE WHEN {find} = 0 THEN 0 ELSE CASE WHEN substr({q}, 1, 1) = '-' THEN -1 ELSE 1 END * CAST({digits} AS BIGINT) END"
    return units, fraction


class _TaxEntry(SQLModel):
    seq: int = Field(primary_key=True)
    currency: str = Field(max_length=3)
    category: str = Field(default="S", max_length=3)
    name: str
    rate: str
    exemption_reason: Optional[str] = None
    base: Decimal = Money()
    amount: Decimal = Money()


class InvoiceTax(_TaxEntry, table=True):
    __tablename__ = "invoice_tax"
    __table_args__ = (sa.Index("ix_invoice_tax_sums", "category", "name", "rate", "currency", "invoice_date", "base", "amount", "exemption_reason"),)
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True)
    invoice_date: date


class CreditNoteTax(_TaxEntry, table=True):
    __tablename__ = "credit_note_tax"
    __table_args__ = (sa.Index("ix_credit_note_tax_sums", "category", "name", "rate", "currency", "credit_date", "base", "amount", "exemption_reason"),)
    credit_note_id: int = Field(foreign_key="credit_note.id", primary_key=True)
    credit_date: date


USAGE_LINES = "order_line_id IS NULL AND deposit_invoice_id IS NULL"  # an invoice's usage lines (revision 0008's partial index)
RECEIPT_COLUMNS = ("invoice_id, seq, first_paid, last_paid, settled_on, total, paid, currency, category, name, rate, exemption_reason, "
                   "base, amount")
PART_INDEX = ("last_paid", "first_paid", "settled_on", "total", "paid", "category", "name", "rate", "currency", "exemption_reason", "base",
              "amount", "invoice_id")  # the rows of the invoices not paid whole in a span, by date (report vat --basis payment)


def receipt_dates(inv: str, balance: str = "invoice_balance") -> dict[str, str]:
    """Revision 0008: the SQL of the three payment dates of invoice ``inv`` (an SQL expression)
    from its live payments, per column of ``invoice_balance`` (aliased ``balance``)."""
    live = lambda a: f"NOT EXISTS (SELECT 1 FROM payment_removal r WHERE r.payment_id = {a}.id)"  # noqa: E731
    mine = f"p.invoice_id = {inv} AND {live('p')}"
    reached = (f"(SELECT sum(q.amount) FROM payment q WHERE q.invoice_id = {inv} AND {live('q')} "
               f"AND q.payment_date <= p.payment_date) >= {balance}.total")
    return {
        "first_paid": f"(SELECT min(p.payment_date) FROM payment p WHERE {mine})",
        "last_paid": f"(SELECT max(p.payment_date) FROM payment p WHERE {mine})",
        "settled_on": f"CASE WHEN {balance}.total > 0 THEN (SELECT min(p.payment_date) FROM payment p WHERE {mine} AND {reached}) END",
    }


def receipt_select(where: str) -> str:
    """Revision 0008: SELECT of the receipt rows (``RECEIPT_COLUMNS``) that the invoices' VAT rows
    (``t``) and balances (``b``) give where ``where`` holds: every paid invoice of a total over 0.
    The sum of its live payments is read from the payments, not from ``invoice_balance.paid``,
    which another trigger of the same payment moves, in an order SQLite does not promise."""
    paid = ("(SELECT coalesce(sum(p.amount), 0) FROM payment p WHERE p.invoice_id = t.invoice_id "
            "AND NOT EXISTS (SELECT 1 FROM payment_removal r WHERE r.payment_id = p.id))")
    return (f"SELECT t.invoice_id, t.seq, b.first_paid, b.last_paid, b.settled_on, b.total, {paid}, t.currency, t.category, t.name, "
            "t.rate, t.exemption_reason, t.base, t.amount FROM invoice_tax t JOIN invoice_balance b ON b.invoice_id = t.invoice_id "
            f"WHERE b.first_paid IS NOT NULL AND b.total > 0 AND {where}")


class InvoiceBalance(SQLModel, table=True):
    __tablename__ = "invoice_balance"
    __table_args__ = (sa.Index("ix_invoice_balance_open", "open_until"),)
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True)
    account_id: int  # the invoice's (locked once issued), so aging reads this table alone
    currency: str = Field(max_length=3)
    due_date: Optional[date] = None
    total: Decimal = Money()
    credited: Decimal = Money()
    paid: Decimal = Money()
    refunded: Decimal = Money()
    last_event: date
    open_until: date
    first_paid: Optional[date] = None  # revision 0008: its earliest and latest live payment
    last_paid: Optional[date] = None
    settled_on: Optional[date] = None  # the first day its live payments dated by then reach its total (> 0)


class InvoiceReceiptTax(SQLModel, table=True):
    """Revision 0008: the VAT rows of every invoice (of a total over 0) with a live payment, with its
    payment dates, total and the sum of its live payments."""

    __tablename__ = "invoice_receipt_tax"
    __table_args__ = (sa.Index("ix_invoice_receipt_tax_sums", "category", "name", "rate", "currency", "settled_on", "first_paid", "base",
                               "amount", "exemption_reason"),
                      sa.Index("ix_invoice_receipt_tax_part", *PART_INDEX))
    invoice_id: int = Field(foreign_key="invoice.id", primary_key=True)
    seq: int = Field(primary_key=True)
    first_paid: date
    last_paid: date
    settled_on: Optional[date] = None
    total: Decimal = Money()
    paid: Decimal = Money()
    currency: str = Field(max_length=3)
    category: str = Field(max_length=3)
    name: str
    rate: str
    exemption_reason: Optional[str] = None
    base: Decimal = Money()
    amount: Decimal = Money()


def _sums_index(table: str, day: str, key: str) -> sa.Index:
    """What report sales reads, in the order it groups (revision 0007 makes the same)."""
    return sa.Index(f"ix_{table}_sums", "sku", "currency", "product_id", day, "units", "fraction", "net", key, "account_id")


class _LineSales(SQLModel):
    currency: str = Field(max_length=3)
    account_id: int
    sku: str = Field(max_length=100)
    product_id: Optional[int] = None
    units: int = Field(sa_type=sa.BigInteger)
    fraction: int = Field(sa_type=sa.BigInteger)
    net: Decimal = Money()


class InvoiceLineSales(_LineSales, table=True):
    __tablename__ = "invoice_line_sales"
    __table_args__ = (_sums_index("invoice_line_sales", "invoice_date", "invoice_id"),)
    line_id: int = Field(foreign_key="invoice_line.id", primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    invoice_date: date


class CreditNoteLineSales(_LineSales, table=True):
    __tablename__ = "credit_note_line_sales"
    __table_args__ = (_sums_index("credit_note_line_sales", "credit_date", "credit_note_id"),)
    line_id: int = Field(foreign_key="credit_note_line.id", primary_key=True)
    credit_note_id: int = Field(foreign_key="credit_note.id")
    credit_date: date


# revision 0008: the usage lines of the invoices, what report recurring takes off each period's net
sa.Index("ix_invoice_line_usage", InvoiceLine.__table__.c.invoice_id, InvoiceLine.__table__.c.net,
         sqlite_where=sa.text(USAGE_LINES), postgresql_where=sa.text(USAGE_LINES))
