"""Use cases for the catalog and the parties: taxes, products, vendors, users,
accounts and contacts. Each takes a Session and plain values and returns a typed result
(``parties.results``) that ``core.results.to_data`` writes as the JSON of CLI.md."""

from __future__ import annotations

from decimal import Decimal
from typing import Iterable

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import pricing, text, units
from orders_cli.core.errors import Conflict, Invalid
from orders_cli.core.money import Money, Price, Quantity, non_negative
from orders_cli.core.results import OMIT
from orders_cli.parties.results import (
    AccountOrder,
    AccountRef,
    AccountResult,
    AddressResult,
    ContactResult,
    PartyResult,
    ProductResult,
)

# the tax use cases live in parties/taxes.py; re-exported here, where the commands find the catalog
from orders_cli.parties.taxes import (  # noqa: F401
    add_tax,
    edit_tax,
    list_taxes,
    rate_for,
    show_tax,
    tax_view,
)
# the vendors' use cases (with their postal address) live in parties/vendors.py
from orders_cli.parties.vendors import add_vendor, list_vendors  # noqa: F401
from orders_cli.store import refs
from orders_cli.store import schema as m
from orders_cli.store import search as searching

from orders_cli.core.stored import ADDRESS_FIELDS, address_of  # noqa: F401 - pure (core/stored.py)

# ---------------------------------------------------------------- vendors, users


def _add_party(session: Session, model: type[m.Vendor] | type[m.AppUser], what: str, name: str, email: str | None) -> PartyResult:
    name = text.clean(name, f"{what} name", 200, required=True)
    if session.exec(select(model).where(model.name == name)).first():
        raise Conflict(f"{what} {name!r} already exists")
    row = model(name=name, email=text.email(email))
    session.add(row)
    session.flush()
    return _party(row)


def _party(row: m.Vendor | m.AppUser) -> PartyResult:
    return PartyResult(row.id, row.name, row.email)  # type: ignore[arg-type]


def add_user(session: Session, name: str, email: str | None = None) -> PartyResult:
    return _add_party(session, m.AppUser, "user", name, email)


def list_users(session: Session) -> list[PartyResult]:
    return [_party(u) for u in session.exec(select(m.AppUser).order_by(m.AppUser.name))]


# ---------------------------------------------------------------- accounts, contacts


def _address(values: dict | None, what: str) -> dict:
    values = values or {}
    unknown = set(values) - set(ADDRESS_FIELDS)
    if unknown:
        raise Invalid(f"{what}: unknown field {sorted(unknown)[0]!r} (fields: {', '.join(ADDRESS_FIELDS)})")
    return {f: text.clean(values.get(f), f"{what} {f.replace('_', ' ')}", 300) for f in ADDRESS_FIELDS}


IDENTITY_FIELDS = ("vat_id", "siren", "siret", "electronic_address", "country")


def _identity(current: dict[str, str | None], given: dict[str, str | None]) -> dict[str, str | None]:
    """The account's identity fields after ``given`` (``""`` clears one), each checked by
    core/identity; the SIRET and a French VAT number must agree with the SIREN."""
    from orders_cli.core import identity

    out = dict(current)
    for key, check in (("siren", identity.siren), ("siret", identity.siret), ("vat_id", identity.vat_id),
                       ("electronic_address", identity.electronic_address), ("country", identity.country)):
        if key in given and given[key] is not None:
            out[key] = check(given[key], key) or None
    siren = out.get("siren")
    if siren and any(k in given for k in ("siren", "siret", "vat_id")):
        def blame(other: str) -> str:  # the field given in this change
            return other if other in given or "siren" not in given else "siren"

        if out.get("siret") and out["siret"][:9] != siren:
            raise Invalid(f"{blame('siret')}: the SIRET {out['siret']} does not begin with the SIREN {siren}")
        vat = out.get("vat_id") or ""
        if vat.startswith("FR") and vat[4:] != siren:
            raise Invalid(f"{blame('vat_id')}: the French VAT number {vat} does not end with the SIREN {siren}")
    return out


def add_account(
    session: Session,
    name: str,
    email: str | None = None,
    phone: str | None = None,
    tax_region: str | None = None,
    billing: dict | None = None,
    shipping: dict | None = None,
    language: str | None = None,
    identity: dict[str, str | None] | None = None,
) -> AccountResult:
    name = text.clean(name, "account name", 200, required=True)
    ids = _identity(dict.fromkeys(IDENTITY_FIELDS), identity or {})
    if session.exec(select(m.Account).where(m.Account.name == name)).first():
        raise Conflict(f"account {name!r} already exists")
    bill = _address(billing, "billing")
    ship = _address(shipping, "shipping")
    if not any(ship.values()):
        ship = dict(bill)  # shipping defaults to billing
    acc = m.Account(
        name=name,
        email=text.email(email),
        phone=text.optional(phone, "phone", 50),
        tax_region=text.optional(tax_region, "tax region", 100),
        language=_language(language),
        **{f"billing_{k}": v for k, v in bill.items()},
        **{f"shipping_{k}": v for k, v in ship.items()},
        **ids,
    )
    session.add(acc)
    session.flush()
    return account_view(session, acc)


def _language(value: str | None) -> str | None:
    value = text.optional(value, "language", 20)
    if value is not None:
        from orders_cli.adapters.settings import KEYS

        value = KEYS["language"].check(value)
    return value


def edit_account(session: Session, ref: str, changes: dict) -> AccountResult:
    acc = refs.account(session, ref)
    if "name" in changes:
        name = text.clean(changes["name"], "account name", 200, required=True)
        other = session.exec(select(m.Account).where(m.Account.name == name, m.Account.id != acc.id)).first()
        if other is not None:
            raise Conflict(f"account {name!r} already exists")
        acc.name = name
    if "email" in changes:
        acc.email = text.email(changes["email"])
    if "phone" in changes:
        acc.phone = text.optional(changes["phone"], "phone", 50)
    if "tax_region" in changes:
        acc.tax_region = text.optional(changes["tax_region"], "tax region", 100)
    if "language" in changes:
        acc.language = _language(changes["language"])
    given = {k: changes[k] for k in IDENTITY_FIELDS if k in changes}
    if given:
        for key, value in _identity({f: getattr(acc, f) for f in IDENTITY_FIELDS}, given).items():
            setattr(acc, key, value)
    for prefix in ("billing", "shipping"):
        part = changes.get(prefix) or {}
        for key, value in _address(part, prefix).items():
            if key in part:
                setattr(acc, f"{prefix}_{key}", value)
    session.add(acc)
    session.flush()
    return account_view(session, acc)


def account_view(session: Session, acc: m.Account, with_related: bool = False) -> AccountResult:
    contacts, orders = OMIT, OMIT
    if with_related:
        rows = session.exec(select(m.Contact).where(m.Contact.account_id == acc.id).order_by(m.Contact.name)).all()
        contacts = [contact_view(c, acc) for c in rows]
        orders = [
            AccountOrder(o.number, o.subject, o.status, o.finalized, o.order_date, Money(o.total))
            for o in session.exec(
                select(m.SalesOrder)
                .where(m.SalesOrder.account_id == acc.id)
                .order_by(m.SalesOrder.order_date.desc(), m.SalesOrder.id.desc())  # type: ignore[attr-defined]
            )
        ]
    return AccountResult(
        acc.id,  # type: ignore[arg-type]
        acc.name,
        acc.email,
        acc.phone,
        acc.tax_region,
        acc.language,
        AddressResult(**address_of(acc, "billing")),
        AddressResult(**address_of(acc, "shipping")),
        contacts,
        orders,
        **{f: getattr(acc, f) for f in IDENTITY_FIELDS},
    )


def list_accounts(session: Session, search: str | None = None) -> Iterable[AccountResult]:
    """By name; ``search``: words in the name or e-mail address (``store.search``, in SQL)."""
    query = select(m.Account)
    if search is not None:
        query = query.where(searching.clause(session, search, [m.Account.name, m.Account.email]))
    for acc in session.exec(query.order_by(m.Account.name)):
        yield account_view(session, acc)


def show_account(session: Session, ref: str) -> AccountResult:
    return account_view(session, refs.account(session, ref), with_related=True)


def add_contact(session: Session, name: str, account: str, email: str | None = None, phone: str | None = None) -> ContactResult:
    name = text.clean(name, "contact name", 200, required=True)
    acc = refs.account(session, account)
    if session.exec(select(m.Contact).where(m.Contact.account_id == acc.id, m.Contact.name == name)).first():
        raise Conflict(f"account {acc.name!r} already has a contact {name!r}")
    contact = m.Contact(name=name, account_id=acc.id, email=text.email(email), phone=text.optional(phone, "phone", 50))
    session.add(contact)
    session.flush()
    return contact_view(contact, acc)


def contact_view(c: m.Contact, acc: m.Account) -> ContactResult:
    return ContactResult(c.id, c.name, AccountRef(acc.id, acc.name), c.email, c.phone)  # type: ignore[arg-type]


def list_contacts(session: Session, account: str | None = None) -> list[ContactResult]:
    query = select(m.Contact, m.Account).join(m.Account, m.Account.id == m.Contact.account_id)
    if account:
        query = query.where(m.Contact.account_id == refs.account(session, account).id)
    return [contact_view(c, a) for c, a in session.exec(query.order_by(m.Account.name, m.Contact.name))]


# ---------------------------------------------------------------- products


def _price(value: object, what: str) -> Decimal:
    return non_negative(value, what)


def _kind(service: bool | str | None) -> str:
    if isinstance(service, str):
        if service not in ("product", "service"):
            raise Invalid(f"kind is product or service, got {service!r}")
        return service
    return "service" if service else "product"


def _product_taxes(session: Session, names: Iterable[str]) -> list[m.Tax]:
    taxes = []
    for name in names:
        name = name.strip()
        if name:
            taxes.append(refs.tax(session, name))
    if len({t.id for t in taxes}) != len(taxes):
        raise Invalid("the same tax is named twice")
    return taxes


def _unit_code(unit: str | None) -> str | None:
    """The UN/ECE Rec 20 code of a product's unit (``h`` -> HUR, ``HUR`` -> HUR), None for none;
    an unknown unit is refused with the list."""
    return units.unit_code(unit) if unit is not None and unit.strip() else None


def _base_quantity(value: object | None) -> Decimal | None:
    """The quantity the price is for ("12.00 per 100": 100), > 0; None (1) when not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    q = pricing.parse_base_quantity(value)
    return None if q == 1 else q


def add_product(
    session: Session,
    sku: str,
    name: str,
    price: object,
    taxes: Iterable[str] = (),
    vendor: str | None = None,
    service: bool | str = False,
    unit: str | None = None,
    cost: object | None = None,
    description: str | None = None,
    base_quantity: object | None = None,
) -> ProductResult:
    sku = text.clean(sku, "SKU", 100, required=True)
    if any(c.isspace() or c == ":" for c in sku):
        raise Invalid(f"SKU {sku!r}: no spaces or colons (a line is written SKU:QTY)")
    if session.exec(select(m.Product).where(m.Product.sku == sku)).first():
        raise Conflict(f"product {sku!r} already exists")
    product = m.Product(
        sku=sku,
        name=text.clean(name, "name", 300, required=True),
        kind=_kind(service),
        unit=text.clean(unit, "unit", 30),
        unit_code=_unit_code(unit),
        base_quantity=_base_quantity(base_quantity),
        unit_price=_price(price, "price"),
        cost=None if cost in (None, "") else _price(cost, "cost"),
        vendor_id=refs.vendor(session, vendor).id if vendor else None,
        description=text.clean(description, "description", 2000, multiline=True),
    )
    tax_rows = _product_taxes(session, taxes)
    session.add(product)
    session.flush()
    for tax in tax_rows:
        session.add(m.ProductTax(product_id=product.id, tax_id=tax.id))
    session.flush()
    return product_view(session, product)


def edit_product(session: Session, ref: str, changes: dict) -> ProductResult:
    product = refs.product(session, ref)
    if "name" in changes:
        product.name = text.clean(changes["name"], "name", 300, required=True)
    if "price" in changes:
        product.unit_price = _price(changes["price"], "price")
    if "cost" in changes:
        product.cost = None if changes["cost"] in (None, "") else _price(changes["cost"], "cost")
    if "unit" in changes:
        product.unit = text.clean(changes["unit"], "unit", 30)
        product.unit_code = _unit_code(changes["unit"])
    if "base_quantity" in changes:
        product.base_quantity = _base_quantity(changes["base_quantity"])
    if "description" in changes:
        product.description = text.clean(changes["description"], "description", 2000, multiline=True)
    if "service" in changes:
        product.kind = _kind(changes["service"])
    if "vendor" in changes:
        product.vendor_id = refs.vendor(session, changes["vendor"]).id if changes["vendor"] else None
    if "taxes" in changes:
        tax_rows = _product_taxes(session, changes["taxes"])
        session.execute(sa.delete(m.ProductTax).where(m.ProductTax.product_id == product.id))
        for tax in tax_rows:
            session.add(m.ProductTax(product_id=product.id, tax_id=tax.id))
    session.add(product)
    session.flush()
    return product_view(session, product)


def product_taxes(session: Session, product_id: int) -> list[m.Tax]:
    return list(
        session.exec(
            select(m.Tax).join(m.ProductTax, m.ProductTax.tax_id == m.Tax.id).where(m.ProductTax.product_id == product_id).order_by(m.Tax.name)
        )
    )


def product_view(session: Session, p: m.Product, vendor_name: str | None = None, taxes: list[str] | None = None) -> ProductResult:
    if vendor_name is None and p.vendor_id:
        vendor_name = session.get(m.Vendor, p.vendor_id).name  # type: ignore[union-attr]
    if taxes is None:
        taxes = [t.name for t in product_taxes(session, p.id)]  # type: ignore[arg-type]
    return ProductResult(
        p.id,  # type: ignore[arg-type]
        p.sku,
        p.name,
        p.kind,
        p.unit,
        Price(p.unit_price),
        None if p.cost is None else Price(p.cost),
        vendor_name,
        taxes,
        p.description,
        p.unit_code,
        Quantity(p.base_quantity if p.base_quantity is not None else Decimal(1)),
        bool(p.archived),
    )


ARCHIVED_CHOICES = ("active", "all", "archived")


def list_products(session: Session, which: str = "active", search: str | None = None) -> Iterable[ProductResult]:
    """The catalog by SKU: the products in use (``active``, the default), ``all``, or only the
    ``archived``; with ``search``, those whose SKU, name, description or vendor has its words."""
    vendors = {v.id: v.name for v in session.exec(select(m.Vendor))}
    taxes: dict[int, list[str]] = {}
    for pt, t in session.exec(select(m.ProductTax, m.Tax).join(m.Tax, m.Tax.id == m.ProductTax.tax_id).order_by(m.Tax.name)):
        taxes.setdefault(pt.product_id, []).append(t.name)
    query = select(m.Product)
    if which != "all":
        query = query.where(m.Product.archived == (which == "archived"))
    if search is not None:  # words in the SKU, name, description or vendor's name (store.search, in SQL)
        vendor = (m.Vendor.__table__.c.id == m.Product.vendor_id, [m.Vendor.__table__.c.name])
        query = query.where(searching.clause(session, search, [m.Product.sku, m.Product.name, m.Product.description], related=[vendor]))
    for p in session.exec(query.order_by(m.Product.sku)):
        yield product_view(session, p, vendors.get(p.vendor_id) if p.vendor_id else None, taxes.get(p.id, []))


def show_product(session: Session, ref: str) -> ProductResult:
    return product_view(session, refs.product(session, ref))
