"""Options shared by many commands."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

Json = Annotated[bool, typer.Option("--json", help="Print JSON (one document) on stdout.")]
Jsonl = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line, streamed.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")]
Limit = Annotated[Optional[int], typer.Option("--limit", min=1, help="Show at most N rows.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def group(name: str, help: str) -> typer.Typer:
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )
