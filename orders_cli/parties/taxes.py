"""Use cases for taxes: a tax's rate, its regional rates and its EN 16931 VAT category with the
exemption (reason text and VATEX code) a non-standard category needs."""

from __future__ import annotations

import json
import re
from decimal import Decimal

from sqlmodel import Session, select

from orders_cli.core import text
from orders_cli.core.errors import Conflict, Invalid, NotFound
from orders_cli.core.money import Quantity, non_negative, plain
from orders_cli.core.pricing import CATEGORIES
from orders_cli.parties.results import TaxResult
from orders_cli.store import refs
from orders_cli.store import schema as m


def _rate(value: object) -> Decimal:
    rate = non_negative(value, "rate")
    if rate > 100:
        raise Invalid(f"rate is a percent from 0 to 100, got {plain(rate)}")
    return rate


EXEMPT_CATEGORIES = ("E", "AE", "K", "G", "O")  # need a reason or a VATEX code (BR-E-10, BR-AE-10, BR-IC-10, BR-G-10, BR-O-10)
ZERO_CATEGORIES = ("Z", "E", "AE", "K", "G", "O")  # rate 0 (BR-Z-5, BR-E-5, BR-AE-5, BR-IC-5, BR-G-5, BR-O-5)
# What an exemption says when none is given: French wording and the VATEX code.
DEFAULT_EXEMPTIONS = {
    "AE": ("Autoliquidation", "VATEX-EU-AE"),
    "K": ("Exonération de TVA, article 262 ter I du CGI", "VATEX-EU-IC"),
}
_VATEX = re.compile(r"VATEX-[A-Z]{2}(-[A-Z0-9]+)+")


def _category(value: str | None) -> str:
    category = (value or "").strip().upper()
    if category not in CATEGORIES:
        raise Invalid(f"category: unknown VAT category {value!r} (one of {', '.join(CATEGORIES)})")
    return category


def _check_category(name: str, rate: Decimal, category: str, reason: str | None, code: str | None) -> tuple[str | None, str | None]:
    """The EN 16931 rules of a tax's category, rate and exemption; the (reason, code) to store."""
    if category == "S" and rate <= 0:
        raise Invalid(f"rate: a standard-rated (S) tax needs a rate above 0, got {plain(rate)} (a 0 % tax: --category Z, E, AE, K, G or O)")
    if category in ZERO_CATEGORIES and rate != 0:
        raise Invalid(f"rate: a tax of category {category} has a rate of 0, got {plain(rate)}")
    if code is not None and not _VATEX.fullmatch(code):
        raise Invalid(f"exemption code: {code!r} is not a VATEX code (like VATEX-EU-AE or VATEX-FR-FRANCHISE)")
    if category in ("S", "Z"):
        if reason or code:
            raise Invalid(f"exemption reason: a tax of category {category} takes no exemption reason or code")
        return None, None
    if category in DEFAULT_EXEMPTIONS and not reason and not code:
        reason, code = DEFAULT_EXEMPTIONS[category]
    if category in EXEMPT_CATEGORIES and not reason and not code:
        raise Invalid(f"exemption reason: tax {name!r} of category {category} needs --exemption-reason or --exemption-code")
    return reason, code


def add_tax(
    session: Session,
    name: str,
    rate: object,
    region: str | None = None,
    category: str | None = None,
    exemption_reason: str | None = None,
    exemption_code: str | None = None,
) -> TaxResult:
    """A tax, or a regional rate of one. With no category: S, or Z for a 0 % rate."""
    name = text.clean(name, "tax name", 100, required=True)
    value = _rate(rate)
    existing = session.exec(select(m.Tax).where(m.Tax.name == name)).first()
    if region is None:
        if existing is not None:
            raise Conflict(f"tax {name!r} already exists (add a regional rate with --region)")
        cat = _category(category) if category is not None else ("S" if value > 0 else "Z")
        reason = text.optional(exemption_reason, "exemption reason", 300)
        code = text.optional(exemption_code, "exemption code", 40)
        reason, code = _check_category(name, value, cat, reason, code)
        tax = m.Tax(name=name, rate=value, category=cat, exemption_reason=reason, exemption_code=code)
        session.add(tax)
        session.flush()
        return tax_view(session, tax)
    if category is not None or exemption_reason is not None or exemption_code is not None:
        raise Invalid("category: a regional rate has its tax's category (orders tax edit NAME --category C)")
    region = text.clean(region, "region", 100, required=True)
    if existing is None:
        raise NotFound(f"no tax {name!r}: add it first with a default rate (orders tax add {name} --rate N)")
    row = session.exec(
        select(m.TaxRegionRate).where(m.TaxRegionRate.tax_id == existing.id, m.TaxRegionRate.region == region)
    ).first()
    if row is not None:
        raise Conflict(f"tax {name!r} already has a rate for region {region!r} ({plain(row.rate)} %)")
    session.add(m.TaxRegionRate(tax_id=existing.id, region=region, rate=value))
    session.flush()
    return tax_view(session, existing)


def edit_tax(session: Session, ref: str, changes: dict) -> TaxResult:
    """Change a tax's name, default rate, category or exemption (``""`` clears a reason or code),
    or with ``region`` the rate of one of its tax regions. Documents already made keep the
    snapshot of the tax they were priced with (its name and rate as they were)."""
    tax = refs.tax(session, ref)
    if not changes:
        raise Invalid("nothing to change: give at least one option (see --help)")
    if "name" in changes:
        name = text.clean(changes["name"], "tax name", 100, required=True)
        twin = session.exec(select(m.Tax.id).where(m.Tax.name == name, m.Tax.id != tax.id)).first()
        if twin is not None:
            raise Conflict(f"tax {name!r} already exists")
        tax.name = name
    if "region" in changes:
        _edit_region_rate(session, tax, changes)
        session.add(tax)
        session.flush()
        return tax_view(session, tax)
    rate = _rate(changes["rate"]) if "rate" in changes else tax.rate
    category = _category(changes["category"]) if "category" in changes else (tax.category or "S")
    reason = text.optional(changes["exemption_reason"], "exemption reason", 300) if "exemption_reason" in changes else tax.exemption_reason
    code = text.optional(changes["exemption_code"], "exemption code", 40) if "exemption_code" in changes else tax.exemption_code
    if category != (tax.category or "S"):
        # a new category drops the old exemption (its own default applies) unless one is given
        reason = reason if "exemption_reason" in changes else None
        code = code if "exemption_code" in changes else None
    reason, code = _check_category(tax.name, rate, category, reason, code)
    tax.rate, tax.category, tax.exemption_reason, tax.exemption_code = rate, category, reason, code
    session.add(tax)
    session.flush()
    return tax_view(session, tax)


def _edit_region_rate(session: Session, tax: m.Tax, changes: dict) -> None:
    """``--region R --rate N``: the rate of one of the tax's regions (``tax add --region`` adds one)."""
    if set(changes) & {"category", "exemption_reason", "exemption_code"}:
        raise Invalid("category: a regional rate has its tax's category (orders tax edit NAME --category C, without --region)")
    if "rate" not in changes:
        raise Invalid("--region needs --rate: the new rate of that region")
    region = text.clean(changes["region"], "region", 100, required=True)
    rows = session.exec(select(m.TaxRegionRate).where(m.TaxRegionRate.tax_id == tax.id)).all()
    row = next((r for r in rows if r.region == region), None)
    if row is None:
        near = text.did_you_mean(region, [r.region for r in rows])
        raise NotFound(f"tax {tax.name!r} has no rate for region {region!r}{near} "
                       f"(add one: orders tax add {tax.name} --rate N --region {region})")
    row.rate = _rate(changes["rate"])
    session.add(row)


def show_tax(session: Session, ref: str) -> TaxResult:
    return tax_view(session, refs.tax(session, ref))


def tax_view(session: Session, tax: m.Tax) -> TaxResult:
    regions = session.exec(
        select(m.TaxRegionRate).where(m.TaxRegionRate.tax_id == tax.id).order_by(m.TaxRegionRate.region)
    ).all()
    return TaxResult(
        tax.id,  # type: ignore[arg-type]
        tax.name,
        Quantity(tax.rate),
        {r.region: Quantity(r.rate) for r in regions},
        tax.category or "S",
        tax.exemption_reason,
        tax.exemption_code,
    )


def list_taxes(session: Session) -> list[TaxResult]:
    return [tax_view(session, t) for t in session.exec(select(m.Tax).order_by(m.Tax.name)).all()]


def rate_for(session: Session, tax: m.Tax, region: str | None) -> Decimal:
    """The tax's rate in a tax region, or its default rate."""
    if region:
        row = session.exec(
            select(m.TaxRegionRate).where(m.TaxRegionRate.tax_id == tax.id, m.TaxRegionRate.region == region)
        ).first()
        if row is not None:
            return row.rate
    return tax.rate


# Categories that shift the VAT to the customer, who must then be identified by a VAT number
# (EN 16931 BR-AE-02 / BR-IC-02: the buyer's VAT identifier is required).
NEEDS_BUYER_VAT_ID = {"AE": "reverse-charged", "K": "an intra-community supply"}


def require_buyer_vat_id(document: str, lines, account: m.Account) -> None:
    """Refuse a document with a line at an AE or K tax for an account with no VAT number.
    ``lines``: (line number, SKU, taxes JSON text or snapshots) per line."""
    if account.vat_id:
        return
    for line_no, sku, taxes in lines:
        for category in _categories(taxes):
            if category in NEEDS_BUYER_VAT_ID:
                raise Invalid(
                    f"{document} line {line_no} ({sku}) is {NEEDS_BUYER_VAT_ID[category]} ({category}): the account {account.name} "
                    f"has no VAT number (orders account edit {_shell_word(account.name)} --vat-id ...)"
                )


_CATEGORIES: dict[str, tuple] = {}  # a line's taxes JSON text: its categories (a bulk import repeats a few)


def _categories(taxes) -> tuple:
    if isinstance(taxes, str):
        found = _CATEGORIES.get(taxes)
        if found is None:
            if len(_CATEGORIES) > 10_000:
                _CATEGORIES.clear()
            found = _CATEGORIES[taxes] = _categories(json.loads(taxes))
        return found
    return tuple(t.get("category") if isinstance(t, dict) else t.category for t in taxes)


def _shell_word(name: str) -> str:
    return name if re.fullmatch(r"[\w.@+-]+", name) else '"' + name.replace('"', '\\"') + '"'
