"""The check every invoice passes just before it is written (order invoices and recurring ones).

Pure: the invoice's lines and totals in, nothing out, or ``InvoiceCheckFailed`` (an internal
error, never a refusal: the writers roll back and nothing is written). It proves:

- every line: quantity, unit price and net are not negative, the net is whole cents and is
  quantity x price - discount rounded (exactly for a whole line; for part of an order line
  within a cent per part of that line so far, as the last part takes what is left of the net;
  with an amount discount, between quantity x price - the discount and quantity x price);
- the totals: subtotal = the lines' nets, total = subtotal - discount + shipping + tax +
  adjustment, tax = the breakdown's amounts, no negative shipping, discount, tax or total (a
  negative total only as far as the order's own negative adjustment goes), and every non-zero
  breakdown rate is a rate of its lines or of the charge tax;
- for an order invoice: with the earlier (non-cancelled, non-recurring) invoices of the order it
  never exceeds the order, line by line (quantity and net) and in total, and the invoice that
  completes the order makes every amount add up exactly to the order's.

Amounts derived by sharing and rounding (a remainder invoice's discount, breakdown, total) may
differ from their own rounding by a cent per invoice of the order and per tax rate of the
order: that is the ``slack`` (none for a recurring invoice, which is computed whole).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from . import planner, pricing
from .errors import Invalid, InvoiceCheckFailed
from .money import plain

ZERO = Decimal(0)
CENT = Decimal("0.01")
SCALARS = ("subtotal", "discount", "shipping", "tax", "adjustment", "total", "allowances", "charges")


@dataclass(frozen=True)
class Line:
    """One line of the invoice as it will be stored."""

    quantity: Decimal
    unit_price: Decimal
    discount: str | None  # as stored: "10%", "5.00" or None
    net: Decimal
    taxes: tuple[pricing.TaxRate, ...] = ()
    order_line: int | None = None  # the order line's id (order invoices)
    label: str = ""  # for the message: "line 2 (MUG)"
    deduction: bool = False  # a deposit deducted (or a reduction given back): quantity -1, net -price
    base_quantity: Decimal = Decimal(1)  # the price is per this many units


@dataclass(frozen=True)
class OrderLineState:
    """An order line and what the earlier invoices of the order took of it."""

    quantity: Decimal
    net: Decimal
    invoiced: Decimal = ZERO
    invoiced_net: Decimal = ZERO
    parts: int = 0  # earlier invoice lines of this order line


@dataclass(frozen=True)
class OrderState:
    """For an order invoice: the order's lines (by id) and totals, and the earlier invoices' totals."""

    lines: Mapping[int, OrderLineState]
    totals: pricing.Totals
    earlier: Sequence[pricing.Totals] = field(default=())


def _fail(number: str, message: str) -> None:
    raise InvoiceCheckFailed(f"{number}: {message}")


def _no_totals(number: str) -> pricing.Totals:
    raise InvoiceCheckFailed(f"{number}: the order's totals are missing")


def _m(x: Decimal) -> str:
    return f"{x:.2f}" if x == x.quantize(CENT) and x.as_tuple().exponent == -2 else plain(x)


def _cents(number: str, what: str, x: Decimal) -> None:
    if x != x.quantize(CENT):
        _fail(number, f"{what} {_m(x)} is not a whole number of cents")


def _check_line(number: str, ln: Line, state: OrderLineState | None) -> None:
    what = ln.label or "a line"
    if ln.deduction:
        _cents(number, f"{what}: net", ln.net)
        if ln.quantity != -1 or ln.unit_price <= 0 or ln.net != -ln.unit_price:
            _fail(number, f"{what}: a deduction is -1 x its amount, not {_m(ln.quantity)} x {_m(ln.unit_price)} = {_m(ln.net)}")
        return
    if ln.quantity < 0:
        _fail(number, f"{what}: negative quantity {_m(ln.quantity)}")
    if ln.unit_price < 0:
        _fail(number, f"{what}: negative unit price {_m(ln.unit_price)}")
    _cents(number, f"{what}: net", ln.net)
    if ln.net < 0:
        _fail(number, f"{what}: negative net {_m(ln.net)}")
    try:
        disc = pricing.parse_discount(ln.discount)
        gross = pricing.line_gross(ln.quantity, ln.unit_price, ln.base_quantity)
        whole = state is None or (state.parts == 0 and ln.quantity == state.quantity)
        if whole:
            expected = pricing.line_net(ln.quantity, ln.unit_price, disc, ln.base_quantity)
            if ln.net != expected:
                _fail(number, f"{what}: {_m(ln.quantity)} x {_m(ln.unit_price)} - {ln.discount or 0} is {_m(expected)}, not {_m(ln.net)}")
            return
    except Invalid as err:
        _fail(number, f"{what}: {err.message}")
    tol = CENT * (state.parts + 1)  # type: ignore[union-attr]
    if disc is not None and disc.kind == pricing.AMOUNT:
        low, high = gross - disc.value - tol, gross + tol
    else:
        share = gross * (1 - (disc.value / 100 if disc is not None else ZERO))
        low, high = share - tol, share + tol
    if not low <= ln.net <= high:
        _fail(number, f"{what}: a net of {_m(ln.net)} for {_m(ln.quantity)} x {_m(ln.unit_price)} - {ln.discount or 0} "
                      f"(expected {_m(max(low, ZERO))} to {_m(high)})")


def check_invoice(number: str, lines: Sequence[Line], totals: pricing.Totals, charge: pricing.TaxRate | None = None,
                  order: OrderState | None = None) -> None:
    """Raise ``InvoiceCheckFailed`` unless invoice ``number`` (its lines and totals) keeps every rule."""
    # a cent per invoice of the order and per rate of the order (shares of the discount)
    slack = CENT * (len(order.earlier) + 1) * (len(order.totals.tax_breakdown) + 1) if order is not None else ZERO
    for ln in lines:
        state = None
        if order is not None and ln.order_line is not None:
            state = order.lines.get(ln.order_line)
            if state is None:
                _fail(number, f"{ln.label or 'a line'} is not a line of the order")
        _check_line(number, ln, state)

    t = totals
    for k in SCALARS:
        _cents(number, k, getattr(t, k))
    if t.subtotal != sum((ln.net for ln in lines), ZERO):
        _fail(number, f"subtotal {_m(t.subtotal)} is not the sum of its lines' nets")
    if t.total != t.subtotal - t.discount - t.allowances + t.shipping + t.charges + t.tax + t.adjustment:
        _fail(number, f"total {_m(t.total)} is not subtotal - discount - allowances + shipping + charges + tax + adjustment")
    for kind, total in (("allowance", t.allowances), ("charge", t.charges)):
        items = [c for c in t.extras if c.kind == kind]
        if total != sum((c.amount for c in items), ZERO):
            _fail(number, f"{kind}s {_m(total)} are not the sum of its {kind}s")
        for c in items:
            _cents(number, f"{kind} {c.reason}", c.amount)
            if c.amount < -slack:
                _fail(number, f"{kind} {c.reason}: negative amount {_m(c.amount)}")
    if t.tax != sum((b.amount for b in t.tax_breakdown), ZERO):
        _fail(number, f"tax {_m(t.tax)} is not the sum of its breakdown")
    if t.shipping < 0:
        _fail(number, f"negative shipping {_m(t.shipping)}")
    if t.discount < -slack:
        _fail(number, f"negative discount {_m(t.discount)}")
    goods = sum((ln.net for ln in lines if not ln.deduction), ZERO) if any(ln.deduction for ln in lines) else t.subtotal
    if t.discount > goods + slack:
        _fail(number, f"discount {_m(t.discount)} is more than the subtotal {_m(goods)}")
    if t.total - min(t.adjustment, ZERO) < -slack:
        _fail(number, f"negative total {_m(t.total)}")
    rates = ({tx.key for ln in lines for tx in ln.taxes} | ({charge.key} if charge is not None else set())
             | {c.tax.key for c in t.extras if c.tax is not None})
    for b in t.tax_breakdown:
        name = f"{b.name} {_m(b.rate)} %"
        _cents(number, f"{name} base", b.base)
        _cents(number, f"{name} amount", b.amount)
        if b.base < -slack or b.amount < -slack:
            _fail(number, f"{name}: negative base {_m(b.base)} or amount {_m(b.amount)}")
        if (b.rate, b.name) not in rates and (abs(b.base) > slack or abs(b.amount) > slack):
            _fail(number, f"{name} (base {_m(b.base)}) is a rate of none of its lines")
        if abs(b.amount - pricing.round_money(b.base * b.rate / 100)) > slack:
            _fail(number, f"{name}: {_m(b.amount)} is not {_m(b.rate)} % of {_m(b.base)}")
    if order is not None:
        _check_against_order(number, lines, t, order, slack)


def _check_against_order(number: str, lines: Sequence[Line], t: pricing.Totals, order: OrderState, slack: Decimal) -> None:
    took: dict[int, tuple[Decimal, Decimal]] = {}
    for ln in lines:
        if ln.order_line is not None:
            q, n = took.get(ln.order_line, (ZERO, ZERO))
            took[ln.order_line] = (q + ln.quantity, n + ln.net)
    for key, (q, n) in took.items():
        s = order.lines[key]
        if s.invoiced + q > s.quantity:
            _fail(number, f"order line {key}: {_m(s.invoiced + q)} invoiced in all, more than its {_m(s.quantity)}")
        if s.invoiced_net + n > s.net:
            _fail(number, f"order line {key}: nets of {_m(s.invoiced_net + n)} invoiced in all, more than its {_m(s.net)}")
        if s.invoiced + q == s.quantity and s.invoiced_net + n != s.net:
            _fail(number, f"order line {key} is complete with nets of {_m(s.invoiced_net + n)}, not its {_m(s.net)}")
    final = all(s.invoiced + took.get(k, (ZERO, ZERO))[0] == s.quantity for k, s in order.lines.items())
    whole = order.totals
    earlier = {k: sum((getattr(e, k) for e in order.earlier), ZERO) for k in SCALARS}
    adj = earlier["adjustment"] + t.adjustment
    if not min(whole.adjustment, ZERO) <= adj <= max(whole.adjustment, ZERO):
        _fail(number, f"adjustments of {_m(adj)} invoiced in all, the order's is {_m(whole.adjustment)}")
    if earlier["total"] + t.total > whole.total + slack:
        _fail(number, f"invoices of {_m(earlier['total'] + t.total)} in all, more than the order's {_m(whole.total)}")
    if final:
        for k in SCALARS:
            if earlier[k] + getattr(t, k) != getattr(whole, k):
                _fail(number, f"the invoices' {k} adds up to {_m(earlier[k] + getattr(t, k))}, not the order's {_m(getattr(whole, k))}")


def check_plan(number: str, order: planner.Order, plan: planner.InvoicePlan, prices: Mapping[int, tuple],
               invoiced: Mapping[int, Decimal], invoiced_nets: Mapping[int, Decimal], parts: Mapping[int, int],
               earlier: Sequence[pricing.Totals], charge: pricing.TaxRate | None = None) -> None:
    """``check_invoice`` for a planned order invoice: ``prices`` are (unit price, discount[, base
    quantity]) per order line id; ``invoiced``, ``invoiced_nets`` and ``parts`` what the earlier invoices took."""
    lines = [
        Line(p.quantity, prices[p.line.id][0], prices[p.line.id][1], p.net, p.line.taxes, p.line.id, f"line {p.line.line_no} ({p.line.sku})",
             base_quantity=prices[p.line.id][2] if len(prices[p.line.id]) > 2 else Decimal(1))
        for p in plan.parts
    ] + [
        Line(Decimal(-1), d.amount, None, -d.amount, (d.deposit.tax,) if d.deposit.tax is not None else (), None,
             f"the deduction of {d.deposit.number}", deduction=True)
        for d in plan.deductions
    ]
    state = OrderState(
        lines={
            ln.id: OrderLineState(ln.quantity, ln.net, invoiced.get(ln.id, ZERO), invoiced_nets.get(ln.id, ZERO), parts.get(ln.id, 0))
            for ln in order.lines
        },
        totals=order.totals if order.totals is not None else _no_totals(number),
        earlier=tuple(earlier),
    )
    check_invoice(number, lines, plan.totals, charge, state)
