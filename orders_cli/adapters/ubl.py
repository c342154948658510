"""An invoice or a credit note as OASIS UBL 2.1 XML (Invoice or CreditNote, CustomizationID
EN 16931) (``render``). The content is ``core.einvoice``'s model; missing EN 16931 data is
refused."""

from __future__ import annotations

from orders_cli.adapters.einvoice_xml import XmlWriter, amount, model, number, price
from orders_cli.core.einvoice_model import Address, AllowanceCharge, EInvoice, Party

NS_INVOICE = "urn:oasis:names:specification:ubl:schema:xsd:Invoice-2"
NS_CREDIT = "urn:oasis:names:specification:ubl:schema:xsd:CreditNote-2"
CAC = "urn:oasis:names:specification:ubl:schema:xsd:CommonAggregateComponents-2"
CBC = "urn:oasis:names:specification:ubl:schema:xsd:CommonBasicComponents-2"


class _W(XmlWriter):
    def __init__(self, currency: str):
        super().__init__({"cac": CAC, "cbc": CBC})
        self.currency = currency

    def money(self, parent, tag: str, value) -> None:
        self.el(parent, tag, amount(value), currencyID=self.currency)


def _address(w: _W, parent, tag: str, a: Address) -> None:
    node = w.el(parent, tag)
    for t, text in zip(("cbc:StreetName", "cbc:AdditionalStreetName"), a.lines):
        w.el(node, t, text)
    if a.city:
        w.el(node, "cbc:CityName", a.city)
    if a.postal_code:
        w.el(node, "cbc:PostalZone", a.postal_code)
    if a.subdivision:
        w.el(node, "cbc:CountrySubentity", a.subdivision)
    if len(a.lines) > 2:
        w.el(w.el(node, "cac:AddressLine"), "cbc:Line", a.lines[2])
    w.el(w.el(node, "cac:Country"), "cbc:IdentificationCode", a.country or "")


def _party(w: _W, parent, tag: str, p: Party) -> None:
    node = w.el(w.el(parent, tag), "cac:Party")
    if p.electronic_address:
        w.el(node, "cbc:EndpointID", p.electronic_address.value, schemeID=p.electronic_address.scheme)
    if p.identifier:
        w.el(w.el(node, "cac:PartyIdentification"), "cbc:ID", p.identifier, schemeID=p.identifier_scheme or "0009")
    _address(w, node, "cac:PostalAddress", p.address)
    if p.vat_id:
        scheme = w.el(node, "cac:PartyTaxScheme")
        w.el(scheme, "cbc:CompanyID", p.vat_id)
        w.el(w.el(scheme, "cac:TaxScheme"), "cbc:ID", "VAT")
    legal = w.el(node, "cac:PartyLegalEntity")
    w.el(legal, "cbc:RegistrationName", p.name or "")
    if p.legal_id:
        w.el(legal, "cbc:CompanyID", p.legal_id, schemeID=p.legal_scheme or "0002")
    if p.legal_info:
        w.el(legal, "cbc:CompanyLegalForm", p.legal_info)
    if p.email and tag == "cac:AccountingSupplierParty":
        w.el(w.el(node, "cac:Contact"), "cbc:ElectronicMail", p.email)


def _category(w: _W, parent, tag: str, category: str, rate, reason: str | None = None, code: str | None = None) -> None:
    node = w.el(parent, tag)
    w.el(node, "cbc:ID", category)
    if category != "O":
        w.el(node, "cbc:Percent", number(rate))
    if code:
        w.el(node, "cbc:TaxExemptionReasonCode", code)
    if reason:
        w.el(node, "cbc:TaxExemptionReason", reason)
    w.el(w.el(node, "cac:TaxScheme"), "cbc:ID", "VAT")


def _allowance(w: _W, parent, a: AllowanceCharge, line: bool = False) -> None:
    node = w.el(parent, "cac:AllowanceCharge")
    w.el(node, "cbc:ChargeIndicator", "true" if a.charge else "false")
    if a.reason_code:
        w.el(node, "cbc:AllowanceChargeReasonCode", a.reason_code)
    if a.reason:
        w.el(node, "cbc:AllowanceChargeReason", a.reason)
    with_base = a.percent is not None and a.base is not None
    if with_base:
        w.el(node, "cbc:MultiplierFactorNumeric", number(a.percent))
    w.money(node, "cbc:Amount", a.amount)
    if with_base:
        w.money(node, "cbc:BaseAmount", a.base)
    if not line:
        _category(w, node, "cac:TaxCategory", a.category or "S", a.rate)


def write(einv: EInvoice) -> bytes:
    """The model as UBL 2.1 XML bytes: an Invoice, or a CreditNote for a credit note."""
    credit = einv.kind == "credit"
    w = _W(einv.currency)
    ns = NS_CREDIT if credit else NS_INVOICE
    root = w.etree.Element(f"{{{ns}}}{'CreditNote' if credit else 'Invoice'}", nsmap={None: ns, "cac": CAC, "cbc": CBC})
    w.el(root, "cbc:CustomizationID", einv.profile)
    if einv.process:
        w.el(root, "cbc:ProfileID", einv.process)
    w.el(root, "cbc:ID", einv.number)
    w.el(root, "cbc:IssueDate", einv.issue_date.isoformat())
    pay = einv.payment
    if pay.due_date and not credit:
        w.el(root, "cbc:DueDate", pay.due_date.isoformat())
    w.el(root, "cbc:CreditNoteTypeCode" if credit else "cbc:InvoiceTypeCode", einv.type_code)
    for note in einv.notes:
        w.el(root, "cbc:Note", f"#{note.subject}#{note.text}" if note.subject else note.text)
    w.el(root, "cbc:DocumentCurrencyCode", einv.currency)
    if einv.period:
        period = w.el(root, "cac:InvoicePeriod")
        w.el(period, "cbc:StartDate", einv.period[0].isoformat())
        w.el(period, "cbc:EndDate", einv.period[1].isoformat())
    if einv.order_ref:
        w.el(w.el(root, "cac:OrderReference"), "cbc:ID", einv.order_ref)
    for ref, issued in einv.preceding:
        doc_ref = w.el(w.el(root, "cac:BillingReference"), "cac:InvoiceDocumentReference")
        w.el(doc_ref, "cbc:ID", ref)
        if issued:
            w.el(doc_ref, "cbc:IssueDate", issued.isoformat())
    _party(w, root, "cac:AccountingSupplierParty", einv.seller)
    _party(w, root, "cac:AccountingCustomerParty", einv.buyer)
    if einv.delivery_date or einv.deliver_to is not None:
        delivery = w.el(root, "cac:Delivery")
        if einv.delivery_date:
            w.el(delivery, "cbc:ActualDeliveryDate", einv.delivery_date.isoformat())
        if einv.deliver_to is not None:
            _address(w, w.el(delivery, "cac:DeliveryLocation"), "cac:Address", einv.deliver_to)
    if pay.means_code:
        means = w.el(root, "cac:PaymentMeans")
        w.el(means, "cbc:PaymentMeansCode", pay.means_code)
        if pay.iban:
            account = w.el(means, "cac:PayeeFinancialAccount")
            w.el(account, "cbc:ID", pay.iban)
            if pay.bic:
                w.el(w.el(account, "cac:FinancialInstitutionBranch"), "cbc:ID", pay.bic)
    if pay.terms or (credit and pay.due_date):
        terms = w.el(root, "cac:PaymentTerms")
        text = pay.terms or ""
        if credit and pay.due_date:  # a credit note has no DueDate: BT-9 is in the terms
            text = f"{text} ({pay.due_date.isoformat()})".strip()
        w.el(terms, "cbc:Note", text)
    for a in einv.allowances_charges:
        _allowance(w, root, a)
    tax_total = w.el(root, "cac:TaxTotal")
    w.money(tax_total, "cbc:TaxAmount", einv.totals.tax)
    for v in einv.vat:
        sub = w.el(tax_total, "cac:TaxSubtotal")
        w.money(sub, "cbc:TaxableAmount", v.base)
        w.money(sub, "cbc:TaxAmount", v.amount)
        _category(w, sub, "cac:TaxCategory", v.category, v.rate, v.exemption_reason, v.exemption_code)
    t = einv.totals
    sums = w.el(root, "cac:LegalMonetaryTotal")
    w.money(sums, "cbc:LineExtensionAmount", t.line_total)
    w.money(sums, "cbc:TaxExclusiveAmount", t.tax_exclusive)
    w.money(sums, "cbc:TaxInclusiveAmount", t.tax_inclusive)
    w.money(sums, "cbc:AllowanceTotalAmount", t.allowances)
    w.money(sums, "cbc:ChargeTotalAmount", t.charges)
    if t.prepaid:
        w.money(sums, "cbc:PrepaidAmount", t.prepaid)
    if t.rounding:
        w.money(sums, "cbc:PayableRoundingAmount", t.rounding)
    w.money(sums, "cbc:PayableAmount", t.payable)
    for ln in einv.lines:
        node = w.el(root, "cac:CreditNoteLine" if credit else "cac:InvoiceLine")
        w.el(node, "cbc:ID", ln.id)
        w.el(node, "cbc:CreditedQuantity" if credit else "cbc:InvoicedQuantity", number(ln.quantity), unitCode=ln.unit_code)
        w.money(node, "cbc:LineExtensionAmount", ln.net)
        if ln.allowance is not None:
            _allowance(w, node, ln.allowance, line=True)
        item = w.el(node, "cac:Item")
        w.el(item, "cbc:Name", ln.name)
        if ln.sku:
            w.el(w.el(item, "cac:SellersItemIdentification"), "cbc:ID", ln.sku)
        _category(w, item, "cac:ClassifiedTaxCategory", ln.category, ln.rate)
        p = w.el(node, "cac:Price")
        w.el(p, "cbc:PriceAmount", price(ln.price_text, ln.net_price), currencyID=einv.currency)
        if ln.base_quantity != 1:
            w.el(p, "cbc:BaseQuantity", number(ln.base_quantity), unitCode=ln.unit_code)
    return w.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render(kind: str, doc: dict, settings) -> bytes:
    """An invoice ("invoice") or a credit note ("credit") as UBL 2.1 XML; Invalid naming the
    settings to set when EN 16931 data is missing."""
    return write(model(kind, doc, settings))
