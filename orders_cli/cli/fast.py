"""The commands a script loop (and a person at the terminal) runs most, answered before Typer,
SQLAlchemy or the tables' classes are imported (issue 19): on a SQLite file at the schema's HEAD,

    orders [--db PATH] order show NUMBER [--json]
    orders [--db PATH] order list [--limit N] [--json]
    orders [--db PATH] invoice show NUMBER [--as-of YYYY-MM-DD] [--json]

are read through the standard library's sqlite3 (sales/quick.py, invoicing/quick.py) and
printed by output.py (without --json, the people's views of cli/people.py), byte for byte as
the ORM's way prints them. ``answer`` returns None for
anything else (another command or option, a server URL, a reference that is not an exact
number, more than ``LIST_CAP`` rows, any error): app.main then runs the command the usual way,
with its refusals and messages. Nothing is printed before the whole answer is read (and, with
--json, rendered), so a fallback never follows half an answer.

Standard library only at the top (launch.py imports this on every run).
"""

from __future__ import annotations

import io
import sys

_CHUNK = 1 << 16  # characters written at a time (a pipe's buffer)
LIST_CAP = 10_000  # order list without --limit (or a bigger one): answered here up to this many rows, else streamed by the ORM's way


def _options(args: list[str], names: tuple[str, ...]) -> tuple[dict[str, str], list[str]] | None:
    """``--name VALUE`` / ``--name=VALUE`` of ``names`` (each at most once) and the rest; None
    on a repeated option or one without its value."""
    found: dict[str, str] = {}
    rest: list[str] = []
    i = 0
    while i < len(args):
        arg = args[i]
        name, eq, value = arg.partition("=")
        if name in names:
            if name in found:
                return None
            if not eq:
                if i + 1 >= len(args):
                    return None
                i += 1
                value = args[i]
            found[name] = value
        else:
            rest.append(arg)
        i += 1
    return found, rest


def parse(args: list[str]) -> tuple[str, dict[str, str], str | None, bool] | None:
    """(command, options, reference, --json) of a request this path answers, or None."""
    glob: dict[str, str] = {}
    i = 0
    while i < len(args) and args[i].partition("=")[0] == "--db":  # the one root option taken here
        name, eq, value = args[i].partition("=")
        if name in glob or not eq and i + 1 >= len(args):
            return None
        glob[name], i = (value, i + 1) if eq else (args[i + 1], i + 2)
    words = args[i:]
    command = " ".join(words[:2])
    allowed = {"order show": (), "order list": ("--limit",), "invoice show": ("--as-of",)}.get(command)
    as_json = words[2:].count("--json")
    if allowed is None or as_json > 1:
        return None
    parsed = _options([w for w in words[2:] if w != "--json"], allowed)
    if parsed is None:
        return None
    opts, positional = parsed
    if any(p.startswith("-") or not p for p in positional) or len(positional) != (0 if command == "order list" else 1):
        return None
    return command, {**glob, **opts}, positional[0] if positional else None, bool(as_json)


def _limit(text: str | None) -> int | None:
    if text is None:
        return None
    if not text.isascii() or not text.isdigit() or int(text) < 1:
        raise ValueError("--limit: the usual way refuses it")
    return int(text)


def _read(command: str, opts: dict[str, str], ref: str | None):
    """The result to print: a typed result (show) or the list's rows (plain dicts)."""
    from orders_cli.store import quickread, target

    target.use(opts.get("--db"))
    con = quickread.connect(target.db_target())
    try:
        if command == "order show":
            from orders_cli.sales import quick

            from orders_cli.adapters.env import today

            return quick.order_show(con, ref, today())
        if command == "invoice show":
            from orders_cli.adapters.env import today
            from orders_cli.core.text import parse_date
            from orders_cli.invoicing import quick as billing

            as_of = opts.get("--as-of")
            return billing.invoice_show(con, ref, today() if as_of in (None, "") else parse_date(as_of, "--as-of"))
        from orders_cli.cli import list_rows
        from orders_cli.sales import quick

        limit = _limit(opts.get("--limit"))
        wanted = limit if limit is not None and limit <= LIST_CAP else LIST_CAP + 1
        rows = list(list_rows.rendered(quick.order_list(con, wanted)))
        if len(rows) > LIST_CAP:
            raise quickread.Decline("a long list: the usual way streams it")
        return rows
    finally:
        con.close()


def internal_message(err: BaseException) -> str:
    """The one line an unforeseen error is reported with (here and in app.py)."""
    text = str(err).strip()
    first = text.splitlines()[0][:300] if text else ""
    return f"{type(err).__name__}: {first} (run again with --traceback for details)"


def _is_tty() -> bool:
    from orders_cli.adapters.env import stdout_is_tty

    return stdout_is_tty()


class _Buffer(io.StringIO):
    """The answer as text, written as it would be to the real stdout: JSON is indented on a
    terminal (output.record), so the buffer is a terminal when stdout is one."""

    def __init__(self, tty: bool):
        super().__init__()
        self.tty = tty

    def isatty(self) -> bool:
        return self.tty


def _render(command: str, result) -> str:
    """The whole answer as text (output.py writes it), so that nothing is printed before it is
    known to print."""
    from orders_cli.cli import output

    out, sys.stdout = sys.stdout, _Buffer(_is_tty())
    try:
        if command == "order list":
            output.rows(result, output.JSON, [])
        else:
            output.record(result, output.JSON)
        return sys.stdout.getvalue()
    finally:
        sys.stdout = out


def _people(command: str, result) -> None:
    """The people's view (no --json), printed straight to stdout as the usual way prints it (on
    a terminal: its width and colours)."""
    from orders_cli.cli import output, people

    if command == "order show":
        output.record(result, output.TABLE, people.human_doc)
    elif command == "invoice show":
        output.record(result, output.TABLE, people.human_invoice)
    else:
        output.rows(result, output.TABLE, people.LIST_COLUMNS, empty=people.LIST_EMPTY)
    sys.stdout.flush()


def answer(args: list[str]) -> int | None:
    """Print the answer to ``args`` (the command line without the program's name) and return 0,
    or None when the usual way should run it (nothing printed).

    Once the answer is read, it ends as the usual way's would: a reader that stopped early
    (a broken pipe) exits 1 with no message, as Click's programs do; any other failure to
    write is one line on stderr and exit 1; Ctrl-C exits 130 with no message."""
    request = parse(args)
    if request is None or sys.stdout is None:
        return None
    command, opts, ref, as_json = request
    try:
        result = _read(command, opts, ref)
        if as_json:
            text = _render(command, result)
            text.encode(sys.stdout.encoding or "utf-8", sys.stdout.errors or "strict")  # a terminal that cannot show it: the usual way
    except KeyboardInterrupt:
        return 130  # ExitStatus.INTERRUPTED, as Typer gives it
    except Exception:  # noqa: BLE001 - declined, or anything unforeseen: the usual way answers (and refuses)
        return None
    try:
        if as_json:
            for i in range(0, len(text), _CHUNK):  # a write the reader leaves half way can end "done": the next one tells
                sys.stdout.write(text[i:i + _CHUNK])
                sys.stdout.flush()
        else:
            _people(command, result)
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        silence_stdout()
        return 1
    except Exception as err:  # noqa: BLE001 - a full disk, a closed stream: reported as app.py does
        silence_stdout()
        message = internal_message(err)
        if as_json:
            import json

            print(json.dumps({"error": {"code": "internal", "message": message}}, ensure_ascii=False), file=sys.stderr)
        else:
            from orders_cli.core.text import terminal

            print(f"error: {terminal(message)}", file=sys.stderr)
        return 1
    return 0


def silence_stdout() -> None:
    """stdout to /dev/null: the flush at exit would fail again."""
    try:
        sys.stdout = open("/dev/null", "w")  # noqa: SIM115
    except OSError:
        pass
