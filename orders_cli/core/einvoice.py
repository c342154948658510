"""An invoice or a credit note as the EN 16931 model (``einvoice_model``): ``build`` maps the
document dict of ``invoice show --json`` / ``credit show --json`` into it, ``missing`` lists what
EN 16931 (and the French rules we know) require and the data lacks, each with the command that
fixes it. Pure: no I/O.

The overall discount and the allowances of no tax are shared over the VAT rates (the document's
tax bases already include them): each rate's share becomes one document allowance at that rate,
so that every allowance and charge carries its VAT category (BR-32, BR-37). The shipping charge
is a charge (reason code FC) at the rate whose base carries it.
"""

from __future__ import annotations

import re
from dataclasses import replace
from datetime import date
from decimal import Decimal

from .einvoice_model import (
    CREDIT_NOTE,
    DEPOSIT,
    INVOICE,
    PAYMENT_MEANS,
    SEPA_TRANSFER,
    Address,
    AllowanceCharge,
    EInvoice,
    ElectronicAddress,
    Line,
    Note,
    Party,
    Payment,
    Totals,
    VatBreakdown,
)
from .einvoice_rules import missing
from .shares import allocate

__all__ = ["build", "missing", "EInvoice"]

D0 = Decimal("0.00")
CENT = Decimal("0.01")
SELLER_KEYS = ("name", "address", "email", "legal_form", "capital", "siren", "siret", "rcs", "vat_id",
               "electronic_address", "country", "iban", "bic")
INVOICE_KEYS = ("payment_means", "late_penalty_rate", "recovery_indemnity", "early_payment_discount")
DISCOUNT_CODE = "95"  # UNTDID 5189: discount
FREIGHT_CODE = "FC"  # UNTDID 7161: freight service


def _dec(value, default: Decimal | None = None) -> Decimal | None:
    if value is None or value == "":
        return default
    return Decimal(str(value))


def _money(value) -> Decimal:
    return (_dec(value, D0) or D0).quantize(CENT)


def _day(value) -> date | None:
    return date.fromisoformat(str(value)[:10]) if value else None


def _text(value) -> str | None:
    text = str(value).strip() if value is not None else ""
    return text or None


def seller_fields(doc: dict, fallback: dict) -> dict:
    """The seller's data: the document's snapshot at issue, each null field from the settings."""
    snap = doc.get("seller") if isinstance(doc.get("seller"), dict) else {}
    out = {}
    for key in SELLER_KEYS + INVOICE_KEYS:
        value = snap.get(key)
        if value is None:
            prefix = "invoice." if key in INVOICE_KEYS else "company."
            value = fallback.get(prefix + key)
        out[key] = value
    return out


_POSTCODE_CITY = re.compile(r"^(?:[A-Z]{1,2}[- ])?(\d{4,6}|[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2})\s+(.+)$")


def parse_address(text: str | None, country: str | None) -> Address:
    """A free-text address (lines separated by newlines): the last line "POSTCODE CITY" gives
    the post code and city; the lines before it are the street lines (at most three)."""
    lines = [ln.strip() for ln in str(text or "").replace("\\n", "\n").splitlines() if ln.strip()]
    city = postal = None
    if lines:
        m = _POSTCODE_CITY.match(lines[-1])
        if m:
            postal, city = m.group(1), m.group(2).strip()
            lines.pop()
        elif len(lines) > 1:
            city = lines.pop()
    if len(lines) > 3:
        lines = lines[:2] + [", ".join(lines[2:])]
    return Address(tuple(lines), city, postal, None, _text(country))


def doc_address(addr: dict | None, country: str | None = None) -> Address:
    addr = addr or {}
    street = [ln.strip() for ln in str(addr.get("street") or "").splitlines() if ln.strip()]
    return Address(tuple(street[:3]), _text(addr.get("city")), _text(addr.get("postal_code")),
                   _text(addr.get("state")), _text(addr.get("country")) or _text(country))


def electronic_address(value) -> ElectronicAddress | None:
    text = _text(value)
    if not text:
        return None
    if "@" in text and not re.match(r"^\d{4}:", text):
        return ElectronicAddress("EM", text)
    scheme, _, ident = text.partition(":")
    return ElectronicAddress(scheme, ident) if ident else ElectronicAddress("EM", text)


WORDS = {"en": {"discount": "Discount", "shipping": "Shipping", "capital": "share capital {}"},
         "fr": {"discount": "Remise", "shipping": "Frais de port", "capital": "au capital de {}"}}


def _words(doc: dict) -> dict:
    return WORDS["fr" if str(doc.get("language") or "").startswith("fr") else "en"]


def _seller(s: dict, words: dict) -> Party:
    info = []
    if _text(s.get("legal_form")):
        info.append(str(s["legal_form"]).strip())
    if _text(s.get("capital")):
        info.append(words["capital"].format(str(s["capital"]).strip()))
    if _text(s.get("rcs")) and _text(s.get("siren")):
        info.append(f"RCS {str(s['rcs']).strip()} {s['siren']}")
    legal = " ".join(info[:2]) if len(info) > 1 and words is WORDS["fr"] else ", ".join(info[:2])
    info = ([legal] if legal else []) + info[2:]
    return Party(
        name=_text(s.get("name")),
        address=parse_address(s.get("address"), s.get("country")),
        vat_id=_text(s.get("vat_id")),
        legal_id=_text(s.get("siren")),
        legal_scheme="0002" if _text(s.get("siren")) else None,
        identifier=_text(s.get("siret")),
        identifier_scheme="0009" if _text(s.get("siret")) else None,
        electronic_address=electronic_address(s.get("electronic_address")),
        legal_info=", ".join(info) or None,
        email=_text(s.get("email")),
    )


def _buyer(doc: dict) -> Party:
    b = doc.get("buyer") if isinstance(doc.get("buyer"), dict) else {}
    account = doc.get("account") or {}
    billing = doc.get("billing_address") or {}
    country = _text(b.get("country")) or _text(billing.get("country"))
    return Party(
        name=_text(account.get("name")),
        address=doc_address(billing, country),
        vat_id=_text(b.get("vat_id")),
        legal_id=_text(b.get("siren")),
        legal_scheme="0002" if _text(b.get("siren")) else None,
        identifier=_text(b.get("siret")),
        identifier_scheme="0009" if _text(b.get("siret")) else None,
        electronic_address=electronic_address(b.get("electronic_address")),
    )


def _tax(taxes) -> dict:
    """A line's VAT (EN 16931 allows one per line): its first tax, or "not subject" (O)."""
    if taxes:
        t = taxes[0]
        return {"name": t.get("name"), "rate": _dec(t.get("rate"), Decimal(0)), "category": t.get("category") or "S",
                "exemption_reason": t.get("exemption_reason"), "exemption_code": t.get("exemption_code")}
    return {"name": None, "rate": Decimal(0), "category": "O", "exemption_reason": None, "exemption_code": None}


def _lines(doc: dict) -> tuple[list[Line], list[dict]]:
    out, taxes = [], []
    for i, ln in enumerate(doc.get("lines") or [], start=1):
        tax = _tax(ln.get("taxes"))
        qty = _dec(ln.get("quantity"), Decimal(0))
        price = _dec(ln.get("unit_price"), Decimal(0))
        base_qty = _dec(ln.get("base_quantity"), Decimal(1)) or Decimal(1)
        net = _money(ln.get("net"))
        allowance = None
        gross = (qty * price / base_qty).quantize(CENT)
        if ln.get("discount") and gross != net:
            text = str(ln["discount"]).strip()
            pct = _dec(text[:-1]) if text.endswith("%") else None
            allowance = AllowanceCharge(False, gross - net, _words(doc)["discount"], DISCOUNT_CODE, percent=pct,
                                        base=gross if pct is not None else None)
        out.append(Line(
            id=str(i), name=_text(ln.get("description")) or _text(ln.get("sku")) or "Item", sku=_text(ln.get("sku")),
            quantity=qty, unit_code=_text(ln.get("unit_code")) or "C62", net_price=price,
            price_text=str(ln.get("unit_price")), base_quantity=base_qty, net=net,
            category=tax["category"], rate=tax["rate"], allowance=allowance,
        ))
        taxes.append(tax | {"kind": ln.get("kind"), "net": net})
    return out, taxes


def _sort_key(name, rate) -> tuple:
    return ((rate, name or ""),) if name is not None else ()


def _document_allowances(doc: dict, line_taxes: list[dict], fallback: dict, problems: list[str]) -> list[AllowanceCharge]:
    """BG-20 / BG-21: taxed allowances and charges as they are; the discount, the allowances of no
    tax and the shipping charge per rate, reconciled with the document's tax bases."""
    t = doc.get("totals") or {}
    breakdown = {b["name"]: b for b in t.get("tax_breakdown") or []}
    info = {name: {"rate": _dec(b.get("rate"), Decimal(0)), "category": b.get("category") or "S"} for name, b in breakdown.items()}
    for lt in line_taxes:
        if lt["name"] is not None:
            info.setdefault(lt["name"], {"rate": lt["rate"], "category": lt["category"]})
    # the groups the shared amounts are shared over: lines before deposit deductions, by tax
    groups: dict = {}
    lines_at: dict = {}
    for lt in line_taxes:
        lines_at[lt["name"]] = lines_at.get(lt["name"], D0) + lt["net"]
        if lt["kind"] != "deduction":
            groups[lt["name"]] = groups.get(lt["name"], D0) + lt["net"]
    keys = sorted(groups, key=lambda n: _sort_key(n, info.get(n, {}).get("rate", Decimal(0))))
    weights = [groups[k] for k in keys]

    out: list[AllowanceCharge] = []
    shared: list[tuple[str, str | None, dict]] = []  # (reason, reason code, {tax name: share})
    expected = {name: lines_at.get(name, D0) for name in set(info) | set(lines_at)}
    discount = _money(t.get("discount"))
    if discount:
        shared.append((_words(doc)["discount"], DISCOUNT_CODE, dict(zip(keys, allocate(discount, weights)))))
    for item in t.get("allowances_charges") or []:
        amount = _money(item.get("amount"))
        charge = item.get("kind") == "charge"
        tax = item.get("tax")
        reason = _text(item.get("reason")) or ("Charge" if charge else "Allowance")
        code = _text(item.get("reason_code"))
        if tax:
            name = tax.get("name")
            info.setdefault(name, {"rate": _dec(tax.get("rate"), Decimal(0)), "category": tax.get("category") or "S"})
            expected[name] = expected.get(name, D0) + (amount if charge else -amount)
            out.append(AllowanceCharge(charge, amount, reason, code, info[name]["category"], info[name]["rate"],
                                       _dec(item.get("percent")), _dec(item.get("base"))))
        elif charge:
            shared.append((reason, code, {None: amount, "_charge": True}))
        else:
            shared.append((reason, code, dict(zip(keys, allocate(amount, weights)))))
    for _, _, parts in shared:
        if not parts.get("_charge"):
            for name, part in parts.items():
                expected[name] = expected.get(name, D0) - part
    # what the bases say beyond that: the shipping charge, and any cent the shares differ by
    residual = {name: _money(b.get("base")) - expected.get(name, D0) for name, b in breakdown.items()}
    shipping = _money(t.get("shipping"))
    if shipping:
        ship_name = next((n for n, r in residual.items() if r == shipping), None)
        if ship_name is None and fallback.get("charges.tax") in residual:
            ship_name = fallback.get("charges.tax")
        if ship_name is None and residual:
            ship_name = max(residual, key=lambda n: residual[n])
        if ship_name is None:
            problems.append("the shipping charge has no VAT rate: orders config set charges.tax NAME")
        else:
            residual[ship_name] -= shipping
            out.append(AllowanceCharge(True, shipping, _words(doc)["shipping"], FREIGHT_CODE, info[ship_name]["category"], info[ship_name]["rate"]))
    for name, diff in residual.items():
        if not diff:
            continue
        for _, _, parts in shared:  # a cent of rounding: the first shared allowance at that rate takes it
            if not parts.get("_charge") and name in parts and parts[name] - diff >= 0:
                parts[name] -= diff
                break
        else:
            problems.append(f"the VAT base at {name} does not match its lines, allowances and charges ({diff})")
    for reason, code, parts in shared:
        is_charge = bool(parts.pop("_charge", False))
        for name, part in parts.items():
            if not part:
                continue
            if name is None or name not in info:
                fallback_name = fallback.get("charges.tax")
                if fallback_name in info:
                    name = fallback_name
                else:
                    cat = {"rate": Decimal(0), "category": "O"}
                    out.append(AllowanceCharge(is_charge, part, reason, code, cat["category"], cat["rate"]))
                    continue
            out.append(AllowanceCharge(is_charge, part, reason, code, info[name]["category"], info[name]["rate"]))
    out.sort(key=lambda a: a.charge)  # allowances first
    return out


def _vat(doc: dict, line_taxes: list[dict], allowances: list[AllowanceCharge]) -> list[VatBreakdown]:
    used = {(lt["category"], lt["rate"]) for lt in line_taxes} | {(a.category, a.rate) for a in allowances}
    merged: dict = {}
    for b in (doc.get("totals") or {}).get("tax_breakdown") or []:
        key = (b.get("category") or "S", _dec(b.get("rate"), Decimal(0)))
        base, amount = _money(b.get("base")), _money(b.get("amount"))
        if key not in used and not base and not amount:
            continue
        if key in merged:
            old = merged[key]
            merged[key] = VatBreakdown(key[0], key[1], old.base + base, old.amount + amount, old.exemption_reason, old.exemption_code)
        else:
            merged[key] = VatBreakdown(key[0], key[1], base, amount, _text(b.get("exemption_reason")), _text(b.get("exemption_code")))
    if any(lt["category"] == "O" for lt in line_taxes) and ("O", Decimal(0)) not in merged:
        base = sum((lt["net"] for lt in line_taxes if lt["category"] == "O"), D0)
        merged[("O", Decimal(0))] = VatBreakdown("O", Decimal(0), base, D0, "Not subject to VAT", "VATEX-EU-O")
    return [merged[k] for k in sorted(merged, key=lambda k: (k[1], k[0]))]


_NOTES = {
    "en": {"PMD": "Late payment penalties: {}", "PMT": "Fixed indemnity for recovery costs: {} {}",
           "AAB": "Early payment discount: {}", "due": "Payment due {} ({} days)", "credit": "Credit note for invoice {}"},
    "fr": {"PMD": "Pénalités de retard : {}", "PMT": "Indemnité forfaitaire pour frais de recouvrement : {} {}",
           "AAB": "Escompte pour paiement anticipé : {}", "due": "Paiement à échéance du {} ({} jours)",
           "credit": "Avoir sur la facture {}"},
}


_DEFAULTS_FR = {"none": "néant", "three times the French legal interest rate": "trois fois le taux d'intérêt légal"}


def _notes_and_payment(kind: str, doc: dict, s: dict, currency: str, lang: str) -> tuple[list[Note], Payment]:
    french = lang.startswith("fr")
    words = _NOTES["fr" if french else "en"]

    def said(key: str) -> str:  # the settings' English defaults, in French on a French document
        text = str(s[key]).strip()
        return _DEFAULTS_FR.get(text, text) if french else text

    notes = []
    if kind == "credit" and _text(doc.get("reason")):
        notes.append(Note(str(doc["reason"]).strip()))
    if _text(s.get("late_penalty_rate")):
        notes.append(Note(words["PMD"].format(said("late_penalty_rate")), "PMD"))
    if _text(s.get("recovery_indemnity")):
        notes.append(Note(words["PMT"].format(str(s["recovery_indemnity"]).strip(), "EUR"), "PMT"))  # 40 euros by law
    if _text(s.get("early_payment_discount")):
        notes.append(Note(words["AAB"].format(said("early_payment_discount")), "AAB"))
    due = _day(doc.get("due_date"))
    if kind == "credit":
        return notes, Payment(None, terms=words["credit"].format(doc.get("invoice")), due_date=due)
    means = str(s.get("payment_means") or "transfer")
    code = PAYMENT_MEANS.get(means, "1")
    iban = _text(s.get("iban")) if means in ("transfer", "direct_debit") else None
    if code == "30" and iban and currency == "EUR":
        code = SEPA_TRANSFER
    terms = words["due"].format(due.isoformat(), doc.get("due_days")) if due and doc.get("due_days") is not None else None
    return notes, Payment(code, iban, _text(s.get("bic")) if iban else None, terms, due)


def process_type(doc: dict) -> str:
    """BT-23 as the French reform's billing framework: B goods, S services, M both; 1 an invoice
    to pay, 4 a final invoice after a deposit."""
    kinds = {ln.get("kind") for ln in doc.get("lines") or []}
    goods, services = "product" in kinds, "service" in kinds
    letter = "M" if goods and services else "S" if services else "B"
    return letter + ("4" if "deduction" in kinds else "1")


def build(kind: str, doc: dict, seller_fallback: dict) -> EInvoice:
    """The EN 16931 model of an invoice (kind "invoice") or a credit note (kind "credit")."""
    problems: list[str] = []
    s = seller_fields(doc, seller_fallback or {})
    currency = str(doc.get("currency") or seller_fallback.get("currency") or "EUR")
    lines, line_taxes = _lines(doc)
    allowances = _document_allowances(doc, line_taxes, seller_fallback or {}, problems)
    vat = _vat(doc, line_taxes, allowances)
    t = doc.get("totals") or {}
    line_total = sum((ln.net for ln in lines), D0)
    allow = sum((a.amount for a in allowances if not a.charge), D0)
    charge = sum((a.amount for a in allowances if a.charge), D0)
    tax = sum((v.amount for v in vat), D0)
    exclusive = line_total - allow + charge
    rounding = _money(t.get("adjustment"))
    totals = Totals(line_total, allow, charge, exclusive, tax, exclusive + tax, D0, rounding, exclusive + tax + rounding)
    if totals.payable != _money(t.get("total")):
        problems.append(f"the amounts do not add up to the document's total {t.get('total')} ({totals.payable})")
    notes, payment = _notes_and_payment(kind, doc, s, currency, str(doc.get("language") or ""))
    if kind == "credit":
        type_code, issue = CREDIT_NOTE, _day(doc.get("credit_date"))
        preceding = ((str(doc["invoice"]), _day(doc.get("invoice_date"))),) if doc.get("invoice") else ()
    else:
        type_code = DEPOSIT if doc.get("kind") == "deposit" else INVOICE
        issue, preceding = _day(doc.get("invoice_date")), ()
    period = None
    if doc.get("period_start") and doc.get("period_end"):
        period = (_day(doc["period_start"]), _day(doc["period_end"]))
    ship = doc.get("shipping_address")
    seller, buyer = _seller(s, _words(doc)), _buyer(doc)
    if lines and all(ln.category == "O" for ln in lines):  # BR-O-02: no VAT identifiers on an invoice of no VAT
        seller, buyer = replace(seller, vat_id=None), replace(buyer, vat_id=None)
    return EInvoice(
        kind=kind, type_code=type_code, number=str(doc.get("number")), issue_date=issue or date.today(),
        currency=currency, seller=seller, buyer=buyer, lines=tuple(lines),
        allowances_charges=tuple(allowances), vat=tuple(vat), totals=totals, payment=payment, notes=tuple(notes),
        order_ref=_text(doc.get("customer_ref")), preceding=preceding, delivery_date=_day(doc.get("delivery_date")),
        period=period, deliver_to=doc_address(ship) if ship and ship.get("country") else None,
        language=_text(doc.get("language")), process=process_type(doc), problems=tuple(problems),
    )
