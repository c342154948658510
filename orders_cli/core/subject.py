"""Recurring invoice subjects (SPEC.md §4): ``{YYYY}`` ``{YY}`` ``{MM}`` ``{MMM}`` ``{DD}`` ``{Q}``.

Tokens are taken from the invoice date; ``{MMM}`` is the month's full name in the
order's language (Babel). Anything else in braces, and unbalanced braces, stays
exactly as written. Babel is imported lazily: importing this module stays cheap.
"""

from __future__ import annotations

import re
from datetime import date
from functools import lru_cache

from .errors import Invalid

DEFAULT_LANGUAGE = "en"

_TOKEN = re.compile(r"\{(YYYY|YY|MMM|MM|DD|Q)\}")


def check_language(code: str) -> str:
    """The normalised locale code ("fr", "en_GB", "de_CH"...) if Babel knows it, else Invalid.

    Accepts ``-`` as separator and any case: ``"en-gb"`` -> ``"en_GB"``.
    """
    if not isinstance(code, str) or not code.strip():
        raise Invalid(f"unknown language {code!r}: expected a locale code such as 'en', 'fr', 'de', 'en_GB'")
    return _normalise(code.strip().replace("-", "_"))


@lru_cache(maxsize=64)
def _normalise(code: str) -> str:
    from babel import Locale, UnknownLocaleError

    try:
        return str(Locale.parse(code))
    except (UnknownLocaleError, ValueError, TypeError):
        raise Invalid(
            f"unknown language {code!r}: expected a locale code such as 'en', 'fr', 'de', 'en_GB'"
        ) from None


@lru_cache(maxsize=64)
def _month_names(language: str) -> tuple[str, ...]:
    """The 12 wide month names (January first) for an already normalised locale."""
    from babel.dates import get_month_names

    names = get_month_names("wide", locale=language)
    return tuple(names[m] for m in range(1, 13))


def month_name(month: int, language: str = DEFAULT_LANGUAGE) -> str:
    """The full name of ``month`` (1..12) in ``language``: ``month_name(3, "fr") == "mars"``."""
    return _month_names(check_language(language or DEFAULT_LANGUAGE))[month - 1]


def render(
    template: str | None,
    invoice_date: date,
    language: str = DEFAULT_LANGUAGE,
    fallback: str = "",
) -> str:
    """Fill the date tokens of ``template`` from ``invoice_date``.

    A None, empty or blank template gives ``fallback`` (the order's subject).
    ``language`` (None/empty -> English) is checked only when ``{MMM}`` is used.
    """
    if template is None or not template.strip():
        return fallback
    if not isinstance(invoice_date, date):
        raise Invalid(f"invoice date: expected a date, got {invoice_date!r}")
    d = invoice_date

    def token(match: re.Match[str]) -> str:
        name = match.group(1)
        if name == "YYYY":
            return f"{d.year:04d}"
        if name == "YY":
            return f"{d.year % 100:02d}"
        if name == "MM":
            return f"{d.month:02d}"
        if name == "MMM":
            return month_name(d.month, language)
        if name == "DD":
            return f"{d.day:02d}"
        return str((d.month - 1) // 3 + 1)  # Q

    return _TOKEN.sub(token, template)
