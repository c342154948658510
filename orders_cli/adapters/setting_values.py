"""The validators of the settings' values (``settings.KEYS`` names one per key): each takes
what was typed or read from the file and returns the value to store, or raises Invalid."""

from __future__ import annotations

import re
from typing import Any, Callable

from orders_cli.core import ledger
from orders_cli.core.errors import Invalid
from orders_cli.core.money import D, ascii_int, fmt_money, money, plain
from orders_cli.core.text import has_surrogate


def _text(max_len: int = 500) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected text, got {value!r}")
        if len(value) > max_len:
            raise Invalid(f"at most {max_len} characters")
        if any(ord(c) < 32 and c not in "\n\t" for c in value):
            raise Invalid("control characters are not allowed")
        if has_surrogate(value):
            raise Invalid("a lone surrogate is not text: is the input UTF-8?")
        return value

    return check


def _email(value: Any) -> str:
    value = _text(254)(value).strip()
    if value and not re.fullmatch(r"[^@\s<>]+@[^@\s<>]+", value):
        raise Invalid(f"not an e-mail address: {value!r}")
    return value


def _currency(value: Any) -> str:
    value = _text(3)(value).strip().upper()
    if not re.fullmatch(r"[A-Z]{3}", value):
        raise Invalid(f"a currency is a 3-letter ISO 4217 code (EUR, USD, GBP), got {value!r}")
    return value


def _language(value: Any) -> str:
    value = _text(20)(value).strip()
    if not re.fullmatch(r"[a-z]{2,3}(_[A-Z]{2})?", value):
        raise Invalid(f"a language is a code like en, fr, de or en_GB, got {value!r}")
    return value


def _prefix(value: Any) -> str:
    value = _text(12)(value)
    if not value or any(c.isspace() for c in value):
        raise Invalid("a prefix is 1 to 12 characters without spaces")
    return value


def _port(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(f"a port is a whole number from 1 to 65535, got {value!r}")
    try:
        port = ascii_int(value)
    except ValueError:
        raise Invalid(f"a port is a whole number from 1 to 65535, got {value!r}") from None
    if not 1 <= port <= 65535:
        raise Invalid(f"a port is a whole number from 1 to 65535, got {value!r}")
    return port


def _days(value: Any) -> int:
    if isinstance(value, bool):
        raise Invalid(f"expected a whole number of days from 0 to 3650, got {value!r}")
    try:
        days = ascii_int(value)
    except ValueError:
        raise Invalid(f"expected a whole number of days from 0 to 3650, got {value!r}") from None
    if not 0 <= days <= 3650:
        raise Invalid(f"expected a whole number of days from 0 to 3650, got {value!r}")
    return days


def _choice(*allowed: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        if value not in allowed:
            raise Invalid(f"expected one of {', '.join(allowed)}, got {value!r}")
        return value

    return check


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in ("true", "yes", "on", "1"):
        return True
    if text in ("false", "no", "off", "0"):
        return False
    raise Invalid(f"expected true or false, got {value!r}")


def _day_list(value: Any) -> list[int]:
    """``reminders.days``: ``[7, 15, 30]`` in the file, ``7,15,30`` (or ``7 15 30``) on the command line."""
    wanted = "whole numbers of days from 1 to 3650 in increasing order, like 7,15,30"
    if isinstance(value, str):
        parts: list[Any] = [p for p in re.split(r"[\s,;]+", value.strip().strip("[]")) if p]
    elif isinstance(value, list):
        parts = value
    else:
        raise Invalid(f"expected {wanted}, got {value!r}")
    if not 1 <= len(parts) <= 20:
        raise Invalid(f"expected 1 to 20 {wanted}")
    days = []
    for part in parts:
        try:
            if isinstance(part, bool) or not isinstance(part, (int, str)):
                raise ValueError
            day = ascii_int(part)
        except ValueError:
            raise Invalid(f"expected {wanted}, got {part!r}") from None
        if not 1 <= day <= 3650:
            raise Invalid(f"expected {wanted}, got {day}")
        days.append(day)
    if any(b <= a for a, b in zip(days, days[1:])):
        raise Invalid(f"expected {wanted} (each level after the one before), got {','.join(map(str, days))}")
    return days


def _rate(value: Any) -> str:
    """A yearly rate in percent, exact text (``12.15``)."""
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    d = D(value, "rate")
    if not 0 <= d <= 100 or (d != 0 and d.as_tuple().exponent < -4):  # type: ignore[operator]
        raise Invalid(f"a rate is a percentage from 0 to 100 with at most 4 decimal places, got {value!r}")
    return plain(d)


def _amount(value: Any) -> str:
    if isinstance(value, int) and not isinstance(value, bool):
        value = str(value)
    d = money(value, "amount")
    if d < 0:
        raise Invalid(f"an amount must not be negative, got {value!r}")
    return fmt_money(d)


def _url(value: Any) -> str:
    value = _text(500)(value).strip().rstrip("/")
    if not re.fullmatch(r"https?://[^\s/?#]+(/[^\s?#]*)?", value):
        raise Invalid(f"expected an http:// or https:// address such as https://portal.example.com, got {value!r}")
    return value


def _optional_text(value: Any) -> str:
    return _text(200)(value).strip()


def _stripped(max_len: int) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        return _text(max_len)(value).strip()

    return check


def _identity(check: Callable[..., str]) -> Callable[[Any], str]:
    """A core/identity check as a settings validator (``set_value`` names the key)."""

    def validate(value: Any) -> str:
        if not isinstance(value, str):
            raise Invalid(f"expected text, got {value!r}")
        return check(value, None)

    return validate


def _ledger_account(role: str) -> Callable[[Any], str]:
    def check(value: Any) -> str:
        return ledger.check_account(value, role)

    return check


def _aux_prefix(value: Any) -> str:
    return ledger.check_aux_prefix(value)
