"""A run of short transactions on one connection (``recur run``: one transaction, one commit,
per invoice), without a Session and a connection checkout per transaction.

Each ``begin(conn)`` has the guarantees of ``database.transaction``: it commits on success and
rolls back everything on any error (a database error comes out translated the same way); on a
write connection it starts by taking the write lock, through the engine's ``begin`` event
(BEGIN IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL), so two writers queue
instead of failing half way. Statements run through SQLAlchemy Core on both backends.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import sqlalchemy as sa
from sqlalchemy import exc

from orders_cli.store import database


@contextmanager
def _translated() -> Iterator[None]:
    try:
        yield
    except exc.DBAPIError as err:
        translated = database._translate(err)
        if translated is not None:
            raise translated from err
        raise


@contextmanager
def connection(write: bool = True) -> Iterator[sa.Connection]:
    """One connection of this run's engine for many ``begin`` blocks (``write``: each takes the
    write lock at its start, as ``transaction()`` does); closed (given back) at the end."""
    eng = database.engine(write)
    with _translated():
        conn = eng.connect()
    try:
        if write:
            conn.execution_options(orders_write=True)
        yield conn
    finally:
        conn.close()


@contextmanager
def begin(conn: sa.Connection) -> Iterator[sa.Connection]:
    """One transaction on ``conn``: commit on success, roll back everything on any error."""
    with _translated():
        with conn.begin():
            yield conn
