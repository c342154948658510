"""orders recur | usage: recurring invoicing and the usage it bills."""

from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Iterator, Optional

import typer

from orders_cli.cli.common import Csv, CsvRaw, Json, Jsonl, group
from orders_cli.core.errors import ExitStatus

if TYPE_CHECKING:
    from datetime import date as Date

    from orders_cli.recurring.results import RunResult

app = group("recur", "Recurring invoicing: settings per order, the daily billing run, the dashboard.")
usage_app = group("usage", "Usage records (consumption) billed on the next recurring invoice.")

Order = Annotated[str, typer.Argument(help="Order number or id")]
AsOf = Annotated[Optional[str], typer.Option("--date", help="As of this day (default today)")]
TABLE_ROWS = 100  # `recur show` as a table: a far --date can make tens of thousands of periods due
# the order first: the first column always stays (cli/tables.py), and a dry run has no invoice numbers yet
RUN_COLUMNS = [("order", "Order"), ("number", "Invoice"), ("subject", "Subject"), ("invoice_date", "Date"),
               ("period_start", "Period start"), ("period_end", "Period end"), ("totals.total", "Total")]
DASHBOARD_COLUMNS = [("order", "Order"), ("account", "Account"), ("frequency", "Every"), ("enabled", "On"), ("start", "Start"),
                     ("end", "End"), ("next_date", "Next"), ("invoices", "Invoices"), ("billed", "Billed"), ("pending", "Pending"),
                     ("skipped", "Skipped")]
USAGE_COLUMNS = [("id", "Id"), ("date", "Date"), ("sku", "SKU"), ("quantity", "Qty"), ("unit_price", "Price"), ("invoice", "Invoice")]


def _day(value: str | None) -> "Date | None":
    """A command's --date, checked (None when not given)."""
    from orders_cli.core import text

    return text.parse_date(value, "--date") if value else None


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@app.command("set")
def recur_set(
    order: Order,
    frequency: Annotated[Optional[str], typer.Option("--frequency", help="daily | weekly | monthly | quarterly | semiannual | annual")] = None,
    start: Annotated[Optional[str], typer.Option("--start", help="First period's start, YYYY-MM-DD (anchors every later date)")] = None,
    end: Annotated[Optional[str], typer.Option("--end", help="Last day billed, inclusive ('' for none)")] = None,
    due_days: Annotated[Optional[int], typer.Option("--due-days", help="Payment term: due = invoice date + N days (default 30)")] = None,
    invoice_status: Annotated[Optional[str], typer.Option("--invoice-status", help="Status of new invoices: auto_created (default), created, approved, sent")] = None,
    subject: Annotated[Optional[str], typer.Option("--subject", help="Subject template: {YYYY} {YY} {MM} {MMM} {DD} {Q}")] = None,
    language: Annotated[Optional[str], typer.Option("--language", help="Language of {MMM}: en, fr, de, ...")] = None,
    invoice_date: Annotated[Optional[str], typer.Option("--invoice-date", help="start (in advance, default) or end (in arrears)")] = None,
    last_day: Annotated[Optional[bool], typer.Option("--last-day/--no-last-day", help="Bill on each month's last day")] = None,
    catch_up: Annotated[Optional[str], typer.Option("--catch-up", help="all (default): bill every missed period; latest: skip to the newest")] = None,
    usage: Annotated[Optional[bool], typer.Option("--usage/--no-usage", help="Add usage records to each invoice")] = None,
    json_: Json = False,
) -> None:
    """Turn on (or change) recurring invoicing for an order; allowed after finalize.

    A schedule changed after billing never bills a day twice: a period overlapping billed days
    is not billed, and the days of it no invoice covers are named on stderr (left_unbilled).

    Example: orders recur set SO-00001 --frequency monthly --start 2026-01-31 --subject "Maintenance {MMM} {YYYY}" --language fr
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.recurring import settings as recurrence

    opts = {
        "frequency": frequency, "start": start, "due_days": due_days, "invoice_status": invoice_status, "subject": subject,
        "invoice_date": invoice_date, "last_day": last_day, "catch_up": catch_up, "usage": usage,
    }
    if end is not None:
        opts["end"] = end
    if language is not None:
        opts["language"] = language
    ctx = context()
    with store.transaction() as s:
        result = recurrence.set_recurrence(s, ctx, order, opts)
    output.record(result, output.JSON if json_ else output.TABLE,
                  lambda d: output.kv({k: v for k, v in d.items() if k not in ("pending_periods", "left_unbilled")}, title=f"Recurrence of {order}"))
    if result.left_unbilled:
        days = ", ".join(f"{g.start.isoformat()} to {g.end.isoformat()}" for g in result.left_unbilled)
        output.note(f"{days}: never billed by this schedule (its periods there overlap days already billed, and no day is billed twice); "
                    "invoice them by hand if they are owed")
    pending = result.pending_periods
    if pending and result.enabled and result.catch_up == "latest" and pending > 1:
        output.note(f"the next run will bill 1 past period (catch-up latest: the newest; the {pending - 1} older will be recorded as skipped)")
    elif pending and result.enabled:
        output.note(f"the next run will bill {_plural(pending, 'past period')}")


@app.command("off")
def recur_off(order: Order, json_: Json = False) -> None:
    """Stop recurring invoicing (history kept; turning it on again never re-bills a period).

    Example: orders recur off SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.recurring import settings as recurrence

    ctx = context()
    with store.transaction() as s:
        view = recurrence.turn_off(s, ctx, order)
    output.record(view, output.JSON if json_ else output.TABLE, lambda _: output.note(f"recurring invoicing of {order} is off"))


PHASES = {"billing": "billing orders", "mailing": "mailing invoices"}
SHORT = 5  # on a terminal, recur run shows the first and the last SHORT invoices it made (--verbose: all)


@contextmanager
def _progress_bar(show: bool) -> Iterator:
    """A counting bar on stderr for the run's phases (billing orders, mailing invoices); None when not shown."""
    if not show:
        yield None
        return
    from orders_cli.cli import progress as bars

    with bars.bar(PHASES["billing"]) as update:
        def progress(phase: str, done: int, total: int | None) -> None:
            update(done, total, PHASES.get(phase, phase))

        yield progress


def short(invoices: list, verbose: bool) -> list:
    """The rows of the run's table: all of them, or on a terminal without --verbose the first
    and last ``SHORT`` with one row between that says how many are left out."""
    from orders_cli.adapters.env import stdout_is_tty

    if verbose or not stdout_is_tty() or len(invoices) <= 2 * SHORT + 1:
        return invoices
    left_out = len(invoices) - 2 * SHORT
    gap = {"order": "...", "number": f"{left_out} more"}  # the subject may be left out at 80 columns
    return [*invoices[:SHORT], gap, *invoices[-SHORT:]]


@app.command("run")
def recur_run(
    date: Annotated[Optional[str], typer.Option("--date", help="Bill what is due up to this day and date the invoices on it (default today); "
                                                "not before the latest invoice issued")] = None,
    allow_future: Annotated[bool, typer.Option("--allow-future", help="Allow a --date after today (invoices dated ahead)")] = False,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be billed, with the same dates; write nothing")] = False,
    max_periods: Annotated[Optional[int], typer.Option("--max-periods", min=1, help="At most N periods per order in this run")] = None,
    send: Annotated[bool, typer.Option("--send", help="Mail each new invoice (PDF attached) to its account's e-mail; never twice")] = False,
    retry_uncertain: Annotated[bool, typer.Option("--retry-uncertain", help="With --send: mail again the invoices marked uncertain "
                                                  "(the connection died after the server got the message); check first that they did not arrive")] = False,
    verbose: Annotated[bool, typer.Option("--verbose", "-v", help="On a terminal, list every invoice made (default: the first and last 5)")] = False,
    json_: Json = False,
) -> ExitStatus:
    """Bill every due period of every recurring order: what cron calls every day. Safe to repeat.

    Each invoice is dated the run's day (--date, default today; due = that day + the
    order's due days), shows the period it bills, takes its subject from the day that
    period became due, and is numbered and written in its own transaction. After a gap
    (cron was down) every missed period is billed once, oldest first, all dated the run's
    day (catch-up latest: the older ones are recorded as skipped). Invoice numbers follow
    their dates: a run dated before the latest invoice already issued is refused, nothing
    written; a --date after today needs --allow-future.
    Exits 1 if an order failed (after billing all the others) and names it.

    With --send, every invoice made is queued for its account's e-mail in the same
    transaction, then mailed through the smtp.* settings; an invoice is mailed at most
    once, even when runs overlap. If the server cannot be reached the invoices stay
    queued, the run exits 1, and the next `recur run --send` mails them. If the connection
    dies after the server got the message but before it confirmed, the invoice may have
    been delivered: it is marked uncertain, named on stderr (the run exits 1) and never
    mailed again by itself; once you checked it did not arrive, --retry-uncertain mails it.

    On a terminal a bar counts the orders billed (43/210, rate, time left) and the
    invoices mailed; the table lists the first and last 5 invoices made (--verbose: all),
    then the summary. Piped or with --json: no bar, every invoice.

    Example: orders recur run --dry-run

    Example: orders recur run --send --retry-uncertain

    In a crontab: 15 6 * * *  orders recur run --send >> ~/orders-recur.log 2>&1
    """
    from orders_cli.cli import output
    from orders_cli.cli import progress as bars
    from orders_cli.cli.common import context
    from orders_cli.sending import outbox

    if retry_uncertain and not send:
        raise typer.BadParameter("--retry-uncertain needs --send", param_hint="--retry-uncertain")
    from orders_cli.adapters.env import today

    ctx = context(_day(date))  # --date and ORDERS_TODAY mean the same: the run's today
    clock = today()  # the real today: a --date after it needs --allow-future
    if send and not dry_run:
        outbox.check_ready(ctx.settings)  # refuse before billing when mail cannot go out
    with _progress_bar(bars.wanted(json_)) as progress:
        result = outbox.recur_run(ctx, dry_run, max_periods, send, progress, retry_uncertain=retry_uncertain,
                                  allow_future=allow_future, clock=clock)
    if json_:
        output.record(result, output.JSON)
    elif result.invoices:
        output.rows(short(result.invoices, verbose), output.TABLE, RUN_COLUMNS)
    _report_run(result, mailed=send and not dry_run)
    return ExitStatus.OK if result.complete else ExitStatus.REFUSED


def _report_run(result: "RunResult", mailed: bool) -> None:
    """The run's summary on stderr: counts, each failed order, and with --send what was mailed."""
    from orders_cli.cli import output

    orders = len({i.order for i in result.invoices})
    verb = "would bill" if result.dry_run else "billed"
    output.note(f"recur run {result.as_of.isoformat()}: {verb} {_plural(len(result.invoices), 'invoice')} for {_plural(orders, 'order')}"
                f", {_plural(len(result.skipped_periods), 'period')} skipped, {len(result.failed)} failed")
    for f in result.failed:
        output.note(f"error: {f.order}: {f.error}")
    if mailed:
        mail = result.mail
        output.note(f"recur run: mailed {_plural(len(mail.sent), 'invoice')}, {mail.pending} still queued")
        for number in mail.no_address:
            output.note(f"warning: {number} not mailed: its account has no e-mail address")
        for number in mail.stuck:
            output.note(f"warning: {number} may or may not have been mailed (a run was stopped while sending); check and mail it with `orders invoice send`")
        failed_now = {f.invoice for f in mail.failed}
        for number in mail.uncertain:
            if number not in failed_now:
                output.note(f"warning: {number} may have been mailed (the connection died before the server confirmed); "
                            "not sent again: check with the recipient, then `orders recur run --send --retry-uncertain`")
        for f in mail.failed:
            if f.uncertain:
                output.note(f"error: {f.invoice}: may have been mailed to {f.to}, marked uncertain and not sent again: {f.error}; "
                            "then `orders recur run --send --retry-uncertain`")
            else:
                output.note(f"error: {f.invoice}: not mailed to {f.to}: {f.error}")


@app.command("list")
def recur_list(date: AsOf = None, json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False, csv_raw: CsvRaw = False) -> None:
    """The dashboard: every recurring order, its next date, invoices, amount billed, pending and skipped periods, and the MRR.

    Example: orders recur list
    """
    from orders_cli import store
    from orders_cli.adapters.env import today
    from orders_cli.cli import output
    from orders_cli.recurring import views

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    as_of = _day(date) or today()
    with store.transaction(write=False) as s:
        board = views.dashboard(s, as_of)
    if fmt == output.JSON:
        output.record(board, output.JSON)
        return
    data = output.as_data(board)
    output.rows(data["orders"], fmt, DASHBOARD_COLUMNS, empty="no recurring orders")
    if fmt == output.TABLE:
        output.note(f"monthly recurring revenue: {data['monthly_recurring_revenue']}")


@app.command("show")
def recur_show(order: Order, date: AsOf = None, json_: Json = False) -> None:
    """One recurring order: its settings, the invoices made, skipped periods and the next dates with amounts.

    Example: orders recur show SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.recurring import views

    day = _day(date)
    ctx = context()
    as_of = day or ctx.today
    with store.transaction(write=False) as s:
        info = views.show(s, ctx, order, as_of)
    output.record(info, output.JSON if json_ else output.TABLE, lambda d: _human_show(d, as_of))


def _human_show(info: dict, as_of: "Date") -> None:
    from orders_cli.cli import output

    output.kv(info["recurrence"], title=f"Recurrence of {info['order']}  {info['subject']}")
    output.rows(info["invoices"], output.TABLE, [("number", "Invoice"), ("period_start", "From"), ("period_end", "To"), ("invoice_date", "Date"),
                                                 ("status", "Status"), ("total", "Total")], title="Invoices", empty="no invoices yet")
    shown, more = info["next"][:TABLE_ROWS], len(info["next"]) - TABLE_ROWS
    output.rows(shown, output.TABLE, [("invoice_date", "Date"), ("period_start", "From"), ("period_end", "To"), ("amount", "Amount"),
                                      ("overdue", "Due now")], title="Next", empty="nothing more to bill")
    if more > 0:
        output.note(f"... and {more} more periods due by {as_of.isoformat()} (--json lists every one)")


@usage_app.command("add")
def usage_add(
    order: Order,
    product: Annotated[str, typer.Option("--product", help="SKU")],
    qty: Annotated[str, typer.Option("--qty", help="Quantity used")],
    date: Annotated[Optional[str], typer.Option("--date", help="Day of use (default today)")] = None,
    price: Annotated[Optional[str], typer.Option("--price", help="Unit price (default: the catalog's)")] = None,
    json_: Json = False,
) -> None:
    """Record usage to bill on the order's next recurring invoice.

    Example: orders usage add SO-00001 --product CONSULT --qty 1.5 --date 2026-11-20
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.recurring import usage

    ctx = context()
    with store.transaction() as s:
        rec = usage.add_usage(s, ctx, order, product, qty, date, price)
    output.record(rec, output.JSON if json_ else output.TABLE,
                  lambda d: output.note(f"usage {d['id']} recorded: {d['quantity']} {d['sku']} on {d['date']} for {d['order']}"))


@usage_app.command("import")
def usage_import(file: Annotated[Path, typer.Argument(help="CSV with columns order,product,qty[,date,price]; '-' for stdin")], json_: Json = False) -> None:
    """Import usage records from CSV, all or nothing.

    Example: orders usage import meter-readings.csv
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context, read_input
    from orders_cli.recurring import usage

    with read_input(file, csv=True) as (handle, source), store.transaction() as s:
        result = usage.import_usage(s, context(), handle, source)
    output.record(result, output.JSON if json_ else output.TABLE, lambda d: output.note(f"imported {d['imported']} usage records from {source}"))


@usage_app.command("list")
def usage_list(order: Order, json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False, csv_raw: CsvRaw = False) -> None:
    """An order's usage records and the invoice that billed each.

    Example: orders usage list SO-00001 --csv
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import usage

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    with store.transaction(write=False) as s:
        items = usage.list_usage(s, order)
    output.rows(items, fmt, USAGE_COLUMNS, empty="no usage recorded")
