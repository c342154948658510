"""Typed results and their one conversion to plain data.

Use cases return dataclasses holding ``Decimal`` (tagged ``Money`` / ``Price`` / ``Quantity``,
see money.py), ``date`` and nested results, never pre-formatted text. ``to_data`` turns such a
result into the JSON-ready shape of CLI.md (dicts in field order, numbers as exact strings,
dates as ``YYYY-MM-DD``); every renderer starts from it, so the JSON, the CSV, the table, the
PDF, the portal and the mails say the same thing.

- a field whose value is ``OMIT`` is left out (a key CLI.md shows only for some documents);
- a field named in a dataclass's ``__renamed__`` mapping is written under that key (a JSON
  key that is not a Python name, or that collides with one);
- ``pricing.Totals`` is written as CLI.md's totals block (line nets are not part of it): the
  one totals model of every document type; a document that shows only some of its parts (a
  purchase order: no discount, shipping or adjustment) declares its field with ``totals(parts)``.
"""

from __future__ import annotations

import dataclasses
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from orders_cli.core.money import text_of
from orders_cli.core.pricing import TaxAmount, Totals


class _Omit:
    __slots__ = ()

    def __repr__(self) -> str:
        return "OMIT"

    def __bool__(self) -> bool:
        return False


OMIT: Any = _Omit()  # typed Any so a field can be ``x: str = OMIT``


TOTALS_PARTS = ("subtotal", "discount", "shipping", "tax", "adjustment", "total", "tax_breakdown")


@dataclasses.dataclass(frozen=True)
class Ref:
    """A record a result names by id and name: an account, contact, user or vendor."""

    id: int
    name: str


def totals_data(t: Totals, parts: tuple[str, ...] = TOTALS_PARTS) -> dict:
    """The totals block every document type shows (CLI.md), or the ``parts`` of it it shows."""
    out = {}
    for part in parts:
        value = getattr(t, part)
        out[part] = [tax_amount_data(b) for b in value] if part == "tax_breakdown" else text_of_money(value)
    return out


def totals(parts: tuple[str, ...] = TOTALS_PARTS) -> Any:
    """A result field holding a ``pricing.Totals`` that is written with only ``parts``."""
    unknown = set(parts) - set(TOTALS_PARTS)
    if unknown:
        raise ValueError(f"not a part of the totals: {sorted(unknown)}")
    return dataclasses.field(metadata={"parts": tuple(parts)})


def tax_amount_data(b: TaxAmount) -> dict:
    """One tax breakdown entry: name, rate, base, amount, and its VAT category and exemption."""
    return {
        "name": b.name,
        "rate": text_of(b.rate),
        "base": text_of_money(b.base),
        "amount": text_of_money(b.amount),
        "category": b.category,
        "exemption_reason": b.exemption_reason,
        "exemption_code": b.exemption_code,
    }


def text_of_money(d: Decimal) -> str:
    from orders_cli.core.money import fmt_money

    return fmt_money(d)


def to_data(obj: Any) -> Any:
    """A result (or anything built of results, lists, dicts and scalars) as plain data."""
    if obj is None or isinstance(obj, (str, bool, int)):
        return obj
    if isinstance(obj, Decimal):
        return text_of(obj)
    if isinstance(obj, (date, datetime)):
        return obj.isoformat()
    if isinstance(obj, Totals):
        return totals_data(obj)
    if isinstance(obj, TaxAmount):
        return tax_amount_data(obj)
    if dataclasses.is_dataclass(obj) and not isinstance(obj, type):
        renamed = getattr(obj, "__renamed__", {})
        out = {}
        for f in dataclasses.fields(obj):
            value = getattr(obj, f.name)
            if value is OMIT or f.metadata.get("internal"):
                continue
            if isinstance(value, Totals) and "parts" in f.metadata:
                out[renamed.get(f.name, f.name)] = totals_data(value, f.metadata["parts"])
                continue
            out[renamed.get(f.name, f.name)] = to_data(value)
        return out
    if isinstance(obj, dict):
        return {k: to_data(v) for k, v in obj.items() if v is not OMIT}
    if isinstance(obj, (list, tuple)):
        return [to_data(v) for v in obj]
    raise TypeError(f"{type(obj).__name__} is not a result type to_data knows")


def internal(default: Any = None, **kw: Any) -> Any:
    """A result field for the program only (an id the renderers need), never written out."""
    return dataclasses.field(default=default, metadata={"internal": True}, **kw)
