"""Options shared by many commands."""

from __future__ import annotations

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional, TextIO

import typer

Json = Annotated[bool, typer.Option("--json", help="Print JSON (one document) on stdout.")]
Jsonl = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line, streamed.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row.")]
MAX_LIMIT = 2**62  # more rows than any database holds, and still a 64-bit integer for the driver


def _clamp_limit(value: Optional[int]) -> Optional[int]:
    return min(value, MAX_LIMIT) if value is not None else None


Limit = Annotated[Optional[int], typer.Option("--limit", min=1, callback=_clamp_limit, help="Show at most N rows.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def group(name: str, help: str) -> typer.Typer:
    return typer.Typer(
        name=name,
        help=help,
        no_args_is_help=True,
        pretty_exceptions_enable=False,
        rich_markup_mode=None,
    )


@contextmanager
def read_input(file: Path | str, csv: bool = False) -> Iterator[tuple[TextIO, str]]:
    """Open FILE (or stdin for '-') as UTF-8 text for an import: yields (handle, name for messages).

    A missing/unreadable file or text that is not UTF-8 becomes one clear refusal.
    """
    from orders_cli.core.errors import Invalid

    from orders_cli.core.text import shown

    name = "stdin" if str(file) == "-" else shown(file)
    if "\x00" in str(file):
        raise Invalid("a file name cannot contain a NUL character")
    try:
        handle = sys.stdin if str(file) == "-" else open(file, newline="" if csv else None, encoding="utf-8-sig" if csv else "utf-8")  # noqa: SIM115
    except OSError as exc:
        raise Invalid(f"cannot read {name}: {exc.strerror or exc}") from None
    try:
        yield handle, name
    except UnicodeDecodeError:
        raise Invalid(f"{name}: not UTF-8 text") from None
    except OSError as exc:  # a read that fails half way (an I/O error, a special file)
        raise Invalid(f"cannot read {name}: {exc.strerror or exc}") from None
    except Exception as exc:
        if csv and type(exc).__module__ in ("_csv", "csv"):  # csv.Error: a field over the size limit, a NUL...
            raise Invalid(f"{name}: not valid CSV: {exc}") from None
        raise
    finally:
        if handle is not sys.stdin:
            handle.close()


def context():
    """The run's context for a use case: today (ORDERS_TODAY or the clock) and the settings."""
    from orders_cli.adapters import settings
    from orders_cli.adapters.env import today
    from orders_cli.core.context import Context

    return Context(today=today(), settings=settings.current())


ADDRESS_PARTS = (
    ("street", "street and number"),
    ("city", "city"),
    ("postal_code", "postal code"),
    ("state", "state or region"),
    ("country", "country, e.g. FR"),
)


def address_options(prefix: str):
    """The one definition of a command's address options: the command's parameter named
    ``prefix`` (``billing`` or ``shipping``) becomes ``--PREFIX-street``, ``--PREFIX-city``,
    ``--PREFIX-postal-code``, ``--PREFIX-state`` and ``--PREFIX-country`` at its place, and the
    command receives a dict of the parts given (``None`` when none is).

    Example: ``@address_options("shipping")`` over ``def add(..., shipping: Address = None, ...)``
    """
    import functools
    import inspect

    def decorate(fn):
        sig = inspect.signature(fn, eval_str=True)
        params = []
        for p in sig.parameters.values():
            if p.name != prefix:
                params.append(p)
                continue
            for part, label in ADDRESS_PARTS:
                option = typer.Option(f"--{prefix}-{part.replace('_', '-')}", help=f"{prefix.capitalize()} address: {label}")
                params.append(inspect.Parameter(f"{prefix}_{part}", p.kind, default=None, annotation=Annotated[Optional[str], option]))

        @functools.wraps(fn)
        def command(**kwargs):
            given = {part: kwargs.pop(f"{prefix}_{part}") for part, _ in ADDRESS_PARTS}
            kwargs[prefix] = {k: v for k, v in given.items() if v is not None} or None
            return fn(**kwargs)

        command.__signature__ = sig.replace(parameters=params)  # what Typer reads
        command.__annotations__ = {}
        return command

    return decorate


Address = Optional[dict]  # the type of a parameter address_options expands
