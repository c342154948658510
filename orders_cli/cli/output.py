"""Every way data leaves the tool, in one place: Rich tables for people,
``--json`` / ``--jsonl`` / ``--csv`` for programs. Data goes to stdout, everything
else (notes, warnings, progress, errors) to stderr. Machine formats never pass
through Rich; Rich is imported only when a table is actually drawn.

Stored text is data, never markup or control: the console reads no Rich markup, emoji codes
or highlighting (``[red]x[/red]``, ``:warning:``, ``[link=...]`` print as typed), and every
value, header, title and note shown to people has its control characters and bidirectional
overrides escaped (``core.text.terminal``). JSON and ``--csv-raw`` keep the exact text;
``--csv`` makes text cells a spreadsheet would run as a formula inert (``spreadsheet_cell``).
"""

from __future__ import annotations

import csv
import json
import os
import re
import sys
from typing import Any, Callable, Iterable, Sequence

from orders_cli.adapters.env import stderr_is_tty, stdout_is_tty
from orders_cli.adapters.files import checked_path, write_file  # noqa: F401  (output.write_file)
from orders_cli.core.text import terminal

TABLE, JSON, JSONL, CSV, CSV_RAW = "table", "json", "jsonl", "csv", "csv-raw"
CSV_FORMATS = (CSV, CSV_RAW)

Column = tuple[str, str]  # (key in the record, header); key may be dotted: "account.name" (cli/tables.py: how tables fit)


def pick(json_: bool = False, jsonl: bool = False, csv_: bool = False, csv_raw: bool = False) -> str:
    chosen = [name for name, on in ((JSON, json_), (JSONL, jsonl), (CSV, csv_), (CSV_RAW, csv_raw)) if on]
    if len(chosen) > 1:
        import typer

        raise typer.BadParameter(f"choose one output format, not {' and '.join('--' + c for c in chosen)}")
    return chosen[0] if chosen else TABLE


def _default(obj: Any) -> Any:
    """Typed results (dataclasses, tagged Decimals, dates) become CLI.md's plain data."""
    from orders_cli.core.results import to_data

    return to_data(obj)


_COMPACT: json.JSONEncoder | None = None  # one encoder for every compact line (json.dumps with options builds one per call)


def dumps(obj: Any, indent: int | None = None) -> str:
    global _COMPACT
    if indent is None:
        if _COMPACT is None:
            _COMPACT = json.JSONEncoder(ensure_ascii=False, default=_default)
        return _COMPACT.encode(obj)
    return json.dumps(obj, ensure_ascii=False, default=_default, indent=indent)


def write(text: str) -> None:
    sys.stdout.write(text)


def note(message: str) -> None:
    """A line for the person at the terminal (stderr), never mixed into data; the stored text
    in it is shown, not obeyed (control characters escaped)."""
    print(terminal(message, keep="\n"), file=sys.stderr)


def say(message: str) -> None:
    """A line of a view for people that belongs with the data (stdout: ``| less`` keeps it),
    its stored text shown, not obeyed."""
    sys.stdout.write(terminal(message, keep="\n") + "\n")


def console(stderr: bool = False):
    from rich.console import Console

    tty = stderr_is_tty() if stderr else stdout_is_tty()
    # COLUMNS / LINES that are not plain numbers are ignored (Rich would int() a '²' and fail)
    environ = {k: v for k, v in os.environ.items() if k not in ("COLUMNS", "LINES") or (v.isascii() and v.isdecimal() and len(v) < 7)}
    width = int(environ["COLUMNS"]) if environ.get("COLUMNS") else None
    return Console(
        stderr=stderr,
        width=width if width else (None if tty else 80),  # a pipe: COLUMNS or 80
        no_color=bool(os.environ.get("NO_COLOR")) or not tty,
        markup=False,  # stored text is data: "[/]" or "[link=...]" in a name prints as typed
        emoji=False,
        highlight=False,
        soft_wrap=False,
        _environ=environ,
    )


def dig(record: dict, key: str) -> Any:
    value: Any = record
    for part in key.split("."):
        if not isinstance(value, dict):
            return None
        value = value.get(part)
    return value


def cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list) and all(isinstance(v, (str, int)) for v in value):
        return ";".join(str(v) for v in value)
    if isinstance(value, (list, dict)):
        return dumps(value)
    return str(value)


def shown(value: Any, key: str = "") -> str:
    """A value as a table shows it, for people (``human``) with its control characters escaped
    (line breaks of multi-line text kept)."""
    return terminal(human(value, key), keep="\n")


_ADDRESS_KEYS = {"street", "city", "postal_code", "state", "country"}
_TIMESTAMP = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?([+-]\d{2}:\d{2}|Z)?")
STATUS_WORDS = {"auto_created": "created automatically", "partially_paid": "partially paid", "direct_debit": "direct debit",
                "over_90": "over 90 days", "credit_note": "credit note", "payment_removed": "payment removed"}


def human(value: Any, key: str = "") -> str:
    """A value in words, never a JSON or Python repr (issue 18): an address as its parts, a
    record ({"id", "name"}) as its name, another mapping as "key: value" pairs, a timestamp to
    the second in local time, an internal status name in words. CSV and JSON keep ``cell``."""
    if isinstance(value, dict):
        if not value:
            return ""
        if set(value) <= _ADDRESS_KEYS:
            return ", ".join(str(v) for v in value.values() if v)
        if "name" in value and set(value) <= {"id", "name", "email"}:
            return str(value["name"] or "")
        return "; ".join(f"{k}: {human(v)}" for k, v in value.items())
    if isinstance(value, list) and value and not all(isinstance(v, (str, int)) for v in value):
        return "; ".join(human(v) for v in value)
    if isinstance(value, str):
        if _TIMESTAMP.fullmatch(value):
            from datetime import datetime

            moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
            return (moment.astimezone() if moment.tzinfo else moment).strftime("%Y-%m-%d %H:%M:%S")
        last = key.rsplit(".", 1)[-1]
        if last in ("status", "payment_state", "state", "method", "new_status", "old_status", "type", "kind") and value in STATUS_WORDS:
            return STATUS_WORDS[value]
    return cell(value)


_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+(\.\d*)?|\.\d+)")


def spreadsheet_cell(text: str) -> str:
    """A CSV cell a spreadsheet opens as text, not as a formula (the OWASP rule): text that
    starts with = + - @, a tab or a carriage return gets a leading ``'``; numbers (-12.50,
    +3) and everything else stay as they are."""
    if text.startswith(_FORMULA_START) and not _NUMBER.fullmatch(text):
        return "'" + text
    return text


def as_data(obj: Any) -> Any:
    """A typed result as CLI.md's plain data (dicts pass through): the one place money,
    quantities and dates become text for the terminal, JSON and CSV."""
    if isinstance(obj, dict):
        return obj
    from orders_cli.core.results import to_data

    return to_data(obj)


def record(obj: Any, fmt: str, human: Callable[[dict], None] | None = None) -> None:
    """One record (a typed result or a dict): JSON object, or the human view."""
    obj = as_data(obj)
    if fmt in (JSON, JSONL):
        write(dumps(obj, indent=2 if fmt == JSON and stdout_is_tty() else None) + "\n")
    elif fmt in CSV_FORMATS:
        rows([obj], fmt, [(k, k) for k in obj])
    elif human is not None:
        human(obj)
    else:
        kv(obj)


def kv(obj: dict, title: str | None = None) -> None:
    """A key/value panel: keys aligned, values after two spaces, no trailing padding; a
    multi-line value continues under itself."""
    from orders_cli.cli import tables

    lines = [] if title is None else [_title(title)]
    keys = [terminal(k.replace("_", " ")) for k in obj]
    width = max((len(k) for k in keys), default=0)
    coloured = []  # (line index, start, end, style) of the statuses (tables.style)
    for k, (key, value) in zip(keys, obj.items()):
        text = shown(value, key).split("\n")
        if (hue := tables.style(key, value)) and text[0]:
            coloured.append((len(lines), width + 2, width + 2 + len(text[0]), hue))
        lines.append((k.ljust(width) + "  " + text[0]).rstrip())
        lines += [(" " * (width + 2) + more).rstrip() for more in text[1:]]
    if coloured and stdout_is_tty() and not os.environ.get("NO_COLOR"):
        from rich.text import Text

        out = console()
        for i, start, end, hue in coloured:  # plain Text: the stored text is never read as markup
            line = Text(lines[i])
            line.stylize(hue, start, end)
            with out.capture() as got:
                out.print(line, end="")
            lines[i] = got.get()
    write("\n".join(lines) + "\n")


def totals(t: dict, currency: str, discount: str | None = None) -> None:
    """A document's totals block for people (CLI.md's totals data): subtotal, the parts that
    are not zero (each document allowance and charge), each tax on its base, the total with
    the currency: the lines add up to the total. ``discount``: the
    discount as written ("5%"), shown next to its amount."""
    lines = {"subtotal": t["subtotal"]}
    if t["discount"] != "0.00":
        lines["discount"] = "-" + t["discount"] + (f" ({discount})" if discount else "")
    for c in t.get("allowances_charges") or ():  # each document allowance (taken off) and charge (added)
        key = f"{c['kind']} {c['reason']}" + (f" ({c['value']})" if c.get("percent") is not None else "")
        while key in lines:
            key += " "  # (two of one reason: both shown)
        lines[key] = ("-" if c["kind"] == "allowance" else "") + c["amount"]
    if t["shipping"] != "0.00":
        lines["shipping"] = t["shipping"]
    for b in t["tax_breakdown"]:
        lines[f"{b['name']} {b['rate']} % on {b['base']}"] = b["amount"]
    if t["adjustment"] != "0.00":
        lines["adjustment"] = t["adjustment"]
    lines["total"] = f"{t['total']} {currency}"
    kv(lines)


def rows(
    items: Iterable[Any],
    fmt: str,
    columns: Sequence[Column],
    title: str | None = None,
    empty: str = "nothing to show",
) -> int:
    """A list: a JSON array (streamed), JSON lines, CSV of ``columns``, or a table. Returns the count."""
    out = sys.stdout
    items = map(as_data, items)
    n = 0
    if fmt == JSON:
        out.write("[")
        for item in items:
            out.write(("," if n else "") + "\n" + dumps(item))
            n += 1
        out.write("\n]\n" if n else "]\n")
    elif fmt == JSONL:
        for item in items:
            out.write(dumps(item) + "\n")
            n += 1
    elif fmt in CSV_FORMATS:
        safe = spreadsheet_cell if fmt == CSV else str
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow([safe(key) for key, _ in columns])
        for item in items:
            writer.writerow([safe(cell(dig(item, key))) for key, _ in columns])
            n += 1
    else:
        materialized = list(items)
        n = len(materialized)
        if n:
            table(columns, materialized, title=title)
        else:
            note(empty)
    out.flush()
    return n


def table(columns: Sequence[Column], items: Sequence[dict], title: str | None = None, is_numeric: Callable[[str], bool] | None = None,
          totals: Sequence[Sequence[str]] = ()) -> None:
    """``items`` as a table for people that fits the width (the rule: cli/tables.py), each
    value shown in words, a status in its colour on a terminal."""
    from orders_cli.cli import tables

    keys = [c[0] for c in columns]
    body = [[shown(dig(item, k), k) for k in keys] for item in items]
    styles = [[tables.style(k, dig(item, k)) for k in keys] for item in items]
    tables.draw(console(), columns, body, styles, title=title, is_numeric=is_numeric or tables.numeric, totals=totals)


def _title(title: str | None) -> str | None:
    return terminal(title) if title is not None else None
