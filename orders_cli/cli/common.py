"""Options shared by many commands."""

import sys
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Iterator, Optional, TextIO

import typer

Json = Annotated[bool, typer.Option("--json", help="Print JSON (one document) on stdout.")]
Jsonl = Annotated[bool, typer.Option("--jsonl", help="Print one JSON object per line, streamed.")]
Csv = Annotated[bool, typer.Option("--csv", help="Print CSV with a header row; a text cell that starts with = + - @ (a formula to a spreadsheet) gets a leading '.")]
CsvRaw = Annotated[bool, typer.Option("--csv-raw", help="Print CSV with a header row, every cell exactly as stored (for programs, not spreadsheets).")]
MAX_LIMIT = 2**62  # more rows than any database holds, and still a 64-bit integer for the driver


def _clamp_limit(value: Optional[int]) -> Optional[int]:
    return min(value, MAX_LIMIT) if value is not None else None


Limit = Annotated[Optional[int], typer.Option("--limit", min=1, callback=_clamp_limit, help="Show at most N rows.")]
Yes = Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")]


def search_option(where: str):
    """The ``--search TEXT`` option of a list (``store.search``): ``where`` names its fields."""
    return Annotated[Optional[str], typer.Option(
        "--search", metavar="TEXT", help=f"Only the rows with every word of TEXT in {where} (case and accents ignored)")]


def group(name: str, help: str) -> typer.Typer:
    from orders_cli.cli.commands import Typer

    return Typer(
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


def context(today=None):
    """The run's context for a use case: today (a command's ``--date``, else ORDERS_TODAY or the
    clock) and the settings, each read only when the use case first asks for it."""
    from orders_cli.adapters import settings
    from orders_cli.adapters.env import today as run_today
    from orders_cli.core.context import Context

    return Context(today=today if today is not None else run_today, settings=settings.current)


# ---------------------------------------------------------------- address options

ADDRESS_PARTS = (
    ("street", "street and number"),
    ("city", "city"),
    ("postal_code", "postal code"),
    ("state", "state or region"),
    ("country", "country, e.g. FR"),
)
ADDRESS_OPTION_FIELDS = ADDRESS_PARTS
Address = Optional[dict]  # what a command receives for its PREFIX address options (None: none given)


def _options_in_place(fn, expansions: dict):
    """``fn`` with each parameter named in ``expansions`` replaced, in its place, by other
    parameters (Typer options); ``expansions[name] = (parameters, combine)`` where
    ``combine(values of those parameters by name)`` gives the value ``fn`` receives as ``name``."""
    import functools
    import inspect

    signature = inspect.signature(fn, eval_str=True)
    params: list[inspect.Parameter] = []
    for param in signature.parameters.values():
        params.extend([p.replace(kind=param.kind) for p in expansions[param.name][0]] if param.name in expansions else [param])

    @functools.wraps(fn)
    def command(*args, **kwargs):
        for name, (replaced, combine) in expansions.items():
            kwargs[name] = combine({p.name: kwargs.pop(p.name, p.default) for p in replaced})
        return fn(*args, **kwargs)

    command.__signature__ = signature.replace(parameters=params)  # type: ignore[attr-defined]
    command.__annotations__ = {p.name: p.annotation for p in params}
    return command


def address_options(*prefixes: str):
    """Decorator for a command: each parameter named like a prefix (``billing``, ``shipping``)
    becomes the options ``--PREFIX-street``, ``--PREFIX-city``, ``--PREFIX-postal-code``,
    ``--PREFIX-state``, ``--PREFIX-country`` (in its place, with help texts); the command
    receives ``PREFIX`` as a dict of the options given (``{"city": "Lyon"}``; ``None`` for none).

    Example: ``@address_options("shipping")`` over ``def add(..., shipping: Address = None, ...)``
    """
    import inspect

    def expansion(prefix: str):
        params = [
            inspect.Parameter(
                f"{prefix}_{field}",
                inspect.Parameter.KEYWORD_ONLY,
                default=None,
                annotation=Annotated[Optional[str], typer.Option(f"--{prefix}-{field.replace('_', '-')}", help=f"{prefix.capitalize()} address: {words}")],
            )
            for field, words in ADDRESS_OPTION_FIELDS
        ]
        n = len(prefix) + 1
        return params, lambda values: {k[n:]: v for k, v in values.items() if v is not None} or None

    return lambda fn: _options_in_place(fn, {prefix: expansion(prefix) for prefix in prefixes})


def list_formats(fn):
    """Decorator for a list command: its parameter ``fmt`` becomes the options --json, --jsonl
    and --csv (in its place); the command receives the format chosen (``output.pick``)."""
    import inspect

    params = [
        inspect.Parameter(name, inspect.Parameter.KEYWORD_ONLY, default=False, annotation=kind)
        for name, kind in (("json_", Json), ("jsonl", Jsonl), ("csv_", Csv), ("csv_raw", CsvRaw))
    ]

    def pick(values: dict) -> str:
        from orders_cli.cli import output

        return output.pick(values["json_"], values["jsonl"], values["csv_"], values["csv_raw"])

    return _options_in_place(fn, {"fmt": (params, pick)})


# ---------------------------------------------------------------- command skeletons


def show_record(use_case, *args, json_: bool = False, human=None, write: bool = True) -> None:
    """The body of an add / edit / show command: ``use_case(session, *args)`` in one
    transaction (read-only unless ``write``), its result printed as JSON or for people."""
    from orders_cli import store
    from orders_cli.cli import output

    with store.transaction(write=write) as s:
        result = use_case(s, *args)
    output.record(result, output.JSON if json_ else output.TABLE, human)


def show_rows(use_case, *args, fmt: str, columns, empty: str, title: str | None = None) -> int:
    """The body of a list command: ``use_case(session, *args)`` rendered inside a read-only
    transaction (a use case may yield its rows lazily)."""
    from orders_cli import store
    from orders_cli.cli import output

    with store.transaction(write=False) as s:
        return output.rows(use_case(s, *args), fmt, columns, title=title, empty=empty)


def record_or_note(result, json_: bool, message: str) -> None:
    """What a command that changed something prints: the record as JSON, or one line for people (stderr)."""
    from orders_cli.cli import output

    if json_:
        output.record(result, output.JSON)
    else:
        output.note(message)
