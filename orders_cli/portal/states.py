"""What the portal shows a customer instead of internal statuses: payment states.

An invoice's comes from its balance (``invoicing.balances`` sums its credit notes and
payments, ``core.receivable.standing`` names the state), in the customer's words:

- ``paid``: nothing is left to pay;
- ``overdue``: a balance, and the due date has passed;
- ``due``: a balance, and the due date is today (the last day to pay on time);
- ``partly_paid``: something was paid, the rest is not due yet;
- ``unpaid``: nothing was paid, nothing is due yet;
- ``credited`` (credit notes cover the whole total) and ``cancelled``: the invoice no longer
  counts. These two are *void*: hidden unless the customer asks for them (``?all=1``).

An order's is its live (not void) invoices' taken together: ``overdue`` if one is, else
``due`` if one is, ``paid`` if all are, ``partly_paid`` if something was paid, else
``unpaid``; ``not_invoiced`` with no live invoice; ``cancelled`` (void) for a cancelled order.
"""

from __future__ import annotations

from datetime import date
from typing import Iterable

VOID = ("cancelled", "credited")
SHOWN = ("unpaid", "due", "overdue", "partly_paid", "paid", "credited", "cancelled", "not_invoiced")


def invoice_state(payment_state: str, due: date | str | None, today: date) -> str:
    """The portal's word for an invoice whose payment state (``core.receivable``) is ``payment_state``."""
    if payment_state in ("paid", "overdue", "credited", "cancelled"):
        return payment_state
    if due is not None and str(due) == today.isoformat():
        return "due"
    return "partly_paid" if payment_state == "partially_paid" else "unpaid"


def order_state(status: str, invoice_states: Iterable[str]) -> str:
    """The portal's word for an order (internal ``status``) from its invoices' portal states."""
    if status == "cancelled":
        return "cancelled"
    live = [s for s in invoice_states if s not in VOID]
    if not live:
        return "not_invoiced"
    for first in ("overdue", "due"):
        if first in live:
            return first
    if all(s == "paid" for s in live):
        return "paid"
    if any(s in ("paid", "partly_paid") for s in live):
        return "partly_paid"
    return "unpaid"


def void(state: str) -> bool:
    return state in VOID
