"""SQLModel tables of what happens after an invoice is issued (Alembic revision 0003): credit
notes and their lines, payments (and the record of a payment removed by mistake), reminders.

Same exactness as ``schema.py``: amounts are integer cents, quantities and prices exact text.
Credit notes, their lines, payments and removals are never changed or deleted once written
(triggers of revision 0003); a reminder row only moves its mail status (claimed -> sent).
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlmodel import Field, SQLModel

from orders_cli.store.schema import AddressMixin, LineMixin, Money, TotalsMixin, utcnow

PAYMENT_METHODS = ("transfer", "card", "cash", "cheque", "direct_debit", "other")


class CreditNote(AddressMixin, TotalsMixin, table=True):
    """A credit note: cites one invoice, positive amounts, a negative effect on its balance."""

    __tablename__ = "credit_note"
    __table_args__ = (sa.Index("ix_credit_note_date", "credit_date"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    order_id: Optional[int] = Field(default=None, foreign_key="sales_order.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    subject: str = Field(max_length=500)
    credit_date: date
    reason: Optional[str] = Field(default=None, max_length=500)
    mode: str = Field(default="whole", max_length=10)  # whole | lines | amount
    rebill: bool = False  # a recurring invoice's period may be billed again
    currency: str = Field(default="EUR", max_length=3)
    language: Optional[str] = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    seller: Optional[str] = None  # identities at issue (JSON), revision 0004
    buyer: Optional[str] = None


class CreditNoteLine(LineMixin, table=True):
    __tablename__ = "credit_note_line"
    __table_args__ = (sa.UniqueConstraint("credit_note_id", "line_no"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    credit_note_id: int = Field(foreign_key="credit_note.id", index=True)
    invoice_line_id: Optional[int] = Field(default=None, foreign_key="invoice_line.id", index=True)  # None: a price reduction
    order_line_id: Optional[int] = Field(default=None, foreign_key="order_line.id", index=True)
    order_line_no: Optional[int] = None
    deposit_invoice_id: Optional[int] = Field(default=None, index=True)  # crediting a deposit line or a deduction


class Payment(SQLModel, table=True):
    """Money received for an invoice, or refunded for a credit note (exactly one of the two)."""

    __tablename__ = "payment"
    __table_args__ = (
        sa.CheckConstraint("(invoice_id IS NULL) <> (credit_note_id IS NULL)", name="ck_payment_document"),
        sa.CheckConstraint("amount > 0", name="ck_payment_amount"),
        sa.CheckConstraint("method IN ('transfer', 'card', 'cash', 'cheque', 'direct_debit', 'other')", name="ck_payment_method"),
        sa.Index("ix_payment_account_date", "account_id", "payment_date"),
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    invoice_id: Optional[int] = Field(default=None, foreign_key="invoice.id", index=True)
    credit_note_id: Optional[int] = Field(default=None, foreign_key="credit_note.id", index=True)
    account_id: int = Field(foreign_key="account.id")
    amount: Decimal = Money()
    payment_date: date
    method: str = Field(default="transfer", max_length=20)
    reference: Optional[str] = Field(default=None, max_length=200)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class PaymentRemoval(SQLModel, table=True):
    """A payment entered by mistake: the payment row stays, this row takes it out of every balance."""

    __tablename__ = "payment_removal"
    payment_id: int = Field(foreign_key="payment.id", primary_key=True)
    reason: Optional[str] = Field(default=None, max_length=500)
    removed_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Reminder(SQLModel, table=True):
    """One reminder level of one invoice: claimed before the mail goes, so never sent twice."""

    __tablename__ = "reminder"
    __table_args__ = (sa.UniqueConstraint("invoice_id", "level", name="uq_reminder_invoice_level"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    level: int
    reminder_date: date
    balance: Decimal = Money()
    recipient: str = Field(default="", max_length=500)
    status: str = Field(default="claimed", max_length=20)  # claimed | sent | failed | uncertain
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
