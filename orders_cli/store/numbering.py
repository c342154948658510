"""Document numbers: the one place the numbering SQL lives.

A counter row per document type (``sequence``) is bumped inside the caller's transaction:
the row stays locked until the commit, a rollback gives the numbers back, and a concurrent
creator waits. No gap, no duplicate. The prefix comes from the caller (the settings), so
this module knows nothing of them.
"""

from __future__ import annotations

from datetime import date

import sqlalchemy as sa
from sqlmodel import Session

WIDTH = 5  # SO-00001
_BUMP = sa.text("UPDATE sequence SET last_value = last_value + :n WHERE doc_type = :t RETURNING last_value")


def _first(session: Session | sa.Connection, stmt, params: dict | None = None):
    """The first row of ``stmt`` in the Session's transaction, or on the Connection given: a
    ``store.batch`` run of many transactions, where it is prepared once (``batch.prepared``)."""
    if isinstance(session, sa.Connection):
        from orders_cli.store import batch

        rows = batch.prepared(session, stmt).rows(session, params)
        return rows[0] if rows else None
    return session.connection().execute(stmt, params).first()


def allocate(session: Session | sa.Connection, doc_type: str, prefix: str, count: int = 1) -> list[str]:
    """``count`` consecutive numbers of ``doc_type`` (``prefix`` + zero-padded counter)."""
    row = _first(session, _BUMP, {"n": count, "t": doc_type})
    if row is None:
        raise RuntimeError(f"no sequence row for {doc_type}")
    first = row[0] - count + 1
    return [f"{prefix}{n:0{WIDTH}d}" for n in range(first, row[0] + 1)]


def next_number(session: Session | sa.Connection, doc_type: str, prefix: str) -> str:
    """The next number of ``doc_type``, allocated inside the caller's transaction."""
    return allocate(session, doc_type, prefix)[0]


# the date column of each numbered series that must follow its numbers (chronology)
DATED_SERIES = {"invoice": ("invoice", "invoice_date"), "credit": ("credit_note", "credit_date")}
_LATEST = {series: sa.text(f'SELECT {column}, number FROM "{table}" ORDER BY {column} DESC, id DESC LIMIT 1')
           for series, (table, column) in DATED_SERIES.items()}


def latest_issued(session: Session | sa.Connection, series: str) -> tuple[date | None, str | None]:
    """The latest date (and its number) already issued in ``series`` ("invoice" or "credit")."""
    row = _first(session, _LATEST[series])
    if row is None:
        return None, None
    day = row[0]
    if isinstance(day, str):  # SQLite hands back text through a plain text() query
        day = date.fromisoformat(day[:10])
    return day, row[1]


def issue_number(session: Session | sa.Connection, series: str, prefix: str, day: date, today: date, allow_future: bool = False,
                 option: str = "--date", label: str | None = None) -> str:
    """The next number of a dated series ("invoice" or "credit") for a document dated ``day``,
    or the chronology refusal. The counter row is taken first, so the latest date is read
    while no other writer of the series can issue one (PostgreSQL reads it after the lock)."""
    from orders_cli.core import receivable

    number = next_number(session, series, prefix)
    latest, latest_number = latest_issued(session, series)
    receivable.check_date(day, latest, today, allow_future, label or ("credit note" if series == "credit" else series), option, latest_number)
    return number
