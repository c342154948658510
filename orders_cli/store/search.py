"""``--search TEXT`` on the lists: words matched case- and accent-insensitively, in SQL.

The text is folded as look-ups fold names (``core.text.folded``: case, accents and inner
spaces ignored) and cut into words; a row matches when every word is inside one of its
fields (``muller reassort`` finds Café Müller's "Réassort de printemps"). A word may also be a
document number the way look-ups read one (``so-1`` is SO-00001: ``refs``).

The columns are folded by the database, so a big book is filtered where it lies, streamed and
limited there, never read whole into Python:

- SQLite: the function ``orders_fold``, registered on the connection, is ``folded`` itself
  (SQLite calls it row by row inside the query).
- PostgreSQL: the same mapping written in SQL, built here from Python's own Unicode tables:
  ``normalize(x, NFKD)``, the accents dropped (one ``regexp_replace``), ``lower``, a
  ``translate`` of the letters Unicode does not decompose (Ł, Ø, Greek and Cyrillic capitals,
  the other spaces) and a few ``replace`` (æ, œ, ß); plain ASCII text (as many bytes as
  characters) takes a shortcut. No extension (``unaccent``), any locale. Before PostgreSQL 13
  (no ``normalize``) a slower ``translate`` of every covered character. Covered: Latin, Greek,
  Cyrillic, accents, ligatures, full-width forms, spaces; other scripts compare there as
  stored (tests/test_sales_verbs.py checks both backends agree with ``folded``).
"""

from __future__ import annotations

import functools
import unicodedata

import sqlalchemy as sa

from orders_cli.core import text as text_rules
from orders_cli.core.errors import Invalid

MAX_WORDS = 12
# What the PostgreSQL mapping covers: ASCII's spaces, Latin, the accents, Greek, Cyrillic,
# Latin and Greek Extended, the spaces and dots of General Punctuation, letter-like symbols and
# number forms, ligatures, full width.
_RANGES = (
    (0x09, 0x0E), (0x1C, 0x20), (0x80, 0x250), (0x300, 0x530), (0x1680, 0x1681), (0x1AB0, 0x1B00), (0x1DC0, 0x2030),
    (0x205F, 0x2060), (0x20D0, 0x2190), (0x3000, 0x3001), (0xFB00, 0xFB07), (0xFE20, 0xFE30), (0xFF01, 0xFF5F),
)
_KEPT = "\u0345"  # the iota subscript is casefolded (to ι), not dropped: ᾳ is αι
_ASCII_SPACES = "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f"


def _raw(c: str) -> str:
    """One character as ``folded`` turns it inside a text (before the spaces are collapsed)."""
    return " " if c.isspace() else text_rules.fold_chars(c)


def _characters():
    for lo, hi in _RANGES:
        for cp in range(lo, hi):
            c = chr(cp)
            if unicodedata.category(c) not in ("Cn", "Co", "Cs") and (unicodedata.category(c) != "Cc" or c.isspace()):
                yield c


@functools.lru_cache(maxsize=1)
def _pg_tables() -> tuple[str, str, tuple[tuple[str, str], ...], str]:
    """PostgreSQL 13 and later, after ``normalize(x, NFKD)``, the accents dropped and ``lower``:
    (translate from, translate to, [(letter, its expansion)], the accents as a regex class).
    The letters are the decomposed ones, capitals too (a database whose ctype is C lowers ASCII
    only)."""
    single, multi = {}, {}
    for c in _characters():
        for k in unicodedata.normalize("NFKD", c):
            if (k.isascii() and not k.isspace()) or (unicodedata.combining(k) and k not in _KEPT):
                continue
            out = _raw(k)
            if out != k:
                (single if len(out) == 1 else multi)[k] = out
    runs, start = [], None
    for cp in range(0x300, 0x20001):
        on = cp < 0x20000 and unicodedata.combining(chr(cp)) != 0 and chr(cp) not in _KEPT
        if on and start is None:
            start = cp
        elif not on and start is not None:
            runs.append(chr(start) if start == cp - 1 else f"{chr(start)}-{chr(cp - 1)}")
            start = None
    return "".join(single), "".join(single.values()), tuple(multi.items()), "[" + "".join(runs) + "]"


@functools.lru_cache(maxsize=1)
def _pg_legacy_tables() -> tuple[str, str, str, tuple[tuple[str, str], ...]]:
    """PostgreSQL before 13 (no ``normalize``): every covered character mapped on its own,
    (translate from, translate to, deleted, [(characters, their expansion)]): slower."""
    src, dst, gone, multi = [], [], [], {}
    for c in _characters():
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


@functools.lru_cache(maxsize=8192)  # a book repeats its SKUs, descriptions and account names
def fold_value(value):
    """``orders_fold`` of SQLite: ``folded`` (NULL stays NULL)."""
    return None if value is None else text_rules.folded(str(value))


def prepare(session) -> str:
    """The folding's dialect (``sqlite``, ``postgresql``, ``postgresql-legacy`` before 13, or
    another's name), after registering ``orders_fold`` on a SQLite connection (once each)."""
    conn = session.connection()
    name = conn.dialect.name
    if name == "sqlite":
        info = conn.connection.info
        if not info.get("orders_fold"):
            conn.connection.driver_connection.create_function("orders_fold", 1, fold_value, deterministic=True)
            info["orders_fold"] = True
    elif name == "postgresql" and (conn.dialect.server_version_info or (13,)) < (13,):
        return "postgresql-legacy"
    return name


def _text(name: str, value: str):
    return sa.bindparam(name, value, type_=sa.String)


def _spaces(expr):
    """Runs of spaces as one, none at the ends (the spaces are all plain ones by then)."""
    return sa.func.btrim(sa.func.regexp_replace(expr, " {2,}", " ", "g"), " ", type_=sa.String)


def fold(expr, dialect: str):
    """``expr`` folded by the database (see the module's docstring)."""
    if dialect == "sqlite":
        return sa.func.orders_fold(expr, type_=sa.String)
    if dialect == "postgresql-legacy":
        return _legacy_fold(expr)
    if dialect != "postgresql":
        return sa.func.lower(expr)
    src, dst, multi, accents = _pg_tables()
    out = sa.func.regexp_replace(sa.func.normalize(expr, sa.literal_column("NFKD")), _text("fold_accents", accents), "", "g")
    out = sa.func.translate(sa.func.lower(out), _text("fold_src", src), _text("fold_dst", dst))
    for i, (letter, expansion) in enumerate(multi):
        out = sa.func.replace(out, _text(f"fold_c{i}", letter), _text(f"fold_x{i}", expansion))
    ascii_only = sa.func.translate(sa.func.lower(expr), _text("fold_ascii", _ASCII_SPACES), _text("fold_blanks", " " * len(_ASCII_SPACES)))
    # plain ASCII (as many bytes as characters: most SKUs, numbers, many names) skips the rest
    return _spaces(sa.case((sa.func.octet_length(expr) == sa.func.char_length(expr), ascii_only), else_=out))


def _legacy_fold(expr):
    src, dst, gone, multi = _pg_legacy_tables()
    out = expr
    for i, (chars, expansion) in enumerate(multi):
        to = _text(f"fold_x{i}", expansion)
        if len(chars) == 1:
            out = sa.func.replace(out, _text(f"fold_c{i}", chars), to)
        else:
            out = sa.func.regexp_replace(out, _text(f"fold_c{i}", f"[{chars}]"), to, "g")
    out = sa.func.translate(out, _text("fold_src", src + gone), _text("fold_dst", dst))
    return _spaces(sa.func.lower(out))


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
    # the fields of a row folded at once, joined by a space: a word (no space in it) is in the
    # joined text exactly when it is in one field, and each row costs one call, not one a field
    text, linked = fold(_joined(fields), dialect), [(link, fold(_joined(cols), dialect)) for link, cols in related]
    every = []
    for word in found:
        hit = [text.contains(word, autoescape=True)]
        hit += [sa.func.lower(c).in_(_number_forms(word)) for c in numbers]
        hit += [sa.exists().where(link, other.contains(word, autoescape=True)) for link, other in linked]
        every.append(sa.or_(*hit))
    return sa.and_(*every)


def _joined(columns):
    out = sa.func.coalesce(columns[0], "", type_=sa.String)
    for column in columns[1:]:
        out = out + " " + sa.func.coalesce(column, "", type_=sa.String)
    return out
