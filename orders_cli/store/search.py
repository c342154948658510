"""``--search TEXT`` on the lists: words matched case- and accent-insensitively, in SQL.

The text is folded as look-ups fold names (``core.text.folded``: case, accents and inner
spaces ignored) and cut into words; a row matches when every word is inside one of its
fields (``muller reassort`` finds Café Müller's "Réassort de printemps"). A word may also be a
document number the way look-ups read one (``so-1`` is SO-00001: ``refs``).

The columns are folded by the database, so a big book is filtered where it lies, streamed and
limited there, never read whole into Python:

- SQLite: the function ``orders_fold``, registered on the connection, is ``folded`` itself
  (SQLite calls it row by row inside the query).
- PostgreSQL: the same mapping written in SQL (``translate``, a few ``replace`` and
  ``regexp_replace``, ``lower``, ``btrim``), built here from Python's own Unicode tables for
  the Latin, Greek and Cyrillic letters, the combining accents, ligatures, full-width forms
  and the spaces; it needs no extension (``unaccent``) and no locale. Letters of other
  scripts compare there as stored (tests/test_sales_verbs.py checks both backends agree on
  the names a European business keeps).
"""

from __future__ import annotations

import functools
import unicodedata

import sqlalchemy as sa

from orders_cli.core import text as text_rules
from orders_cli.core.errors import Invalid

MAX_WORDS = 12
_RANGES = (
    (0x09, 0x0E), (0x1C, 0x20), (0x80, 0x250), (0x300, 0x530), (0x1AB0, 0x1B00), (0x1DC0, 0x2000), (0x2000, 0x2030),
    (0x205F, 0x2060), (0x20D0, 0x2100), (0x3000, 0x3001), (0xFB00, 0xFB07), (0xFE20, 0xFE30), (0xFF01, 0xFF5F),
)


def _raw(c: str) -> str:
    """One character as ``folded`` turns it inside a text (before the spaces are collapsed)."""
    return " " if c.isspace() else text_rules.fold_chars(c)


@functools.lru_cache(maxsize=1)
def _pg_tables() -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """(translate from, translate to, deleted, [(characters, their expansion)]) for PostgreSQL."""
    src, dst, gone, multi = [], [], [], {}
    for lo, hi in _RANGES:
        for cp in range(lo, hi):
            c = chr(cp)
            if unicodedata.category(c) in ("Cn", "Co", "Cs") or (unicodedata.category(c) == "Cc" and not c.isspace()):
                continue
            out = _raw(c)
            if out == c:
                continue
            if len(out) == 1:
                src.append(c)
                dst.append(out)
            elif not out:
                gone.append(c)
            else:
                multi.setdefault(out, []).append(c)
    return "".join(src), "".join(dst), "".join(gone), tuple(("".join(cs), out) for out, cs in multi.items())


def fold_value(value):
    """``orders_fold`` of SQLite: ``folded`` (NULL stays NULL)."""
    return None if value is None else text_rules.folded(str(value))


def prepare(session) -> str:
    """The dialect's name, after registering ``orders_fold`` on a SQLite connection (once each)."""
    conn = session.connection()
    name = conn.dialect.name
    if name == "sqlite":
        info = conn.connection.info
        if not info.get("orders_fold"):
            conn.connection.driver_connection.create_function("orders_fold", 1, fold_value, deterministic=True)
            info["orders_fold"] = True
    return name


def fold(expr, dialect: str):
    """``expr`` folded by the database (see the module's docstring)."""
    if dialect == "sqlite":
        return sa.func.orders_fold(expr, type_=sa.String)
    if dialect != "postgresql":
        return sa.func.lower(expr)
    src, dst, gone, multi = _pg_tables()
    out = expr
    for i, (chars, expansion) in enumerate(multi):
        to = sa.bindparam(f"fold_x{i}", expansion, type_=sa.String)
        if len(chars) == 1:
            out = sa.func.replace(out, sa.bindparam(f"fold_c{i}", chars, type_=sa.String), to)
        else:
            out = sa.func.regexp_replace(out, sa.bindparam(f"fold_c{i}", f"[{chars}]", type_=sa.String), to, "g")
    out = sa.func.translate(out, sa.bindparam("fold_src", src + gone, type_=sa.String), sa.bindparam("fold_dst", dst, type_=sa.String))
    out = sa.func.regexp_replace(sa.func.lower(out), "  +", " ", "g")
    return sa.func.btrim(out, " ", type_=sa.String)


def words(search: object) -> list[str]:
    """The folded words of ``--search`` (refused: no text, control characters, too long)."""
    value = text_rules.clean(search, "--search", 200)
    found = text_rules.folded(value).split()
    if not found:
        raise Invalid("--search: give some text to look for")
    if len(found) > MAX_WORDS:
        raise Invalid(f"--search: at most {MAX_WORDS} words (got {len(found)})")
    return list(dict.fromkeys(found))


def clause(session, search: object, fields, numbers=(), related=()):
    """The WHERE clause of ``--search``: every word in one of ``fields`` (columns), or one of
    ``numbers`` read as a document number (``so-1``), or in one of the columns of a related
    row: ``related`` is ``[(link, columns)]``, an EXISTS over the rows ``link`` joins (a
    document's lines by SKU and description)."""
    from orders_cli.store.refs import _number_forms

    found = words(search)
    dialect = prepare(session)
    every = []
    for word in found:
        hit = [fold(c, dialect).contains(word, autoescape=True) for c in fields]
        hit += [sa.func.lower(c).in_(_number_forms(word)) for c in numbers]
        hit += [sa.exists().where(link, sa.or_(*[fold(c, dialect).contains(word, autoescape=True) for c in cols])) for link, cols in related]
        every.append(sa.or_(*hit))
    return sa.and_(*every)
