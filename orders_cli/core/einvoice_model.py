"""The EN 16931 semantic model of an invoice or a credit note, as frozen dataclasses named after
the standard's business groups (BG-) and terms (BT-). Pure: no I/O. ``einvoice.build`` fills it
from a document dict; ``adapters.cii`` and ``adapters.ubl`` write it out.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

INVOICE = "380"  # BT-3, UNTDID 1001: commercial invoice
DEPOSIT = "386"  # prepayment invoice
CREDIT_NOTE = "381"
PROFILE = "urn:cen.eu:en16931:2017"  # BT-24

# UNTDID 4461 payment means codes (BT-81) of our invoice.payment_means setting
PAYMENT_MEANS = {"transfer": "30", "card": "48", "cheque": "20", "direct_debit": "59", "cash": "10", "other": "1"}
SEPA_TRANSFER = "58"


@dataclass(frozen=True)
class Address:
    """BG-5 / BG-8: lines BT-35..37 / BT-50..52, city, post code, subdivision, country."""

    lines: tuple[str, ...] = ()
    city: str | None = None
    postal_code: str | None = None
    subdivision: str | None = None
    country: str | None = None  # BT-40 / BT-55, ISO 3166-1 alpha-2


@dataclass(frozen=True)
class ElectronicAddress:
    """BT-34 / BT-49 with its scheme (EAS code list: 0009 SIRET, 0225 SIREN, EM e-mail...)."""

    scheme: str
    value: str


@dataclass(frozen=True)
class Party:
    """BG-4 seller / BG-7 buyer."""

    name: str | None  # BT-27 / BT-44
    address: Address  # BG-5 / BG-8
    vat_id: str | None = None  # BT-31 / BT-48
    legal_id: str | None = None  # BT-30 / BT-47: the SIREN, scheme 0002
    legal_scheme: str | None = None
    identifier: str | None = None  # BT-29 / BT-46: the SIRET, scheme 0009
    identifier_scheme: str | None = None
    electronic_address: ElectronicAddress | None = None  # BT-34 / BT-49
    legal_info: str | None = None  # BT-33: legal form, share capital, RCS
    email: str | None = None  # BT-43 / BT-58


@dataclass(frozen=True)
class AllowanceCharge:
    """BG-20 document allowance / BG-21 document charge / BG-27 line allowance."""

    charge: bool
    amount: Decimal  # BT-92 / BT-99 / BT-136
    reason: str | None = None  # BT-97 / BT-104 / BT-139
    reason_code: str | None = None  # BT-98 / BT-105 / BT-140 (UNTDID 5189 / 7161)
    category: str | None = None  # BT-95 / BT-102 (None on a line)
    rate: Decimal | None = None  # BT-96 / BT-103
    percent: Decimal | None = None  # BT-94 / BT-101 / BT-138
    base: Decimal | None = None  # BT-93 / BT-100 / BT-137


@dataclass(frozen=True)
class Line:
    """BG-25 invoice line."""

    id: str  # BT-126
    name: str  # BT-153
    sku: str | None  # BT-155 seller's item identifier
    quantity: Decimal  # BT-129 (negative on a deposit deduction)
    unit_code: str  # BT-130, UN/ECE Rec 20
    net_price: Decimal  # BT-146, never negative (BR-27)
    price_text: str  # BT-146 as written in the document
    base_quantity: Decimal  # BT-149
    net: Decimal  # BT-131
    category: str  # BT-151
    rate: Decimal  # BT-152
    allowance: AllowanceCharge | None = None  # BG-27: the line discount


@dataclass(frozen=True)
class VatBreakdown:
    """BG-23, one per VAT category and rate."""

    category: str  # BT-118
    rate: Decimal  # BT-119
    base: Decimal  # BT-116
    amount: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_code: str | None = None  # BT-121


@dataclass(frozen=True)
class Totals:
    """BG-22 document totals."""

    line_total: Decimal  # BT-106
    allowances: Decimal  # BT-107
    charges: Decimal  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax: Decimal  # BT-110
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal  # BT-113
    rounding: Decimal  # BT-114 (our adjustment)
    payable: Decimal  # BT-115


@dataclass(frozen=True)
class Note:
    """BG-1: BT-21 subject code (UNTDID 4451: PMT, PMD, AAB...) and BT-22 text."""

    text: str
    subject: str | None = None


@dataclass(frozen=True)
class Payment:
    """BG-16 payment instructions and BT-9 / BT-20."""

    means_code: str | None  # BT-81
    iban: str | None = None  # BT-84
    bic: str | None = None  # BT-86
    terms: str | None = None  # BT-20
    due_date: date | None = None  # BT-9


@dataclass(frozen=True)
class EInvoice:
    kind: str  # "invoice" | "credit"
    type_code: str  # BT-3: 380, 386, 381
    number: str  # BT-1
    issue_date: date  # BT-2
    currency: str  # BT-5
    seller: Party
    buyer: Party
    lines: tuple[Line, ...]
    allowances_charges: tuple[AllowanceCharge, ...]  # BG-20 and BG-21
    vat: tuple[VatBreakdown, ...]  # BG-23
    totals: Totals
    payment: Payment
    notes: tuple[Note, ...] = ()
    order_ref: str | None = None  # BT-13, the customer's reference
    preceding: tuple[tuple[str, date | None], ...] = ()  # BG-3: BT-25 / BT-26
    delivery_date: date | None = None  # BT-72
    period: tuple[date, date] | None = None  # BT-73 / BT-74
    deliver_to: Address | None = None  # BG-15
    language: str | None = None
    profile: str = PROFILE
    process: str | None = None  # BT-23 business process: the French billing framework (B1 goods, S1 services, M1 both; 4 after a deposit)
    problems: tuple[str, ...] = field(default=(), compare=False)  # found while building (see missing())

    @property
    def allowances(self) -> tuple[AllowanceCharge, ...]:
        return tuple(a for a in self.allowances_charges if not a.charge)

    @property
    def charges(self) -> tuple[AllowanceCharge, ...]:
        return tuple(a for a in self.allowances_charges if a.charge)
