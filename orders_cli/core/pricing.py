"""Document totals: line nets, overall discount, tax breakdown, total (SPEC.md §2, §3).

This is the only module of the project that rounds. It rounds half-up to 0.01 at
exactly four points: each line net, a percent discount amount, each per-rate tax,
and each tax group's share of the overall discount. Everything else is exact:
products are computed in a context that traps any inexact result, and the one
true division (a discount share) is done in integer cents, so a printed total is
always the exact sum of its printed parts.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from decimal import (
    ROUND_HALF_UP,
    Context,
    Decimal,
    DivisionByZero,
    Inexact,
    InvalidOperation,
    Overflow,
    localcontext,
)

from .errors import Invalid
from .money import CENT, HUNDRED, ZERO, D, fmt_money, money, plain, price_text

__all__ = [
    "TaxRate",
    "Discount",
    "parse_discount",
    "round_money",
    "LineIn",
    "line_gross",
    "line_net",
    "TaxAmount",
    "Totals",
    "document_totals",
    "remainder_totals",
    "sum_totals",
]

# Arithmetic context for everything but rounding: wide enough for any product of
# two values D() accepts, and it *raises* rather than silently rounding.
_EXACT = Context(
    prec=100,
    rounding=ROUND_HALF_UP,
    traps=[Inexact, InvalidOperation, DivisionByZero, Overflow],
)
# The context of the one deliberate rounding (quantize would signal Inexact).
_ROUNDING = Context(prec=100, rounding=ROUND_HALF_UP, traps=[InvalidOperation, Overflow])

PERCENT = "percent"
AMOUNT = "amount"


def round_money(x: Decimal) -> Decimal:
    """Round half-up (ties away from zero) to 0.01: the one rounding of the project."""
    if not isinstance(x, Decimal):
        x = D(x)
    return x.quantize(CENT, rounding=ROUND_HALF_UP, context=_ROUNDING)


def _two_places(x: Decimal) -> Decimal:
    """An already-exact 2-place amount with exactly 2 places (never rounds)."""
    q = x.quantize(CENT, context=_EXACT)
    if q != x:  # pragma: no cover - guards an internal invariant
        raise AssertionError(f"{x} is not a whole number of cents")
    return q


def _cents(x: Decimal) -> int:
    return int(_two_places(x).scaleb(2, context=_EXACT))


def _from_cents(c: int) -> Decimal:
    return Decimal(c).scaleb(-2, context=_EXACT)


def _div_half_up(num: int, den: int) -> int:
    """num / den rounded half-up (ties away from zero), exactly, in integers."""
    if den == 0:
        raise ZeroDivisionError("den is 0")
    sign = -1 if (num < 0) != (den < 0) else 1
    n, d = abs(num), abs(den)
    return sign * ((2 * n + d) // (2 * d))


# --------------------------------------------------------------------------- #
# Records
# --------------------------------------------------------------------------- #


@dataclass(frozen=True)
class TaxRate:
    """A tax as applied on one document: its name and its rate in percent (5.5 = 5.5 %)."""

    name: str
    rate: Decimal

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise Invalid("tax: a name is required")
        rate = D(self.rate, f"tax {self.name} rate")
        if rate < 0:
            raise Invalid(f"tax {self.name}: the rate must not be negative, got {plain(rate)}")
        object.__setattr__(self, "rate", rate)

    @property
    def key(self) -> tuple[Decimal, str]:
        """Sort and identity key: (rate, name)."""
        return (self.rate, self.name)


@dataclass(frozen=True)
class Discount:
    """A discount: ``percent`` (0 < value <= 100) or ``amount`` (>= 0, 2 places)."""

    kind: str
    value: Decimal

    def __post_init__(self) -> None:
        if self.kind == PERCENT:
            p = D(self.value, "discount")
            if p < 0 or p > HUNDRED:
                raise Invalid(f"discount: a percent must be between 0 and 100, got {plain(p)}%")
            object.__setattr__(self, "value", p)
        elif self.kind == AMOUNT:
            a = money(self.value, "discount")
            if a < 0:
                raise Invalid(f"discount must not be negative, got {fmt_money(a)}")
            object.__setattr__(self, "value", a)
        else:
            raise Invalid(f"discount: kind must be 'percent' or 'amount', got {self.kind!r}")

    def text(self) -> str:
        """``"10%"`` or ``"5.00"``; ``parse_discount(d.text()) == d`` (for non-zero values)."""
        if self.kind == PERCENT:
            return plain(self.value) + "%"
        return fmt_money(self.value)


def parse_discount(text: str | None, what: str = "discount") -> Discount | None:
    """Parse ``"10%"`` (percent, 0 < p <= 100) or ``"5.00"`` (amount, >= 0, max 2 places).

    ``None``, ``""``, ``"0"`` and ``"0%"`` mean no discount and give ``None``.
    """
    if text is None:
        return None
    if not isinstance(text, str):
        raise Invalid(f"{what}: expected text like '10%' or '5.00', got {type(text).__name__}")
    s = text.strip()
    if not s:
        return None
    if s.endswith("%"):
        p = D(s[:-1].strip(), what)
        if p == 0:
            return None
        if p < 0 or p > HUNDRED:
            raise Invalid(f"{what}: a percent must be greater than 0 and at most 100, got {plain(p)}%")
        return Discount(PERCENT, p)
    a = money(s, what)
    if a < 0:
        raise Invalid(f"{what} must not be negative, got {fmt_money(a)}")
    if a == 0:
        return None
    return Discount(AMOUNT, a)


@dataclass(frozen=True)
class LineIn:
    """One line to price: quantity x unit price, an optional line discount, its taxes."""

    quantity: Decimal
    unit_price: Decimal
    discount: Discount | None = None
    taxes: tuple[TaxRate, ...] = ()

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", D(self.quantity, "quantity"))
        object.__setattr__(self, "unit_price", D(self.unit_price, "unit price"))
        if self.discount is not None and not isinstance(self.discount, Discount):
            raise Invalid(f"line discount: expected a Discount, got {type(self.discount).__name__}")
        taxes = tuple(self.taxes)
        for t in taxes:
            if not isinstance(t, TaxRate):
                raise Invalid(f"line taxes: expected TaxRate, got {type(t).__name__}")
        if len({t.key for t in taxes}) != len(taxes):
            raise Invalid("line taxes: the same tax is listed twice on one line")
        object.__setattr__(self, "taxes", taxes)


@dataclass(frozen=True)
class TaxAmount:
    """One entry of the tax breakdown: base and tax amount for one (name, rate)."""

    name: str
    rate: Decimal
    base: Decimal
    amount: Decimal


@dataclass(frozen=True)
class Totals:
    """A document's totals; ``total`` is the exact sum of the printed parts."""

    subtotal: Decimal
    discount: Decimal
    shipping: Decimal
    tax: Decimal
    adjustment: Decimal
    total: Decimal
    tax_breakdown: tuple[TaxAmount, ...] = ()  # sorted by (rate, name)
    line_nets: tuple[Decimal, ...] = field(default=())


# --------------------------------------------------------------------------- #
# Lines
# --------------------------------------------------------------------------- #


def line_gross(quantity: Decimal, unit_price: Decimal) -> Decimal:
    """quantity x unit price, exact and unrounded. Both must be >= 0."""
    q = D(quantity, "quantity")
    p = D(unit_price, "unit price")
    if q < 0:
        raise Invalid(f"quantity must not be negative, got {plain(q)}")
    if p < 0:
        raise Invalid(f"unit price must not be negative, got {price_text(p)}")
    return _EXACT.multiply(q, p)


def line_net(quantity: Decimal, unit_price: Decimal, discount: Discount | None) -> Decimal:
    """round_money(gross - line discount). Refuses a discount larger than the gross."""
    gross = line_gross(quantity, unit_price)
    with localcontext(_EXACT):
        if discount is None:
            off = ZERO
        elif discount.kind == PERCENT:
            if discount.value > HUNDRED:  # pragma: no cover - Discount already refuses it
                raise Invalid(f"discount {discount.text()} is more than 100%")
            off = gross * discount.value / HUNDRED
        else:
            off = discount.value
            if off > gross:
                raise Invalid(
                    f"discount {fmt_money(off)} is more than the line ({price_text(gross)})"
                )
        return round_money(gross - off)


# --------------------------------------------------------------------------- #
# Documents
# --------------------------------------------------------------------------- #


def _group_key(taxes: tuple[TaxRate, ...]) -> tuple[tuple[Decimal, str], ...]:
    return tuple(sorted(t.key for t in taxes))


def _allocate(discount: Decimal, nets: Sequence[Decimal]) -> list[Decimal]:
    """Share ``discount`` over ``nets`` in proportion, half-up to the cent each.

    The largest net (the first of equal ones) absorbs the rounding difference, so
    the shares add up to ``discount`` exactly. A zero total gives zero shares.
    """
    cents = [_cents(n) for n in nets]
    total = sum(cents)
    d = _cents(discount)
    if not cents:
        return []
    if total == 0:
        return [_two_places(ZERO) for _ in cents]
    shares = [_div_half_up(d * c, total) for c in cents]
    biggest = max(range(len(cents)), key=lambda i: (cents[i], -i))
    shares[biggest] += d - sum(shares)
    return [_from_cents(s) for s in shares]


def document_totals(
    lines: Sequence[LineIn],
    discount: Discount | None = None,
    shipping: Decimal = ZERO,
    shipping_tax: TaxRate | None = None,
    adjustment: Decimal = ZERO,
) -> Totals:
    """Totals of a document (SPEC.md §2): nets, discount shares, breakdown, total."""
    ship = money(shipping, "shipping")
    if ship < 0:
        raise Invalid(f"shipping must not be negative, got {fmt_money(ship)}")
    adj = money(adjustment, "adjustment")
    if discount is not None and not isinstance(discount, Discount):
        raise Invalid(f"discount: expected a Discount, got {type(discount).__name__}")
    if shipping_tax is not None and not isinstance(shipping_tax, TaxRate):
        raise Invalid(f"shipping tax: expected a TaxRate, got {type(shipping_tax).__name__}")

    with localcontext(_EXACT):
        nets: list[Decimal] = []
        group_net: dict[tuple[tuple[Decimal, str], ...], Decimal] = {}
        group_taxes: dict[tuple[tuple[Decimal, str], ...], tuple[TaxRate, ...]] = {}
        for line in lines:
            if not isinstance(line, LineIn):
                raise Invalid(f"line: expected a LineIn, got {type(line).__name__}")
            net = line_net(line.quantity, line.unit_price, line.discount)
            nets.append(net)
            key = _group_key(line.taxes)
            group_net[key] = group_net.get(key, ZERO) + net
            group_taxes.setdefault(key, tuple(sorted(line.taxes, key=lambda t: t.key)))
        subtotal = _two_places(sum(nets, ZERO))

        if discount is None:
            disc = ZERO
        elif discount.kind == PERCENT:
            disc = round_money(subtotal * discount.value / HUNDRED)
        else:
            disc = discount.value
            if disc > subtotal:
                raise Invalid(
                    f"discount {fmt_money(disc)} is more than the subtotal ({fmt_money(subtotal)})"
                )
        disc = _two_places(disc)

        keys = sorted(group_net)
        shares = dict(zip(keys, _allocate(disc, [group_net[k] for k in keys])))

        bases: dict[tuple[Decimal, str], Decimal] = {}
        for k in keys:
            for t in group_taxes[k]:
                bases[t.key] = bases.get(t.key, ZERO) + group_net[k] - shares[k]
        if shipping_tax is not None and (ship != 0 or shipping_tax.key in bases):
            bases[shipping_tax.key] = bases.get(shipping_tax.key, ZERO) + ship

        breakdown = tuple(
            TaxAmount(
                name=name,
                rate=rate,
                base=_two_places(base),
                amount=round_money(base * rate / HUNDRED),
            )
            for (rate, name), base in sorted(bases.items())
        )
        tax = _two_places(sum((t.amount for t in breakdown), ZERO))
        total = subtotal - disc + ship + tax + adj
        return Totals(
            subtotal=subtotal,
            discount=disc,
            shipping=ship,
            tax=tax,
            adjustment=adj,
            total=_two_places(total),
            tax_breakdown=breakdown,
            line_nets=tuple(nets),
        )


# --------------------------------------------------------------------------- #
# Partial invoicing (SPEC.md §3)
# --------------------------------------------------------------------------- #

_SCALARS = ("subtotal", "discount", "shipping", "tax", "adjustment", "total")


def _combine(
    parts: Sequence[tuple[int, Totals]], keep: set[tuple[Decimal, str]] | None = None
) -> Totals:
    """sum(sign * part) component-wise; breakdown merged by (name, rate)."""
    with localcontext(_EXACT):
        scal = {f: ZERO for f in _SCALARS}
        bases: dict[tuple[Decimal, str], list] = {}
        for sign, t in parts:
            if not isinstance(t, Totals):
                raise Invalid(f"expected Totals, got {type(t).__name__}")
            for f in _SCALARS:
                scal[f] += sign * getattr(t, f)
            for e in t.tax_breakdown:
                entry = bases.setdefault((e.rate, e.name), [e.name, e.rate, ZERO, ZERO])
                entry[2] += sign * e.base
                entry[3] += sign * e.amount
        breakdown = tuple(
            TaxAmount(name=n, rate=r, base=_two_places(b), amount=_two_places(a))
            for key, (n, r, b, a) in sorted(bases.items())
            if keep is None or key in keep or b != 0 or a != 0
        )
        return Totals(
            **{f: _two_places(v) for f, v in scal.items()},
            tax_breakdown=breakdown,
            line_nets=(),
        )


def sum_totals(parts: Sequence[Totals]) -> Totals:
    """Component-wise sum; breakdown merged by (name, rate); line_nets concatenated."""
    result = _combine([(1, p) for p in parts])
    nets = tuple(n for p in parts for n in p.line_nets)
    return replace(result, line_nets=nets)


def remainder_totals(whole: Totals, earlier: Sequence[Totals]) -> Totals:
    """Totals of the last invoice: ``whole - sum(earlier)``, component by component.

    Then ``sum_totals([*earlier, result])`` equals ``whole`` in every amount and
    breakdown entry. Breakdown entries of ``whole`` are kept even when zero;
    others only when non-zero. ``line_nets`` is ``()``: the caller fills lines.
    """
    if not isinstance(whole, Totals):
        raise Invalid(f"expected Totals, got {type(whole).__name__}")
    keep = {(e.rate, e.name) for e in whole.tax_breakdown}
    return _combine([(1, whole), *((-1, t) for t in earlier)], keep=keep)


def percent_done(items: Sequence[tuple[Decimal, Decimal, Decimal]]) -> str:
    """Progress of a document as a percent string ("0", "37.5", "100").

    ``items`` are (line net, line quantity, quantity done) per line; each line counts by its
    net (by one when every net is zero), capped at fully done. Rounded half-up to 2 places.
    """
    if not items:
        return "0"
    total_net = sum((net for net, _, _ in items), Decimal(0))
    num = Decimal(0)
    den = Decimal(0)
    for net, quantity, done in items:
        weight = net if total_net > 0 else Decimal(1)
        frac = min(done / quantity, Decimal(1)) if quantity > 0 else Decimal(1)
        num += weight * frac
        den += weight
    if den == 0:
        return "0"
    value = (num * 100 / den).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)
    from .money import plain

    return plain(value)


def prorate(amount: Decimal, part: Decimal, whole: Decimal) -> Decimal:
    """round_money(amount x part / whole): the net of part of a line (partial invoicing)."""
    if whole <= 0:
        raise Invalid("cannot prorate over a zero quantity")
    with localcontext(_ROUNDING):
        return round_money(amount * part / whole)


def part_quantity(quantity: Decimal, percent: Decimal) -> Decimal:
    """quantity x percent / 100, exact (percent has at most 2 places, so this terminates)."""
    with localcontext(_EXACT):
        return (quantity * percent / HUNDRED).normalize()


def totals_from_nets(
    nets: Sequence[tuple[Decimal, tuple[TaxRate, ...]]],
    discount: Discount | None = None,
    shipping: Decimal = ZERO,
    shipping_tax: TaxRate | None = None,
    adjustment: Decimal = ZERO,
) -> Totals:
    """Document totals from line nets that are already known (parts of order lines)."""
    lines = [LineIn(quantity=Decimal(1), unit_price=net, discount=None, taxes=taxes) for net, taxes in nets]
    return document_totals(lines, discount, shipping, shipping_tax, adjustment)

