"""Statuses and what finalize locks.

Order: created -> approved -> delivered; any of them -> cancelled; cancelled is final.
A finalized order keeps only its status and its recurrence settings editable.

Quote: created -> sent -> accepted | rejected | expired; expired -> sent again (after its
valid-until date was moved on), accepted or rejected; any of them -> cancelled. Accepted is
final once an order was made from it (before that it may still be rejected or cancelled);
rejected and cancelled are final (``quote duplicate`` offers it again). Only a created, sent or
expired quote may be edited.
"""

from __future__ import annotations

from .errors import Invalid, InvalidTransition, Locked

ORDER_STATUSES = ("created", "approved", "delivered", "cancelled")
ORDER_TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({"approved", "cancelled"}),
    "approved": frozenset({"delivered", "cancelled"}),
    "delivered": frozenset({"cancelled"}),
    "cancelled": frozenset(),
}

QUOTE_STATUSES = ("created", "sent", "accepted", "rejected", "expired", "cancelled")
QUOTE_TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({"sent", "accepted", "rejected", "expired", "cancelled"}),
    "sent": frozenset({"accepted", "rejected", "expired", "cancelled"}),
    "expired": frozenset({"sent", "accepted", "rejected", "cancelled"}),
    "accepted": frozenset({"rejected", "cancelled"}),  # only while no order was made from it
    "rejected": frozenset(),
    "cancelled": frozenset(),
}
QUOTE_EDITABLE = frozenset({"created", "sent", "expired"})

INVOICE_STATUSES = ("created", "auto_created", "approved", "sent", "paid", "cancelled")
INVOICE_TRANSITIONS: dict[str, frozenset[str]] = {
    "created": frozenset({"approved", "sent", "paid", "cancelled"}),
    "auto_created": frozenset({"approved", "sent", "paid", "cancelled"}),
    "approved": frozenset({"sent", "paid", "cancelled"}),
    "sent": frozenset({"paid", "cancelled"}),
    "paid": frozenset(),
    "cancelled": frozenset(),
}

# What stays editable on a finalized order (everything else is locked).
EDITABLE_AFTER_FINALIZE = frozenset({"status", "recurrence"})


def check_status(status: str, allowed: tuple[str, ...], what: str = "status") -> str:
    """The status as stored, whatever its case (``Approved`` is ``approved``); a mistyped one
    is refused naming the closest."""
    from .text import did_you_mean

    if status in allowed:
        return status
    key = str(status).strip().casefold().replace(" ", "_").replace("-", "_")
    for known in allowed:
        if known.casefold() == key:
            return known
    hint = did_you_mean(str(status), allowed)
    raise Invalid(f"unknown {what} {status!r}" + (hint or f"; expected one of {', '.join(allowed)}"))


def order_transition(current: str, new: str) -> str:
    new = check_status(new, ORDER_STATUSES)
    if new == current:
        raise InvalidTransition(f"the order is already {current}")
    if new not in ORDER_TRANSITIONS[current]:
        if current == "cancelled":
            raise InvalidTransition("a cancelled order is final: its status cannot change")
        raise InvalidTransition(f"an order cannot go from {current} to {new} (allowed: {', '.join(sorted(ORDER_TRANSITIONS[current]))})")
    return new


def quote_transition(current: str, new: str, number: str, order: str | None = None) -> str:
    """The new status of a quote (``order``: the number of the order made from it, if any)."""
    new = check_status(new, QUOTE_STATUSES, "quote status")
    if new == current:
        raise InvalidTransition(f"{number} is already {current}")
    if current == "accepted" and order:
        raise InvalidTransition(f"{number} was accepted and became {order}: its status can no longer change")
    if current in ("rejected", "cancelled"):
        raise InvalidTransition(f"{number} is {current}, which is final: make a new quote from it with orders quote duplicate {number}")
    if new not in QUOTE_TRANSITIONS[current]:
        raise InvalidTransition(f"a quote cannot go from {current} to {new} (allowed: {', '.join(sorted(QUOTE_TRANSITIONS[current]))})")
    return new


def check_quote_editable(status: str, number: str) -> None:
    """Refuse a change to a quote that is accepted, rejected or cancelled."""
    if status not in QUOTE_EDITABLE:
        hint = "it stays as the customer accepted it; change the order made from it" if status == "accepted" else f"make a new one with orders quote duplicate {number}"
        raise Locked(f"{number} is {status}: it can no longer change ({hint})")


def invoice_transition(current: str, new: str) -> str:
    new = check_status(new, INVOICE_STATUSES, "invoice status")
    if new == current:
        raise InvalidTransition(f"the invoice is already {current}")
    if new not in INVOICE_TRANSITIONS[current]:
        raise InvalidTransition(f"an invoice cannot go from {current} to {new}")
    return new


def check_editable(finalized: bool, what: str, number: str) -> None:
    """Refuse a change to a finalized order's locked parts."""
    if finalized and what not in EDITABLE_AFTER_FINALIZE:
        raise Locked(f"{number} is finalized: its {what} can no longer change")
