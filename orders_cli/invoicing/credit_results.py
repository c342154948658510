"""What the credit note use cases return (field order = the JSON key order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orders_cli.core.money import Money
from orders_cli.core.pricing import Totals
from orders_cli.core.results import Ref
from orders_cli.invoicing.results import InvoiceLine

CreditLine = InvoiceLine  # the same fields: line_no (the order line), sku, ..., net, taxes


@dataclass(frozen=True)
class CreditNote:
    id: int
    number: str
    invoice: str
    invoice_date: date
    order: str | None
    account: Ref
    subject: str
    credit_date: date
    reason: str | None
    mode: str  # whole | lines | amount
    rebill: bool
    currency: str
    language: str | None
    billing_address: dict[str, str]
    shipping_address: dict[str, str]
    lines: list[CreditLine]
    totals: Totals
    refunded: Money
    # issue 15: the credited invoice's customer reference, the identities at issue (None: before)
    customer_ref: str | None = None
    seller: dict | None = None
    buyer: dict | None = None


@dataclass(frozen=True)
class CreditRow:
    """One row of ``credit list``."""

    id: int
    number: str
    credit_date: date
    invoice: str
    order: str | None
    account: Ref
    reason: str | None
    currency: str
    subtotal: Money
    tax: Money
    total: Money
