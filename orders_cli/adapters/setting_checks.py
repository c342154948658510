"""The settings checks that look beyond the value itself (issue 18, item 12): a logo must be a
readable PNG or JPEG, a templates folder a folder, a language one the document templates
speak, a rate typed as a number a percentage from 0 to 100; and a mistyped key is answered
with the closest known ones. ``settings`` runs them when a key is set; a value already in the
file is read as it is (the logo may have moved since: the documents then print without it).

``charges.tax`` (an existing tax) needs the database: ``orders config set`` checks it.
"""

from __future__ import annotations

import os
import re
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any, Iterable

from orders_cli.core.errors import Invalid
from orders_cli.core.money import D, fmt_money
from orders_cli.core.text import did_you_mean, expand_user, shown

PNG, JPEG = b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff"
MAX_INDEMNITY = D("10000")


def unknown_key(name: Any, known: Iterable[str], then: str = " (orders config show lists them all)") -> str:
    """The refusal of a key no setting has, with the closest few (``did you mean ...?``)."""
    hint = did_you_mean(name, known) if isinstance(name, str) and name else ""
    return f"unknown setting {shown(repr(name))}{hint}{then}"


def _existing_path(value: str, what: str) -> Path:
    if not isinstance(value, str):
        raise Invalid(f"expected a file path, got {value!r}")
    path = expand_user(Path(value))
    try:
        path.stat()
    except FileNotFoundError:
        raise Invalid(f"no such {what}: {shown(value)}") from None
    except (OSError, ValueError) as exc:
        raise Invalid(f"cannot use {shown(value)}: {getattr(exc, 'strerror', None) or exc}") from None
    return path


def _as_written(value: str) -> str:
    """A relative path made absolute (a cron job runs elsewhere); ``~/...`` kept as typed."""
    return value if value.startswith("~") or os.path.isabs(value) else os.path.abspath(value)


def logo(value: Any) -> str:
    """``company.logo``: '' for none, else a readable PNG or JPEG file (stored as an absolute path)."""
    value = value.strip() if isinstance(value, str) else value
    if value == "":
        return ""
    path = _existing_path(value, "logo file")
    if path.is_dir():
        raise Invalid(f"{shown(value)} is a folder, not a PNG or JPEG file")
    try:
        with open(path, "rb") as fh:
            head = fh.read(8)
    except OSError as exc:
        raise Invalid(f"cannot read {shown(value)}: {exc.strerror or exc}") from None
    if not (head.startswith(PNG) or head.startswith(JPEG)):
        raise Invalid(f"{shown(value)} is not a PNG or JPEG image")
    try:
        from PIL import Image

        with Image.open(path) as image:
            image.verify()  # a truncated or damaged image is refused now, not when a PDF is drawn
    except ImportError:  # pragma: no cover - Pillow comes with fpdf2
        pass
    except Exception as exc:  # noqa: BLE001 - Pillow raises many kinds for a broken file
        raise Invalid(f"{shown(value)} is not a readable PNG or JPEG image ({type(exc).__name__})") from None
    return _as_written(value)


def folder(value: Any) -> str:
    """``templates.dir``: '' for none, else an existing folder (stored as an absolute path)."""
    value = value.strip() if isinstance(value, str) else value
    if value == "":
        return ""
    if not _existing_path(value, "folder").is_dir():
        raise Invalid(f"{shown(value)} is not a folder")
    return _as_written(value)


_LEADING_NUMBER = re.compile(r"\s*([+-]?(?:\d+(?:[.,]\d*)?|[.,]\d+))(?![\d.,])")


def penalty_rate(value: Any) -> str:
    """``invoice.late_penalty_rate``: a text as printed; when it starts with a number, that
    number is a yearly percentage from 0 to 100 (``12.15``, ``12.15 % a year``)."""
    text = value.strip() if isinstance(value, str) else value
    if not isinstance(text, str):
        raise Invalid(f"expected a rate or a text, got {value!r}")
    number = _LEADING_NUMBER.match(text)
    try:  # the whole text a number ("NaN", "1e3" included), or a number then words
        rate = Decimal(text.replace(",", ".")) if text else None
    except InvalidOperation:
        rate = D(number.group(1).replace(",", "."), "rate") if number else None
    if rate is not None and not (rate.is_finite() and 0 <= rate <= 100):
        raise Invalid(f"a rate is a percentage a year from 0 to 100, got {text!r}")
    return text


def indemnity(amount: str) -> str:
    """A fixed recovery indemnity (an amount ``settings`` has read, >= 0): at most 10000.00
    (the law's is 40.00 EUR)."""
    if D(amount) > MAX_INDEMNITY:
        raise Invalid(f"an indemnity is an amount from 0.00 to {fmt_money(MAX_INDEMNITY)}, got {amount!r}")
    return amount


def language_with_templates(value: str, settings) -> None:
    """``language``: a locale the documents have labels in (``labels.toml``, shipped or in
    ``templates.dir``); ``fr_CA`` is fine when there are French labels."""
    from orders_cli.adapters import templating
    from orders_cli.core import subject

    languages = templating.label_languages(settings)
    if value not in languages and value.split("_")[0] not in languages:
        base = value.split("_")[0]
        raise Invalid(
            f"no document templates in {value!r} (labels in: {', '.join(languages)}); add a [{base}] table to "
            "labels.toml in templates.dir, or give the language per order (orders recur set --language)"
        )
    subject.check_language(value)
