"""Activities on an order (SPEC.md §5): calls, meetings and tasks with a due date and a
done state. Mails sent are activities too (type "email", written by the mail code): every
type is listed, only call | meeting | task can be added by hand. Activities never change
the order, so they can be added to a finalized one.
"""

from __future__ import annotations

from datetime import date, datetime, timezone

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.core import text
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid, NotFound
from orders_cli.core.results import OMIT
from orders_cli.records.results import ActivityResult
from orders_cli.store import documents
from orders_cli.store import schema as m

TYPES = ("call", "meeting", "task")


def _ts(value) -> datetime | str | None:
    if value is None or not hasattr(value, "isoformat"):
        return None if value is None else str(value)
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value


def _date(value) -> date | str | None:
    if value is None or hasattr(value, "isoformat"):
        return value
    return str(value)


def _query():
    a = m.Activity.__table__
    o = m.SalesOrder.__table__
    i = m.Invoice.__table__
    io = o.alias("invoice_order")
    return (
        sa.select(
            a.c.id, a.c.type, a.c.subject, a.c.due, a.c.note, a.c.done, a.c.created_at,
            sa.func.coalesce(o.c.number, io.c.number).label("order_number"),
            i.c.number.label("invoice_number"),
        )
        .select_from(a)
        .outerjoin(o, o.c.id == a.c.order_id)
        .outerjoin(i, i.c.id == a.c.invoice_id)
        .outerjoin(io, io.c.id == i.c.order_id)
    )


def _view(row, today: date | None) -> ActivityResult:
    due = row.due
    done = bool(row.done)
    return ActivityResult(
        id=row.id,
        order=row.order_number,
        invoice=row.invoice_number,
        type=row.type,
        subject=row.subject,
        due=_date(due),
        note=row.note,
        done=done,
        overdue=OMIT if today is None else bool(due is not None and not done and due < today),
        created_at=_ts(row.created_at),
    )


def for_order(session: Session, order_id: int, today: date | None = None) -> list[ActivityResult]:
    """Every activity of the order, and of its invoices (e.g. an invoice mailed), oldest first.
    ``overdue`` is told only given ``today`` (left out otherwise)."""
    a = m.Activity.__table__
    i = m.Invoice.__table__
    q = _query().where(
        sa.or_(a.c.order_id == order_id, a.c.invoice_id.in_(sa.select(i.c.id).where(i.c.order_id == order_id)))
    ).order_by(a.c.id)
    return [_view(r, today) for r in session.execute(q)]


def _one(session: Session, ctx: Context, activity_id: int) -> ActivityResult:
    row = session.execute(_query().where(m.Activity.__table__.c.id == activity_id)).first()
    if row is None:
        raise NotFound(f"no activity {activity_id}")
    return _view(row, ctx.today)


def add(
    session: Session, ctx: Context, order_ref: str, type_: str, subject: str, due: str | None = None, note: str | None = None
) -> ActivityResult:
    kind = text.clean(type_, "--type", max_len=20).lower()
    if kind not in TYPES:
        raise Invalid(f"--type: one of {', '.join(TYPES)}, got {type_!r}")
    subject_text = text.clean(subject, "--subject", max_len=500, required=True)
    due_date = text.parse_date(due, "--due") if due not in (None, "") else None
    note_text = text.clean(note, "--note", max_len=10_000, multiline=True) or None
    order = documents.get(session, documents.ORDER, order_ref)
    act = m.Activity(order_id=order.id, type=kind, subject=subject_text, due=due_date, note=note_text, done=False)
    session.add(act)
    session.flush()
    return _one(session, ctx, act.id)


def list_for(session: Session, ctx: Context, order_ref: str, open_only: bool = False) -> list[ActivityResult]:
    order = documents.get(session, documents.ORDER, order_ref)
    items = for_order(session, order.id, ctx.today)
    return [a for a in items if not a.done] if open_only else items


def _activity_id(ref: str) -> int:
    value = str(ref).strip()
    if not value.isdecimal() or not value.isascii() or len(value) > 18:
        raise NotFound(f"no activity {ref!r} (activities are named by their id: orders activity list ORDER)")
    return int(value)


def mark_done(session: Session, ctx: Context, ref: str, done: bool = True) -> ActivityResult:
    """Mark an activity done (or open again); doing it twice changes nothing."""
    activity_id = _activity_id(ref)
    current = _one(session, ctx, activity_id)
    if current.done != done:
        a = m.Activity.__table__
        session.execute(sa.update(a).where(a.c.id == activity_id).values(done=done))
        current = _one(session, ctx, activity_id)
    return current
