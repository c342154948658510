"""Exact numbers: the one constructor for money, quantities and rates.

``D()`` is the only way a number enters the domain. It refuses floats (a float is
already wrong: ``0.1 + 0.2``), booleans, NaN, infinities and absurd magnitudes, so
everything downstream can assume a finite ``Decimal`` of sane size. Rounding is
*not* done here: it happens in ``core/pricing.py`` at the points SPEC.md names.
"""

from __future__ import annotations

from decimal import Decimal, InvalidOperation

from .errors import Invalid

ZERO = Decimal("0")
HUNDRED = Decimal("100")
CENT = Decimal("0.01")

# A bound that keeps every product of two values well inside Decimal's default
# 28-digit precision, and every amount inside a signed 64-bit count of cents.
MAX_ABS = Decimal("1000000000000")  # 10^12
MAX_PLACES = 10


def D(value: object, what: str = "number") -> Decimal:
    """Build an exact Decimal from a str, int or Decimal; refuse anything else.

    >>> D("19.99")
    Decimal('19.99')
    >>> D(0.1)
    Traceback (most recent call last):
    ...
    orders_cli.core.errors.Invalid: number: floats are not accepted (0.1); pass a string
    """
    if isinstance(value, bool):
        raise Invalid(f"{what}: expected a number, got {value!r}")
    if isinstance(value, float):  # float-ok: refusing floats
        raise Invalid(f"{what}: floats are not accepted ({value!r}); pass a string")
    if isinstance(value, Decimal):
        d = value
    elif isinstance(value, int):
        d = Decimal(value)
    elif isinstance(value, str):
        text = value.strip().replace("_", "")
        if not text or len(text) > 40 or not text.isascii():  # Decimal() would read '٣' or '３' as 3
            raise Invalid(f"{what}: not a number: {_show(value)}")
        try:
            d = Decimal(text)
        except InvalidOperation:
            raise Invalid(f"{what}: not a number: {_show(value)}") from None
    else:
        raise Invalid(f"{what}: expected a number, got {type(value).__name__}")
    if not d.is_finite():
        raise Invalid(f"{what}: must be a finite number, got {_show(str(value))}")
    if abs(d) >= MAX_ABS:
        raise Invalid(f"{what}: {_show(str(value))} is too large")
    if d != 0 and _places(d) > MAX_PLACES:
        raise Invalid(f"{what}: at most {MAX_PLACES} decimal places, got {_show(str(value))}")
    return d + ZERO if d == 0 else d  # normalise -0 to 0


def _places(d: Decimal) -> int:
    """``-d.as_tuple().exponent`` (the places as written: 1.50 has 2), read from ``str(d)`` when it
    has no exponent part: ``as_tuple`` builds a named tuple, a cost D() pays for every number."""
    shown = str(d)
    if "E" in shown:
        return -d.as_tuple().exponent  # type: ignore[operator]
    dot = shown.find(".")
    return 0 if dot < 0 else len(shown) - dot - 1


def ascii_int(value: object) -> int:
    """``int(str(value).strip())`` for ASCII digits only (an optional sign): ``int()`` itself reads
    '٣' or '３' as 3. Raises ValueError like ``int()``, so it drops in where ``int()`` was.

    >>> ascii_int(" 30 ")
    30
    """
    digits = str(value).strip()
    body = digits[1:] if digits[:1] in "+-" else digits
    if not (body.isascii() and body.isdigit()) or len(body) > 18:
        raise ValueError(f"not a whole number: {digits[:30]!r}")
    return int(digits)


def positive(value: object, what: str) -> Decimal:
    d = D(value, what)
    if d <= 0:
        raise Invalid(f"{what} must be greater than 0, got {plain(d)}")
    return d


def non_negative(value: object, what: str) -> Decimal:
    d = D(value, what)
    if d < 0:
        raise Invalid(f"{what} must not be negative, got {plain(d)}")
    return d


def money(value: object, what: str = "amount") -> Decimal:
    """An amount of money: at most 2 decimal places, kept as written (no rounding)."""
    d = D(value, what)
    if d != 0 and d.as_tuple().exponent < -2:  # type: ignore[operator]
        raise Invalid(f"{what}: an amount has at most 2 decimal places, got {plain(d)}")
    return d.quantize(CENT)  # exact: only adds trailing zeros


def to_cents(amount: Decimal) -> int:
    """Exact conversion of a 2-place amount to integer cents (refuses anything inexact)."""
    cents = amount * 100
    if cents != cents.to_integral_value():
        raise ValueError(f"{amount} is not a whole number of cents")
    return int(cents)


def from_cents(cents: int) -> Decimal:
    return (Decimal(int(cents)) / 100).quantize(CENT)


def cents_text(cents: int) -> str:
    """Integer cents as ``fmt_money(from_cents(cents))`` writes them ("12.50", "-0.05"), by integer
    arithmetic: exact, without a Decimal (the lists stream a million of these)."""
    if cents < 0:
        return "-%d.%02d" % divmod(-cents, 100)
    return "%d.%02d" % divmod(cents, 100)


def plain(d: Decimal) -> str:
    """The exact decimal as text, without exponent and without needless zeros.

    Used for quantities and rates (``"2.5"``, ``"20"``); amounts use ``fmt_money``.
    """
    if d == d.to_integral_value():
        return str(d.quantize(Decimal(1)))
    return format(d.normalize(), "f")


def fmt_money(d: Decimal) -> str:
    """An amount as text with exactly 2 places (``"12.50"``); exact, never rounds."""
    q = d.quantize(CENT)
    if q != d:
        raise ValueError(f"{d} is not a 2-place amount")
    return format(q, "f")


def price_text(d: Decimal) -> str:
    """A unit price: at least 2 places, more when it has them (``"10.00"``, ``"0.125"``)."""
    if d == d.quantize(CENT):
        return format(d.quantize(CENT), "f")
    return format(d.normalize(), "f")


# ---------------------------------------------------------------- typed numbers in results
#
# Use cases return Decimals tagged with what they are, so every renderer (the terminal, JSON
# and CSV in cli/output.py, the PDF, the portal, mail) writes them the same way through
# ``core.results.to_data`` and nobody parses text back into numbers. They are Decimals:
# arithmetic on them gives plain Decimals, comparisons work as usual.


class Money(Decimal):
    """An amount of the document's currency (2 places): written ``"12.50"``."""

    __slots__ = ()


class Price(Decimal):
    """A unit price: at least 2 places, more when it has them (``"10.00"``, ``"0.125"``)."""

    __slots__ = ()


class Quantity(Decimal):
    """A quantity, rate or percent: written exactly, without needless zeros (``"2.5"``, ``"20"``)."""

    __slots__ = ()


def text_of(d: Decimal) -> str:
    """A tagged Decimal as its text (a plain Decimal counts as a Quantity)."""
    if isinstance(d, Money):
        return fmt_money(d)
    if isinstance(d, Price):
        return price_text(d)
    return plain(d)


def _show(text: str) -> str:
    text = str(text)
    if len(text) > 30:
        text = text[:27] + "..."
    return repr(text)
