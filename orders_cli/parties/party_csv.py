"""Accounts and contacts as CSV: ``account list --csv`` / ``contact list --csv`` write the
columns ``account import`` / ``contact import`` read, so the list round-trips.

Each import is one transaction, all or nothing: the first bad row refuses the file, naming its
line. Rows go through the same checks as ``account add`` / ``contact add`` (VAT numbers,
SIREN, e-mail...). ``upsert`` updates the record that exists (an account by name, a contact
by account and name: the columns the file has) instead of refusing it. The ``id`` column of
a list is read and ignored (ids are the database's).
"""

from __future__ import annotations

import csv
import io

from sqlmodel import Session, select

from orders_cli.core import text
from orders_cli.core.csvcheck import check_header, data_rows
from orders_cli.core.errors import Conflict, Invalid, NotFound
from orders_cli.parties import catalog
from orders_cli.parties.catalog_csv import uncell
from orders_cli.parties.results import ImportResult
from orders_cli.store import refs
from orders_cli.store import schema as m

_ADDRESS = tuple(f"{p}_address.{f}" for p in ("billing", "shipping") for f in catalog.ADDRESS_FIELDS)
# account list --csv: the six columns it always had, then the rest of an account
ACCOUNT_CSV_COLUMNS = ("id", "name", "email", "tax_region", "billing_address.city", "billing_address.country",
                       "phone", "language", *[c for c in _ADDRESS if c not in ("billing_address.city", "billing_address.country")],
                       *[f for f in catalog.IDENTITY_FIELDS])
CONTACT_CSV_COLUMNS = ("id", "name", "account.name", "email", "phone")


def _rows(handle: io.TextIOBase, source: str, columns: tuple[str, ...], required: tuple[str, ...]):
    reader = csv.DictReader(handle)
    reader.fieldnames = check_header(reader.fieldnames, required, [c for c in columns if c not in required], source)
    present = {h.strip() for h in reader.fieldnames}
    for line, row in data_rows(reader, source):
        yield line, {k: uncell(v) for k, v in row.items() if k in present and k != "id"}


def _account_fields(row: dict) -> dict:
    """A CSV row as ``edit_account`` changes (only the columns the file has)."""
    changes: dict = {k: row[k] for k in ("name", "email", "phone", "tax_region", "language", *catalog.IDENTITY_FIELDS) if k in row}
    for prefix in ("billing", "shipping"):
        part = {f: row[f"{prefix}_address.{f}"] for f in catalog.ADDRESS_FIELDS if f"{prefix}_address.{f}" in row}
        if part:
            changes[prefix] = part
    return changes


def import_accounts(session: Session, handle: io.TextIOBase, source: str, upsert: bool = False) -> ImportResult:
    done = 0
    seen: set[str] = set()
    for line, row in _rows(handle, source, ACCOUNT_CSV_COLUMNS, ("name",)):
        try:
            name = text.clean(row.get("name"), "account name", 200, required=True)
            if name in seen:
                raise Conflict(f"account {name!r} is twice in the file")
            seen.add(name)
            changes = _account_fields(row)
            existing = session.exec(select(m.Account).where(m.Account.name == name)).first()
            if existing is not None and not upsert:
                raise Conflict(f"account {name!r} already exists (--upsert updates it)")
            if existing is not None:
                catalog.edit_account(session, str(existing.id), changes)
            else:
                ids = {k: v for k, v in changes.items() if k in catalog.IDENTITY_FIELDS and v not in (None, "")}
                catalog.add_account(session, name, changes.get("email") or None, changes.get("phone") or None,
                                    changes.get("tax_region") or None, changes.get("billing"), changes.get("shipping"),
                                    changes.get("language") or None, ids)
            done += 1
        except (Invalid, Conflict, NotFound) as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
    return ImportResult(done)


def import_contacts(session: Session, handle: io.TextIOBase, source: str, upsert: bool = False) -> ImportResult:
    done = 0
    seen: set[tuple[int, str]] = set()
    for line, row in _rows(handle, source, CONTACT_CSV_COLUMNS, ("name", "account.name")):
        try:
            name = text.clean(row.get("name"), "contact name", 200, required=True)
            acc = refs.account(session, text.clean(row.get("account.name"), "account", 200, required=True))
            if (acc.id, name) in seen:
                raise Conflict(f"contact {name!r} of {acc.name!r} is twice in the file")
            seen.add((acc.id, name))
            found = session.exec(select(m.Contact).where(m.Contact.account_id == acc.id, m.Contact.name == name).limit(2)).all()
            if found and not upsert:
                raise Conflict(f"contact {name!r} of {acc.name!r} already exists (--upsert updates it)")
            if len(found) > 1:
                raise Conflict(f"more than one contact of {acc.name!r} is named {name!r}")
            if found:
                contact = found[0]
                if "email" in row:
                    contact.email = text.email(row["email"])
                if "phone" in row:
                    contact.phone = text.optional(row["phone"], "phone", 50)
                session.add(contact)
                session.flush()
            else:
                catalog.add_contact(session, name, acc.name, row.get("email") or None, row.get("phone") or None)
            done += 1
        except (Invalid, Conflict, NotFound) as err:
            raise type(err)(f"{source}: line {line}: {err.message}") from None
    return ImportResult(done)
