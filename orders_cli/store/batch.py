"""A run of short transactions on one connection (``recur run``: one transaction, one commit,
per invoice), without a Session and a connection checkout per transaction.

Each ``begin(conn)`` has the guarantees of ``database.transaction``: it commits on success and
rolls back everything on any error (a database error comes out translated the same way); on a
write connection it starts by taking the write lock, through the engine's ``begin`` event
(BEGIN IMMEDIATE on SQLite, the writers' advisory lock on PostgreSQL), so two writers queue
instead of failing half way. Statements run through SQLAlchemy Core on both backends.
"""

from __future__ import annotations

import weakref
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


class Prepared:
    """A Core statement compiled once for ``conn``'s dialect and then run straight on the DBAPI
    cursor of ``conn``, in ``conn``'s transaction: for the few statements a run repeats
    thousands of times (``recur run``: a handful per invoice), SQLAlchemy's per-execution work
    (cache key, execution context, result set-up) is done once here instead of every time.

    The values are those ``conn.execute`` would send and hand back: the parameters go through
    the compiled statement's ``construct_params`` and bind processors (the TypeDecorators of
    schema.py, the dialect's dates and booleans), the Python-side scalar defaults of an insert's
    other columns are filled in as SQLAlchemy fills them, and the rows through each selected
    column's result processor. A DBAPI error comes out as SQLAlchemy's ``DBAPIError`` (so the
    callers' translation is unchanged), and a lost connection is invalidated, as with
    ``execute``. ``keys``: the parameter names of an insert (its columns). No expanding (IN)
    parameters, no executemany with RETURNING."""

    def __init__(self, conn: sa.Connection, stmt, keys=None):
        dialect = conn.dialect
        compiled = stmt.compile(dialect=dialect, column_keys=list(keys) if keys is not None else None)
        if compiled.literal_execute_params or compiled.post_compile_params:
            raise ValueError("Prepared: no expanding or literal-execute parameters")
        self.defaults = {}
        for col in (*compiled.insert_prefetch, *compiled.update_prefetch):
            if col.default is None or not col.default.is_scalar:
                raise ValueError(f"Prepared: column {col.key} has a default that is not a constant")
            self.defaults[col.key] = col.default.arg
        self.compiled, self.dialect, self.sql = compiled, dialect, compiled.string
        self.processors = compiled._bind_processors  # what DefaultExecutionContext applies
        self.positions = compiled.positiontup if compiled.positional else None
        self.escaped = compiled.escaped_bind_names
        self.columns = [c[3] for c in compiled._result_columns] if compiled._result_columns else None
        self.result_processors = None
        self.error = dialect.loaded_dbapi.Error

    def _parameters(self, params: dict):
        values = self.compiled.construct_params({**self.defaults, **params} if self.defaults else params, escape_names=False)
        procs = self.processors
        if self.positions is not None:
            return self.dialect.execute_sequence_format([procs[k](values[k]) if k in procs else values[k] for k in self.positions])
        escaped = self.escaped
        return {escaped.get(k, k) if escaped else k: (procs[k](v) if k in procs else v) for k, v in values.items()}

    def _run(self, conn: sa.Connection, params, many: bool):
        dbapi_conn = conn.connection.dbapi_connection
        cursor = dbapi_conn.cursor()
        try:
            if many:
                cursor.executemany(self.sql, [self._parameters(p) for p in params])
            else:
                cursor.execute(self.sql, self._parameters(params))
            return cursor
        except self.error as err:
            gone = self.dialect.is_disconnect(err, dbapi_conn, cursor)
            cursor.close()
            wrapped = exc.DBAPIError.instance(self.sql, params, err, self.error, connection_invalidated=gone, dialect=self.dialect)
            if gone:
                conn.invalidate(wrapped)
            raise wrapped from err

    def rows(self, conn: sa.Connection, params: dict | None = None) -> list[tuple]:
        """The rows of a select (or of RETURNING), as tuples of processed values."""
        cursor = self._run(conn, params or {}, many=False)
        try:
            raw = cursor.fetchall()
            if self.result_processors is None:  # (the column types of the first result: SQLAlchemy's own processors)
                types = self.columns or [None] * len(cursor.description)
                procs = [t._cached_result_processor(self.dialect, d[1]) if t is not None else None for t, d in zip(types, cursor.description)]
                self.result_processors = [(i, p) for i, p in enumerate(procs) if p is not None]
        finally:
            cursor.close()
        typed = self.result_processors
        if not typed:
            return [tuple(r) for r in raw]
        out = []
        for r in raw:
            r = list(r)
            for i, p in typed:
                r[i] = p(r[i])
            out.append(tuple(r))
        return out

    def run(self, conn: sa.Connection, params: dict | list[dict]) -> int:
        """Execute (executemany for a list); returns the row count."""
        cursor = self._run(conn, params, many=isinstance(params, list))
        try:
            return cursor.rowcount
        finally:
            cursor.close()


_PREPARED: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # dialect -> {(statement, keys): Prepared}


def prepared(conn: sa.Connection, stmt, keys=None) -> Prepared:
    """``Prepared(conn, stmt, keys)``, made once per dialect (per database of the process)."""
    mine = _PREPARED.setdefault(conn.dialect, {})
    key = (stmt, tuple(keys) if keys is not None else None)
    found = mine.get(key)
    if found is None:
        found = mine[key] = Prepared(conn, stmt, keys)
    return found
