"""What the invoice use cases return: typed results, written out by ``core.results.to_data``
(field order = CLI.md's key order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.pricing import TaxRate, Totals
from orders_cli.core.results import Ref, internal

AccountRef = Ref  # core.results.Ref: id and name


ONE = Quantity("1")  # a base quantity not given


@dataclass(frozen=True)
class InvoiceLine:
    line_no: int | None  # the order line it invoices (None: a recurring invoice's line of no order line)
    sku: str
    description: str
    kind: str
    quantity: Quantity
    unit_price: Price
    discount: str | None
    net: Money
    taxes: tuple[TaxRate, ...]
    unit_code: str | None = None  # UN/ECE Rec 20, copied from the order line
    base_quantity: Quantity = ONE  # the unit price is per this many units


@dataclass(frozen=True)
class Invoice:
    id: int
    number: str
    order: str | None
    account: AccountRef
    subject: str
    status: str
    invoice_date: date
    due_date: date | None
    due_days: int | None
    period_start: date | None
    period_end: date | None
    recurring: bool
    percent: Quantity | None
    currency: str
    language: str | None
    billing_address: dict[str, str]
    shipping_address: dict[str, str]
    discount: str | None
    lines: list[InvoiceLine]
    totals: Totals
    kind: str  # standard | deposit
    credit_notes: list[str]  # the numbers of its credit notes
    # issue 15: the customer's order reference, the identities at issue (None: issued before)
    customer_ref: str | None
    delivery_date: date | None  # EN 16931 BT-72
    seller: dict | None
    buyer: dict | None
    # what credit notes and payments took off it (``core.receivable``), on ``as_of`` (default today)
    paid: Money
    credited: Money
    balance: Money
    payment_state: str
    recorded_payment: Money | None = internal()  # invoice status paid: the payment it recorded (never written out)


@dataclass(frozen=True)
class InvoiceRow:
    """One row of ``invoice list``."""

    id: int
    number: str
    order: str | None
    account: AccountRef
    subject: str
    status: str
    invoice_date: date
    due_date: date | None
    period_start: date | None
    period_end: date | None
    currency: str
    subtotal: Money
    tax: Money
    total: Money
    paid: Money
    credited: Money
    balance: Money
    payment_state: str
