"""The recurrence settings on an order: ``recur set`` / ``recur off``, and the ``recurrence``
object of an order's JSON (``order add --from-json``)."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlmodel import Session

from orders_cli.core import schedule, subject, text
from orders_cli.core.context import Context
from orders_cli.core.errors import Invalid, NotFound
from orders_cli.core.money import ascii_int
from orders_cli.recurring.dates import left_unbilled
from orders_cli.recurring.periods import done_periods, pending_periods
from orders_cli.recurring.results import DaySpan, RecurrenceSet, RecurrenceView
from orders_cli.recurring.views import recurrence_of
from orders_cli.store import documents
from orders_cli.store import schema as m

INVOICE_STATUSES = ("auto_created", "created", "approved", "sent")
CATCH_UP = ("all", "latest")
JSON_FIELDS = frozenset({"enabled", "frequency", "start", "end", "due_days", "invoice_status", "subject", "language", "invoice_date",
                         "last_day", "catch_up", "usage", "next_date"})


def _bool(value: Any, what: str) -> bool:
    if isinstance(value, bool):
        return value
    raise Invalid(f"{what}: expected true or false")


def _days(value: Any, what: str = "due days") -> int:
    if isinstance(value, bool) or not isinstance(value, (int, str)):
        raise Invalid(f"{what}: expected a whole number of days")
    try:
        n = ascii_int(value)
    except ValueError:
        raise Invalid(f"{what}: expected a whole number of days, got {value!r}") from None
    if not 0 <= n <= 3650:
        raise Invalid(f"{what}: from 0 to 3650 days, got {n}")
    return n


def _one_of(value: str, allowed: tuple[str, ...], message: str) -> str:
    if value not in allowed:
        raise Invalid(message)
    return value


def apply_settings(rec: m.Recurrence, opts: dict) -> m.Recurrence:
    """Validate and apply recurrence options (only the keys given) to ``rec``."""
    given = {k: v for k, v in opts.items() if v is not None}
    if "frequency" in given:
        rec.frequency = _one_of(given["frequency"], schedule.FREQUENCIES,
                                f"unknown frequency {given['frequency']!r}; expected one of {', '.join(schedule.FREQUENCIES)}")
    if "start" in given:
        rec.start = text.parse_date(given["start"], "start")
    if "end" in opts:
        rec.end = text.parse_date(opts["end"], "end") if opts["end"] not in (None, "") else None
    if "due_days" in given:
        rec.due_days = _days(given["due_days"])
    if "invoice_status" in given:
        rec.invoice_status = _one_of(given["invoice_status"], INVOICE_STATUSES,
                                     f"invoice status of recurring invoices is one of {', '.join(INVOICE_STATUSES)}, got {given['invoice_status']!r}")
    if "subject" in given:
        rec.subject = text.clean(given["subject"], "subject template", 500)
    if "language" in opts:
        rec.language = subject.check_language(opts["language"]) if opts["language"] not in (None, "") else None
    if "invoice_date" in given:
        rec.invoice_date = _one_of(given["invoice_date"], schedule.INVOICE_DATES,
                                   f"invoice date is start (in advance) or end (in arrears), got {given['invoice_date']!r}")
    if "last_day" in given:
        rec.last_day = _bool(given["last_day"], "last day")
    if "catch_up" in given:
        rec.catch_up = _one_of(given["catch_up"], CATCH_UP, f"catch-up is all or latest, got {given['catch_up']!r}")
    for key in ("usage", "enabled"):
        if key in given:
            setattr(rec, key, _bool(given[key], key))
    if rec.frequency is None or rec.start is None:
        raise Invalid("a recurrence needs --frequency and --start")
    # the schedule's own checks: end before start, last-day with daily/weekly, ...
    first = schedule.period(rec.start, rec.frequency, 0, end=rec.end, last_day=rec.last_day, invoice_date=rec.invoice_date)
    if first is None and rec.end is None:  # (with an end date, None is a first period that starts after it)
        raise Invalid(f"start: a {rec.frequency} period from {rec.start.isoformat()} would end after {date.max.isoformat()}, the calendar's last day")
    if first is not None:
        schedule.due_date(first.invoice_date, rec.due_days, "start")
    rec.updated_at = m.utcnow()
    return rec


def set_recurrence(session: Session, ctx: Context, ref: str, opts: dict) -> RecurrenceSet:
    """Create or change an order's recurrence (allowed after finalize): its settings, and
    how many past periods the next run will bill."""
    order = documents.get(session, documents.ORDER, ref)
    if order.status == "cancelled":
        raise Invalid(f"{order.number} is cancelled: it cannot bill again")
    rec = session.get(m.Recurrence, order.id)
    if rec is None:
        if opts.get("frequency") is None or opts.get("start") is None:
            raise Invalid("a new recurrence needs --frequency and --start")
        rec = m.Recurrence(order_id=order.id, frequency=opts["frequency"], start=text.parse_date(opts["start"], "start"))
    opts = dict(opts)
    opts.setdefault("enabled", True)
    apply_settings(rec, opts)
    session.add(rec)
    session.flush()
    pending = len(pending_periods(session, rec, ctx.today))
    gaps = [DaySpan(s, e) for s, e in left_unbilled(rec, done_periods(session, order.id)[0])]
    return recurrence_of(session, order.id, ctx.today, RecurrenceSet, pending_periods=pending, left_unbilled=gaps)


def set_recurrence_from_json(session: Session, order_id: int, data: dict) -> None:
    """The ``recurrence`` object of an imported order (``next_date`` is read back and ignored)."""
    session.add(recurrence_from_json(order_id, data))
    session.flush()


def recurrence_from_json(order_id: int, data: dict) -> m.Recurrence:
    """The recurrence of an order's JSON, validated (not stored: ``order add --from-json`` checks
    it with the rest of its document, so a refusal names the document's line)."""
    unknown = sorted(set(data) - JSON_FIELDS)
    if unknown:
        raise Invalid(f"recurrence: unknown field {unknown[0]!r}")
    if data.get("frequency") is None or data.get("start") is None:
        raise Invalid("recurrence: frequency and start are required")
    rec = m.Recurrence(order_id=order_id, frequency=data["frequency"], start=text.parse_date(data["start"], "recurrence start"))
    try:
        apply_settings(rec, {k: v for k, v in data.items() if k != "next_date"})
    except Invalid as err:
        raise Invalid(f"recurrence: {err.message}") from None
    return rec


def turn_off(session: Session, ctx: Context, ref: str) -> RecurrenceView:
    order = documents.get(session, documents.ORDER, ref)
    rec = session.get(m.Recurrence, order.id)
    if rec is None:
        raise NotFound(f"{order.number} has no recurrence")
    rec.enabled = False
    rec.updated_at = m.utcnow()
    session.add(rec)
    session.flush()
    return recurrence_of(session, order.id, ctx.today)
