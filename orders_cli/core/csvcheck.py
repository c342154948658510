"""The one header check and row loop of every CSV import (products, usage records).

``dict_rows(handle, source, columns, required)`` checks the header row at once (an empty
file, a BOM that came through stdin, an unknown or a missing column: each one refusal
naming line 1 and the columns allowed), then yields ``(line number, row)`` with the keys
trimmed, refusing a row with more fields than columns.
"""

from __future__ import annotations

import csv
from typing import Iterable, Iterator, TextIO

from .errors import Invalid


def dict_rows(handle: TextIO, source: str, columns: Iterable[str], required: Iterable[str]) -> Iterator[tuple[int, dict[str, str]]]:
    """Check the header now; the returned iterator yields each data row with its line number."""
    columns, required = tuple(columns), tuple(required)
    reader = csv.DictReader(handle)
    if reader.fieldnames is None:
        raise Invalid(f"{source}: the file is empty (expected a header row: {','.join(columns)})")
    if reader.fieldnames and reader.fieldnames[0].startswith("\ufeff"):  # a BOM that came through stdin
        reader.fieldnames = [reader.fieldnames[0].lstrip("\ufeff"), *reader.fieldnames[1:]]
    header = [h.strip() for h in reader.fieldnames]
    unknown = [h for h in header if h not in columns]
    missing = [h for h in required if h not in header]
    if unknown or missing:
        raise Invalid(
            f"{source}: line 1: "
            + (f"unknown column {unknown[0]!r}" if unknown else f"missing column {missing[0]!r}")
            + f" (columns: {','.join(columns)})"
        )
    return _rows(reader, source)


def _rows(reader: csv.DictReader, source: str) -> Iterator[tuple[int, dict[str, str]]]:
    for raw in reader:
        line = reader.line_num
        row = {(k or "").strip(): v for k, v in raw.items()}
        if None in row or "" in row:
            raise Invalid(f"{source}: line {line}: more fields than columns")
        yield line, row
