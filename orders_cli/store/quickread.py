"""The standard-library read path (issue 19): ``order show``, ``order list`` and ``invoice show``
with ``--json`` on a SQLite file read through ``sqlite3``, before Typer, SQLAlchemy or the
tables' classes are imported (cli/fast.py). Everything else, and anything this cannot answer
exactly as the ORM would, goes the usual way: a server URL, a file that is missing, busy, not
at the schema's HEAD revision, or any error at all; the caller then falls back.

Rows come back as ``SimpleNamespace`` objects whose attributes hold what the ORM's would hold
(integer cents as 2-place ``Decimal``, exact decimal text as ``Decimal``, dates, booleans), by
``KINDS``: the columns of each table read whole that the ORM converts, checked against the
tables' classes by tests/test_quickread.py. All of one answer is read in one read transaction.

Standard library (and core/) only at the top.
"""

from __future__ import annotations

import sqlite3
from datetime import date, datetime
from decimal import Decimal
from types import SimpleNamespace
from typing import Any, Iterable

from orders_cli.core.money import from_cents
from orders_cli.store.migrations import HEAD
from orders_cli.store.quick import reader, sqlite_path

_DOC = {"shipping_charge": "cents", "adjustment": "cents", "subtotal": "cents", "discount_amount": "cents", "tax_total": "cents", "total": "cents",
        "created_at": "datetime"}
_LINE = {"quantity": "dec", "unit_price": "dec", "net": "cents", "base_quantity": "dec"}
KINDS: dict[str, dict[str, str]] = {  # table -> column -> how the ORM reads it (every converted column)
    "sales_order": {**_DOC, "finalized": "bool", "finalized_at": "datetime", "order_date": "date", "updated_at": "datetime"},
    "order_line": _LINE,
    "invoice": {**_DOC, "invoice_date": "date", "due_date": "date", "period_start": "date", "period_end": "date", "recurring": "bool",
                "percent": "dec", "delivery_date": "date"},
    "invoice_line": _LINE,
    "account": {"created_at": "datetime"},
    "recurrence": {"enabled": "bool", "start": "date", "end": "date", "last_day": "bool", "usage": "bool", "updated_at": "datetime"},
}


def _datetime(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _date(value: str) -> date:
    """``YYYY-MM-DD`` only, as SQLAlchemy's SQLite date reads it (``date.fromisoformat`` also
    takes ``20261128`` and week dates, which the ORM refuses): anything else declines."""
    if len(value) != 10 or value[4] != "-" or value[7] != "-":
        raise Decline(f"not a stored date: {value!r}")
    return date.fromisoformat(value)


CONVERT = {"cents": from_cents, "dec": Decimal, "date": _date, "bool": bool, "datetime": _datetime}


class Decline(Exception):
    """This read path does not answer this request: the ORM's will (and gives its refusals)."""


def day(value: str | None) -> date | None:
    """A stored date column (``YYYY-MM-DD`` text) as the ORM gives it."""
    return None if value is None else _date(value)


def connect(target: str) -> sqlite3.Connection:
    """A connection that refuses writes to the SQLite file of ``target`` (``--db``), in a read transaction,
    its schema at HEAD; ``Decline`` when it is not one (a server, a missing file, another revision)."""
    if "://" in target and not target.startswith("sqlite:///") or "?" in target:
        raise Decline("not a plain SQLite file")
    path = sqlite_path(target)
    if path is None or not path.is_file():
        raise Decline("no such file")
    con = reader(path, 500)  # (it refuses writes)
    try:
        con.execute("BEGIN")
        row = con.execute("SELECT version_num FROM alembic_version").fetchone()
        if row is None or row[0] != HEAD:
            raise Decline("the schema is not at HEAD: the ORM path upgrades it")
    except BaseException:
        con.close()
        raise
    return con


def typed(cursor: sqlite3.Cursor, table: str) -> list[SimpleNamespace]:
    """The rows of ``SELECT * FROM table ...`` with the ORM's values (``KINDS``)."""
    names = [d[0] for d in cursor.description]
    kinds = KINDS[table]
    convert = [(i, CONVERT[kinds[n]]) for i, n in enumerate(names) if n in kinds]
    out = []
    for row in cursor:
        values = list(row)
        for i, fn in convert:
            if values[i] is not None:
                values[i] = fn(values[i])
        out.append(SimpleNamespace(**dict(zip(names, values))))
    return out


def rows(con: sqlite3.Connection, table: str, where: str, params: Iterable[Any] = (), order: str = "id") -> list[SimpleNamespace]:
    """Whole rows of ``table`` (typed) matching ``where``, in ``order``."""
    return typed(con.execute(f"SELECT * FROM {table} WHERE {where} ORDER BY {order}", tuple(params)), table)


def by_number(con: sqlite3.Connection, table: str, ref: str) -> SimpleNamespace:
    """The document whose number is exactly ``ref`` (stripped), as ``store.refs.document`` looks
    first; ``Decline`` otherwise (an id, another case, a miss: the ORM resolves or refuses it)."""
    found = rows(con, table, "number = ?", (str(ref).strip(),))
    if len(found) != 1:
        raise Decline("not an exact number")
    return found[0]


def named(cursor: sqlite3.Cursor, *names: str) -> list[SimpleNamespace]:
    """The rows of a query of chosen columns, as namespaces of ``names`` (converted by the caller)."""
    return [SimpleNamespace(**dict(zip(names, row))) for row in cursor]


def cents(value: int | None) -> Decimal:
    """A ``SUM`` over a cents column (None over no rows) as the ORM's ``from_cents(x or 0)``."""
    return from_cents(value or 0)
