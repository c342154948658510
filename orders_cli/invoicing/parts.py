"""An invoice's view built from its stored rows, whoever read them: the ORM (invoices.py) or
the standard library's sqlite3 (quick.py). Light: no SQLAlchemy."""

from __future__ import annotations

from orders_cli.core.money import Money, Quantity
from orders_cli.core.receivable import Standing
from orders_cli.core.stored import address_of, totals_from_row
from orders_cli.invoicing import results as r
from orders_cli.invoicing.lines import line_result
from orders_cli.parties import snapshots


def invoice_result(inv, order_number: str | None, account, lines, credit_notes: list[str], standing: Standing) -> r.Invoice:
    """The invoice ``inv`` (its stored row) with its ``lines`` (in line order), its account's
    row, its credit notes' numbers and its standing (``core.receivable.standing``)."""
    return r.Invoice(
        id=inv.id,
        number=inv.number,
        order=order_number,
        account=r.AccountRef(account.id, account.name),
        subject=inv.subject,
        status=inv.status,
        invoice_date=inv.invoice_date,
        due_date=inv.due_date,
        due_days=inv.due_days,
        period_start=inv.period_start,
        period_end=inv.period_end,
        recurring=inv.recurring,
        percent=Quantity(inv.percent) if inv.percent is not None else None,
        currency=inv.currency,
        language=inv.language or account.language,
        billing_address=address_of(inv, "billing"),
        shipping_address=address_of(inv, "shipping"),
        discount=inv.discount,
        lines=[line_result(ln) for ln in lines],
        totals=totals_from_row(inv),
        kind=inv.kind,
        credit_notes=credit_notes,
        customer_ref=inv.customer_ref,
        delivery_date=inv.delivery_date,
        seller=snapshots.read(inv.seller),
        buyer=snapshots.read(inv.buyer),
        paid=Money(standing.paid),
        credited=Money(standing.credited),
        balance=Money(standing.balance),
        payment_state=standing.state,
    )
