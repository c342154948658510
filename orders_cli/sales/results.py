"""What the sales use cases return: typed results, written out only by ``core.results.to_data``.

Field order is CLI.md's key order. One ``DocView`` serves orders and quotes: the keys only
one of them carries (an order's ``finalized``, ``quote``, ``progress``...; a quote's
``quote_date``) are ``OMIT`` on the other.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, NamedTuple

from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.pricing import TaxRate, Totals
from orders_cli.core.results import OMIT, Ref, internal

PartyRef = Ref  # an account, contact or user a document names (core.results.Ref)


ONE = Quantity("1")  # a base quantity not given


@dataclass
class LineView:
    line_no: int
    sku: str
    description: str
    kind: str
    quantity: Quantity
    unit_price: Price
    discount: str | None  # as written: "10%" or "5.00"
    net: Money
    taxes: tuple[TaxRate, ...]
    comment: str | None
    unit_code: str | None = None  # UN/ECE Rec 20 (core/units.py)
    base_quantity: Quantity = ONE  # the unit price is per this many units
    delivered_quantity: Quantity = OMIT  # order lines only
    invoiced_quantity: Quantity = OMIT


@dataclass
class Progress:
    delivered_percent: Quantity
    invoiced_percent: Quantity
    invoiced_amount: Money


@dataclass
class QuoteRef:
    number: str
    status: str


@dataclass
class RelatedInvoice:
    number: str
    invoice_date: date
    status: str
    total: Money
    period_start: date | None
    period_end: date | None


@dataclass
class RelatedPurchase:
    number: str
    vendor: str
    total: Money


@dataclass
class RelatedDelivery:
    number: str
    date: date
    status: str


@dataclass
class RelatedDocument:
    id: int
    filename: str
    content_type: str | None
    size: int
    sha256: str


@dataclass
class RelatedActivity:
    """An activity as ``order show`` lists it (records.activities gives the whole record)."""

    id: int
    type: str
    subject: str
    due: Any  # a date, or the stored text of one
    done: bool
    invoice: str | None
    note: str | None


@dataclass
class RelatedCredit:
    number: str
    credit_date: date
    invoice: str
    total: Money


@dataclass
class OrderRelated:
    quote: QuoteRef | None
    invoices: list[RelatedInvoice]
    purchase_orders: list[RelatedPurchase]
    deliveries: list[RelatedDelivery]
    documents: list[RelatedDocument]
    activities: list[RelatedActivity]
    credit_notes: list[RelatedCredit]


@dataclass
class NumberRef:
    number: str


@dataclass
class QuoteRelated:
    orders: list[NumberRef]


@dataclass(kw_only=True)
class DocHead:
    """The first keys of an order or a quote, in its view and in its list row."""

    id: int
    number: str
    subject: str
    status: str
    finalized: bool = OMIT  # orders only
    order_date: date = OMIT
    quote_date: date = OMIT
    valid_until: date | None = OMIT  # quotes only (None: no date)


@dataclass(kw_only=True)
class DocView(DocHead):
    """An order or a quote as ``show --json`` prints it (and every change returns)."""

    currency: str
    language: str | None
    account: PartyRef | None
    contact: PartyRef | None
    quote: str | None = OMIT
    customer_ref: str | None = OMIT
    assigned_to: PartyRef | None
    billing_address: dict[str, str]
    shipping_address: dict[str, str]
    discount: str | None
    shipping_charge: Money
    adjustment: Money
    lines: list[LineView]
    totals: Totals
    progress: Progress = OMIT
    recurrence: Any = OMIT  # recurring.results.RecurrenceView (or None): the order's recurrence
    related: OrderRelated | QuoteRelated
    open_balance: Money = OMIT  # orders only: what its invoices still owe (invoicing.statements.open_balance)


@dataclass(kw_only=True)
class ListRow(DocHead):
    """One row of ``order list`` / ``quote list``."""

    account: PartyRef
    currency: str
    subtotal: Money
    tax: Money
    total: Money


class ListLine(NamedTuple):
    """One row of ``order list`` / ``quote list`` as the list streams it: a ``ListRow``'s fields
    with the amounts in exact integer cents and the dates as YYYY-MM-DD text, without a Decimal
    or a dataclass per row (``cli.list_rows.plain`` renders it as ``to_data`` of the ``ListRow``)."""

    id: int
    number: str
    subject: str
    status: str
    date_field: str  # order_date | quote_date
    date: str | None
    finalized: bool | None  # orders only
    valid_until: str | None  # quotes only
    account_id: int
    account_name: str
    currency: str
    subtotal_cents: int
    tax_cents: int
    total_cents: int


@dataclass
class HistoryEvent:
    at: datetime
    kind: str  # "status" | "change"
    field: str
    old: str | None
    new: str | None


@dataclass
class ImportResult:
    """What ``order add --from-json`` made."""

    imported: int
    first: str
    last: str
    numbers: list[str] = internal(default=None)

