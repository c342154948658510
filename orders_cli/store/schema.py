"""SQLModel tables: the persistence shape, nothing else. Exactness: amounts are integer cents (``Cents``),
quantities, unit prices and rates exact decimal text (``DecimalText``); never a float, both give ``Decimal``;
``SUM`` over ``Cents`` is exact. Start-up (issue 19): pydantic builds a table class's validator on first use,
not at import (``defer_build``, ~50 ms for all of them): the ORM loads and writes rows without validating."""

from __future__ import annotations

from datetime import date, datetime, timezone
from decimal import Decimal
from typing import Optional

import sqlalchemy as sa
from sqlalchemy.types import TypeDecorator
from sqlmodel import Field, SQLModel

from orders_cli.core.money import D, from_cents, plain, to_cents

SQLModel.model_config["defer_build"] = True  # see the module's docstring
RECURRING_INDEX = ("recurring", "order_id", "period_start", "period_end", "currency", "status", "total", "tax_total")  # report recurring


class DecimalText(TypeDecorator):
    """An exact decimal stored as canonical text ("2.5", "19.99", "0.125")."""

    impl = sa.String(40)
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        return plain(D(value))

    def process_result_value(self, value, dialect):
        return None if value is None else Decimal(value)


class Cents(TypeDecorator):
    """A 2-place amount stored as a signed 64-bit count of cents."""

    impl = sa.BigInteger
    cache_ok = True

    def process_bind_param(self, value, dialect):
        return None if value is None else to_cents(D(value))

    def process_result_value(self, value, dialect):
        return None if value is None else from_cents(value)


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def money_col(nullable: bool = False, default: int | None = 0):
    return sa.Column(Cents(), nullable=nullable, server_default=None if default is None else str(default))


def dec_col(nullable: bool = False):
    return sa.Column(DecimalText(), nullable=nullable)


# ---------------------------------------------------------------- catalog & parties


class Sequence(SQLModel, table=True):
    """The last number given per document type: allocated inside the creating transaction."""

    __tablename__ = "sequence"
    doc_type: str = Field(primary_key=True, max_length=20)
    last_value: int = Field(default=0)


class Tax(SQLModel, table=True):
    __tablename__ = "tax"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(100), nullable=False, unique=True))
    rate: Decimal = Field(sa_column=dec_col())
    # EN 16931 VAT category (pricing.CATEGORIES) and, when not standard, the legal reason: revision 0004
    category: str = Field(default="S", max_length=3, sa_column_kwargs={"server_default": "S"})
    exemption_reason: Optional[str] = None
    exemption_code: Optional[str] = Field(default=None, max_length=40)


class TaxRegionRate(SQLModel, table=True):
    __tablename__ = "tax_region_rate"
    __table_args__ = (sa.UniqueConstraint("tax_id", "region"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    tax_id: int = Field(foreign_key="tax.id", ondelete="CASCADE")
    region: str = Field(max_length=100)
    rate: Decimal = Field(sa_column=dec_col())


class Account(SQLModel, table=True):
    __tablename__ = "account"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    email: Optional[str] = None
    phone: Optional[str] = None
    tax_region: Optional[str] = None
    language: Optional[str] = None
    billing_street: str = ""
    billing_city: str = ""
    billing_postal_code: str = ""
    billing_state: str = ""
    billing_country: str = ""
    shipping_street: str = ""
    shipping_city: str = ""
    shipping_postal_code: str = ""
    shipping_state: str = ""
    shipping_country: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    # the customer's identity (revision 0004)
    vat_id: Optional[str] = Field(default=None, max_length=40)
    siren: Optional[str] = Field(default=None, max_length=9)
    siret: Optional[str] = Field(default=None, max_length=14)
    electronic_address: Optional[str] = Field(default=None, max_length=200)
    country: Optional[str] = Field(default=None, max_length=2)  # ISO 3166 alpha-2


class Contact(SQLModel, table=True):
    __tablename__ = "contact"
    __table_args__ = (sa.UniqueConstraint("account_id", "name"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(max_length=200)
    account_id: int = Field(foreign_key="account.id", index=True)
    email: Optional[str] = None
    phone: Optional[str] = None


class Vendor(SQLModel, table=True):
    __tablename__ = "vendor"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    email: Optional[str] = None
    street: str = ""  # the postal address printed on its purchase orders (revision 0006)
    city: str = ""
    postal_code: str = ""
    state: str = ""
    country: str = ""


class AppUser(SQLModel, table=True):
    __tablename__ = "app_user"
    id: Optional[int] = Field(default=None, primary_key=True)
    name: str = Field(sa_column=sa.Column(sa.String(200), nullable=False, unique=True))
    email: Optional[str] = None


class Product(SQLModel, table=True):
    __tablename__ = "product"
    __table_args__ = (sa.CheckConstraint("kind IN ('product', 'service')", name="ck_product_kind"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    sku: str = Field(sa_column=sa.Column(sa.String(100), nullable=False, unique=True))
    name: str = Field(max_length=300)
    kind: str = Field(default="product", max_length=10)
    unit: str = Field(default="", max_length=30)
    unit_price: Decimal = Field(sa_column=dec_col())
    cost: Optional[Decimal] = Field(default=None, sa_column=dec_col(nullable=True))
    vendor_id: Optional[int] = Field(default=None, foreign_key="vendor.id")
    description: str = ""
    unit_code: Optional[str] = Field(default=None, max_length=3)  # UN/ECE Rec 20 (core/units.py): revision 0004
    base_quantity: Optional[Decimal] = Field(default=None, sa_column=dec_col(nullable=True))  # the price is per this many units (None: 1)
    archived: bool = False  # no new line may name it; the documents that have it keep it (revision 0006)


class ProductTax(SQLModel, table=True):
    __tablename__ = "product_tax"
    product_id: int = Field(foreign_key="product.id", primary_key=True, ondelete="CASCADE")
    tax_id: int = Field(foreign_key="tax.id", primary_key=True)


# ---------------------------------------------------------------- documents


def Money(default: str = "0.00", nullable: bool = False):  # noqa: N802 - a Field factory
    return Field(default=Decimal(default), sa_type=Cents, nullable=nullable)


def Exact(nullable: bool = False, default=None):  # noqa: N802 - a Field factory
    if default is None and not nullable:
        return Field(sa_type=DecimalText, nullable=False)
    return Field(default=default, sa_type=DecimalText, nullable=nullable)


class AddressMixin(SQLModel):
    billing_street: str = ""
    billing_city: str = ""
    billing_postal_code: str = ""
    billing_state: str = ""
    billing_country: str = ""
    shipping_street: str = ""
    shipping_city: str = ""
    shipping_postal_code: str = ""
    shipping_state: str = ""
    shipping_country: str = ""


class TotalsMixin(SQLModel):
    """Document-level amounts as entered, and the totals computed by core/pricing."""

    discount: Optional[str] = Field(default=None, max_length=40)  # "10%" or "5.00" as entered
    shipping_charge: Decimal = Money()
    adjustment: Decimal = Money()
    subtotal: Decimal = Money()
    discount_amount: Decimal = Money()
    tax_total: Decimal = Money()
    total: Decimal = Money()
    tax_breakdown: str = "[]"  # JSON: [{"name", "rate", "category", "base", "amount"}], strings
    # the document allowances and charges (EN 16931 BG-20/BG-21), revision 0004; JSON:
    # [{"seq", "kind", "reason", "reason_code", "value", "amount", "base", "tax": snapshot|null}]
    doc_charges: str = Field(default="[]", sa_column_kwargs={"server_default": "[]"})


class LineMixin(SQLModel):
    line_no: int
    product_id: Optional[int] = Field(default=None, foreign_key="product.id")
    sku: str = Field(max_length=100)
    description: str = ""
    kind: str = Field(default="product", max_length=10)
    quantity: Decimal = Exact()
    unit_price: Decimal = Exact()
    discount: Optional[str] = Field(default=None, max_length=40)  # "10%" or "5.00"
    net: Decimal = Money()
    taxes: str = "[]"  # JSON snapshot: [{"name": "VAT20", "rate": "20", "category": "S"}]
    comment: Optional[str] = None
    unit_code: Optional[str] = Field(default=None, max_length=3)  # revision 0004
    base_quantity: Optional[Decimal] = Exact(nullable=True)  # the price is per this many units (None: 1)


class Quote(AddressMixin, TotalsMixin, table=True):
    __tablename__ = "quote"
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    subject: str = Field(max_length=500)
    account_id: int = Field(foreign_key="account.id", index=True)
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    assigned_user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    status: str = Field(default="created", max_length=20)
    quote_date: date
    valid_until: Optional[date] = None
    currency: str = Field(default="EUR", max_length=3)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class QuoteLine(LineMixin, table=True):
    __tablename__ = "quote_line"
    __table_args__ = (sa.UniqueConstraint("quote_id", "line_no"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    quote_id: int = Field(foreign_key="quote.id", index=True, ondelete="CASCADE")


class SalesOrder(AddressMixin, TotalsMixin, table=True):
    __tablename__ = "sales_order"
    __table_args__ = (sa.Index("ix_sales_order_account_date", "account_id", "order_date", "id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    subject: str = Field(max_length=500)
    account_id: int = Field(foreign_key="account.id")
    contact_id: Optional[int] = Field(default=None, foreign_key="contact.id")
    quote_id: Optional[int] = Field(default=None, foreign_key="quote.id")
    customer_ref: Optional[str] = Field(default=None, max_length=200)
    assigned_user_id: Optional[int] = Field(default=None, foreign_key="app_user.id")
    status: str = Field(default="created", max_length=20, index=True)
    finalized: bool = False
    finalized_at: Optional[datetime] = Field(default=None, sa_type=sa.DateTime(timezone=True))
    order_date: date = Field(index=True)
    currency: str = Field(default="EUR", max_length=3)
    language: Optional[str] = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class OrderLine(LineMixin, table=True):
    __tablename__ = "order_line"
    __table_args__ = (sa.UniqueConstraint("order_id", "line_no"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)


class Recurrence(SQLModel, table=True):
    """Recurring invoicing settings of an order (editable after finalize)."""

    __tablename__ = "recurrence"
    order_id: int = Field(foreign_key="sales_order.id", primary_key=True)
    enabled: bool = True
    frequency: str = Field(max_length=20)
    start: date
    end: Optional[date] = None
    due_days: int = 30
    invoice_status: str = Field(default="auto_created", max_length=20)
    subject: str = ""
    language: Optional[str] = Field(default=None, max_length=20)
    invoice_date: str = Field(default="start", max_length=5)
    last_day: bool = False
    catch_up: str = Field(default="all", max_length=10)
    usage: bool = False
    updated_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Invoice(AddressMixin, TotalsMixin, table=True):
    __tablename__ = "invoice"
    __table_args__ = (
        # a period billed once per rebill_no (0; 1 after a credit note --rebill, ...): revision 0003
        sa.Index("uq_invoice_order_period", "order_id", "period_start", "rebill_no", unique=True),
        sa.Index("ix_invoice_date", "invoice_date"),  # and revision 0007's covering index of a span's sums (report sales):
        sa.Index("ix_invoice_sales", "invoice_date", "currency", "status", "total", "tax_total"),
        sa.Index("ix_invoice_status", "status"),  # revision 0005: the few cancelled ones the reports leave out
        sa.Index("ix_invoice_recurring", *RECURRING_INDEX),  # 0005 (0008 wider): the periods billed and their sums, not the wide rows
    )
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    order_id: Optional[int] = Field(default=None, foreign_key="sales_order.id", index=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    subject: str = Field(max_length=500)
    status: str = Field(default="created", max_length=20)
    invoice_date: date
    due_date: Optional[date] = None
    due_days: Optional[int] = None
    period_start: Optional[date] = None
    period_end: Optional[date] = None
    recurring: bool = False
    percent: Optional[Decimal] = Exact(nullable=True)
    currency: str = Field(default="EUR", max_length=3)
    language: Optional[str] = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    kind: str = Field(default="standard", max_length=10, sa_column_kwargs={"server_default": "standard"})  # standard | deposit
    rebill_no: int = Field(default=0, sa_column_kwargs={"server_default": "0"})
    # revision 0004: the order's reference of the customer, the delivery date (BT-72), and both
    # identities as they were at issue (JSON; None on an invoice issued before: the settings)
    customer_ref: Optional[str] = Field(default=None, max_length=200)
    delivery_date: Optional[date] = None
    seller: Optional[str] = None
    buyer: Optional[str] = None


class InvoiceLine(LineMixin, table=True):
    __tablename__ = "invoice_line"
    id: Optional[int] = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id", index=True)
    order_line_id: Optional[int] = Field(default=None, foreign_key="order_line.id", index=True)
    order_line_no: Optional[int] = None
    # a deposit line (kind "deposit") or the deduction of one (kind "deduction"): the deposit invoice
    deposit_invoice_id: Optional[int] = Field(default=None, index=True)


class PurchaseOrder(SQLModel, table=True):
    __tablename__ = "purchase_order"
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    order_id: Optional[int] = Field(default=None, foreign_key="sales_order.id", index=True)
    vendor_id: int = Field(foreign_key="vendor.id", index=True)
    status: str = Field(default="created", max_length=20)
    po_date: date
    currency: str = Field(default="EUR", max_length=3)
    ship_street: str = ""
    ship_city: str = ""
    ship_postal_code: str = ""
    ship_state: str = ""
    ship_country: str = ""
    subtotal: Decimal = Money()
    tax_total: Decimal = Money()
    total: Decimal = Money()
    tax_breakdown: str = "[]"
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class PurchaseLine(SQLModel, table=True):
    __tablename__ = "purchase_line"
    id: Optional[int] = Field(default=None, primary_key=True)
    purchase_order_id: int = Field(foreign_key="purchase_order.id", index=True)
    order_line_id: Optional[int] = Field(default=None, foreign_key="order_line.id", index=True)
    order_line_no: Optional[int] = None
    product_id: Optional[int] = Field(default=None, foreign_key="product.id")
    sku: str = Field(max_length=100)
    description: str = ""
    quantity: Decimal = Exact()
    unit_cost: Decimal = Exact()
    net: Decimal = Money()


class Delivery(SQLModel, table=True):
    __tablename__ = "delivery"
    id: Optional[int] = Field(default=None, primary_key=True)
    number: str = Field(sa_column=sa.Column(sa.String(40), nullable=False, unique=True))
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    delivery_date: date
    status: str = Field(default="created", max_length=20)
    ship_street: str = ""
    ship_city: str = ""
    ship_postal_code: str = ""
    ship_state: str = ""
    ship_country: str = ""
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class DeliveryLine(SQLModel, table=True):
    __tablename__ = "delivery_line"
    id: Optional[int] = Field(default=None, primary_key=True)
    delivery_id: int = Field(foreign_key="delivery.id", index=True)
    order_line_id: int = Field(foreign_key="order_line.id", index=True)
    order_line_no: int
    sku: str = Field(max_length=100)
    description: str = ""
    quantity: Decimal = Exact()


# ---------------------------------------------------------------- history & surroundings


class StatusChange(SQLModel, table=True):
    __tablename__ = "status_history"
    __table_args__ = (sa.Index("ix_status_history_doc", "doc_type", "doc_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    doc_type: str = Field(max_length=20)
    doc_id: int
    old_status: Optional[str] = Field(default=None, max_length=20)
    new_status: str = Field(max_length=20)
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class FieldChange(SQLModel, table=True):
    __tablename__ = "change_log"
    __table_args__ = (sa.Index("ix_change_log_doc", "doc_type", "doc_id"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    doc_type: str = Field(max_length=20)
    doc_id: int
    field: str = Field(max_length=100)
    old_value: Optional[str] = None
    new_value: Optional[str] = None
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Document(SQLModel, table=True):
    __tablename__ = "document"
    id: Optional[int] = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id", index=True)
    filename: str = Field(max_length=500)
    content_type: str = Field(default="application/octet-stream", max_length=200)
    size: int
    sha256: str = Field(max_length=64)
    data: bytes = Field(sa_type=sa.LargeBinary)
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class Activity(SQLModel, table=True):
    __tablename__ = "activity"
    id: Optional[int] = Field(default=None, primary_key=True)
    order_id: Optional[int] = Field(default=None, foreign_key="sales_order.id", index=True)
    invoice_id: Optional[int] = Field(default=None, foreign_key="invoice.id", index=True)
    type: str = Field(max_length=20)
    subject: str = Field(max_length=500)
    due: Optional[date] = None
    note: Optional[str] = None
    done: bool = False
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class UsageRecord(SQLModel, table=True):
    __tablename__ = "usage_record"
    __table_args__ = (sa.Index("ix_usage_unbilled", "order_id", "invoice_id", "usage_date"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id")
    product_id: int = Field(foreign_key="product.id")
    quantity: Decimal = Exact()
    unit_price: Optional[Decimal] = Exact(nullable=True)
    usage_date: date
    invoice_id: Optional[int] = Field(default=None, foreign_key="invoice.id")
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class SkippedPeriod(SQLModel, table=True):
    __tablename__ = "skipped_period"
    __table_args__ = (sa.UniqueConstraint("order_id", "period_start", name="uq_skipped_order_period"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    order_id: int = Field(foreign_key="sales_order.id")
    period_start: date
    period_end: date
    recorded_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class SendLog(SQLModel, table=True):
    """One row per document mailed by ``recur run --send``: claimed before sending, so never twice."""

    __tablename__ = "send_log"
    __table_args__ = (sa.UniqueConstraint("invoice_id", name="uq_send_log_invoice"),)
    id: Optional[int] = Field(default=None, primary_key=True)
    invoice_id: int = Field(foreign_key="invoice.id")
    recipient: str = Field(max_length=500)
    status: str = Field(default="claimed", max_length=20)
    at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))


class PortalToken(SQLModel, table=True):
    __tablename__ = "portal_token"
    id: Optional[int] = Field(default=None, primary_key=True)
    account_id: int = Field(foreign_key="account.id", index=True)
    token_hash: str = Field(sa_column=sa.Column(sa.String(64), nullable=False, unique=True))
    created_at: datetime = Field(default_factory=utcnow, sa_type=sa.DateTime(timezone=True))
    revoked_at: Optional[datetime] = Field(default=None, sa_type=sa.DateTime(timezone=True))
