"""An invoice or a credit note as UN/CEFACT CII D16B XML, Factur-X 1.0 EN 16931 profile
(``render``). The content is ``core.einvoice``'s model; missing EN 16931 data is refused."""

from __future__ import annotations

from datetime import date

from orders_cli.adapters.einvoice_xml import XmlWriter, amount, model, number, price
from orders_cli.core.einvoice_model import Address, AllowanceCharge, EInvoice, Party

RSM = "urn:un:unece:uncefact:data:standard:CrossIndustryInvoice:100"
RAM = "urn:un:unece:uncefact:data:standard:ReusableAggregateBusinessInformationEntity:100"
UDT = "urn:un:unece:uncefact:data:standard:UnqualifiedDataType:100"
QDT = "urn:un:unece:uncefact:data:standard:QualifiedDataType:100"
NSMAP = {"rsm": RSM, "ram": RAM, "udt": UDT, "qdt": QDT}


class _W(XmlWriter):
    def __init__(self):
        super().__init__(NSMAP)

    def day(self, parent, tag: str, d: date, kind: str = "udt"):
        node = self.el(parent, tag)
        self.el(node, f"{kind}:DateTimeString", d.strftime("%Y%m%d"), format="102")
        return node


def _address(w: _W, parent, a: Address) -> None:
    node = w.el(parent, "ram:PostalTradeAddress")
    if a.postal_code:
        w.el(node, "ram:PostcodeCode", a.postal_code)
    for tag, text in zip(("ram:LineOne", "ram:LineTwo", "ram:LineThree"), a.lines):
        w.el(node, tag, text)
    if a.city:
        w.el(node, "ram:CityName", a.city)
    w.el(node, "ram:CountryID", a.country or "")
    if a.subdivision:
        w.el(node, "ram:CountrySubDivisionName", a.subdivision)


def _party(w: _W, parent, tag: str, p: Party) -> None:
    node = w.el(parent, tag)
    if p.identifier:
        w.el(node, "ram:GlobalID", p.identifier, schemeID=p.identifier_scheme or "0009")
    w.el(node, "ram:Name", p.name or "")
    if p.legal_info:
        w.el(node, "ram:Description", p.legal_info)
    if p.legal_id:
        legal = w.el(node, "ram:SpecifiedLegalOrganization")
        w.el(legal, "ram:ID", p.legal_id, schemeID=p.legal_scheme or "0002")
    if p.email and tag == "ram:SellerTradeParty":
        contact = w.el(node, "ram:DefinedTradeContact")
        mail = w.el(contact, "ram:EmailURIUniversalCommunication")
        w.el(mail, "ram:URIID", p.email)
    _address(w, node, p.address)
    if p.electronic_address:
        uri = w.el(node, "ram:URIUniversalCommunication")
        w.el(uri, "ram:URIID", p.electronic_address.value, schemeID=p.electronic_address.scheme)
    if p.vat_id:
        reg = w.el(node, "ram:SpecifiedTaxRegistration")
        w.el(reg, "ram:ID", p.vat_id, schemeID="VA")


def _tax(w: _W, parent, tag: str, category: str, rate) -> None:
    node = w.el(parent, tag)
    w.el(node, "ram:TypeCode", "VAT")
    w.el(node, "ram:CategoryCode", category)
    if category != "O":
        w.el(node, "ram:RateApplicablePercent", number(rate))


def _allowance(w: _W, parent, a: AllowanceCharge, line: bool = False) -> None:
    node = w.el(parent, "ram:SpecifiedTradeAllowanceCharge")
    ind = w.el(node, "ram:ChargeIndicator")
    w.el(ind, "udt:Indicator", "true" if a.charge else "false")
    if a.percent is not None and a.base is not None:
        w.el(node, "ram:CalculationPercent", number(a.percent))
        w.el(node, "ram:BasisAmount", amount(a.base))
    w.el(node, "ram:ActualAmount", amount(a.amount))
    if a.reason_code:
        w.el(node, "ram:ReasonCode", a.reason_code)
    if a.reason:
        w.el(node, "ram:Reason", a.reason)
    if not line:
        _tax(w, node, "ram:CategoryTradeTax", a.category or "S", a.rate)


def write(einv: EInvoice) -> bytes:
    """The model as CII XML bytes."""
    w = _W()
    root = w.etree.Element(f"{{{RSM}}}CrossIndustryInvoice", nsmap=NSMAP)
    ctx = w.el(root, "rsm:ExchangedDocumentContext")
    if einv.process:
        w.el(w.el(ctx, "ram:BusinessProcessSpecifiedDocumentContextParameter"), "ram:ID", einv.process)
    w.el(w.el(ctx, "ram:GuidelineSpecifiedDocumentContextParameter"), "ram:ID", einv.profile)
    head = w.el(root, "rsm:ExchangedDocument")
    w.el(head, "ram:ID", einv.number)
    w.el(head, "ram:TypeCode", einv.type_code)
    w.day(head, "ram:IssueDateTime", einv.issue_date)
    for note in einv.notes:
        n = w.el(head, "ram:IncludedNote")
        w.el(n, "ram:Content", note.text)
        if note.subject:
            w.el(n, "ram:SubjectCode", note.subject)
    tx = w.el(root, "rsm:SupplyChainTradeTransaction")
    for ln in einv.lines:
        item = w.el(tx, "ram:IncludedSupplyChainTradeLineItem")
        w.el(w.el(item, "ram:AssociatedDocumentLineDocument"), "ram:LineID", ln.id)
        product = w.el(item, "ram:SpecifiedTradeProduct")
        if ln.sku:
            w.el(product, "ram:SellerAssignedID", ln.sku)
        w.el(product, "ram:Name", ln.name)
        agreement = w.el(item, "ram:SpecifiedLineTradeAgreement")
        net_price = w.el(agreement, "ram:NetPriceProductTradePrice")
        w.el(net_price, "ram:ChargeAmount", price(ln.price_text, ln.net_price))
        if ln.base_quantity != 1:
            w.el(net_price, "ram:BasisQuantity", number(ln.base_quantity), unitCode=ln.unit_code)
        delivery = w.el(item, "ram:SpecifiedLineTradeDelivery")
        w.el(delivery, "ram:BilledQuantity", number(ln.quantity), unitCode=ln.unit_code)
        settle = w.el(item, "ram:SpecifiedLineTradeSettlement")
        _tax(w, settle, "ram:ApplicableTradeTax", ln.category, ln.rate)
        if ln.allowance is not None:
            _allowance(w, settle, ln.allowance, line=True)
        w.el(w.el(settle, "ram:SpecifiedTradeSettlementLineMonetarySummation"), "ram:LineTotalAmount", amount(ln.net))

    agreement = w.el(tx, "ram:ApplicableHeaderTradeAgreement")
    _party(w, agreement, "ram:SellerTradeParty", einv.seller)
    _party(w, agreement, "ram:BuyerTradeParty", einv.buyer)
    if einv.order_ref:
        w.el(w.el(agreement, "ram:BuyerOrderReferencedDocument"), "ram:IssuerAssignedID", einv.order_ref)

    delivery = w.el(tx, "ram:ApplicableHeaderTradeDelivery")
    if einv.deliver_to is not None:
        ship = w.el(delivery, "ram:ShipToTradeParty")
        _address(w, ship, einv.deliver_to)
    if einv.delivery_date:
        event = w.el(delivery, "ram:ActualDeliverySupplyChainEvent")
        w.day(event, "ram:OccurrenceDateTime", einv.delivery_date)

    settle = w.el(tx, "ram:ApplicableHeaderTradeSettlement")
    w.el(settle, "ram:InvoiceCurrencyCode", einv.currency)
    pay = einv.payment
    if pay.means_code:
        means = w.el(settle, "ram:SpecifiedTradeSettlementPaymentMeans")
        w.el(means, "ram:TypeCode", pay.means_code)
        if pay.iban:
            w.el(w.el(means, "ram:PayeePartyCreditorFinancialAccount"), "ram:IBANID", pay.iban)
        if pay.bic:
            w.el(w.el(means, "ram:PayeeSpecifiedCreditorFinancialInstitution"), "ram:BICID", pay.bic)
    for v in einv.vat:
        node = w.el(settle, "ram:ApplicableTradeTax")
        w.el(node, "ram:CalculatedAmount", amount(v.amount))
        w.el(node, "ram:TypeCode", "VAT")
        if v.exemption_reason:
            w.el(node, "ram:ExemptionReason", v.exemption_reason)
        w.el(node, "ram:BasisAmount", amount(v.base))
        w.el(node, "ram:CategoryCode", v.category)
        if v.exemption_code:
            w.el(node, "ram:ExemptionReasonCode", v.exemption_code)
        if v.category != "O":
            w.el(node, "ram:RateApplicablePercent", number(v.rate))
    if einv.period:
        period = w.el(settle, "ram:BillingSpecifiedPeriod")
        w.day(period, "ram:StartDateTime", einv.period[0])
        w.day(period, "ram:EndDateTime", einv.period[1])
    for a in einv.allowances_charges:
        _allowance(w, settle, a)
    if pay.terms or pay.due_date:
        terms = w.el(settle, "ram:SpecifiedTradePaymentTerms")
        if pay.terms:
            w.el(terms, "ram:Description", pay.terms)
        if pay.due_date:
            w.day(terms, "ram:DueDateDateTime", pay.due_date)
    t = einv.totals
    sums = w.el(settle, "ram:SpecifiedTradeSettlementHeaderMonetarySummation")
    w.el(sums, "ram:LineTotalAmount", amount(t.line_total))
    w.el(sums, "ram:ChargeTotalAmount", amount(t.charges))
    w.el(sums, "ram:AllowanceTotalAmount", amount(t.allowances))
    w.el(sums, "ram:TaxBasisTotalAmount", amount(t.tax_exclusive))
    w.el(sums, "ram:TaxTotalAmount", amount(t.tax), currencyID=einv.currency)
    if t.rounding:
        w.el(sums, "ram:RoundingAmount", amount(t.rounding))
    w.el(sums, "ram:GrandTotalAmount", amount(t.tax_inclusive))
    w.el(sums, "ram:TotalPrepaidAmount", amount(t.prepaid))
    w.el(sums, "ram:DuePayableAmount", amount(t.payable))
    for number_, issued in einv.preceding:
        ref = w.el(settle, "ram:InvoiceReferencedDocument")
        w.el(ref, "ram:IssuerAssignedID", number_)
        if issued:
            w.day(ref, "ram:FormattedIssueDateTime", issued, kind="qdt")
    return w.etree.tostring(root, xml_declaration=True, encoding="UTF-8", pretty_print=True)


def render(kind: str, doc: dict, settings) -> bytes:
    """An invoice ("invoice") or a credit note ("credit") as Factur-X EN 16931 CII XML; Invalid
    naming the settings to set when EN 16931 data is missing."""
    return write(model(kind, doc, settings))
