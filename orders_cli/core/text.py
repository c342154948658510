"""Checks for the text people type: names, e-mail addresses, dates."""

from __future__ import annotations

import re
from datetime import date

from .errors import Invalid

# What ``clean`` refuses: C0 controls (but tab and newline where multi-line), DEL and the C1
# controls, the line and paragraph separators.
_CONTROLS = re.compile("[\x00-\x1f\x7f-\x9f\u2028\u2029]")
_CONTROLS_MULTILINE = re.compile("[\x00-\x08\x0b-\x1f\x7f-\x9f\u2028\u2029]")
_SURROGATE = re.compile("[\ud800-\udfff]")
_EMAIL = re.compile(r"[^@\s<>,;\"']+@[^@\s<>,;\"']+\.[^@\s<>,;\"']+")


def clean(value: object, what: str, max_len: int = 200, required: bool = False, multiline: bool = False) -> str:
    """Trimmed text without control characters (tabs/newlines only where ``multiline``)."""
    if value is None:
        value = ""
    if not isinstance(value, str):
        raise Invalid(f"{what}: expected text, got {type(value).__name__}")
    text = value.strip()
    if not text.isprintable():  # every character refused here is unprintable: most text skips both checks
        if (_CONTROLS_MULTILINE if multiline else _CONTROLS).search(text):
            raise Invalid(f"{what}: control characters are not allowed")
        check_surrogates(text, what)
    if len(text) > max_len:
        raise Invalid(f"{what}: at most {max_len} characters (got {len(text)})")
    if required and not text:
        raise Invalid(f"{what} is required")
    return text


def has_surrogate(value: str) -> bool:
    """A lone surrogate (U+D800..U+DFFF): what JSON's ``"\\ud800"`` or a non-UTF-8 byte in argv
    (surrogateescape) gives; no database or terminal can store or print it as text."""
    return not value.isascii() and _SURROGATE.search(value) is not None


def check_surrogates(value: str, what: str) -> None:
    if has_surrogate(value):
        raise Invalid(f"{what}: a lone surrogate ({_escaped_surrogate(value)}) is not text: is the input UTF-8?")


def _escaped_surrogate(value: str) -> str:
    c = next(c for c in value if "\ud800" <= c <= "\udfff")
    return f"\\u{ord(c):04x}"


def shown(value: object, limit: int = 120) -> str:
    """A value the user gave (a file name, a URL), fit for a one-line message: as is when it is
    short plain text, else quoted with its control characters escaped, and cut to ``limit``."""
    text = str(value)
    if len(text) > limit:
        text = text[: limit - 3] + "..."
    return text if text.isprintable() else repr(text)


# Characters a terminal acts on instead of showing: C0/C1 controls and DEL (ESC starts colour and
# cursor sequences), the bidirectional embeddings, overrides and isolates (U+202E shows text
# backwards), the directional marks and the line / paragraph separators.
_UNSHOWN = re.compile("[\x00-\x1f\x7f-\x9f\u061c\u200e\u200f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def _escape(match: re.Match) -> str:
    code = ord(match.group())
    return f"\\x{code:02x}" if code < 0x100 else f"\\u{code:04x}"


def terminal(value: object, keep: str = "") -> str:
    """Stored text fit for a terminal: each control character and bidirectional override
    written as its escape (ESC as ``\\x1b``, U+202E as ``\\u202e``), everything else as is.
    ``keep``: control characters left alone (``"\\n"`` for a multi-line message)."""
    text = str(value)
    if text.isprintable():
        return text  # the common case; Cc/Cf/Zl/Zp characters are all not printable
    return _UNSHOWN.sub(lambda m: m.group() if m.group() in keep else _escape(m), text)


def optional(value: object, what: str, max_len: int = 200) -> str | None:
    text = clean(value, what, max_len)
    return text or None


def email(value: object, what: str = "email") -> str | None:
    text = clean(value, what, 254)
    if not text:
        return None
    if not _EMAIL.fullmatch(text):
        raise Invalid(f"{what}: not an e-mail address: {text!r}")
    return text


def parse_date(value: object, what: str = "date") -> date:
    if isinstance(value, date):
        return value
    if not isinstance(value, str):
        raise Invalid(f"{what}: expected a date YYYY-MM-DD, got {type(value).__name__}")
    text = value.strip()
    if not re.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}", text):
        raise Invalid(f"{what}: expected a date YYYY-MM-DD, got {text[:30]!r}")
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Invalid(f"{what}: no such date: {text!r}") from None


def expand_user(path):
    """``path`` (a ``pathlib.Path``) with ``~`` and ``~user`` expanded; a ``~name`` of no such
    user (or no home) stays as written, as a shell leaves it."""
    try:
        return path.expanduser()
    except RuntimeError:
        return path


# Letters whose mark Unicode does not decompose (a stroke, a ligature), read as people type
# them on a keyboard without them: Łódź is lodz, Øre is ore, œuvre is oeuvre.
_UNMARKED = str.maketrans({"ł": "l", "ø": "o", "đ": "d", "ħ": "h", "ŧ": "t", "ƀ": "b", "ƶ": "z", "ı": "i", "æ": "ae", "œ": "oe"})


def fold_chars(value: str) -> str:
    """``value`` with case and accents folded, each character on its own (spaces as they are):
    what ``folded`` compares, before it collapses the spaces."""
    import unicodedata

    base = unicodedata.normalize("NFKD", str(value).casefold())
    # casefolded again: a compatibility decomposition may give capitals (№ is No, ™ is TM)
    return "".join(c for c in base if not unicodedata.combining(c)).casefold().translate(_UNMARKED)


def folded(value: str) -> str:
    """``value`` as look-ups compare it: case and accents ignored (``Hôtel`` -> ``hotel``,
    ``Łódź`` -> ``lodz``), inner spaces collapsed."""
    value = str(value)
    if value.isascii():  # the common case, and the same result: nothing to decompose
        return " ".join(value.lower().split())
    return " ".join(fold_chars(value).split())


def closest(ref: str, candidates, limit: int = 3) -> list[str]:
    """The few ``candidates`` nearest to ``ref`` (case and accents ignored), best first."""
    import difflib

    by_fold: dict[str, str] = {}
    for c in candidates:
        by_fold.setdefault(folded(c), c)
    near = difflib.get_close_matches(folded(ref), list(by_fold), n=limit, cutoff=0.5)
    return [by_fold[k] for k in near]


def did_you_mean(ref: str, candidates, limit: int = 3) -> str:
    """``; did you mean X, Y?`` for the closest candidates, or '' when none is near."""
    near = closest(ref, candidates, limit)
    return f"; did you mean {', '.join(near)}?" if near else ""
