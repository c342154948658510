"""What EN 16931 (and the French rules we know) require of an e-invoice and the data lacks: one
line each, naming the command that supplies it. Pure: no I/O."""

from __future__ import annotations

from .einvoice_model import EInvoice

VAT_ID_CATEGORIES = {"S", "Z", "E", "AE", "K", "G", "L", "M"}  # BR-S-02, BR-Z-02, BR-E-02, BR-AE-02, BR-IC-02, BR-G-02...
EXEMPT_CATEGORIES = {"E", "AE", "K", "G", "O"}  # BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10


def _account(einv: EInvoice) -> str:
    name = einv.buyer.name or "NAME"
    return f'"{name}"' if any(c.isspace() for c in name) else name


def missing(einv: EInvoice) -> list[str]:
    """Each requirement the document does not meet, as "what is missing: the command to fix it"."""
    out: list[str] = []
    seller, buyer = einv.seller, einv.buyer
    if not seller.name:
        out.append('seller name missing (BR-06): orders config set company.name "NAME"')
    if not seller.address.lines and not seller.address.city:
        out.append('seller address missing (BR-08): orders config set company.address "STREET\\nPOSTCODE CITY"')
    if not seller.address.country:
        out.append("seller country missing (BR-09): orders config set company.country FR")
    country = seller.address.country or ("FR" if (seller.vat_id or "FR").upper().startswith("FR") else None)
    if country == "FR" and not seller.legal_id:  # a French seller (or one of no country yet) states its SIREN
        out.append("seller SIREN missing: orders config set company.siren 123456789")
    categories = {ln.category for ln in einv.lines} | {a.category for a in einv.allowances_charges if a.category}
    if categories & VAT_ID_CATEGORIES and not seller.vat_id:
        out.append(f"seller VAT number missing (BR-{'/'.join(sorted(categories & VAT_ID_CATEGORIES))}-02): "
                   "orders config set company.vat_id FR00123456789")
    if not buyer.name:
        out.append("buyer name missing (BR-07): orders account edit ACCOUNT --name NAME")
    if not buyer.address.country:
        out.append(f"buyer country missing (BR-11): orders account edit {_account(einv)} --billing-country XX")
    if categories & {"AE", "K"} and not buyer.vat_id:
        out.append(f"buyer VAT number missing (BR-AE-02, BR-IC-02): orders account edit {_account(einv)} --vat-id XX...")
    untaxed = [ln for ln in einv.lines if ln.category == "O"]
    if untaxed and categories - {"O"}:
        out.append(f"line {untaxed[0].id} ({untaxed[0].sku or untaxed[0].name}) has no tax, beside taxed lines: EN 16931 allows "
                   "a line not subject to VAT only on an invoice of no VAT at all (BR-O-11); give its product a tax "
                   "(orders product edit SKU --tax NAME, a zero rate of category Z or E) and invoice it again")
    for v in einv.vat:
        if v.category in EXEMPT_CATEGORIES and not (v.exemption_reason or v.exemption_code):
            out.append(f"exemption reason missing for VAT category {v.category} (BR-{v.category}-10): "
                       "orders tax edit TAX --exemption-reason TEXT --exemption-code VATEX-...")
    if "K" in categories:
        if not einv.delivery_date and not einv.period:
            out.append("delivery date missing for an intra-community supply (BR-IC-11): "
                       "orders order convert invoice ORDER --delivery-date YYYY-MM-DD")
        if not (einv.deliver_to and einv.deliver_to.country):
            out.append(f"deliver-to country missing (BR-IC-12): orders account edit {_account(einv)} --shipping-country XX")
    if einv.payment.means_code in ("30", "58") and not einv.payment.iban:
        out.append("seller IBAN missing for payment by transfer (BR-61): orders config set company.iban FR76...")
    out.extend(einv.problems)
    return out
