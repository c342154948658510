"""The ``SKU:QTY[:PRICE[:DISCOUNT]]`` line syntax of CLI.md."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from .errors import Invalid
from .money import non_negative, positive


@dataclass(frozen=True)
class LineSpec:
    sku: str
    quantity: Decimal
    unit_price: Decimal | None  # None: the catalog price
    discount: str | None  # "10%" or "5.00" as written; parsed by pricing.parse_discount


def parse_line(text: str) -> LineSpec:
    """Parse ``WIDGET:3``, ``CONSULT:2.5:120.00:10%``, ``WIDGET:2::10%``.

    >>> parse_line("WIDGET:2::10%")
    LineSpec(sku='WIDGET', quantity=Decimal('2'), unit_price=None, discount='10%')
    """
    parts = str(text).split(":")
    if len(parts) < 2 or len(parts) > 4 or not parts[0].strip():
        raise Invalid(f"--line {text!r}: expected SKU:QTY[:PRICE[:DISCOUNT]], e.g. WIDGET:3 or CONSULT:2.5:120.00:10%")
    sku = parts[0].strip()
    if not parts[1].strip():
        raise Invalid(f"--line {text!r}: the quantity is missing")
    quantity = positive(parts[1], f"--line {text!r}: quantity")
    price = None
    if len(parts) >= 3 and parts[2].strip():
        price = non_negative(parts[2], f"--line {text!r}: price")
    discount = parts[3].strip() if len(parts) == 4 and parts[3].strip() else None
    return LineSpec(sku, quantity, price, discount)


def parse_part(text: str, what: str = "--line") -> tuple[int, Decimal]:
    """``N:QTY`` (line number and quantity) for partial conversions."""
    parts = str(text).split(":")
    if len(parts) != 2 or not (parts[0].strip().isascii() and parts[0].strip().isdecimal()):
        raise Invalid(f"{what} {text!r}: expected N:QTY (the order's line number and a quantity), e.g. 1:2.5")
    return int(parts[0]), positive(parts[1], f"{what} {text!r}: quantity")
