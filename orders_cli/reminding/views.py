"""``remind list``: the reminders recorded, newest first."""

from __future__ import annotations

from typing import Iterator

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core.money import Money
from orders_cli.reminding.results import ReminderRow
from orders_cli.store import receivables as rv
from orders_cli.store import refs
from orders_cli.store import schema as m


def list_reminders(session: Session, invoice: str | None = None, account: str | None = None) -> Iterator[ReminderRow]:
    r, inv, a = rv.Reminder.__table__, m.Invoice.__table__, m.Account.__table__
    q = (
        sa.select(r.c.id, inv.c.number, a.c.name, r.c.level, r.c.reminder_date, r.c.balance, inv.c.currency, r.c.status, r.c.recipient, r.c.at)
        .join(inv, inv.c.id == r.c.invoice_id)
        .join(a, a.c.id == inv.c.account_id)
    )
    if invoice:
        q = q.where(r.c.invoice_id == refs.document(session, m.Invoice, invoice, "invoice").id)
    if account:
        q = q.where(inv.c.account_id == refs.account(session, account).id)
    q = q.order_by(r.c.reminder_date.desc(), r.c.id.desc())
    for row in session.connection().execution_options(stream_results=True, yield_per=1000).execute(q):
        at = row.at
        if at is not None and getattr(at, "tzinfo", 1) is None:  # SQLite hands back naive UTC
            from datetime import timezone

            at = at.replace(tzinfo=timezone.utc)
        yield ReminderRow(row.id, row.number, row.name, row.level, row.reminder_date, Money(row.balance), row.currency, row.status,
                          row.recipient, at)
