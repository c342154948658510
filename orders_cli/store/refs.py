"""Finding records from what a person types: a name, SKU or document number, or an id.

The exact value is looked up first (the indexed path). Failing that, names match case- and
accent-insensitively (``hotel du parc`` is "Hôtel du Parc") when one record alone matches,
SKUs case-insensitively, document numbers case-insensitively and without their leading zeros
(``so-1`` is ``SO-00001``). The folding is done in Python over the column's values (read
once, on that slower path only), so it is the same on SQLite and PostgreSQL. An unknown
reference is refused naming the closest few (``did you mean ...?``); a folded one that
matches more than one record is refused listing them.
"""

from __future__ import annotations

import re
from typing import TypeVar

from sqlmodel import Session, func, select

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


def _forgiving(session: Session, model, columns, ref: str, what: str, where=None):
    """The one row whose column folds like ``ref`` (the columns tried in turn); else the
    refusal's hint (the closest values). Folded twins are refused, listing them."""
    query = select(model.id, *columns)
    if where is not None:
        query = query.where(where)
    rows = session.exec(query).all()
    key = text_rules.folded(ref)
    for at in range(1, len(columns) + 1):
        hits = {r[0]: str(r[at]) for r in rows if r[at] is not None and text_rules.folded(r[at]) == key}
        if len(hits) == 1:
            return session.get(model, next(iter(hits)))
        if len(hits) > 1:
            names = ", ".join(sorted(hits.values())[:5])
            raise Conflict(f"{ref!r} matches more than one {what}: {names}; type it exactly or use its id")
    return text_rules.did_you_mean(ref, [v for r in rows for v in r[1:] if v is not None])


def _named(session: Session, model, column, ref: str, what: str, also=()):
    if _unstorable(ref):
        raise NotFound(f"no {what} {ref!r}")
    row = session.exec(select(model).where(column == ref)).first()
    if row is None:
        row = _by_id(session, model, ref)
    if row is None:
        found = _forgiving(session, model, (column, *also), ref, what)
        if not isinstance(found, str):
            return found
        raise NotFound(f"no {what} {ref!r}{found}")
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
    """By SKU or id; failing that, by SKU and then by name in any case, without accents."""
    return _named(session, m.Product, m.Product.sku, ref, "product (SKU)", also=(m.Product.name,))


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
    if row is not None and (account_id is None or row.account_id == account_id):
        return row
    scope = m.Contact.account_id == account_id if account_id is not None else None
    near = _forgiving(session, m.Contact, (m.Contact.name,), ref, "contact", scope)
    if not isinstance(near, str):
        return near
    raise NotFound(f"no contact {ref!r}" + (" on this account" if account_id is not None else "") + near)


_NUMBER = re.compile(r"^(.*?)0*(\d+)$")


def _number_forms(ref: str) -> list[str]:
    """What a typed number may stand for, lower-cased: ``so-1`` -> ``so-00001`` (and as typed)."""
    from orders_cli.store.numbering import WIDTH

    text = ref.strip().lower()
    forms = [text]
    match = _NUMBER.match(text)
    if match and len(match.group(2)) < 18:
        forms.append(f"{match.group(1)}{int(match.group(2)):0{WIDTH}d}")
    return list(dict.fromkeys(forms))


def _short(number: str) -> str:
    match = _NUMBER.match(number.strip().lower())
    return f"{match.group(1)}{match.group(2)}" if match else number.strip().lower()


def _near_numbers(ref: str, numbers) -> str:
    """``; did you mean ...?`` comparing numbers without their padding (``so-9`` ~ ``SO-00008``)."""
    by_short = {_short(n): n for n in numbers if n}
    near = text_rules.closest(_short(ref), list(by_short))
    return f"; did you mean {', '.join(by_short[k] for k in near)}?" if near else ""


def document(session: Session, model: type[T], ref: str, what: str) -> T:
    """A numbered document by its number (``SO-00001``, ``so-1``) or integer id."""
    if _unstorable(ref):
        raise NotFound(f"no {what} {ref!r}")
    number = model.number  # type: ignore[attr-defined]
    row = session.exec(select(model).where(number == str(ref).strip())).first()
    if row is None:
        row = _by_id(session, model, ref)
    if row is None and str(ref).strip():
        rows = session.exec(select(model).where(func.lower(number).in_(_number_forms(str(ref)))).limit(6)).all()
        if len(rows) == 1:
            return rows[0]
        if len(rows) > 1:
            names = ", ".join(sorted(r.number for r in rows)[:5])  # type: ignore[attr-defined]
            raise Conflict(f"{ref!r} matches more than one {what}: {names}; type it exactly")
    if row is None:
        raise NotFound(f"no {what} {ref!r}{near_numbers(session, (model,), ref)}")
    return row


def near_numbers(session: Session, models, ref: str) -> str:
    """``; did you mean ...?`` naming the numbers of ``models`` closest to ``ref``, or ''."""
    return _near_numbers(str(ref), [n for model in models for n in session.exec(select(model.number)).all()])
