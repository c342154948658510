"""Amounts shared over tax rates and taken off their bases (deposits, their deductions, price
reductions), and a document's totals negated (a credit note among an order's invoices). The
rounding is ``pricing``'s: half up to the cent, once per rate.
"""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal, localcontext
from typing import Sequence

from .money import HUNDRED, ZERO
from .pricing import (
    _EXACT,
    TaxAmount,
    TaxRate,
    Totals,
    _allocate,
    _combine,
    _two_places,
    round_money,
)


def allocate(amount: Decimal, weights: Sequence[Decimal]) -> list[Decimal]:
    """Share ``amount`` over ``weights`` in proportion, half-up to the cent, the largest absorbing
    the rounding (the overall discount's rule, for deposits and price reductions)."""
    return _allocate(amount, weights)


def with_deductions(t: Totals, deductions: Sequence[tuple[TaxRate | None, Decimal]]) -> Totals:
    """``t`` less amounts taken off the tax bases after the discount (deposits deducted): each
    (tax, amount) lowers the subtotal and its rate's base; the tax of that rate is computed again
    on the new base, once per rate. ``None`` is an amount of no tax."""
    if not deductions:
        return t
    with localcontext(_EXACT):
        off = {}
        for tax, amount in deductions:
            key = tax.key if tax is not None else None
            off[key] = off.get(key, ZERO) + amount
        entries = {(b.rate, b.name): b for b in t.tax_breakdown}
        for tax, _ in deductions:
            if tax is not None and tax.key not in entries:
                entries[tax.key] = TaxAmount.of(tax, _two_places(ZERO), _two_places(ZERO))
        breakdown = []
        for key, b in sorted(entries.items()):
            if key in off:
                base = _two_places(b.base - off[key])
                b = replace(b, base=base, amount=round_money(base * b.rate / HUNDRED))
            breakdown.append(b)
        total_off = _two_places(sum(off.values(), ZERO))
        tax = _two_places(sum((b.amount for b in breakdown), ZERO))
        subtotal = t.subtotal - total_off
        return replace(
            t,
            subtotal=subtotal,
            tax=tax,
            total=_two_places(subtotal - t.discount - t.allowances + t.shipping + t.charges + tax + t.adjustment),
            tax_breakdown=tuple(breakdown),
            line_nets=t.line_nets + tuple(-a for _, a in deductions),
        )


def negated(t: Totals) -> Totals:
    """``-t`` in every amount (a credit note among an order's invoices)."""
    return _combine([(-1, t)])
