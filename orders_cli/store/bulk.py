"""Set-wise inserts for a bulk write (``order add --from-json``): rows of Python values (the
``Decimal`` of a ``Cents`` or ``DecimalText`` column, a ``date``) become the values stored by
each column's own type, and go to the driver in one ``executemany`` with no per-row work left
to SQLAlchemy. The same rows as ``session.execute(insert(table), rows)``, on SQLite and on
PostgreSQL: each column's bind processor is SQLAlchemy's own for the dialect, its Python-side
default the column's, and the ids of a block are the ones the database would give, taken
inside this transaction (``allocate_ids``).
"""

from __future__ import annotations

from itertools import chain
from typing import Any, Callable

import sqlalchemy as sa
from sqlmodel import Session

from orders_cli.store import schema as m

MEMO_MAX = 5_000  # distinct values remembered per column (amounts, quantities, dates repeat)


class _Writer:
    """The INSERT of one table for one set of columns, with its value converters."""

    def __init__(self, table: sa.Table, keys: tuple[str, ...], dialect) -> None:
        cols = [table.c[k] for k in keys]
        mark = "?" if dialect.paramstyle == "qmark" else "%s"  # sqlite3's; psycopg's positional one
        quote = dialect.identifier_preparer.quote
        self.width = len(cols)
        self._head = f"INSERT INTO {quote(table.name)} ({', '.join(quote(c.name) for c in cols)}) VALUES "
        self._group = "(" + ", ".join([mark] * len(cols)) + ")"
        self._many: dict[int, str] = {}
        self.convert: list[Callable[[list], list] | None] = [self._converter(c, dialect) for c in cols]

    @staticmethod
    def _converter(col: sa.Column, dialect) -> Callable[[list], list] | None:
        """What turns a column of values (one per row) into their stored forms, or None."""
        process = col.type._cached_bind_processor(dialect)
        if process is None:
            return None
        if not isinstance(col.type, (m.Cents, m.DecimalText, sa.Date, sa.DateTime, sa.Boolean)):
            return lambda values: [process(v) for v in values]
        memo: dict[Any, Any] = {}  # a value's stored form depends on the value alone
        known = memo.__getitem__

        def convert(values: list) -> list:
            try:
                return list(map(known, values))
            except KeyError:
                if len(memo) > MEMO_MAX:
                    memo.clear()
                for v in values:
                    if v not in memo:
                        memo[v] = process(v)
                return list(map(known, values))

        return convert

    def many(self, count: int) -> str:
        """The INSERT of ``count`` rows (its parameters: the rows' values one after the other)."""
        sql = self._many.get(count)
        if sql is None:
            sql = self._many[count] = self._head + ", ".join([self._group] * count)
        return sql

    def params(self, rows: list[tuple]) -> list:
        """Rows given in the order of ``keys`` as the stored values, converted column by
        column (most need nothing; the others repeat a few values: amounts, dates, the clock)."""
        columns = list(zip(*rows))
        return list(zip(*(column if f is None else f(column) for column, f in zip(columns, self.convert))))


_WRITERS: dict[tuple, _Writer] = {}


def writer(session: Session, table: sa.Table, keys: tuple[str, ...]) -> _Writer:
    dialect = session.get_bind().dialect
    key = (table.name, keys, dialect.name)
    w = _WRITERS.get(key)
    if w is None:
        w = _WRITERS[key] = _Writer(table, keys, dialect)
    return w


def defaults(table: sa.Table, keys) -> dict[str, Any]:
    """The Python-side scalar defaults of the columns ``keys`` leaves out (what SQLAlchemy
    would bind for them); a callable default is refused (a caller gives those columns)."""
    out = {}
    for col in table.c:
        if col.key in keys or col.default is None:
            continue
        if not col.default.is_scalar:
            raise ValueError(f"{table.name}.{col.key}: a callable default; give the column")
        out[col.key] = col.default.arg
    return out


MAX_PARAMS = 30_000  # bound values per statement (SQLite allows 32,766; PostgreSQL 65,535)


def insert_rows(session: Session, table: sa.Table, keys: tuple[str, ...], rows: list[tuple]) -> None:
    """INSERT ``rows`` (tuples in the order of ``keys``) into ``table``: as few multi-row
    ``INSERT ... VALUES (...), (...)`` statements as the bound values allow, the rows in order
    (so an id column left out numbers them in order, as one INSERT per row would): fewer
    round trips through the driver than ``executemany``'s one step per row."""
    if not rows:
        return
    w = writer(session, table, keys)
    conn = session.connection()
    values = w.params(rows)
    per = max(1, MAX_PARAMS // w.width)
    for start in range(0, len(values), per):
        chunk = values[start:start + per]
        conn.exec_driver_sql(w.many(len(chunk)), tuple(chain.from_iterable(chunk)))


def allocate_ids(session: Session, table: sa.Table, count: int) -> list[int]:
    """The ids the next ``count`` rows of ``table`` would get, taken now: PostgreSQL draws
    them from the column's sequence (they are used even if the transaction rolls back, as
    an INSERT would use them); SQLite gives the next after the largest (no AUTOINCREMENT), and
    this transaction holds the write lock, so nobody else takes them."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        rows = conn.execute(
            sa.text("SELECT nextval(pg_get_serial_sequence(:t, 'id')) FROM generate_series(1, :n)"),
            {"t": table.name, "n": count},
        ).all()
        return sorted(r[0] for r in rows)
    top = conn.execute(sa.select(sa.func.max(table.c.id))).scalar() or 0
    return list(range(top + 1, top + 1 + count))
