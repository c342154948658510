"""What the catalog and party use cases return: typed results, written out by
``core.results.to_data`` as the JSON of CLI.md (fields in JSON key order)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Optional

from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.results import OMIT, Ref

ONE = Quantity("1")  # a base quantity not given


@dataclass(frozen=True)
class TaxResult:
    id: int
    name: str
    rate: Quantity
    regions: dict[str, Quantity]  # region -> rate, by region name
    category: str = "S"  # EN 16931 VAT category (pricing.CATEGORIES)
    exemption_reason: str | None = None
    exemption_code: str | None = None


@dataclass(frozen=True)
class PartyResult:
    """A vendor or a user."""

    id: int
    name: str
    email: Optional[str]


@dataclass(frozen=True)
class AddressResult:
    street: str
    city: str
    postal_code: str
    state: str
    country: str


@dataclass(frozen=True)
class VendorResult:
    """A vendor (supplier) and the postal address its purchase orders print."""

    id: int
    name: str
    email: Optional[str]
    address: AddressResult


AccountRef = Ref  # core.results.Ref: id and name


@dataclass(frozen=True)
class ContactResult:
    id: int
    name: str
    account: AccountRef
    email: Optional[str]
    phone: Optional[str]


@dataclass(frozen=True)
class AccountOrder:
    """One of an account's orders, as ``account show`` lists them."""

    number: str
    subject: str
    status: str
    finalized: bool
    order_date: date
    total: Money


@dataclass(frozen=True)
class AccountResult:
    id: int
    name: str
    email: Optional[str]
    phone: Optional[str]
    tax_region: Optional[str]
    language: Optional[str]
    billing_address: AddressResult
    shipping_address: AddressResult
    contacts: list[ContactResult] = field(default=OMIT)  # account show only
    orders: list[AccountOrder] = field(default=OMIT)  # account show only
    # identity (issue 15): checked by core/identity, None when not set
    vat_id: Optional[str] = None
    siren: Optional[str] = None
    siret: Optional[str] = None
    electronic_address: Optional[str] = None
    country: Optional[str] = None


@dataclass(frozen=True)
class ProductResult:
    id: int
    sku: str
    name: str
    kind: str
    unit: Optional[str]
    unit_price: Price
    cost: Optional[Price]
    vendor: Optional[str]
    taxes: list[str]
    description: Optional[str]
    unit_code: str | None = None  # UN/ECE Rec 20 (core/units.py)
    base_quantity: Quantity = ONE  # the price is per this many units
    archived: bool = False  # left out of product list, refused on new lines (product archive)


@dataclass(frozen=True)
class ImportResult:
    """How many rows an import wrote."""

    imported: int
