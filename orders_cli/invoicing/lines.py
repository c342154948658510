"""A stored document line (of an invoice or a credit note) as the results show it."""

from __future__ import annotations

from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.stored import taxes_from_json
from orders_cli.invoicing.results import InvoiceLine


def line_result(ln) -> InvoiceLine:
    """``line_no`` is the order line's (None for a deposit, a deduction, a reduction, usage)."""
    return InvoiceLine(ln.order_line_no, ln.sku, ln.description, ln.kind, Quantity(ln.quantity), Price(ln.unit_price), ln.discount,
                       Money(ln.net), taxes_from_json(ln.taxes), ln.unit_code,
                       Quantity(ln.base_quantity if ln.base_quantity is not None else 1))
