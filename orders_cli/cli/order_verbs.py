"""orders order delete, and what orders order status asks before marking an order delivered
(cli/order.py is full: its commands that ask live here)."""

from typing import Annotated

import typer

from orders_cli.cli.common import Json, Yes


def order_delete(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    yes: Yes = False,
    json_: Json = False,
) -> None:
    """Delete an order made by mistake: one never finalized, invoiced, delivered, bought for, credited, used or billed by recur run.

    Its lines, status history, change log, recurrence settings, attached documents and
    activities go with it, in one transaction. Its number is not reused: the numbering counter
    never goes back, so order numbers may have gaps (invoice numbers never do). Anything that
    stands on the order refuses, naming it (cancel such an order instead). Asks for
    confirmation; without a terminal, --yes is required.

    Example: orders order delete SO-00004 --yes
    """
    from orders_cli import store
    from orders_cli.adapters.env import stdin_is_tty
    from orders_cli.cli.common import record_or_note
    from orders_cli.core.errors import Invalid
    from orders_cli.core.text import terminal
    from orders_cli.sales import removal

    if not yes:
        with store.transaction(write=False) as s:
            plan = removal.deletion(s, order)  # a refusal comes before any question
        if not stdin_is_tty():
            raise Invalid(f"deleting {plan.number} cannot be undone: confirm with --yes (no terminal to ask)")
        question = f'Delete {plan.number} "{terminal(plan.subject)}" ({_parts(plan)})? It cannot be undone; its number is not reused'
        if not typer.confirm(question, default=False, err=True):
            raise Invalid(f"{plan.number} not deleted (answered no)")
    with store.transaction() as s:
        done = removal.delete_order(s, order)
    record_or_note(done, json_, f"deleted {done.number} ({_parts(done)}); its number is not reused (order numbers may have gaps)")


def _parts(plan) -> str:
    parts = [f"{plan.lines} line{'s' if plan.lines != 1 else ''}"]
    if plan.documents:
        parts.append(f"{plan.documents} attached document{'s' if plan.documents != 1 else ''}")
    if plan.activities:
        parts.append(f"{plan.activities} activit{'ies' if plan.activities != 1 else 'y'}")
    if plan.recurrence:
        parts.append("its recurrence settings")
    return ", ".join(parts)


def set_status(order: str, status: str, force: bool, json_: bool) -> None:
    """The body of ``order status``: on a terminal, ``delivered`` with goods undelivered asks
    first; in a script it is refused unless ``force`` (the use case checks it)."""
    from orders_cli import store
    from orders_cli.adapters.env import stdin_is_tty
    from orders_cli.cli.common import context, record_or_note
    from orders_cli.core.errors import Invalid
    from orders_cli.core.text import terminal
    from orders_cli.sales import edits, guards

    if not force and stdin_is_tty():
        with store.transaction(write=False) as s:
            pending = guards.pending_delivery(s, order, status)
        if pending is not None:
            number, left = pending
            if not typer.confirm(f"{number} still has {terminal(left)} undelivered. Mark it delivered anyway?", default=False, err=True):
                raise Invalid(f"{number} not changed (answered no)")
            force = True
    with store.transaction() as s:
        doc = edits.set_status(s, context(), order, status, force)
    record_or_note(doc, json_, f"{doc.number} is now {doc.status}")
