"""Read an EN 16931 e-invoice (UBL Invoice / CreditNote, or UN/CEFACT CII CrossIndustryInvoice)
into plain dataclasses: the figures `orders` is held to (tests/test_einvoice_samples.py).

Only what the arithmetic needs is read: the currency, the lines (quantity, net price and its
base quantity, unit code, the line's own allowances and charges, VAT category and rate, the
stated line net), the document allowances and charges (BG-20 / BG-21), the VAT breakdown
(BG-23) and the totals (BG-22). Every number is a ``Decimal`` read from the text as written;
nothing is computed, rounded or defaulted here (an absent figure is ``None``), so a test can
tell what an invoice *states* from what it implies.

Where a naive reading goes wrong, and what this reader does instead:

- a UBL ``CreditNote`` has ``cac:CreditNoteLine`` / ``cbc:CreditedQuantity``, not
  ``cac:InvoiceLine`` / ``cbc:InvoicedQuantity``; a CII credit note is type code 381;
- a line's ``cac:AllowanceCharge`` (BG-27 / BG-28) is a direct child of the line; the one inside
  ``cac:Price`` (CII: ``ram:AppliedTradeAllowanceCharge`` of the gross price) is the price
  discount (BT-147), already inside the net price, and is *not* a line allowance;
- the net price (BT-146) is per price base quantity (BT-149, ``cbc:BaseQuantity`` /
  ``ram:BasisQuantity``), not per unit: "12.00 per 100";
- an allowance or charge may state a percent and its base (BT-94 / BT-93, BT-138 / BT-137)
  besides its amount; the amount is what counts;
- category O ("not subject to VAT") states no rate: ``rate`` is ``None``, not 0;
- an invoice with a VAT accounting currency (BT-6) states the VAT total twice: BT-110 is the
  one in the document currency, the other is BT-111;
- a ZUGFeRD EXTENDED invoice may carry a charge as ``ram:SpecifiedLogisticsServiceCharge``
  (freight), which counts in the charge total (BT-108) like any BG-21;
- the percent of a payment discount (``ram:ApplicableTradePaymentDiscountTerms``) is not an
  allowance.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from lxml import etree

__all__ = [
    "AllowanceCharge",
    "EInvoice",
    "Line",
    "NotAnInvoice",
    "Totals",
    "VatEntry",
    "parse",
    "read",
]

UBL_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
UBL_CREDIT_NOTE = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CII = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"

NS = {
    "cac": "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2",
    "cbc": "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2",
    "rsm": CII,
    "ram": "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100",
    "udt": "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100",
}

CREDIT_NOTE_CODES = {"381", "396", "532", "81", "83", "261", "262", "308"}  # UNTDID 1001 credit notes


# ---------------------------------------------------------------- the records


@dataclass(frozen=True)
class AllowanceCharge:
    """One allowance (``charge`` False) or charge (``charge`` True), of a line or of the document.

    ``category`` and ``rate`` are the VAT of a document allowance or charge (BT-95 / BT-96,
    BT-102 / BT-103); on a line they are ``None`` (a line's allowances take the line's VAT)."""

    charge: bool
    amount: Decimal  # BT-92 / BT-99 / BT-136 / BT-141
    percent: Decimal | None = None  # BT-94 / BT-101 / BT-138 / BT-143
    base: Decimal | None = None  # BT-93 / BT-100 / BT-137 / BT-142
    reason: str | None = None  # BT-97 / BT-104 / BT-139 / BT-144
    reason_code: str | None = None  # BT-98 / BT-105 / BT-140 / BT-145
    category: str | None = None
    rate: Decimal | None = None


@dataclass(frozen=True)
class Line:
    id: str  # BT-126
    quantity: Decimal  # BT-129
    unit_code: str | None  # BT-130
    net_price: Decimal  # BT-146, per base_quantity
    base_quantity: Decimal | None  # BT-149 (None: not stated, which means 1)
    allowances: tuple[AllowanceCharge, ...]  # BG-27
    charges: tuple[AllowanceCharge, ...]  # BG-28
    category: str  # BT-151
    rate: Decimal | None  # BT-152 (None for category O)
    net: Decimal  # BT-131 as stated


@dataclass(frozen=True)
class VatEntry:
    """One entry of the VAT breakdown (BG-23)."""

    category: str  # BT-118
    rate: Decimal | None  # BT-119 (None for category O)
    taxable: Decimal  # BT-116
    amount: Decimal  # BT-117
    exemption_reason: str | None = None  # BT-120
    exemption_code: str | None = None  # BT-121


@dataclass(frozen=True)
class Totals:
    """The document totals (BG-22) as stated; ``None`` where the invoice leaves one out."""

    line_total: Decimal  # BT-106
    allowances: Decimal | None  # BT-107
    charges: Decimal | None  # BT-108
    tax_exclusive: Decimal  # BT-109
    tax: Decimal | None  # BT-110, in the document currency
    tax_inclusive: Decimal  # BT-112
    prepaid: Decimal | None  # BT-113
    rounding: Decimal | None  # BT-114
    payable: Decimal  # BT-115


@dataclass(frozen=True)
class EInvoice:
    syntax: str  # "UBL" | "CII"
    kind: str  # "invoice" | "credit_note"
    type_code: str | None  # BT-3
    number: str | None  # BT-1
    currency: str  # BT-5
    tax_currency: str | None  # BT-6
    lines: tuple[Line, ...]
    allowances: tuple[AllowanceCharge, ...]  # BG-20
    charges: tuple[AllowanceCharge, ...]  # BG-21
    vat: tuple[VatEntry, ...]  # BG-23
    totals: Totals


class NotAnInvoice(ValueError):
    """The XML is neither a UBL Invoice / CreditNote nor a CII CrossIndustryInvoice, or it lacks
    a figure EN 16931 requires."""


# ---------------------------------------------------------------- helpers


def _text(node, path: str) -> str | None:
    found = node.find(path, NS)
    if found is None or found.text is None:
        return None
    value = " ".join(found.text.split())
    return value or None


def _num(node, path: str) -> Decimal | None:
    raw = _text(node, path)
    if raw is None:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        raise NotAnInvoice(f"{path}: not a number: {raw!r}") from None
    if not value.is_finite():
        raise NotAnInvoice(f"{path}: not a finite number: {raw!r}")
    return value


def _need(value, what: str):
    if value is None:
        raise NotAnInvoice(f"{what} is missing")
    return value


def _attr(node, path: str, name: str) -> str | None:
    found = node.find(path, NS)
    if found is None:
        return None
    value = found.get(name)
    return value.strip() if value and value.strip() else None


def _indicator(raw: str | None, where: str) -> bool:
    value = (raw or "").strip().lower()
    if value not in ("true", "false"):
        raise NotAnInvoice(f"{where}: the charge indicator must be true or false, got {raw!r}")
    return value == "true"


def _split(items) -> tuple[tuple[AllowanceCharge, ...], tuple[AllowanceCharge, ...]]:
    items = list(items)
    return tuple(i for i in items if not i.charge), tuple(i for i in items if i.charge)


# ---------------------------------------------------------------- UBL


def _ubl_allowance_charge(node, document_level: bool) -> AllowanceCharge:
    return AllowanceCharge(
        charge=_indicator(_text(node, "cbc:ChargeIndicator"), "cac:AllowanceCharge"),
        amount=_need(_num(node, "cbc:Amount"), "cac:AllowanceCharge/cbc:Amount"),
        percent=_num(node, "cbc:MultiplierFactorNumeric"),
        base=_num(node, "cbc:BaseAmount"),
        reason=_text(node, "cbc:AllowanceChargeReason"),
        reason_code=_text(node, "cbc:AllowanceChargeReasonCode"),
        category=_text(node, "cac:TaxCategory/cbc:ID") if document_level else None,
        rate=_num(node, "cac:TaxCategory/cbc:Percent") if document_level else None,
    )


def _ubl(root, ns: str) -> EInvoice:
    credit = ns == UBL_CREDIT_NOTE
    line_tag, qty_tag, code_tag = (
        ("cac:CreditNoteLine", "cbc:CreditedQuantity", "cbc:CreditNoteTypeCode")
        if credit
        else ("cac:InvoiceLine", "cbc:InvoicedQuantity", "cbc:InvoiceTypeCode")
    )
    currency = _need(_text(root, "cbc:DocumentCurrencyCode"), "cbc:DocumentCurrencyCode")
    type_code = _text(root, code_tag)
    lines = []
    for ln in root.findall(line_tag, NS):
        allowances, charges = _split(_ubl_allowance_charge(ac, False) for ac in ln.findall("cac:AllowanceCharge", NS))
        lines.append(
            Line(
                id=_text(ln, "cbc:ID") or "",
                quantity=_need(_num(ln, qty_tag), f"{line_tag}/{qty_tag}"),
                unit_code=_attr(ln, qty_tag, "unitCode"),
                net_price=_need(_num(ln, "cac:Price/cbc:PriceAmount"), "cac:Price/cbc:PriceAmount"),
                base_quantity=_num(ln, "cac:Price/cbc:BaseQuantity"),
                allowances=allowances,
                charges=charges,
                category=_need(_text(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:ID"), "cac:ClassifiedTaxCategory/cbc:ID"),
                rate=_num(ln, "cac:Item/cac:ClassifiedTaxCategory/cbc:Percent"),
                net=_need(_num(ln, "cbc:LineExtensionAmount"), f"{line_tag}/cbc:LineExtensionAmount"),
            )
        )
    allowances, charges = _split(_ubl_allowance_charge(ac, True) for ac in root.findall("cac:AllowanceCharge", NS))

    # BT-110: the cac:TaxTotal in the document currency (the other one, if any, is BT-111)
    tax_totals = root.findall("cac:TaxTotal", NS)
    in_currency = [t for t in tax_totals if _attr(t, "cbc:TaxAmount", "currencyID") in (None, currency)]
    vat_total = in_currency[0] if in_currency else None
    vat = []
    for t in tax_totals:
        for sub in t.findall("cac:TaxSubtotal", NS):
            vat.append(
                VatEntry(
                    category=_need(_text(sub, "cac:TaxCategory/cbc:ID"), "cac:TaxSubtotal/cac:TaxCategory/cbc:ID"),
                    rate=_num(sub, "cac:TaxCategory/cbc:Percent"),
                    taxable=_need(_num(sub, "cbc:TaxableAmount"), "cac:TaxSubtotal/cbc:TaxableAmount"),
                    amount=_need(_num(sub, "cbc:TaxAmount"), "cac:TaxSubtotal/cbc:TaxAmount"),
                    exemption_reason=_text(sub, "cac:TaxCategory/cbc:TaxExemptionReason"),
                    exemption_code=_text(sub, "cac:TaxCategory/cbc:TaxExemptionReasonCode"),
                )
            )
    mt = _need(root.find("cac:LegalMonetaryTotal", NS), "cac:LegalMonetaryTotal")
    totals = Totals(
        line_total=_need(_num(mt, "cbc:LineExtensionAmount"), "BT-106"),
        allowances=_num(mt, "cbc:AllowanceTotalAmount"),
        charges=_num(mt, "cbc:ChargeTotalAmount"),
        tax_exclusive=_need(_num(mt, "cbc:TaxExclusiveAmount"), "BT-109"),
        tax=_num(vat_total, "cbc:TaxAmount") if vat_total is not None else None,
        tax_inclusive=_need(_num(mt, "cbc:TaxInclusiveAmount"), "BT-112"),
        prepaid=_num(mt, "cbc:PrepaidAmount"),
        rounding=_num(mt, "cbc:PayableRoundingAmount"),
        payable=_need(_num(mt, "cbc:PayableAmount"), "BT-115"),
    )
    return EInvoice(
        syntax="UBL",
        kind="credit_note" if credit or type_code in CREDIT_NOTE_CODES else "invoice",
        type_code=type_code,
        number=_text(root, "cbc:ID"),
        currency=currency,
        tax_currency=_text(root, "cbc:TaxCurrencyCode"),
        lines=tuple(lines),
        allowances=allowances,
        charges=charges,
        vat=tuple(vat),
        totals=totals,
    )


# ---------------------------------------------------------------- CII


def _cii_allowance_charge(node, document_level: bool) -> AllowanceCharge:
    return AllowanceCharge(
        charge=_indicator(_text(node, "ram:ChargeIndicator/udt:Indicator"), "ram:SpecifiedTradeAllowanceCharge"),
        amount=_need(_num(node, "ram:ActualAmount"), "ram:SpecifiedTradeAllowanceCharge/ram:ActualAmount"),
        percent=_num(node, "ram:CalculationPercent"),
        base=_num(node, "ram:BasisAmount"),
        reason=_text(node, "ram:Reason"),
        reason_code=_text(node, "ram:ReasonCode"),
        category=_text(node, "ram:CategoryTradeTax/ram:CategoryCode") if document_level else None,
        rate=_num(node, "ram:CategoryTradeTax/ram:RateApplicablePercent") if document_level else None,
    )


def _cii_logistics_charge(node) -> AllowanceCharge:
    """ZUGFeRD EXTENDED freight (``ram:SpecifiedLogisticsServiceCharge``): a document charge."""
    return AllowanceCharge(
        charge=True,
        amount=_need(_num(node, "ram:AppliedAmount"), "ram:SpecifiedLogisticsServiceCharge/ram:AppliedAmount"),
        reason=_text(node, "ram:Description"),
        category=_text(node, "ram:AppliedTradeTax/ram:CategoryCode"),
        rate=_num(node, "ram:AppliedTradeTax/ram:RateApplicablePercent"),
    )


def _cii(root) -> EInvoice:
    tx = _need(root.find("rsm:SupplyChainTradeTransaction", NS), "rsm:SupplyChainTradeTransaction")
    st = _need(tx.find("ram:ApplicableHeaderTradeSettlement", NS), "ram:ApplicableHeaderTradeSettlement")
    currency = _need(_text(st, "ram:InvoiceCurrencyCode"), "ram:InvoiceCurrencyCode")
    type_code = _text(root, "rsm:ExchangedDocument/ram:TypeCode")
    lines = []
    for item in tx.findall("ram:IncludedSupplyChainTradeLineItem", NS):
        agreement = item.find("ram:SpecifiedLineTradeAgreement", NS)
        settlement = item.find("ram:SpecifiedLineTradeSettlement", NS)
        if agreement is None or settlement is None:
            raise NotAnInvoice("a line without ram:SpecifiedLineTradeAgreement or ram:SpecifiedLineTradeSettlement")
        base = _num(agreement, "ram:NetPriceProductTradePrice/ram:BasisQuantity")
        if base is None:  # BT-149-1, the gross price's base quantity, applies to the net price too
            base = _num(agreement, "ram:GrossPriceProductTradePrice/ram:BasisQuantity")
        allowances, charges = _split(
            _cii_allowance_charge(ac, False) for ac in settlement.findall("ram:SpecifiedTradeAllowanceCharge", NS)
        )
        lines.append(
            Line(
                id=_text(item, "ram:AssociatedDocumentLineDocument/ram:LineID") or "",
                quantity=_need(_num(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity"), "ram:BilledQuantity"),
                unit_code=_attr(item, "ram:SpecifiedLineTradeDelivery/ram:BilledQuantity", "unitCode"),
                net_price=_need(_num(agreement, "ram:NetPriceProductTradePrice/ram:ChargeAmount"), "ram:NetPriceProductTradePrice/ram:ChargeAmount"),
                base_quantity=base,
                allowances=allowances,
                charges=charges,
                category=_need(_text(settlement, "ram:ApplicableTradeTax/ram:CategoryCode"), "line ram:ApplicableTradeTax/ram:CategoryCode"),
                rate=_num(settlement, "ram:ApplicableTradeTax/ram:RateApplicablePercent"),
                net=_need(
                    _num(settlement, "ram:SpecifiedTradeSettlementLineMonetarySummation/ram:LineTotalAmount"),
                    "line ram:LineTotalAmount",
                ),
            )
        )
    doc_items = [_cii_allowance_charge(ac, True) for ac in st.findall("ram:SpecifiedTradeAllowanceCharge", NS)]
    doc_items += [_cii_logistics_charge(lc) for lc in st.findall("ram:SpecifiedLogisticsServiceCharge", NS)]
    allowances, charges = _split(doc_items)
    vat = tuple(
        VatEntry(
            category=_need(_text(t, "ram:CategoryCode"), "ram:ApplicableTradeTax/ram:CategoryCode"),
            rate=_num(t, "ram:RateApplicablePercent"),
            taxable=_need(_num(t, "ram:BasisAmount"), "ram:ApplicableTradeTax/ram:BasisAmount"),
            amount=_need(_num(t, "ram:CalculatedAmount"), "ram:ApplicableTradeTax/ram:CalculatedAmount"),
            exemption_reason=_text(t, "ram:ExemptionReason"),
            exemption_code=_text(t, "ram:ExemptionReasonCode"),
        )
        for t in st.findall("ram:ApplicableTradeTax", NS)
    )
    ms = _need(st.find("ram:SpecifiedTradeSettlementHeaderMonetarySummation", NS), "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    tax = None
    for t in ms.findall("ram:TaxTotalAmount", NS):  # BT-110 in the document currency; BT-111 in the tax currency
        if (t.get("currencyID") or currency).strip() == currency and t.text and t.text.strip():
            tax = Decimal(t.text.strip())
            break
    totals = Totals(
        line_total=_need(_num(ms, "ram:LineTotalAmount"), "BT-106"),
        allowances=_num(ms, "ram:AllowanceTotalAmount"),
        charges=_num(ms, "ram:ChargeTotalAmount"),
        tax_exclusive=_need(_num(ms, "ram:TaxBasisTotalAmount"), "BT-109"),
        tax=tax,
        tax_inclusive=_need(_num(ms, "ram:GrandTotalAmount"), "BT-112"),
        prepaid=_num(ms, "ram:TotalPrepaidAmount"),
        rounding=_num(ms, "ram:RoundingAmount"),
        payable=_need(_num(ms, "ram:DuePayableAmount"), "BT-115"),
    )
    return EInvoice(
        syntax="CII",
        kind="credit_note" if type_code in CREDIT_NOTE_CODES else "invoice",
        type_code=type_code,
        number=_text(root, "rsm:ExchangedDocument/ram:ID"),
        currency=currency,
        tax_currency=_text(st, "ram:TaxCurrencyCode"),
        lines=tuple(lines),
        allowances=allowances,
        charges=charges,
        vat=vat,
        totals=totals,
    )


# ---------------------------------------------------------------- entry points


def parse(xml: bytes) -> EInvoice:
    """An e-invoice from its XML bytes (no network, no DTDs, no entities)."""
    parser = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=True)
    root = etree.fromstring(xml, parser)
    tag = etree.QName(root)
    if tag.namespace in (UBL_INVOICE, UBL_CREDIT_NOTE) and tag.localname in ("Invoice", "CreditNote"):
        return _ubl(root, tag.namespace)
    if tag.namespace == CII and tag.localname == "CrossIndustryInvoice":
        return _cii(root)
    raise NotAnInvoice(f"not an EN 16931 invoice: root element {{{tag.namespace}}}{tag.localname}")


def read(path: str | Path) -> EInvoice:
    return parse(Path(path).read_bytes())
