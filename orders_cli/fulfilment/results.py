"""What the delivery-note and purchase-order use cases return: typed results, written out by
``core.results.to_data`` (field order = CLI.md's key order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.pricing import Totals
from orders_cli.core.results import Ref, totals

AccountRef = Ref


@dataclass(frozen=True)
class VendorRef:
    id: int
    name: str
    email: str | None
    address: dict[str, str] | None = None  # its postal address, as it is now (vendor edit)


@dataclass(frozen=True)
class DeliveryLine:
    line_no: int
    sku: str
    description: str
    quantity: Quantity


@dataclass(frozen=True)
class Delivery:
    id: int
    number: str
    order: str
    account: AccountRef
    date: date
    status: str
    language: str | None
    ship_to: dict[str, str]
    lines: list[DeliveryLine]


@dataclass(frozen=True)
class DeliveryRow:
    """One row of ``delivery list``."""

    id: int
    number: str
    order: str
    account: str
    date: date
    status: str


@dataclass(frozen=True)
class PurchaseLine:
    line_no: int | None
    sku: str
    description: str
    quantity: Quantity
    unit_cost: Price
    net: Money


@dataclass(frozen=True)
class Purchase:
    id: int
    number: str
    order: str | None
    vendor: VendorRef
    date: date
    status: str
    currency: str
    ship_to: dict[str, str]
    lines: list[PurchaseLine]
    totals: Totals = totals(("subtotal", "tax", "total", "tax_breakdown"))  # CLI.md: no discount, shipping or adjustment on one
    account: AccountRef | None = None  # the order's customer: who the goods are shipped to (drop-ship)


@dataclass(frozen=True)
class PurchaseRow:
    """One row of ``purchase list``."""

    id: int
    number: str
    order: str | None
    vendor: str
    date: date
    status: str
    total: Money


@dataclass(frozen=True)
class PurchasesMade:
    """``order convert purchase``: the purchase orders made, and the lines it could not place."""

    purchase_orders: list[Purchase]
    unplaced: list[str]
