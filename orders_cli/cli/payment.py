"""orders payment: money received for invoices, refunds paid for credit notes."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Json, Yes, context, group, list_formats, show_rows

app = group("payment", "Payments received for invoices and refunds paid for credit notes: add, list, remove.")

PAYMENT_COLUMNS = [
    ("id", "Id"), ("date", "Date"), ("document", "Document"), ("kind", "Kind"), ("account.name", "Account"), ("amount", "Amount"),
    ("currency", "Currency"), ("method", "Method"), ("reference", "Reference"), ("removed", "Removed"),
]


def _balance_note(doc) -> str:
    if doc.kind == "payment":
        return f"{doc.document} balance {doc.balance} {doc.currency} ({doc.payment_state.replace('_', ' ')})"
    return f"left to refund on {doc.document}: {doc.balance} {doc.currency}"


@app.command("add")
def add(
    document: Annotated[str, typer.Argument(help="Invoice number or id; or a credit note's number or id (a refund paid out)")],
    amount: Annotated[str, typer.Option("--amount", help="Amount received (or refunded), at most 2 decimal places, e.g. 120.00")],
    on: Annotated[Optional[str], typer.Option("--date", help="Date received, YYYY-MM-DD (default today; never after today)")] = None,
    method: Annotated[Optional[str], typer.Option("--method", help="transfer (default) | card | cash | cheque | direct_debit | other")] = None,
    reference: Annotated[Optional[str], typer.Option("--reference", help="The bank's or customer's reference, e.g. a transfer id")] = None,
    allow_overpayment: Annotated[bool, typer.Option("--allow-overpayment", help="Record it even if it is more than the balance")] = False,
    json_: Json = False,
) -> None:
    """Record a payment received for an invoice, or a refund paid out for a credit note.

    More than the balance is refused unless --allow-overpayment. The payment state of the
    invoice follows: unpaid -> partially_paid -> paid (overdue once the due date is past).

    Example: orders payment add INV-00001 --amount 120.00 --method card --reference "POS 4411"
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.invoicing import payments

    ctx = context()
    with store.transaction() as s:
        doc = payments.add_payment(s, ctx, document, amount, on, method, reference, allow_overpayment)
    what = "payment" if doc.kind == "payment" else "refund"
    if json_:
        output.record(doc, output.JSON)
    output.note(f"recorded {what} {doc.id} of {doc.amount} {doc.currency}: {_balance_note(doc)}")


@app.command("list")
@list_formats
def list_(
    invoice: Annotated[Optional[str], typer.Option("--invoice", help="Only this invoice's payments (or this credit note's refunds)")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account's payments and refunds")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Received on or after YYYY-MM-DD")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Received on or before YYYY-MM-DD")] = None,
    fmt: str = "table",
) -> None:
    """List payments and refunds, oldest first; removed ones are listed too, flagged removed.

    Example: orders payment list --account "Café Müller" --since 2026-01-01 --csv
    """
    from orders_cli.invoicing import payments

    show_rows(payments.list_payments, invoice, account, since, until, fmt=fmt, columns=PAYMENT_COLUMNS, empty="no payments")


@app.command("remove")
def remove(
    payment: Annotated[str, typer.Argument(help="Payment id (see orders payment list)")],
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why it is removed, e.g. entered twice")] = None,
    yes: Yes = False,
    json_: Json = False,
) -> None:
    """Remove a payment entered by mistake: it stays listed (flagged removed) and stops counting in any balance.

    Irreversible. Asks for confirmation; without a terminal, --yes is required.

    Example: orders payment remove 12 --reason "entered twice" --yes
    """
    from orders_cli import store
    from orders_cli.adapters.env import stdin_is_tty
    from orders_cli.cli import output
    from orders_cli.core.errors import Invalid
    from orders_cli.invoicing import payments

    ctx = context()
    with store.transaction(write=False) as s:
        payments.check_removable(s, payment)
    if not yes:
        if not stdin_is_tty():
            raise Invalid("removing a payment is irreversible: confirm with --yes (no terminal to ask)")
        if not typer.confirm(f"Remove payment {payment}? It stops counting in the balance for good", default=False, err=True):
            raise Invalid("not removed (answered no)")
    with store.transaction() as s:
        doc = payments.remove_payment(s, ctx, payment, reason)
    if json_:
        output.record(doc, output.JSON)
    output.note(f"removed payment {doc.id} ({doc.amount} {doc.currency}): {_balance_note(doc)}")
