"""Finding records from what a person types: exact name or id, SKU or id, document number or id."""

from __future__ import annotations

from typing import TypeVar

from sqlmodel import Session, select

from orders_cli.core import text as text_rules
from orders_cli.core.errors import Conflict, NotFound
from orders_cli.store import schema as m

T = TypeVar("T")


def _by_id(session: Session, model: type[T], ref: str) -> T | None:
    text = str(ref).strip()
    if text.isascii() and text.isdecimal() and len(text) < 18:  # '١' is not id 1
        return session.get(model, int(text))
    return None


def _unstorable(ref: object) -> bool:
    """A lone surrogate (a non-UTF-8 byte in argv) is in no stored name: nothing to look up."""
    return isinstance(ref, str) and text_rules.has_surrogate(ref)


def _named(session: Session, model, column, ref: str, what: str):
    if _unstorable(ref):
        raise NotFound(f"no {what} {ref!r}")
    row = session.exec(select(model).where(column == ref)).first()
    if row is None:
        row = _by_id(session, model, ref)
    if row is None:
        raise NotFound(f"no {what} {ref!r}")
    return row


def account(session: Session, ref: str) -> m.Account:
    return _named(session, m.Account, m.Account.name, ref, "account")


def vendor(session: Session, ref: str) -> m.Vendor:
    return _named(session, m.Vendor, m.Vendor.name, ref, "vendor")


def user(session: Session, ref: str) -> m.AppUser:
    return _named(session, m.AppUser, m.AppUser.name, ref, "user")


def tax(session: Session, ref: str) -> m.Tax:
    return _named(session, m.Tax, m.Tax.name, ref, "tax")


def product(session: Session, ref: str) -> m.Product:
    return _named(session, m.Product, m.Product.sku, ref, "product (SKU)")


def contact(session: Session, ref: str, account_id: int | None = None) -> m.Contact:
    if _unstorable(ref):
        raise NotFound(f"no contact {ref!r}")
    query = select(m.Contact).where(m.Contact.name == ref)
    if account_id is not None:
        query = query.where(m.Contact.account_id == account_id)
    found = session.exec(query.limit(2)).all()
    if len(found) > 1:
        raise Conflict(f"more than one contact is named {ref!r}; use its id")
    if found:
        return found[0]
    row = _by_id(session, m.Contact, ref)
    if row is None or (account_id is not None and row.account_id != account_id):
        raise NotFound(f"no contact {ref!r}" + (" on this account" if account_id is not None else ""))
    return row


def document(session: Session, model: type[T], ref: str, what: str) -> T:
    """A numbered document by its number (``SO-00001``) or integer id."""
    if _unstorable(ref):
        raise NotFound(f"no {what} {ref!r}")
    row = session.exec(select(model).where(model.number == str(ref).strip())).first()  # type: ignore[attr-defined]
    if row is None:
        row = _by_id(session, model, ref)
    if row is None:
        raise NotFound(f"no {what} {ref!r}")
    return row
