"""Document totals: line nets, overall discount, tax breakdown, total (SPEC.md §2, §3).

Longer than 500 lines because it is the one module that rounds: the records of a priced
document (taxes with their VAT category, lines, allowances and charges, totals) and the
arithmetic over them (a document, a remainder, a sum) must stay together to keep that true.

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
    "CATEGORIES",
    "TaxRate",
    "DocCharge",
    "ChargeAmount",
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


# EN 16931 VAT category codes (UNTDID 5305, the subset EN 16931 allows), with what they mean.
CATEGORIES: dict[str, str] = {
    "S": "standard rate",
    "Z": "zero rated goods",
    "E": "exempt from tax",
    "AE": "VAT reverse charge",
    "K": "intra-community supply (VAT exempt, EEA)",
    "G": "free export item, tax not charged",
    "O": "services outside scope of tax",
    "L": "Canary Islands general indirect tax (IGIC)",
    "M": "tax for production, services and importation in Ceuta and Melilla (IPSI)",
}


@dataclass(frozen=True)
class TaxRate:
    """A tax as applied on one document: its name, its rate in percent (5.5 = 5.5 %), its EN 16931
    VAT category (``S`` by default) and, for an exemption, the legal reason (text and VATEX code)."""

    name: str
    rate: Decimal
    category: str = "S"
    exemption_reason: str | None = None
    exemption_code: str | None = None

    def __post_init__(self) -> None:
        if not isinstance(self.name, str) or not self.name.strip():
            raise Invalid("tax: a name is required")
        rate = D(self.rate, f"tax {self.name} rate")
        if rate < 0:
            raise Invalid(f"tax {self.name}: the rate must not be negative, got {plain(rate)}")
        object.__setattr__(self, "rate", rate)
        if self.category not in CATEGORIES:
            raise Invalid(f"tax {self.name}: unknown VAT category {self.category!r} (one of {', '.join(CATEGORIES)})")
        object.__setattr__(self, "exemption_reason", self.exemption_reason or None)
        object.__setattr__(self, "exemption_code", self.exemption_code or None)

    @property
    def key(self) -> tuple[Decimal, str]:
        """Sort and identity key: (rate, name)."""
        return (self.rate, self.name)

    def snapshot(self) -> dict[str, str]:
        """The JSON a document keeps of the tax: name, rate, category, and the exemption when set."""
        out = {"name": self.name, "rate": plain(self.rate), "category": self.category}
        if self.exemption_reason:
            out["exemption_reason"] = self.exemption_reason
        if self.exemption_code:
            out["exemption_code"] = self.exemption_code
        return out

    @classmethod
    def from_snapshot(cls, d: dict) -> "TaxRate":
        """The inverse of ``snapshot`` (a snapshot of before revision 0004 has no category: S)."""
        return cls(d["name"], Decimal(d["rate"]), d.get("category") or "S", d.get("exemption_reason"), d.get("exemption_code"))


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


def looks_like_value(text: str) -> bool:
    """Whether ``text`` reads as a discount value ("10%", "5.00"): how a ``REASON:VALUE[:TAX]``
    spec tells its last part, a value or a tax name."""
    try:
        parse_discount(text.strip())
    except Invalid:
        return False
    return True


@dataclass(frozen=True)
class LineIn:
    """One line to price: quantity x unit price (per ``base_quantity`` units: "12.00 per 100"), an
    optional line discount, its taxes."""

    quantity: Decimal
    unit_price: Decimal
    discount: Discount | None = None
    taxes: tuple[TaxRate, ...] = ()
    base_quantity: Decimal = Decimal(1)

    def __post_init__(self) -> None:
        object.__setattr__(self, "quantity", D(self.quantity, "quantity"))
        object.__setattr__(self, "unit_price", D(self.unit_price, "unit price"))
        object.__setattr__(self, "base_quantity", parse_base_quantity(self.base_quantity))
        if self.discount is not None and not isinstance(self.discount, Discount):
            raise Invalid(f"line discount: expected a Discount, got {type(self.discount).__name__}")
        taxes = tuple(self.taxes)
        for t in taxes:
            if not isinstance(t, TaxRate):
                raise Invalid(f"line taxes: expected TaxRate, got {type(t).__name__}")
        if len({t.key for t in taxes}) != len(taxes):
            raise Invalid("line taxes: the same tax is listed twice on one line")
        object.__setattr__(self, "taxes", taxes)


def parse_base_quantity(value: object) -> Decimal:
    """A price's base quantity (EN 16931 BT-149: the price is per this many units): > 0, 1 when
    not given."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return Decimal(1)
    b = D(value, "base quantity")
    if b <= 0:
        raise Invalid(f"base quantity must be more than 0, got {plain(b)}")
    return b


@dataclass(frozen=True)
class DocCharge:
    """A document-level allowance or charge (EN 16931 BG-20 / BG-21): its reason (and UNTDID
    code), a percent or an amount, at one tax (``None``: an allowance shared over the rates in
    proportion, like the overall discount; a charge of no tax)."""

    kind: str  # "allowance" | "charge"
    reason: str
    value: Discount
    tax: TaxRate | None = None
    reason_code: str | None = None

    def __post_init__(self) -> None:
        if self.kind not in ("allowance", "charge"):
            raise Invalid(f"expected an allowance or a charge, got {self.kind!r}")
        if not isinstance(self.reason, str) or not self.reason.strip():
            raise Invalid(f"{self.kind}: a reason is required")
        if not isinstance(self.value, Discount):
            raise Invalid(f"{self.kind}: expected a Discount value, got {type(self.value).__name__}")
        if self.tax is not None and not isinstance(self.tax, TaxRate):
            raise Invalid(f"{self.kind}: expected a TaxRate, got {type(self.tax).__name__}")
        object.__setattr__(self, "reason_code", self.reason_code or None)


@dataclass(frozen=True)
class ChargeAmount:
    """A document allowance or charge as computed on one document (``seq``: its place in the
    order's list, so the parts of one allowance on several invoices add up)."""

    seq: int
    kind: str
    reason: str
    amount: Decimal
    tax: TaxRate | None = None
    reason_code: str | None = None
    percent: Decimal | None = None
    base: Decimal | None = None

    @property
    def signed(self) -> Decimal:
        """The amount as it moves the total: an allowance negative, a charge positive."""
        return -self.amount if self.kind == "allowance" else self.amount


@dataclass(frozen=True)
class TaxAmount:
    """One entry of the tax breakdown: base and tax amount for one (name, rate), with the tax's
    VAT category and exemption."""

    name: str
    rate: Decimal
    base: Decimal
    amount: Decimal
    category: str = "S"
    exemption_reason: str | None = None
    exemption_code: str | None = None

    @property
    def tax(self) -> TaxRate:
        return TaxRate(self.name, self.rate, self.category, self.exemption_reason, self.exemption_code)

    @classmethod
    def of(cls, tax: TaxRate, base: Decimal, amount: Decimal) -> "TaxAmount":
        return cls(tax.name, tax.rate, base, amount, tax.category, tax.exemption_reason, tax.exemption_code)


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
    allowances: Decimal = Decimal("0.00")  # the document allowances beyond the discount
    charges: Decimal = Decimal("0.00")  # the document charges beyond the shipping charge
    extras: tuple[ChargeAmount, ...] = ()  # those allowances and charges, one by one

    @property
    def allowance_total(self) -> Decimal:
        """EN 16931 BT-107: every document allowance, the overall discount included."""
        return self.discount + self.allowances

    @property
    def charge_total(self) -> Decimal:
        """EN 16931 BT-108: every document charge, the shipping charge included."""
        return self.shipping + self.charges


# --------------------------------------------------------------------------- #
# Lines
# --------------------------------------------------------------------------- #


def line_gross(quantity: Decimal, unit_price: Decimal, base_quantity: Decimal = Decimal(1)) -> Decimal:
    """quantity x unit price / base quantity, unrounded (exact but for a base quantity whose
    quotient does not end: then to 100 digits, which the one rounding to the cent never feels).
    Quantity and price must be >= 0."""
    q = D(quantity, "quantity")
    p = D(unit_price, "unit price")
    if q < 0:
        raise Invalid(f"quantity must not be negative, got {plain(q)}")
    if p < 0:
        raise Invalid(f"unit price must not be negative, got {price_text(p)}")
    gross = _EXACT.multiply(q, p)
    if base_quantity != 1:
        gross = _ROUNDING.divide(gross, parse_base_quantity(base_quantity))
    return gross


def line_net(quantity: Decimal, unit_price: Decimal, discount: Discount | None, base_quantity: Decimal = Decimal(1)) -> Decimal:
    """round_money(gross - line discount). Refuses a discount larger than the gross."""
    gross = line_gross(quantity, unit_price, base_quantity)
    with localcontext(_ROUNDING if base_quantity != 1 else _EXACT):
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


def _charge_amount(seq: int, item: DocCharge, base: Decimal) -> ChargeAmount:
    """One allowance or charge on a document whose base for it (the lines at its rate, or the
    subtotal) is ``base``: a percent of it, rounded once, or the amount as it is."""
    if item.value.kind == PERCENT:
        amount = round_money(base * item.value.value / HUNDRED)
        return ChargeAmount(seq, item.kind, item.reason, amount, item.tax, item.reason_code, item.value.value, _two_places(base))
    return ChargeAmount(seq, item.kind, item.reason, _two_places(item.value.value), item.tax, item.reason_code)


def document_totals(
    lines: Sequence[LineIn],
    discount: Discount | None = None,
    shipping: Decimal = ZERO,
    shipping_tax: TaxRate | None = None,
    adjustment: Decimal = ZERO,
    extras: Sequence[DocCharge | ChargeAmount | tuple[int, DocCharge]] = (),
) -> Totals:
    """Totals of a document (SPEC.md §2; EN 16931 §6.4): nets, discount shares, the document
    allowances and charges, breakdown, total.

    Each allowance or charge of ``extras`` at a tax adds to (a charge) or takes from (an
    allowance) that tax's base only, a percent being of the lines at that tax; one of no tax is
    shared over the rates in proportion (an allowance, like the overall discount, a percent
    being of the subtotal) or stands outside every tax (a charge). An already computed
    ``ChargeAmount`` (a part of an order's allowance on one invoice) is taken as it is. No tax
    base, and nothing outside every tax, may end below zero.
    """
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
            net = line_net(line.quantity, line.unit_price, line.discount, line.base_quantity)
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

        taxes: dict[tuple[Decimal, str], TaxRate] = {}
        lines_at: dict[tuple[Decimal, str], Decimal] = {}
        bases: dict[tuple[Decimal, str], Decimal] = {}
        for k in keys:
            for t in group_taxes[k]:
                taxes.setdefault(t.key, t)
                lines_at[t.key] = lines_at.get(t.key, ZERO) + group_net[k]
                bases[t.key] = bases.get(t.key, ZERO) + group_net[k] - shares[k]
        untaxed = sum((group_net[k] - shares[k] for k in keys if not group_taxes[k]), ZERO)
        if shipping_tax is not None and (ship != 0 or shipping_tax.key in bases):
            taxes.setdefault(shipping_tax.key, shipping_tax)
            bases[shipping_tax.key] = bases.get(shipping_tax.key, ZERO) + ship
        elif shipping_tax is None:
            untaxed += ship

        computed: list[ChargeAmount] = []
        for seq, item in enumerate(extras):
            if isinstance(item, tuple):  # (its place in the order's list, the allowance or charge)
                seq, item = item
            if isinstance(item, ChargeAmount):
                c = item
            elif isinstance(item, DocCharge):
                base = subtotal if item.tax is None else lines_at.get(item.tax.key, ZERO)
                c = _charge_amount(seq, item, base)
            else:
                raise Invalid(f"expected an allowance or a charge, got {type(item).__name__}")
            computed.append(c)
            if c.tax is not None:
                taxes.setdefault(c.tax.key, c.tax)
                bases[c.tax.key] = bases.get(c.tax.key, ZERO) + c.signed
            elif c.kind == "charge":
                untaxed += c.amount
            else:
                # shared over the tax groups by their nets, like the discount
                for k, part in zip(keys, _allocate(c.amount, [group_net[k] for k in keys])):
                    for t in group_taxes[k]:
                        bases[t.key] -= part
                    if not group_taxes[k]:
                        untaxed -= part
        allowances = _two_places(sum((c.amount for c in computed if c.kind == "allowance"), ZERO))
        charges = _two_places(sum((c.amount for c in computed if c.kind == "charge"), ZERO))

        for key, base in bases.items():
            if base < 0:
                raise Invalid(
                    f"the allowances at {taxes[key].name} ({fmt_money(-base)} more than its base) take its base below zero"
                )
        if untaxed < 0:
            raise Invalid(f"the allowances take the amount of no tax below zero ({fmt_money(untaxed)})")

        breakdown = tuple(
            TaxAmount.of(taxes[key], _two_places(base), round_money(base * key[0] / HUNDRED))
            for key, base in sorted(bases.items())
        )
        tax = _two_places(sum((t.amount for t in breakdown), ZERO))
        total = subtotal - disc + ship - allowances + charges + tax + adj
        return Totals(
            subtotal=subtotal,
            discount=disc,
            shipping=ship,
            tax=tax,
            adjustment=adj,
            total=_two_places(total),
            tax_breakdown=breakdown,
            line_nets=tuple(nets),
            allowances=allowances,
            charges=charges,
            extras=tuple(computed),
        )


# --------------------------------------------------------------------------- #
# Partial invoicing (SPEC.md §3)
# --------------------------------------------------------------------------- #

_SCALARS = ("subtotal", "discount", "shipping", "tax", "adjustment", "total", "allowances", "charges")


def _combine(
    parts: Sequence[tuple[int, Totals]], keep: set[tuple[Decimal, str]] | None = None
) -> Totals:
    """sum(sign * part) component-wise; breakdown merged by (name, rate), allowances and charges
    by their place (``seq``) in the order's list."""
    with localcontext(_EXACT):
        scal = {f: ZERO for f in _SCALARS}
        bases: dict[tuple[Decimal, str], list] = {}
        extras: dict[tuple[int, str], list] = {}
        for sign, t in parts:
            if not isinstance(t, Totals):
                raise Invalid(f"expected Totals, got {type(t).__name__}")
            for f in _SCALARS:
                scal[f] += sign * getattr(t, f)
            for e in t.tax_breakdown:
                entry = bases.setdefault((e.rate, e.name), [e.tax, ZERO, ZERO])
                entry[1] += sign * e.base
                entry[2] += sign * e.amount
            for c in t.extras:
                x = extras.setdefault((c.seq, c.kind), [c, ZERO, ZERO])
                x[1] += sign * c.amount
                x[2] += sign * (c.base or ZERO)
        breakdown = tuple(
            TaxAmount.of(tx, _two_places(b), _two_places(a))
            for key, (tx, b, a) in sorted(bases.items())
            if keep is None or key in keep or b != 0 or a != 0
        )
        combined = tuple(
            replace(c, amount=_two_places(a), base=_two_places(b) if c.base is not None else None)
            for key, (c, a, b) in sorted(extras.items())
            if a != 0 or b != 0
        )
        return Totals(
            **{f: _two_places(v) for f, v in scal.items()},
            tax_breakdown=breakdown,
            line_nets=(),
            extras=combined,
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


def share_cents(amount: int, part: int, whole: int) -> int:
    """``prorate`` in integer cents: round_half_up(amount x part / whole), half away from zero,
    exact at any size (Python integers), for the many shares of a report (``report vat
    --basis payment``)."""
    if whole <= 0:
        raise Invalid("cannot share over a zero total")
    q = (abs(amount) * part * 2 + whole) // (whole * 2)
    return q if amount >= 0 else -q


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
    extras: Sequence[DocCharge | ChargeAmount | tuple[int, DocCharge]] = (),
) -> Totals:
    """Document totals from line nets that are already known (parts of order lines)."""
    lines = [LineIn(quantity=Decimal(1), unit_price=net, discount=None, taxes=taxes) for net, taxes in nets]
    return document_totals(lines, discount, shipping, shipping_tax, adjustment, extras)

