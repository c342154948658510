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

from . import pricing, shares
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
    extras: tuple[tuple[int, pricing.DocCharge], ...] = ()  # the allowances and charges, with their place


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
class OpenDeposit:
    """What is left to deduct of one deposit invoice at one rate (``tax`` None: no tax)."""

    invoice_id: int
    number: str
    tax: pricing.TaxRate | None
    amount: Decimal


@dataclass(frozen=True)
class Deduction:
    deposit: OpenDeposit
    amount: Decimal


@dataclass(frozen=True)
class InvoicePlan:
    parts: tuple[Part, ...]
    totals: pricing.Totals
    percent: Decimal | None
    final: bool  # the invoice completes the order
    deductions: tuple[Deduction, ...] = ()


@dataclass(frozen=True)
class DepositPlan:
    shares: tuple[tuple[pricing.TaxRate | None, Decimal], ...]  # the deposit's base per rate
    totals: pricing.Totals
    percent: Decimal | None


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


def invoice_quantities(order: Order, invoiced: Mapping[int, Decimal], parts: Sequence[str] | None = None, percent: object = None,
                       verb: str = "invoice") -> Take:
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
    _refuse_over(order, wanted, left, verb)
    wanted = {k: v for k, v in wanted.items() if v > 0}
    if not wanted:
        raise OverQuantity(f"{order.number} is fully {verb.rstrip('e')}ed: nothing left to {verb}")
    return Take(wanted, left, p)


def plan_invoice(
    order: Order,
    take: Take,
    invoiced_nets: Mapping[int, Decimal],
    earlier: Sequence[pricing.Totals],
    charge: pricing.TaxRate | None = None,
    charges_first: bool = True,
    deposits: Sequence[OpenDeposit] = (),
) -> InvoicePlan:
    """The lines (quantity, net) and totals of the invoice ``take`` describes.

    ``invoiced_nets`` are the nets earlier invoices took of each line, ``earlier`` their
    totals, ``charge`` the tax on the shipping charge. The invoice that completes the order
    is the order's totals minus the earlier invoices' (``earlier`` holds credit notes negated).
    The shipping charge and the adjustment go on the first invoice that finds them not yet
    billed (``charges_first``; a credit note gives them back only when it completes the
    invoice). ``deposits`` still open are deducted, oldest first, at their rate, never more
    than the invoice's base at that rate; the completing invoice deducts all that is left.
    """
    wanted, left = take.wanted, take.remaining
    final = all(left[ln.id] - wanted.get(ln.id, ZERO) == 0 for ln in order.lines)
    ship_due = charges_first and sum((e.shipping for e in earlier), ZERO) == 0
    adjust_due = charges_first and sum((e.adjustment for e in earlier), ZERO) == 0
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
        deductions = tuple(Deduction(d, d.amount) for d in deposits if d.amount != 0)
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
            order.shipping if ship_due else ZERO,
            charge,
            order.adjustment if adjust_due else ZERO,
            _extras_of_part(order, parts, earlier, charges_first),
        )
        deductions = _deductions(totals, deposits)
        totals = shares.with_deductions(totals, [(d.deposit.tax, d.amount) for d in deductions])
    return InvoicePlan(tuple(parts), totals, take.percent, final, deductions)


def _extras_of_part(order: Order, parts: Sequence[Part], earlier: Sequence[pricing.Totals], charges_first: bool) -> list:
    """The order's allowances and charges on an invoice of part of it: a percent as such (of
    the invoice's lines); an allowance amount shared like the discount amount, by the invoice's
    lines at its tax (all of them for one of no tax) against the order's, never more than is
    left of it; a charge amount whole, on the first invoice that finds it not yet billed."""
    out: list = []
    before: dict[tuple[int, str], Decimal] = {}
    for t in earlier:
        for c in t.extras:
            before[(c.seq, c.kind)] = before.get((c.seq, c.kind), ZERO) + c.amount
    for seq, item in order.extras:
        if item.value.kind == pricing.PERCENT:
            out.append((seq, item))
            continue
        left_over = item.value.value - before.get((seq, item.kind), ZERO)
        if item.kind == "charge":
            if charges_first and before.get((seq, item.kind), ZERO) == 0:
                out.append((seq, item))
            continue

        def at(taxes) -> bool:
            return item.tax is None or item.tax.key in {t.key for t in taxes}

        part_net = sum((p.net for p in parts if at(p.line.taxes)), ZERO)
        whole = sum((ln.net for ln in order.lines if at(ln.taxes)), ZERO)
        share = pricing.prorate(item.value.value, part_net, whole) if whole > 0 else ZERO
        share = max(min(share, left_over, part_net), ZERO)
        if share > 0:
            out.append(pricing.ChargeAmount(seq, item.kind, item.reason, share, item.tax, item.reason_code))
    return out


def bases(t: pricing.Totals) -> dict:
    """Each rate's base on a document, and (key None) what no tax covers."""
    bases: dict = {(b.rate, b.name): b.base for b in t.tax_breakdown}
    bases[None] = t.subtotal - t.discount - t.allowances + t.shipping + t.charges - sum((b.base for b in t.tax_breakdown), ZERO)
    return bases


def _deductions(totals: pricing.Totals, deposits: Sequence[OpenDeposit]) -> tuple[Deduction, ...]:
    room = bases(totals)
    out = []
    for d in deposits:
        key = d.tax.key if d.tax is not None else None
        amount = min(d.amount, max(room.get(key, ZERO), ZERO))
        if amount > 0:
            room[key] -= amount
            out.append(Deduction(d, amount))
    return tuple(out)


# ---------------------------------------------------------------- deposit invoices


def parse_deposit(value: object) -> tuple[Decimal | None, Decimal | None]:
    """``--deposit 30%`` (0 < P <= 100, 2 places) or ``--deposit 500.00`` (an amount before tax)."""
    text = str(value).strip() if value is not None else ""
    if text.endswith("%"):
        p = D(text[:-1].strip(), "--deposit")
        if p <= 0 or p > 100 or p != p.quantize(CENT):
            raise Invalid(f"--deposit {text}: a percent is between 0 (excluded) and 100, with at most 2 decimal places")
        return p, None
    a = D(text, "--deposit")
    if a <= 0 or a != a.quantize(CENT):
        raise Invalid(f"--deposit {text}: an amount before tax is more than 0.00, in whole cents (or a percent: 30%)")
    return None, a


def plan_deposit(order: Order, earlier: Sequence[pricing.Totals], value: object) -> DepositPlan:
    """A deposit invoice of a percent or an amount (before tax) of the order: one line per rate
    of the order, shared by the order's bases (after its discount, with its shipping), never
    more at any rate than what is left to invoice there (earlier invoices and deposits)."""
    percent, amount = parse_deposit(value)
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: nothing to invoice")
    if order.totals is None:
        raise ValueError("plan_deposit: the order's totals are needed")
    for ln in order.lines:
        if len(ln.taxes) > 1:
            raise Invalid(f"{order.number} line {ln.line_no} ({ln.sku}) has {len(ln.taxes)} taxes: a deposit needs one rate per line")
    whole = bases(order.totals)
    keys = [k for k in whole if k is not None] + ([None] if whole[None] != 0 else [])
    keys = [k for k in keys if whole[k] > 0]
    if not keys:
        raise Invalid(f"{order.number} has nothing to invoice a deposit on")
    if percent is not None:
        parts_ = [pricing.round_money(whole[k] * percent / 100) for k in keys]
    else:
        parts_ = shares.allocate(amount, [whole[k] for k in keys])  # type: ignore[arg-type]
    left = bases(pricing.remainder_totals(order.totals, list(earlier)))
    taxes = {(b.rate, b.name): b.tax for b in order.totals.tax_breakdown}
    for k, share in zip(keys, parts_):
        if share > left.get(k, ZERO):
            what = f"{taxes[k].name} {plain(taxes[k].rate)} %" if k is not None else "no tax"
            raise OverQuantity(
                f"{order.number}: a deposit of {share:.2f} at {what} is more than the {max(left.get(k, ZERO), ZERO):.2f} "
                f"left to invoice at that rate"
            )
    pairs = tuple((taxes[k] if k is not None else None, share) for k, share in zip(keys, parts_) if share > 0)
    if not pairs:
        raise Invalid(f"--deposit {value}: the deposit rounds to 0.00")
    totals = pricing.totals_from_nets([(share, (tax,) if tax is not None else ()) for tax, share in pairs])
    return DepositPlan(pairs, totals, percent)


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
