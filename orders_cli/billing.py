"""Use cases for invoices made from orders and for recurring invoicing."""

from __future__ import annotations

from sqlmodel import Session

from orders_cli import models as m


def recurrence_view(session: Session, order_id: int) -> dict | None:
    rec = session.get(m.Recurrence, order_id)
    if rec is None:
        return None
    return {
        "enabled": rec.enabled,
        "frequency": rec.frequency,
        "start": rec.start.isoformat(),
        "end": rec.end.isoformat() if rec.end else None,
        "due_days": rec.due_days,
        "invoice_status": rec.invoice_status,
        "subject": rec.subject,
        "language": rec.language,
        "invoice_date": rec.invoice_date,
        "last_day": rec.last_day,
        "catch_up": rec.catch_up,
        "usage": rec.usage,
        "next_date": None,
    }


def set_recurrence_from_json(session: Session, order_id: int, data: dict) -> None:
    from orders_cli.errors import Invalid

    raise Invalid("recurrence: recurring invoicing is not available in this version yet")
