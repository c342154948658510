"""Guard rails on an order's life (issue 18 item 16): marking an order delivered while goods
remain undelivered, and invoicing by hand an order that bills itself by recurrence.
"""

from __future__ import annotations

from decimal import Decimal

from sqlmodel import Session

from orders_cli.core import lifecycle
from orders_cli.core.errors import Conflict
from orders_cli.core.money import Quantity, text_of
from orders_cli.store import schema as m
from orders_cli.store.documents import ORDER, get, lines_of, progress_quantities

SHOWN = 3  # the undelivered SKUs a message names before "and N more"


def undelivered(session: Session, doc: m.SalesOrder) -> list[tuple[Decimal, str]]:
    """(quantity, SKU) still to deliver: each product line's quantity less what its delivery
    notes (not cancelled) delivered, summed per SKU in line order; services are never delivered."""
    delivered, _, _ = progress_quantities(session, doc.id)
    left: dict[str, Decimal] = {}
    for ln in lines_of(session, ORDER, doc.id):
        rest = ln.quantity - delivered.get(ln.id, Decimal(0))
        if ln.kind == "product" and rest > 0:
            left[ln.sku] = left.get(ln.sku, Decimal(0)) + rest
    return [(qty, sku) for sku, qty in left.items()]


def undelivered_text(items: list[tuple[Decimal, str]]) -> str:
    """``2 x WIDGET, 1.5 x BOOK`` (and how many more beyond the first few)."""
    shown = ", ".join(f"{text_of(Quantity(q))} x {sku}" for q, sku in items[:SHOWN])
    return shown + (f" and {len(items) - SHOWN} more SKUs" if len(items) > SHOWN else "")


def check_delivered(session: Session, doc: m.SalesOrder) -> None:
    """Refuse ``delivered`` while goods remain undelivered (``--force`` skips this check)."""
    items = undelivered(session, doc)
    if items:
        raise Conflict(f"{doc.number} still has {undelivered_text(items)} undelivered (use --force)")


def pending_delivery(session: Session, ref: str, status: str) -> tuple[str, str] | None:
    """What ``order status ORDER STATUS`` would refuse for goods not delivered, asked before
    the change on a terminal: (number, "2 x WIDGET"), or None (another status, a transition
    refused anyway, or nothing left to deliver)."""
    doc = get(session, ORDER, ref)
    if lifecycle.order_transition(doc.status, status) != "delivered":
        return None
    items = undelivered(session, doc)
    return (doc.number, undelivered_text(items)) if items else None


def recurrence_warning(session: Session, ref: str) -> str | None:
    """The warning ``order convert invoice`` prints for an order that bills itself by
    recurrence: the invoice made by hand is one more, not one of its recurring invoices."""
    doc = get(session, ORDER, ref)
    rec = session.get(m.Recurrence, doc.id)
    if rec is None or not rec.enabled:
        return None
    return (f"warning: {doc.number} also bills itself {rec.frequency} (recur run): this invoice is separate from its "
            "recurring invoices and does not replace any of them")
