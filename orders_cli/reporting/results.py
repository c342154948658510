"""What the reports return: typed rows (Decimal amounts tagged ``Money``), turned into JSON,
CSV and tables by ``core.results.to_data`` like every other result."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Optional

from orders_cli.core.money import Money, Quantity
from orders_cli.core.results import OMIT, Ref


@dataclass
class SalesRow:
    """One group of ``report sales``: invoices minus credit notes, net (HT), VAT and gross.

    By product or vendor only the line nets are known per group (VAT is charged on the
    document's rates, not per product): ``vat`` and ``gross`` are left out there, and the
    document-level part (discounts, shipping, charges, adjustments) is its own row."""

    month: str = OMIT
    quarter: str = OMIT
    account: Ref = OMIT
    sku: Optional[str] = OMIT
    product: Optional[str] = OMIT
    vendor: Optional[Ref] = OMIT
    currency: str = "EUR"
    invoices: int = OMIT
    credit_notes: int = OMIT
    quantity: Quantity = OMIT
    net: Money = Money("0.00")
    vat: Money = OMIT
    gross: Money = OMIT
    cost: Money = OMIT
    margin: Money = OMIT
    uncosted_net: Money = OMIT


@dataclass
class VatRow:
    """One VAT category and rate of ``report vat``: what invoices and credit notes (or, on the
    payment basis, payments received and refunds paid) carry on it, and the net of both."""

    category: Optional[str]
    tax: Optional[str]
    rate: Optional[Quantity]
    currency: str
    invoices_base: Money
    invoices_vat: Money
    credit_notes_base: Money
    credit_notes_vat: Money
    base: Money
    vat: Money
    exemption_reason: Optional[str] = None


@dataclass
class AgingRow:
    """One account's open balances on a day, by how long past due (``report aging``)."""

    account: Ref
    currency: str
    open_invoices: int
    current: Money
    days_1_30: Money
    days_31_60: Money
    days_61_90: Money
    days_over_90: Money
    credit: Money
    total: Money


@dataclass
class RecurringRow:
    """One month of ``report recurring``: the monthly recurring revenue at its end and how it moved."""

    month: str
    currency: str
    mrr: Money
    arr: Money
    new: Money
    expansion: Money
    contraction: Money
    churned: Money
    active: int


@dataclass
class ForecastRow:
    """One coming month of ``report forecast``: what the recurring schedules will bill."""

    month: str
    currency: str
    invoices: int
    net: Money
    vat: Money
    gross: Money
