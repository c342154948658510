"""orders credit list | show (pdf and send are mounted in app.py): credit notes."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Csv, CsvRaw, Json, Jsonl, Limit, group

app = group("credit", "Credit notes: list, show, PDF, send (issue one with orders invoice credit).")

COLUMNS = [("number", "Number"), ("credit_date", "Date"), ("invoice", "Invoice"), ("order", "Order"), ("account.name", "Account"),
           ("reason", "Reason"), ("total", "Total")]


@app.command("list")
def credit_list(
    invoice: Annotated[Optional[str], typer.Option("--invoice", help="Only this invoice's credit notes")] = None,
    order: Annotated[Optional[str], typer.Option("--order", help="Only this order's credit notes")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account's credit notes")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Dated on or after YYYY-MM-DD")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Dated on or before YYYY-MM-DD")] = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
) -> None:
    """List credit notes, newest first.

    Example: orders credit list --invoice INV-00001 --json
    """
    from orders_cli.cli.documents import _list
    from orders_cli.invoicing import credit_views

    _list(lambda s: credit_views.list_credits(s, invoice, order, account, since, until, limit), json_, jsonl, csv_, csv_raw, COLUMNS,
          "no credit notes")


@app.command("show")
def credit_show(credit: Annotated[str, typer.Argument(help="Credit note number or id")], json_: Json = False) -> None:
    """Show a credit note: the invoice it cites, lines, totals, refunds.

    Example: orders credit show CN-00001 --json
    """
    from orders_cli.cli.documents import _show, human_credit
    from orders_cli.invoicing import credit_views

    _show(credit_views.show_credit, credit, json_, human_credit)
