"""The values shell completion proposes (document numbers, names, SKUs), read straight from
the database without SQLAlchemy: the standard library's ``sqlite3`` on a SQLite file (on a
connection that refuses writes, opened only when the file is there, so none is created), ``psycopg`` on PostgreSQL when it is installed
(else nothing is proposed). Any failure (no database, an older schema, a lock, a server that does
not answer) proposes nothing: completion never prints an error.

Standard library only at the top: this runs before Typer or SQLAlchemy is imported.
"""

from __future__ import annotations

from pathlib import Path

from orders_cli.core.text import folded

# kind -> (table, column, how it is compared: "code" an ASCII-like code (LIKE narrows it), "name" free text)
SOURCES = {
    "order": ("sales_order", "number", "code"),
    "quote": ("quote", "number", "code"),
    "invoice": ("invoice", "number", "code"),
    "credit": ("credit_note", "number", "code"),
    "delivery": ("delivery", "number", "code"),
    "purchase": ("purchase_order", "number", "code"),
    "sku": ("product", "sku", "code"),
    "account": ("account", "name", "name"),
    "vendor": ("vendor", "name", "name"),
    "tax": ("tax", "name", "name"),
    "user": ("app_user", "name", "name"),
    "contact": ("contact", "name", "name"),
}
LIMIT = 200  # proposals at most (the newest records first): the user types more to narrow
PG_TIMEOUT_S = 2


def fold(value: str) -> str:
    """Case (and accents) ignored, as look-ups compare names: ``hôtel`` matches ``Hôtel``."""
    return value.casefold() if value.isascii() else folded(value)


def matches(prefix: str, values) -> list[str]:
    """``values`` that start with ``prefix``, case- and accent-insensitively, in their order."""
    start = fold(prefix)
    return [v for v in values if isinstance(v, str) and fold(v).startswith(start)]


def values(target: str, kind: str, prefix: str) -> list[str]:
    """The ``kind`` values (see ``SOURCES``) of the database ``target`` (``--db``) starting with
    ``prefix``; [] when there is nothing to read or anything goes wrong."""
    if "+" in kind:  # several kinds (payment add: an invoice or a credit note)
        return sorted({v for part in kind.split("+") for v in values(target, part, prefix)}, key=fold)
    if kind not in SOURCES or "\x00" in target or "\x00" in prefix:
        return []
    try:
        if "://" in target and not target.startswith("sqlite:"):
            return _postgres(target, kind, prefix)
        return _sqlite(target, kind, prefix)
    except Exception:  # noqa: BLE001 - completion proposes nothing rather than fail
        return []


def _like(prefix: str) -> str:
    return prefix.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"


def _query(kind: str, prefix: str, placeholder: str, like: str) -> tuple[str, tuple]:
    table, column, how = SOURCES[kind]
    if how == "code" and prefix.isascii():
        return (f"SELECT {column} FROM {table} WHERE {column} {like} {placeholder} ESCAPE '\\' "
                f"ORDER BY id DESC LIMIT {LIMIT}"), (_like(prefix),)
    return f"SELECT {column} FROM {table} ORDER BY id DESC", ()


MAX_CASE_LETTERS = 4  # up to 16 spellings of a code's prefix walked as index ranges; more: LIKE


def _spellings(prefix: str) -> list[str] | None:
    """Every upper/lower-case spelling of an ASCII ``prefix`` (``so-1``: SO-1, So-1, sO-1,
    so-1), or None when it has too many letters to walk them all."""
    letters = [i for i, c in enumerate(prefix) if c.isalpha()]
    if len(letters) > MAX_CASE_LETTERS:
        return None
    out = []
    for mask in range(1 << len(letters)):
        chars = list(prefix.lower())
        for bit, i in enumerate(letters):
            if mask >> bit & 1:
                chars[i] = chars[i].upper()
        out.append("".join(chars))
    return out


def _sqlite_codes(con, kind: str, prefix: str) -> list[str] | None:
    """A code's values through its unique index: one range per spelling of the prefix (SQLite
    compares text byte-wise; LIKE would walk the whole table for a prefix few values have),
    the highest in text order first (the newest of numbers of one width)."""
    table, column, how = SOURCES[kind]
    spellings = _spellings(prefix) if how == "code" and prefix.isascii() else None
    if spellings is None:
        return None
    found: set[str] = set()
    for start in spellings:
        found.update(row[0] for row in con.execute(
            f"SELECT {column} FROM {table} WHERE {column} >= ? AND {column} < ? ORDER BY {column} DESC LIMIT {LIMIT}",
            (start, start + "\U0010ffff")))
    return _pick([(v,) for v in sorted(found, reverse=True)], prefix)


def _pick(rows, prefix: str) -> list[str]:
    found = matches(prefix, (row[0] for row in rows))[:LIMIT]
    return sorted(found, key=fold)


def sqlite_path(target: str) -> Path | None:
    """The file of a SQLite ``--db`` (a path or ``sqlite:///`` URL, as the engine opens it:
    ``store.target.sqlite_file``); None for an in-memory one or a server."""
    from orders_cli.store.target import sqlite_file

    return sqlite_file(target)


def reader(path: Path, timeout_ms: int):
    """A sqlite3 connection to the existing file ``path`` that refuses writes. Not ``mode=ro``:
    a read-only connection that finds no -wal file leaves an empty -wal and -shm behind it (it
    may not remove them); ``mode=rw`` creates no file either, and on close tidies them as the
    ORM's connections do, while ``query_only`` refuses any write. ``timeout_ms``: how long to
    wait for a lock (as database.BUSY_TIMEOUT_MS)."""
    import sqlite3

    con = sqlite3.connect(f"{path.resolve().as_uri()}?mode=rw", uri=True, timeout=timeout_ms / 1000, isolation_level=None)
    try:
        con.execute("PRAGMA query_only=1")
    except BaseException:
        con.close()
        raise
    return con


def _sqlite(target: str, kind: str, prefix: str) -> list[str]:
    path = sqlite_path(target)
    if path is None or not path.is_file():
        return []
    con = reader(path, 200)
    try:
        codes = _sqlite_codes(con, kind, prefix)
        if codes is not None:
            return codes
        sql, params = _query(kind, prefix, "?", "LIKE")  # SQLite's LIKE ignores ASCII case
        return _pick(con.execute(sql, params), prefix)
    finally:
        con.close()


def _postgres(target: str, kind: str, prefix: str) -> list[str]:
    import importlib.util

    if not target.startswith("postgresql") or importlib.util.find_spec("psycopg") is None:
        return []  # another server, or no driver without SQLAlchemy: nothing proposed
    import psycopg

    scheme, rest = target.split("://", 1)
    url = "postgresql://" + rest  # SQLAlchemy's postgresql+psycopg:// is libpq's postgresql://
    if "+" in scheme and not scheme.endswith(("+psycopg", "+psycopg2", "+psycopg_async")):
        return []
    with psycopg.connect(url, connect_timeout=PG_TIMEOUT_S, options="-c statement_timeout=2000") as con:
        sql, params = _query(kind, prefix, "%s", "ILIKE")
        return _pick(con.execute(sql, params).fetchall(), prefix)


def database_target(db: str | None) -> str:
    """The database this run would use (``--db``, else ORDERS_DB, else the default file), as
    ``store.target`` resolves it for every command."""
    from orders_cli.store import target

    target.use(db)
    return target.db_target()
