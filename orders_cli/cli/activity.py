"""orders activity: calls, meetings and tasks on an order (mails sent show up here too)."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import (
    Json,
    context,
    group,
    list_formats,
    record_or_note,
    show_rows,
)

app = group("activity", "Calls, meetings and tasks on an order, with due dates and a done state.")

COLUMNS = [("id", "Id"), ("order", "Order"), ("invoice", "Invoice"), ("type", "Type"), ("subject", "Subject"), ("due", "Due"),
           ("done", "Done"), ("overdue", "Overdue"), ("note", "Note"), ("created_at", "Added")]
TABLE_COLUMNS = [("id", "Id"), ("type", "Type"), ("subject", "Subject"), ("due", "Due"), ("done", "Done"), ("invoice", "Invoice"), ("note", "Note")]


@app.command("add")
def activity_add(
    order: Annotated[str, typer.Argument(help="Order number or id (finalized orders too)")],
    type_: Annotated[str, typer.Option("--type", help="call | meeting | task")],
    subject: Annotated[str, typer.Option("--subject", help="What it is about")],
    due: Annotated[Optional[str], typer.Option("--due", help="Due date YYYY-MM-DD")] = None,
    note: Annotated[Optional[str], typer.Option("--note", help="Free text")] = None,
    json_: Json = False,
) -> None:
    """Add a call, meeting or task to an order.

    Example: orders activity add SO-00001 --type call --subject "Confirm delivery date" --due 2026-12-01
    """
    from orders_cli import store
    from orders_cli.records import activities

    with store.transaction() as s:
        act = activities.add(s, context(), order, type_, subject, due, note)
    record_or_note(act, json_, f"activity {act.id} added to {act.order}: {act.type} {act.subject!r}" + (f", due {act['due']}" if act.due else ""))


@app.command("list")
@list_formats
def activity_list(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    open_: Annotated[bool, typer.Option("--open", help="Only those not done yet")] = False,
    fmt: str = "table",
) -> None:
    """List an order's activities of every type (calls, meetings, tasks, mails sent), oldest first.

    Example: orders activity list SO-00001 --open
    """
    from orders_cli.cli import output
    from orders_cli.records import activities

    show_rows(activities.list_for, context(), order, open_, fmt=fmt, columns=TABLE_COLUMNS if fmt == output.TABLE else COLUMNS,
              empty="no activities (add one: orders activity add ORDER --type call --subject ...)")


@app.command("done")
def activity_done(
    activity: Annotated[str, typer.Argument(help="Activity id (see activity list)")],
    undo: Annotated[bool, typer.Option("--undo", help="Mark it not done again")] = False,
    json_: Json = False,
) -> None:
    """Mark an activity done (again: nothing changes).

    Example: orders activity done 3
    """
    from orders_cli import store
    from orders_cli.records import activities

    with store.transaction() as s:
        act = activities.mark_done(s, context(), activity, not undo)
    record_or_note(act, json_, f"activity {act.id} ({act.subject}) is {'done' if act.done else 'open'}")
