"""The root command: global options, every group mounted, and the ONE place
where domain errors become exit codes and ``error: ...`` lines on stderr.

Start-up matters (cron and script loops pay it on every call): this module and the
command modules import only Typer and the standard library at the top, and they do not use
``from __future__ import annotations``: Typer reads every command's annotations when it builds
the tree, and strings would be compiled again on every run (~40 ms, tests/test_startup.py). The
commands scripts loop on most (``order show|list``, ``invoice show`` with ``--json``) are
answered before this module loads (fast.py).
"""

import os
import sys
from typing import Annotated, Optional

import typer

from orders_cli import __version__
from orders_cli.adapters.env import ENV, Env
from orders_cli.cli.commands import Typer
from orders_cli.core.errors import ExitStatus, OrdersError

app = Typer(
    name="orders",
    help="Customer orders from the terminal: quotes, orders, invoices, deliveries, purchase orders, recurring billing.\n\n"
    "Start with: orders demo (a demo.db of its own, it says where), or orders init for your own books",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    rich_markup_mode=None,
    context_settings={"help_option_names": ["-h", "--help"]},
)


def _version(value: bool) -> None:
    if value:
        print(f"orders {__version__}")
        raise typer.Exit()


@app.callback()
def root(
    db: Annotated[
        Optional[str],
        typer.Option("--db", envvar="ORDERS_DB", metavar="URL|PATH", help="SQLite file or SQLAlchemy URL (default: orders.db in the user data dir); a missing file is refused (db init, init and demo create one)."),
    ] = None,
    config: Annotated[
        Optional[str],
        typer.Option("--config", envvar="ORDERS_CONFIG", metavar="PATH", help="Settings file (default: config.toml in the user config dir)."),
    ] = None,
    version: Annotated[bool, typer.Option("--version", callback=_version, is_eager=True, help="Print the version and exit.")] = False,
    traceback: Annotated[bool, typer.Option("--traceback", hidden=True)] = False,
) -> None:
    from orders_cli.store import target

    target.use(db)
    ENV.config = config
    ENV.traceback = ENV.traceback or traceback


def _mount() -> None:
    from orders_cli.cli import (
        account,
        activity,
        books,
        catalog,
        convert,
        credit,
        db,
        demo,
        doc,
        documents,
        edits,  # noqa: F401 - mounts vendor, user, contact and product verbs on their groups
        einvoice,
        export,
        init,
        order,
        order_verbs,
        payment,
        pdf,
        portal,
        quote,
        recur,
        remind,
        report,
        send,
    )
    from orders_cli.cli import config as config_cmd

    app.add_typer(db.app, name="db")
    app.add_typer(config_cmd.app, name="config")
    app.add_typer(catalog.tax_app, name="tax")
    app.add_typer(account.app, name="account")
    app.add_typer(account.contact_app, name="contact")
    app.add_typer(catalog.vendor_app, name="vendor")
    app.add_typer(catalog.product_app, name="product")
    app.add_typer(catalog.user_app, name="user")
    app.add_typer(quote.app, name="quote")
    order.app.add_typer(convert.app, name="convert")
    app.add_typer(order.app, name="order")
    app.add_typer(documents.invoice_app, name="invoice")
    app.add_typer(credit.app, name="credit")
    app.add_typer(documents.purchase_app, name="purchase")
    app.add_typer(documents.delivery_app, name="delivery")
    app.add_typer(payment.app, name="payment")
    app.add_typer(recur.app, name="recur")
    app.add_typer(recur.usage_app, name="usage")
    app.add_typer(remind.app, name="remind")
    app.add_typer(doc.app, name="doc")
    app.add_typer(activity.app, name="activity")
    app.add_typer(portal.app, name="portal")
    app.add_typer(einvoice.app, name="einvoice")
    app.add_typer(books.app, name="export")
    app.add_typer(report.app, name="report")
    order.app.command("pdf")(pdf.order_pdf)
    quote.app.command("pdf")(pdf.quote_pdf)
    documents.invoice_app.command("pdf")(pdf.invoice_pdf)
    documents.purchase_app.command("pdf")(pdf.purchase_pdf)
    documents.delivery_app.command("pdf")(pdf.delivery_pdf)
    credit.app.command("pdf")(pdf.credit_pdf)
    documents.invoice_app.command("export")(export.invoice_export)
    credit.app.command("export")(export.credit_export)
    order.app.command("send")(send.order_send)
    quote.app.command("send")(send.quote_send)
    order.app.command("delete")(order_verbs.order_delete)
    documents.invoice_app.command("send")(send.invoice_send)
    credit.app.command("send")(send.credit_send)
    app.command("demo")(demo.demo)
    app.command("init")(init.init)


_mount()


_COMMAND = None


def _command():
    """The Click command Typer builds from ``app``: built once per process, not per call."""
    global _COMMAND
    if _COMMAND is None:
        _COMMAND = typer.main.get_command(app)
    return _COMMAND


def _report(code: str, message: str) -> None:
    if ENV.json_errors:
        import json

        print(json.dumps({"error": {"code": code, "message": message}}, ensure_ascii=False), file=sys.stderr)
    else:
        from orders_cli.core.text import terminal

        print(f"error: {terminal(message)}", file=sys.stderr)  # one line; stored text in it shown, not obeyed


def main(argv: list[str] | None = None) -> int:
    """Run the CLI; returns the exit status (``ExitStatus``: 0 done, 1 refused, 2 usage).

    A command returns nothing (done) or an ``ExitStatus`` (``REFUSED`` after partial work,
    e.g. ``recur run`` with failed orders); refusals are raised as ``OrdersError``."""
    if os.environ.get("_ORDERS_COMPLETE"):  # the shell asks: complete.py answers
        from orders_cli.cli import complete, complete_tree

        done = complete.answer(lambda: complete_tree.build(_command()))
        if done is not None:
            return done
    return int(_main(argv))


def _chart_alone(args: list[str]) -> list[str]:
    """``--chart`` takes an optional FILE (``orders report sales --chart`` draws in the terminal,
    ``--chart sales.svg`` writes an image): alone, it is given the value ``-``."""
    if "--chart" not in args or "report" not in args:
        return args
    out = []
    for i, arg in enumerate(args):
        nxt = args[i + 1] if i + 1 < len(args) else None
        out.append("--chart=-" if arg == "--chart" and (nxt is None or nxt.startswith("-")) else arg)
    return out


def _main(argv: list[str] | None) -> int:
    args = _chart_alone(list(sys.argv[1:] if argv is None else argv))
    ENV.__dict__.update(Env().__dict__)
    from orders_cli.store import target

    target.use(None)
    target.may_create(False)
    ENV.json_errors = "--json" in args or "--jsonl" in args
    ENV.traceback = "--traceback" in args
    loaded = sys.modules.get("orders_cli.adapters.settings")  # a run in this process before (tests): read afresh
    if loaded is not None:  # not imported for --help, which reads no setting (start-up, issue 19)
        loaded._CACHE.clear()
    status = ExitStatus.REFUSED
    try:
        status = _run(args)
        return status
    finally:
        if status != ExitStatus.OK and "orders_cli.store.database" in sys.modules:
            sys.modules["orders_cli.store.database"].discard_fresh()  # a refused first write leaves no database


def _run(args: list[str]) -> int:
    try:
        rv = _command().main(args=args, prog_name="orders", standalone_mode=False)
        return rv if isinstance(rv, int) else ExitStatus.OK
    except OrdersError as err:
        if ENV.traceback:
            raise
        _report(err.code, err.message)
        return err.exit_code
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return ExitStatus.INTERRUPTED
    except BrokenPipeError:
        from orders_cli.cli.fast import silence_stdout

        silence_stdout()  # the flush at exit would fail again
        return ExitStatus.OK
    except Exception as err:
        kinds = {cls.__name__ for cls in type(err).__mro__}
        if "UsageError" in kinds:  # click's, or the copy Typer vendors
            if ENV.json_errors:
                _report("usage", err.format_message())  # type: ignore[attr-defined]
            else:
                err.show()  # type: ignore[attr-defined]
            return ExitStatus.USAGE
        if "Abort" in kinds:
            _report("aborted", "aborted")
            return ExitStatus.REFUSED
        if "ClickException" in kinds:
            _report("invalid", err.format_message())  # type: ignore[attr-defined]
            return getattr(err, "exit_code", ExitStatus.REFUSED) or ExitStatus.REFUSED
        if ENV.traceback:
            raise
        from orders_cli.cli.fast import internal_message

        _report("internal", internal_message(err))
        return ExitStatus.REFUSED
    finally:
        if "orders_cli.store.database" in sys.modules:
            try:
                sys.modules["orders_cli.store.database"].dispose_all()
            except Exception:
                pass


if __name__ == "__main__":
    raise SystemExit(main())
