"""What a business may restyle without touching code: labels, layout and e-mail bodies.

The shipped files live in ``orders_cli/templates/``:

- ``labels.toml``: the words printed on documents, one table per language ([en], [fr]).
- ``layout.toml``: colours, logo placement, the column set of each document's table.
- ``email/<kind>.txt`` (and ``email/<kind>.<language>.txt``): the e-mail sent with a
  document; the first line is ``Subject: ...``, then a blank line, then the body.

The ``templates.dir`` setting names a folder with any of the same files; what it holds
wins, key by key for the TOML files and file by file for e-mails. Nothing here imports
more than the standard library.
"""

from __future__ import annotations

import re
import string
import tomllib
from pathlib import Path
from typing import Any

from orders_cli.core.text import expand_user
from orders_cli.core.errors import Invalid

SHIPPED = Path(__file__).resolve().parent.parent / "templates"  # orders_cli/templates
KINDS = ("order", "quote", "invoice", "purchase", "delivery", "credit")

# Every column a lines table can show, with its width in mm and alignment. The
# description column takes whatever width the others leave.
COLUMNS: dict[str, tuple[float, str]] = {  # float-ok: millimetres on the page, not money
    "line_no": (10, "LEFT"),
    "sku": (24, "LEFT"),
    "description": (0, "LEFT"),
    "quantity": (16, "RIGHT"),
    "unit_price": (24, "RIGHT"),
    "unit_cost": (22, "RIGHT"),
    "discount": (18, "RIGHT"),
    "net": (24, "RIGHT"),
    "unit": (12, "LEFT"),  # the UN/ECE Rec 20 code, and the price's base quantity when not 1 ("100 C62")
    "vat": (12, "RIGHT"),  # the line's VAT rate(s) in percent
}
MIN_DESCRIPTION_WIDTH = 40.0
_COLOUR = re.compile(r"^#[0-9a-fA-F]{6}$")


def _setting(settings, key: str) -> Any:
    if settings is None:
        return ""
    try:
        return settings.get(key)
    except Exception:  # an unknown key or a settings stand-in without it
        return ""


def override_dir(settings) -> Path | None:
    """The folder of the ``templates.dir`` setting, or None. A setting naming no folder is refused."""
    value = str(_setting(settings, "templates.dir") or "").strip()
    if not value:
        return None
    path = expand_user(Path(value))
    if not path.is_dir():
        raise Invalid(f"templates.dir {value} is not a folder (orders config set templates.dir PATH, or unset it)")
    return path


# ---------------------------------------------------------------- TOML files, merged key by key

_TOML_CACHE: dict[tuple[str, int], dict] = {}


def _read_toml(path: Path) -> dict:
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError as exc:
        raise Invalid(f"cannot read template {path}: {exc.strerror}") from None
    if key not in _TOML_CACHE:
        try:
            with open(path, "rb") as fh:
                _TOML_CACHE[key] = tomllib.load(fh)
        except tomllib.TOMLDecodeError as exc:
            raise Invalid(f"template {path} is not valid TOML: {exc}") from None
        except OSError as exc:
            raise Invalid(f"cannot read template {path}: {exc.strerror}") from None
    return _TOML_CACHE[key]


def _merged(name: str, settings) -> dict:
    """The shipped ``name`` TOML with the override folder's copy laid over it (two levels deep)."""
    merged = {k: (dict(v) if isinstance(v, dict) else v) for k, v in _read_toml(SHIPPED / name).items()}
    folder = override_dir(settings)
    if folder is not None and (folder / name).is_file():
        for key, value in _read_toml(folder / name).items():
            if isinstance(value, dict) and isinstance(merged.get(key), dict):
                merged[key].update(value)
            else:
                merged[key] = value
    return merged


# ---------------------------------------------------------------- labels


def language_candidates(language: str | None, settings) -> list[str]:
    """``fr_CA`` -> fr_CA, fr, then the ``language`` setting (and its base), then en."""
    out: list[str] = []
    for candidate in (language, _setting(settings, "language"), "en"):
        if not candidate:
            continue
        for code in (str(candidate), str(candidate).split("_")[0]):
            if code not in out:
                out.append(code)
    return out


def labels(language: str | None, settings) -> dict[str, str]:
    """Labels of the document's language, else the ``language`` setting, else English;
    keys missing in a language fall back to English."""
    table = {lang: {str(k): str(v) for k, v in t.items()} for lang, t in _merged("labels.toml", settings).items() if isinstance(t, dict)}
    english = table.get("en", {})
    for code in language_candidates(language, settings):
        if code in table:
            return {**english, **table[code]}
    return dict(english)


def label_languages(settings) -> list[str]:
    """The languages the documents have labels in (the tables of ``labels.toml``, shipped or
    in ``templates.dir``), sorted."""
    return sorted(lang for lang, table in _merged("labels.toml", settings).items() if isinstance(table, dict))


# ---------------------------------------------------------------- layout


def _colour(value: Any, where: str) -> tuple[int, int, int]:
    if not isinstance(value, str) or not _COLOUR.match(value):
        raise Invalid(f"layout {where} must be a colour like \"#1f4e79\", got {value!r}")
    return int(value[1:3], 16), int(value[3:5], 16), int(value[5:7], 16)


def layout(settings, width: float) -> dict:  # float-ok: millimetres on the page, not money
    """The checked layout: colours as RGB, logo placement, and per document kind its
    columns as (field, width mm, alignment) filling ``width``."""
    raw = _merged("layout.toml", settings)
    colours = raw.get("colours") or {}
    out: dict[str, Any] = {
        "text": _colour(colours.get("text", "#000000"), "colours.text"),
        "title": _colour(colours.get("title", "#000000"), "colours.title"),
        "heading_fill": _colour(colours.get("heading_fill", "#e1e1e1"), "colours.heading_fill"),
        "heading_text": _colour(colours.get("heading_text", "#000000"), "colours.heading_text"),
        "rule": _colour(colours.get("rule", "#5a5a5a"), "colours.rule"),
    }
    logo = raw.get("logo") or {}
    position = logo.get("position", "left")
    if position not in ("left", "right", "none"):
        raise Invalid(f"layout logo.position must be left, right or none, got {position!r}")
    height = logo.get("height_mm", 16)
    if isinstance(height, bool) or not isinstance(height, int | float) or not 4 <= height <= 60:  # float-ok: TOML numbers, mm
        raise Invalid(f"layout logo.height_mm must be a number from 4 to 60, got {height!r}")
    out["logo_position"] = position
    out["logo_height"] = height
    columns = raw.get("columns") or {}
    out["columns"] = {}
    for kind in KINDS:
        fields = columns.get(kind)
        if not isinstance(fields, list) or not fields or not all(isinstance(f, str) for f in fields):
            raise Invalid(f"layout columns.{kind} must be a list of column names ({', '.join(COLUMNS)})")
        unknown = [f for f in fields if f not in COLUMNS]
        if unknown:
            raise Invalid(f"layout columns.{kind}: unknown column {unknown[0]!r} (columns: {', '.join(COLUMNS)})")
        if len(set(fields)) != len(fields):
            raise Invalid(f"layout columns.{kind} names a column twice")
        if "description" not in fields:
            raise Invalid(f"layout columns.{kind} must include description")
        fixed = sum(COLUMNS[f][0] for f in fields)
        if width - fixed < MIN_DESCRIPTION_WIDTH:
            raise Invalid(f"layout columns.{kind}: too many columns for the page (description would be under {MIN_DESCRIPTION_WIDTH:.0f} mm)")
        out["columns"][kind] = [(f, COLUMNS[f][0] or width - fixed, COLUMNS[f][1]) for f in fields]
    return out


# ---------------------------------------------------------------- e-mail bodies


def email_template(kind: str, language: str | None, settings) -> tuple[str, str]:
    """(subject template, body template) for mailing a ``kind`` document, in the best language
    found: the override folder first, then the shipped files."""
    folders = [f for f in (override_dir(settings), SHIPPED) if f is not None]
    names = [f"{kind}.{code}.txt" for code in language_candidates(language, settings)] + [f"{kind}.txt"]
    for folder in folders:
        for name in names:
            path = folder / "email" / name
            if path.is_file():
                return _parse_email(path)
    raise Invalid(f"no e-mail template for {kind} (looked for email/{kind}.txt)")


def _parse_email(path: Path) -> tuple[str, str]:
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise Invalid(f"cannot read e-mail template {path}: {exc}") from None
    first, _, body = text.partition("\n")
    if not first.lower().startswith("subject:"):
        raise Invalid(f"e-mail template {path} must start with a 'Subject: ...' line")
    return first.split(":", 1)[1].strip(), body.lstrip("\n")


def fill(template: str, values: dict[str, Any]) -> str:
    """``$name`` / ``${name}`` placeholders; unknown ones are left as written."""
    return string.Template(template).safe_substitute({k: "" if v is None else str(v) for k, v in values.items()})
