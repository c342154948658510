"""The one header check and row loop of every CSV import (products, usage records).

``check_header`` refuses an empty file, an unknown or a missing column (each one refusal
naming line 1 and the columns allowed) and drops a BOM that came through stdin;
``data_rows`` yields ``(line number, row)`` with the keys trimmed, refusing a row with more
fields than columns; ``dict_rows`` is both over a text handle.
"""

from __future__ import annotations

import csv
from typing import Iterable, Iterator, Sequence, TextIO

from orders_cli.core.errors import Invalid


def check_header(
    fieldnames: Sequence[str] | None,
    required: Sequence[str],
    optional: Sequence[str],
    source: str,
    *,
    empty: str = "the file is empty (expected a header row: {columns})",
    bad: str = "line 1: {problem} (columns: {columns})",
) -> list[str]:
    """The header row (``csv.DictReader.fieldnames``) checked: not absent, no unknown column,
    every required one present. Returns it with a leading BOM removed (one that came through
    stdin), for ``reader.fieldnames``. Refusals name ``source``; ``empty`` / ``bad`` are the
    message templates after ``"{source}: "`` (``{columns}``: every column, ``{problem}``:
    ``unknown column 'x'`` or ``missing column 'x'``).
    """
    columns = ",".join([*required, *optional])
    if fieldnames is None:
        raise Invalid(f"{source}: " + empty.format(columns=columns))
    names = list(fieldnames)
    if names and names[0].startswith("\ufeff"):
        names[0] = names[0].lstrip("\ufeff")
    header = [h.strip() for h in names]
    known = set(required) | set(optional)
    unknown = [h for h in header if h not in known]
    missing = [h for h in required if h not in header]
    if unknown or missing:
        problem = f"unknown column {unknown[0]!r}" if unknown else f"missing column {missing[0]!r}"
        raise Invalid(f"{source}: " + bad.format(problem=problem, columns=columns))
    return names


def data_rows(reader: Iterable[dict], source: str) -> Iterator[tuple[int, dict]]:
    """The rows of a ``csv.DictReader`` whose header was checked: ``(line number, row)`` with
    the column names trimmed; a row with more fields than columns is refused."""
    for row in reader:
        line = reader.line_num  # type: ignore[attr-defined]
        row = {(k or "").strip(): v for k, v in row.items()}
        if "" in row:  # the extra fields of a long row sit under the key None
            raise Invalid(f"{source}: line {line}: more fields than columns")
        yield line, row


def dict_rows(handle: TextIO, source: str, columns: Iterable[str], required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Check the header of a CSV text now (``columns`` in their documented order, ``required``
    among them); the returned iterator yields each data row with its line number."""
    columns, required = tuple(columns), tuple(required)
    reader = csv.DictReader(handle)
    reader.fieldnames = check_header(reader.fieldnames, [c for c in columns if c in required], [c for c in columns if c not in required], source) \
        if reader.fieldnames is not None else check_header(None, columns, (), source)
    return data_rows(reader, source)
