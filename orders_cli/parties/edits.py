"""The verbs that change or remove the parties and the catalog after they were added (issue 18):
users, contacts, archiving a product (vendors: parties/vendors.py). Each takes a Session and
plain values and returns a typed result (``parties.results``)."""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import text
from orders_cli.core.errors import Conflict, Invalid
from orders_cli.parties.catalog import contact_view, product_view
from orders_cli.parties.results import ContactResult, PartyResult, ProductResult
from orders_cli.parties.vendors import NOTHING, edit_party
from orders_cli.store import refs
from orders_cli.store import schema as m


# ---------------------------------------------------------------- users


def edit_user(session: Session, ref: str, changes: dict) -> PartyResult:
    """``changes``: ``name``, ``email`` (``''`` clears it). The orders assigned to the user stay so."""
    user = refs.user(session, ref)
    edit_party(session, user, "user", changes)
    session.add(user)
    session.flush()
    return PartyResult(user.id, user.name, user.email)  # type: ignore[arg-type]


# ---------------------------------------------------------------- contacts


def _contact(session: Session, ref: str, account: str | None) -> tuple[m.Contact, m.Account]:
    scope = refs.account(session, account) if account not in (None, "") else None
    contact = refs.contact(session, ref, scope.id if scope is not None else None)
    return contact, scope or session.get(m.Account, contact.account_id)  # type: ignore[return-value]


def edit_contact(session: Session, ref: str, account: str | None, changes: dict) -> ContactResult:
    """``changes``: ``name`` (unique on its account), ``email``, ``phone`` (``''`` clears them)."""
    contact, acc = _contact(session, ref, account)
    changes = {k: v for k, v in changes.items() if v is not None}
    if not changes:
        raise Invalid(NOTHING)
    if "name" in changes:
        name = text.clean(changes["name"], "contact name", 200, required=True)
        twin = select(m.Contact.id).where(m.Contact.account_id == acc.id, m.Contact.name == name, m.Contact.id != contact.id)
        if session.exec(twin).first() is not None:
            raise Conflict(f"account {acc.name!r} already has a contact {name!r}")
        contact.name = name
    if "email" in changes:
        contact.email = text.email(changes["email"])
    if "phone" in changes:
        contact.phone = text.optional(changes["phone"], "phone", 50)
    session.add(contact)
    session.flush()
    return contact_view(contact, acc)


def documents_naming_contact(session: Session, contact_id: int) -> list[str]:
    """The numbers of the quotes and orders that name the contact, in number order."""
    numbers: list[str] = []
    for model in (m.Quote, m.SalesOrder):
        numbers += session.exec(select(model.number).where(model.contact_id == contact_id).order_by(model.number)).all()
    return numbers


def remove_contact(session: Session, ref: str, account: str | None = None) -> ContactResult:
    """Delete a contact no document names; refused, naming them, when one does."""
    contact, acc = _contact(session, ref, account)
    named = documents_naming_contact(session, contact.id)  # type: ignore[arg-type]
    if named:
        shown = ", ".join(named[:5]) + (f" and {len(named) - 5} more" if len(named) > 5 else "")
        raise Conflict(f"contact {contact.name!r} of {acc.name!r} is named on {shown}: it cannot be removed "
                       f"(documents keep the contact they were made for)")
    removed = contact_view(contact, acc)
    session.execute(sa.delete(m.Contact).where(m.Contact.id == contact.id))
    session.flush()
    return removed


# ---------------------------------------------------------------- archiving a product


def set_archived(session: Session, ref: str, archived: bool) -> ProductResult:
    """Archive (or bring back) a product: an archived one is left out of ``product list`` and
    refused on new order and quote lines; the documents that have it keep it."""
    product = refs.product(session, ref)
    if product.archived == archived:
        raise Conflict(f"product {product.sku} is {'already' if archived else 'not'} archived")
    product.archived = archived
    session.add(product)
    session.flush()
    return product_view(session, product)


def refuse_archived(product: m.Product, where: str) -> None:
    """A new line may not name an archived product (``where``: "line 2")."""
    if product.archived:
        raise Invalid(f"{where}: product {product.sku} is archived (orders product unarchive {product.sku} to sell it again)")
