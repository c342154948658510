"""Document numbers: the one place the numbering SQL lives.

A counter row per document type (``sequence``) is bumped inside the caller's transaction:
the row stays locked until the commit, a rollback gives the numbers back, and a concurrent
creator waits. No gap, no duplicate. The prefix comes from the caller (the settings), so
this module knows nothing of them.
"""

from __future__ import annotations

import sqlalchemy as sa
from sqlmodel import Session

WIDTH = 5  # SO-00001


def allocate(session: Session, doc_type: str, prefix: str, count: int = 1) -> list[str]:
    """``count`` consecutive numbers of ``doc_type`` (``prefix`` + zero-padded counter)."""
    row = session.connection().execute(
        sa.text("UPDATE sequence SET last_value = last_value + :n WHERE doc_type = :t RETURNING last_value"),
        {"n": count, "t": doc_type},
    ).first()
    if row is None:
        raise RuntimeError(f"no sequence row for {doc_type}")
    first = row[0] - count + 1
    return [f"{prefix}{n:0{WIDTH}d}" for n in range(first, row[0] + 1)]


def next_number(session: Session, doc_type: str, prefix: str) -> str:
    """The next number of ``doc_type``, allocated inside the caller's transaction."""
    return allocate(session, doc_type, prefix)[0]
