"""orders remind: reminders (dunning) of unpaid invoices, the daily run and what it sent."""

from typing import TYPE_CHECKING, Annotated, Optional

import typer

from orders_cli.cli.common import Csv, CsvRaw, Json, Jsonl, group
from orders_cli.core.errors import ExitStatus

if TYPE_CHECKING:
    from orders_cli.reminding.results import RemindResult

app = group("remind", "Reminders of unpaid invoices: the daily run (levels from reminders.days) and what was sent.")

RUN_COLUMNS = [("invoice", "Invoice"), ("account", "Account"), ("level", "Level"), ("due_date", "Due"), ("days_late", "Days late"),
               ("balance", "Balance"), ("currency", "Cur."), ("status", "Status")]
LIST_COLUMNS = [("id", "Id"), ("invoice", "Invoice"), ("account", "Account"), ("level", "Level"), ("reminder_date", "Date"),
                ("balance", "Balance"), ("currency", "Cur."), ("status", "Status"), ("to", "To")]


def _plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


@app.command("run")
def remind_run(
    date: Annotated[Optional[str], typer.Option("--date", help="Remind what is overdue on this day (default today)")] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Show the reminders that would be recorded or mailed; write nothing")] = False,
    send: Annotated[bool, typer.Option("--send", help="Mail each reminder (invoice PDF attached) to the account's e-mail; never twice")] = False,
    retry_uncertain: Annotated[bool, typer.Option("--retry-uncertain", help="With --send: mail again the reminders marked uncertain "
                                                  "(the connection died after the server got the message); check first that they did not arrive")] = False,
    json_: Json = False,
) -> ExitStatus:
    """Record (and with --send mail) the reminder levels due on unpaid invoices: what cron calls every day. Safe to repeat.

    An invoice with a balance gets level N once its due date is reminders.days[N] days
    past (default 7, 15, 30); each level at most once, even when runs overlap; after a gap
    only the highest level reached is sent. Paid, fully credited and cancelled invoices
    are never reminded; the amount stated is the open balance. --date after today only
    with --dry-run (a preview).

    Without --send each reminder is recorded (status recorded: you remind by hand). With
    --send it is mailed, logged as an activity on the invoice, and the run exits 1 if a
    mail failed (no address, server refused or unreachable: tried again by the next
    run --send; uncertain: only with --retry-uncertain).

    Example: orders remind run --dry-run

    In a crontab: 30 6 * * *  orders remind run --send >> ~/orders-remind.log 2>&1
    """
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.core import text
    from orders_cli.reminding import run as reminding

    if retry_uncertain and not send:
        raise typer.BadParameter("--retry-uncertain needs --send", param_hint="--retry-uncertain")
    day = text.parse_date(date, "--date") if date else None
    if day is not None and not dry_run:
        from orders_cli.adapters.env import today
        from orders_cli.core.errors import Invalid

        if day > today():
            raise Invalid(f"--date {day.isoformat()} is after today ({today().isoformat()}): a reminder is never recorded "
                          "before it is due; add --dry-run to see what that day would do")
    ctx = context(day)
    if send and not dry_run:
        from orders_cli.adapters import mail

        mail.smtp_config(ctx.settings)  # refuse before recording anything when mail cannot go out
    result = reminding.run(ctx, dry_run=dry_run, send=send, retry_uncertain=retry_uncertain)
    if json_:
        output.record(result, output.JSON)
    elif result.reminders:
        output.rows(result.reminders, output.TABLE, RUN_COLUMNS)
    _report(result)
    return ExitStatus.OK if result.complete else ExitStatus.REFUSED


def _report(result: "RemindResult") -> None:
    """The run's summary on stderr: counts, each failure, and with --send what needs a look."""
    from orders_cli.cli import output

    n = len(result.reminders)
    if result.dry_run:
        what = f"would {'mail' if result.send else 'record'} {_plural(n, 'reminder')}"
    elif result.send:
        what = f"mailed {_plural(sum(1 for r in result.reminders if r.status == 'sent'), 'reminder')} of {n}"
    else:
        what = f"recorded {_plural(n, 'reminder')} (not mailed: add --send to mail them)"
    output.note(f"remind run {result.as_of.isoformat()} (levels {','.join(map(str, result.levels))} days): {what}, {len(result.failed)} failed")
    for f in result.failed:
        level = f" level {f.level}" if f.level else ""
        if f.uncertain:
            output.note(f"error: {f.invoice}{level}: may have been mailed to {f.to}, marked uncertain and not sent again: {f.error}; "
                        "then `orders remind run --send --retry-uncertain`")
        else:
            output.note(f"error: {f.invoice}{level}: not mailed to {f.to}: {f.error}" if f.to else f"error: {f.invoice}{level}: {f.error}")
    if result.left:
        output.note(f"remind run: {_plural(result.left, 'reminder')} left for the next run (the mail server failed)")
    for p in result.stuck:
        output.note(f"warning: {p.invoice} level {p.level} may or may not have been mailed (a run was stopped while sending); check it")
    failed_now = {(f.invoice, f.level) for f in result.failed}
    for p in result.uncertain:
        if (p.invoice, p.level) not in failed_now:
            output.note(f"warning: {p.invoice} level {p.level} may have been mailed (the connection died before the server confirmed); "
                        "not sent again: check with the recipient, then `orders remind run --send --retry-uncertain`")


@app.command("list")
def remind_list(
    invoice: Annotated[Optional[str], typer.Option("--invoice", help="Only this invoice (number or id)")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account (name or id)")] = None,
    json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False, csv_raw: CsvRaw = False,
) -> None:
    """The reminders recorded and sent, newest first: invoice, level, date, balance stated, status.

    Example: orders remind list --account "Café Müller"
    """
    from orders_cli.cli import output
    from orders_cli.cli.common import show_rows
    from orders_cli.reminding import views

    show_rows(views.list_reminders, invoice, account, fmt=output.pick(json_, jsonl, csv_, csv_raw), columns=LIST_COLUMNS,
              empty="no reminders recorded")
