"""Partial invoicing and delivery (SPEC.md §3), as pure rules: no database, no clock.

What remains of an order line is what was ordered minus what earlier (non-cancelled,
non-recurring) invoices / delivery notes took. A new document takes the remaining quantities
(the default), ``N:QTY`` parts of lines (``--line``), or, for an invoice, P % of every line
(``--percent``); asking more than remains is refused (``OverQuantity``).

The last part of a line (on any invoice) takes what is left of the line's net, and the invoice
that completes the order is the order minus the earlier invoices
(``pricing.remainder_totals``): once an order is fully invoiced its invoices add up exactly, to
the cent, to its total and to each rate of its tax breakdown. The shipping charge and the
adjustment go on the first invoice; an overall discount goes on every invoice in proportion to
its subtotal (a percent as such, an amount shared by subtotal). No part of a line takes more
than is left of its net.

Use cases load the state (``Order``, quantities and nets already taken) and write the documents;
everything in between is here, once for invoices and delivery notes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Mapping, Sequence

from . import pricing
from .errors import Invalid, NotFound, OverQuantity
from .lines import parse_part
from .money import MAX_PLACES, D, plain

ZERO = Decimal(0)
CENT = Decimal("0.01")


@dataclass(frozen=True)
class OrderLine:
    """An order line as the planner sees it (``id`` is the stored line's id)."""

    id: int
    line_no: int
    sku: str
    kind: str  # "product" | "service"
    quantity: Decimal
    net: Decimal = ZERO
    taxes: tuple[pricing.TaxRate, ...] = ()


@dataclass(frozen=True)
class Order:
    """An order's number, status, lines and what its invoices need of its header."""

    number: str
    status: str
    lines: tuple[OrderLine, ...]
    totals: pricing.Totals | None = None  # the order's stored totals (for the completing invoice)
    discount: str | None = None  # as stored: "10%" or "5.00"
    shipping: Decimal = ZERO
    adjustment: Decimal = ZERO


@dataclass(frozen=True)
class Part:
    """What one new document takes of one order line (``net`` only for invoices)."""

    line: OrderLine
    quantity: Decimal
    net: Decimal = ZERO


@dataclass(frozen=True)
class Take:
    """The quantities a new document takes, per order line id, and what remained before it."""

    wanted: dict[int, Decimal]
    remaining: dict[int, Decimal]
    percent: Decimal | None = None


@dataclass(frozen=True)
class InvoicePlan:
    parts: tuple[Part, ...]
    totals: pricing.Totals
    percent: Decimal | None
    final: bool  # the invoice completes the order


@dataclass(frozen=True)
class DeliveryPlan:
    parts: tuple[Part, ...] = field(default=())


# ---------------------------------------------------------------- the one remaining-quantity rule


def remaining(lines: Sequence[OrderLine], done: Mapping[int, Decimal]) -> dict[int, Decimal]:
    """Ordered minus already taken, per order line id (negative if the data ever says so)."""
    return {ln.id: ln.quantity - done.get(ln.id, ZERO) for ln in lines}


def _parts(order: Order, parts: Sequence[str], services_refused: bool) -> dict[int, Decimal]:
    by_no = {ln.line_no: ln for ln in order.lines}
    wanted: dict[int, Decimal] = {}
    for part in parts:
        line_no, qty = parse_part(part)
        if line_no not in by_no:
            raise NotFound(f"{order.number} has no line {line_no}")
        ln = by_no[line_no]
        if services_refused and ln.kind != "product":
            raise Invalid(f"{order.number} line {line_no} ({ln.sku}) is a service: services are not delivered")
        wanted[ln.id] = wanted.get(ln.id, ZERO) + qty
    return wanted


def _refuse_over(order: Order, wanted: Mapping[int, Decimal], left: Mapping[int, Decimal], verb: str) -> None:
    for ln in order.lines:
        qty = wanted.get(ln.id, ZERO)
        if qty > left[ln.id]:
            raise OverQuantity(
                f"{order.number} line {ln.line_no} ({ln.sku}): {plain(qty)} asked, only {plain(max(left[ln.id], ZERO))} left to {verb}"
            )


# ---------------------------------------------------------------- invoices


def parse_percent(value: object) -> Decimal:
    """``--percent P``: 0 < P <= 100, at most 2 decimal places."""
    p = D(value, "--percent")
    if p <= 0 or p > 100:
        raise Invalid(f"--percent is between 0 (excluded) and 100, got {plain(p)}")
    if p != p.quantize(CENT):
        raise Invalid(f"--percent has at most 2 decimal places, got {plain(p)}")
    return p


def invoice_quantities(order: Order, invoiced: Mapping[int, Decimal], parts: Sequence[str] | None = None, percent: object = None) -> Take:
    """What a new invoice takes of each line, or the refusal (``Invalid``, ``NotFound``, ``OverQuantity``)."""
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: nothing to invoice")
    if parts and percent is not None:
        raise Invalid("use --line or --percent, not both")
    if not order.lines:
        raise Invalid(f"{order.number} has no lines to invoice")
    left = remaining(order.lines, invoiced)
    p = None
    if parts:
        wanted = _parts(order, parts, services_refused=False)
    elif percent is not None:
        p = parse_percent(percent)
        wanted = {}
        for ln in order.lines:
            wanted[ln.id] = pricing.part_quantity(ln.quantity, p)
            if wanted[ln.id].as_tuple().exponent < -MAX_PLACES:  # type: ignore[operator]  # what a stored quantity can hold
                raise Invalid(
                    f"--percent {plain(p)} of line {ln.line_no} ({plain(ln.quantity)}) has more than 10 decimal places; "
                    f"invoice it with --line {ln.line_no}:QTY"
                )
    else:
        wanted = {ln.id: left[ln.id] for ln in order.lines if left[ln.id] > 0}
    _refuse_over(order, wanted, left, "invoice")
    wanted = {k: v for k, v in wanted.items() if v > 0}
    if not wanted:
        raise OverQuantity(f"{order.number} is fully invoiced: nothing left to invoice")
    return Take(wanted, left, p)


def plan_invoice(
    order: Order,
    take: Take,
    invoiced_nets: Mapping[int, Decimal],
    earlier: Sequence[pricing.Totals],
    charge: pricing.TaxRate | None = None,
) -> InvoicePlan:
    """The lines (quantity, net) and totals of the invoice ``take`` describes.

    ``invoiced_nets`` are the nets earlier invoices took of each line, ``earlier`` their
    totals, ``charge`` the tax on the shipping charge. The invoice that completes the order
    is the order's totals minus the earlier invoices'.
    """
    wanted, left = take.wanted, take.remaining
    final = all(left[ln.id] - wanted.get(ln.id, ZERO) == 0 for ln in order.lines)
    first = not earlier
    parts = []
    for ln in order.lines:
        qty = wanted.get(ln.id)
        if not qty:
            continue
        if qty == left[ln.id]:
            # the last part of a line (on any invoice) takes what is left of its net, so a
            # line's invoiced nets add up to its net and the final invoice's lines to its subtotal
            net = ln.net - invoiced_nets.get(ln.id, ZERO)
        else:
            # never more than what is left of the line's net: parts rounded up must not leave
            # the last part negative (4 x 0.005 invoiced one by one: 0.01, 0.01, 0.00, 0.00)
            net = min(pricing.prorate(ln.net, qty, ln.quantity), ln.net - invoiced_nets.get(ln.id, ZERO))
        parts.append(Part(ln, qty, net))

    if final:
        if order.totals is None:
            raise ValueError("plan_invoice: the order's totals are needed for the completing invoice")
        totals = pricing.remainder_totals(order.totals, list(earlier))
    else:
        discount = pricing.parse_discount(order.discount)
        nets = [(p.net, p.line.taxes) for p in parts]
        subtotal = sum((n for n, _ in nets), ZERO)
        if discount is not None and discount.kind == pricing.AMOUNT:
            # shared like a percent, by subtotal: each invoice's tax bases then follow the order's
            # (all of it on the first invoice left the last one with false bases: a rate of
            # none of its lines, a negative base), and no invoice gets more than its subtotal
            whole = sum((ln.net for ln in order.lines), ZERO)
            left_over = discount.value - sum((t.discount for t in earlier), ZERO)
            share = pricing.prorate(discount.value, subtotal, whole) if whole > 0 else ZERO
            share = min(share, left_over, subtotal)
            discount = pricing.Discount(pricing.AMOUNT, share) if share > 0 else None
        totals = pricing.totals_from_nets(
            nets,
            discount,
            order.shipping if first else ZERO,
            charge,
            order.adjustment if first else ZERO,
        )
    return InvoicePlan(tuple(parts), totals, take.percent, final)


# ---------------------------------------------------------------- delivery notes


def plan_delivery(order: Order, delivered: Mapping[int, Decimal], parts: Sequence[str] | None = None) -> DeliveryPlan:
    """The product lines (and quantities) a new delivery note takes, or the refusal."""
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: nothing to deliver")
    left = remaining(order.lines, delivered)
    if parts:
        wanted = _parts(order, parts, services_refused=True)
    else:
        wanted = {ln.id: left[ln.id] for ln in order.lines if ln.kind == "product" and left[ln.id] > 0}
    _refuse_over(order, wanted, left, "deliver")
    if not wanted:
        raise OverQuantity(f"{order.number}: nothing left to deliver (services are never delivered)")
    return DeliveryPlan(tuple(Part(ln, wanted[ln.id]) for ln in order.lines if ln.id in wanted))
