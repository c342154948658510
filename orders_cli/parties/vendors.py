"""Vendors (suppliers) and the postal address their purchase orders print; with the checks
every edit of a party shares (a new name, something to change)."""

from __future__ import annotations

from sqlmodel import Session, select

from orders_cli.core import text
from orders_cli.core.errors import Conflict, Invalid
from orders_cli.parties.results import AddressResult, VendorResult
from orders_cli.store import refs
from orders_cli.store import schema as m

VENDOR_ADDRESS = ("street", "city", "postal_code", "state", "country")
NOTHING = "nothing to change: give at least one option (see --help)"


def new_name(session: Session, model, value: object, what: str, own_id: int | None = None) -> str:
    """A new name of a vendor, a user (unique among them): required, refused when taken."""
    name = text.clean(value, f"{what} name", 200, required=True)
    query = select(model.id).where(model.name == name)
    if own_id is not None:
        query = query.where(model.id != own_id)
    if session.exec(query).first() is not None:
        raise Conflict(f"{what} {name!r} already exists")
    return name


def edit_party(session: Session, row: m.Vendor | m.AppUser, what: str, changes: dict) -> dict:
    """A vendor's or a user's ``name`` and ``email`` (``''`` clears it) from ``changes``, refused
    when it gives nothing; returns the changes given (the caller applies the rest)."""
    given = {k: v for k, v in changes.items() if v is not None and v != {}}
    if not given:
        raise Invalid(NOTHING)
    if "name" in given:
        row.name = new_name(session, type(row), given["name"], what, row.id)
    if "email" in given:
        row.email = text.email(given["email"])
    return given


# ---------------------------------------------------------------- vendors


def _vendor_address(values: dict | None) -> dict[str, str]:
    """The address fields given (``''`` clears one), each checked like an account's."""
    values = values or {}
    unknown = set(values) - set(VENDOR_ADDRESS)
    if unknown:
        raise Invalid(f"address: unknown field {sorted(unknown)[0]!r} (fields: {', '.join(VENDOR_ADDRESS)})")
    return {f: text.clean(values[f], f"address {f.replace('_', ' ')}", 300) for f in VENDOR_ADDRESS if f in values}


def vendor_view(v: m.Vendor) -> VendorResult:
    return VendorResult(v.id, v.name, v.email, AddressResult(**{f: getattr(v, f) or "" for f in VENDOR_ADDRESS}))  # type: ignore[arg-type]


def add_vendor(session: Session, name: str, email: str | None = None, address: dict | None = None) -> VendorResult:
    row = m.Vendor(name=new_name(session, m.Vendor, name, "vendor"), email=text.email(email), **_vendor_address(address))
    session.add(row)
    session.flush()
    return vendor_view(row)


def edit_vendor(session: Session, ref: str, changes: dict) -> VendorResult:
    """``changes``: ``name``, ``email`` (``''`` clears it), ``address`` (the fields given)."""
    vendor = refs.vendor(session, ref)
    changes = edit_party(session, vendor, "vendor", changes)
    for key, value in _vendor_address(changes.get("address")).items():
        setattr(vendor, key, value)
    session.add(vendor)
    session.flush()
    return vendor_view(vendor)


def show_vendor(session: Session, ref: str) -> VendorResult:
    return vendor_view(refs.vendor(session, ref))


def list_vendors(session: Session) -> list[VendorResult]:
    return [vendor_view(v) for v in session.exec(select(m.Vendor).order_by(m.Vendor.name))]
