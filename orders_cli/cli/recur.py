"""orders recur | usage: recurring invoicing and the usage it bills."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Csv, Json, Jsonl, group

app = group("recur", "Recurring invoicing: settings per order, the daily billing run, the dashboard.")
usage_app = group("usage", "Usage records (consumption) billed on the next recurring invoice.")

Order = Annotated[str, typer.Argument(help="Order number or id")]
TABLE_ROWS = 100  # `recur show` as a table: a far --date can make tens of thousands of periods due


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

    Example: orders recur set SO-00001 --frequency monthly --start 2026-01-31 --subject "Maintenance {MMM} {YYYY}" --language fr
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring

    opts = {
        "frequency": frequency, "start": start, "due_days": due_days, "invoice_status": invoice_status, "subject": subject,
        "invoice_date": invoice_date, "last_day": last_day, "catch_up": catch_up, "usage": usage,
    }
    if end is not None:
        opts["end"] = end
    if language is not None:
        opts["language"] = language
    with store.transaction() as s:
        view, pending = recurring.set_recurrence(s, order, opts)
    if json_:
        output.record(dict(view, pending_periods=pending), output.JSON)
    else:
        output.kv(view, title=f"Recurrence of {order}")
    if pending and view["enabled"] and view["catch_up"] == "latest" and pending > 1:
        output.note(f"the next run will bill 1 past period (catch-up latest: the newest; the {pending - 1} older will be recorded as skipped)")
    elif pending and view["enabled"]:
        output.note(f"the next run will bill {pending} past period{'s' if pending != 1 else ''}")


@app.command("off")
def recur_off(order: Order, json_: Json = False) -> None:
    """Stop recurring invoicing (history kept; turning it on again never re-bills a period).

    Example: orders recur off SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring

    with store.transaction() as s:
        view = recurring.turn_off(s, order)
    if json_:
        output.record(view, output.JSON)
    else:
        output.note(f"recurring invoicing of {order} is off")


@app.command("run")
def recur_run(
    date: Annotated[Optional[str], typer.Option("--date", help="Bill what is due up to this day (default today)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show what would be billed; write nothing")] = False,
    max_periods: Annotated[Optional[int], typer.Option("--max-periods", min=1, help="At most N periods per order in this run")] = None,
    send: Annotated[bool, typer.Option("--send", help="Mail each new invoice (PDF attached) to its account's e-mail; never twice")] = False,
    json_: Json = False,
) -> None:
    """Bill every due period of every recurring order: what cron calls every day. Safe to repeat.

    Each invoice is dated by its own period, numbered and written in its own transaction.
    Exits 1 if an order failed (after billing all the others) and names it.

    With --send, every invoice made is queued for its account's e-mail in the same
    transaction, then mailed through the smtp.* settings; an invoice is mailed at most
    once, even when runs overlap. If the server cannot be reached the invoices stay
    queued, the run exits 1, and the next `recur run --send` mails them.

    Example (crontab): 15 6 * * *  orders recur run --send >> ~/orders-recur.log 2>&1
    """
    import sys

    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring
    from orders_cli.core import text
    from orders_cli.adapters.env import stderr_is_tty, today

    as_of = text.parse_date(date, "--date") if date else today()
    mailing = send and not dry_run
    if mailing:
        from orders_cli.adapters import settings as config
        from orders_cli.sending import outbox

        settings = config.current()
        outbox.check_ready(settings)  # refuse before billing when mail cannot go out
    progress = None
    bar = None
    if stderr_is_tty() and not json_:
        from rich.progress import Progress

        bar = Progress(console=output.console(stderr=True), transient=True)
        task = bar.add_task("billing", total=None)
        bar.start()

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

    try:
        result = recurring.run(as_of, dry_run, max_periods, progress, send=send)
        if mailing:
            if bar is not None:
                bar.update(task, description="mailing", completed=0, total=None)
            result.mail = outbox.send_pending(settings, progress)
    finally:
        if bar is not None:
            bar.stop()
    if json_:
        output.record(result.as_json(), output.JSON)
    elif result.invoices:
        output.rows(result.invoices, output.TABLE, [("number", "Invoice"), ("order", "Order"), ("subject", "Subject"), ("invoice_date", "Date"),
                                                   ("period_start", "Period start"), ("period_end", "Period end"), ("totals.total", "Total")])
    orders = len({i["order"] for i in result.invoices})
    verb = "would bill" if dry_run else "billed"
    print(f"recur run {as_of.isoformat()}: {verb} {len(result.invoices)} invoice{'s' if len(result.invoices) != 1 else ''} for {orders} order{'s' if orders != 1 else ''}"
          f", {len(result.skipped_periods)} period{'s' if len(result.skipped_periods) != 1 else ''} skipped, {len(result.failed)} failed", file=sys.stderr)
    for f in result.failed:
        print(f"error: {f['order']}: {f['error']}", file=sys.stderr)
    mail_trouble = False
    if mailing:
        sent = result.mail
        print(f"recur run: mailed {len(sent['sent'])} invoice{'s' if len(sent['sent']) != 1 else ''}, {sent['pending']} still queued", file=sys.stderr)
        for number in result.no_address:
            print(f"warning: {number} not mailed: its account has no e-mail address", file=sys.stderr)
        for number in sent["stuck"]:
            print(f"warning: {number} may or may not have been mailed (a run was stopped while sending); check and mail it with `orders invoice send`", file=sys.stderr)
        for f in sent["failed"]:
            print(f"error: {f['invoice']}: not mailed to {f['to']}: {f['error']}", file=sys.stderr)
        mail_trouble = bool(sent["failed"])
    if result.failed or mail_trouble:
        raise typer.Exit(1)


@app.command("list")
def recur_list(
    date: Annotated[Optional[str], typer.Option("--date", help="As of this day (default today)")] = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
) -> None:
    """The dashboard: every recurring order, its next date, invoices, amount billed, pending and skipped periods, and the MRR.

    Example: orders recur list
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring
    from orders_cli.core import text
    from orders_cli.adapters.env import today

    fmt = output.pick(json_, jsonl, csv_)
    as_of = text.parse_date(date, "--date") if date else today()
    with store.transaction(write=False) as s:
        board = recurring.dashboard(s, as_of)
    if fmt == output.JSON:
        output.record(board, output.JSON)
        return
    output.rows(board["orders"], fmt, [("order", "Order"), ("account", "Account"), ("frequency", "Every"), ("enabled", "On"), ("start", "Start"),
                                       ("end", "End"), ("next_date", "Next"), ("invoices", "Invoices"), ("billed", "Billed"), ("pending", "Pending"),
                                       ("skipped", "Skipped")], empty="no recurring orders")
    if fmt == output.TABLE:
        output.note(f"monthly recurring revenue: {board['monthly_recurring_revenue']}")


@app.command("show")
def recur_show(order: Order, date: Annotated[Optional[str], typer.Option("--date", help="As of this day (default today)")] = None, json_: Json = False) -> None:
    """One recurring order: its settings, the invoices made, skipped periods and the next dates with amounts.

    Example: orders recur show SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring
    from orders_cli.core import text
    from orders_cli.adapters.env import today

    as_of = text.parse_date(date, "--date") if date else today()
    with store.transaction(write=False) as s:
        info = recurring.show(s, order, as_of)
    if json_:
        output.record(info, output.JSON)
        return
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
    from orders_cli.recurring import billing as recurring

    with store.transaction() as s:
        rec = recurring.add_usage(s, order, product, qty, date, price)
    if json_:
        output.record(rec, output.JSON)
    else:
        output.note(f"usage {rec['id']} recorded: {rec['quantity']} {rec['sku']} on {rec['date']} for {rec['order']}")


@usage_app.command("import")
def usage_import(file: Annotated[Path, typer.Argument(help="CSV with columns order,product,qty[,date,price]; '-' for stdin")], json_: Json = False) -> None:
    """Import usage records from CSV, all or nothing.

    Example: orders usage import meter-readings.csv
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring
    from orders_cli.cli.common import read_input

    with read_input(file, csv=True) as (handle, source), store.transaction() as s:
        n = recurring.import_usage(s, handle, source)
    if json_:
        output.record({"imported": n}, output.JSON)
    else:
        output.note(f"imported {n} usage records from {source}")


@usage_app.command("list")
def usage_list(order: Order, json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False) -> None:
    """An order's usage records and the invoice that billed each.

    Example: orders usage list SO-00001 --csv
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.recurring import billing as recurring

    fmt = output.pick(json_, jsonl, csv_)
    with store.transaction(write=False) as s:
        items = recurring.list_usage(s, order)
    output.rows(items, fmt, [("id", "Id"), ("date", "Date"), ("sku", "SKU"), ("quantity", "Qty"), ("unit_price", "Price"), ("invoice", "Invoice")],
                empty="no usage recorded")
