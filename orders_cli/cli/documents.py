"""orders invoice | purchase | delivery: the documents made from orders."""

from typing import Annotated, Any, Callable, Iterable, Optional

import typer

from orders_cli.cli.common import Csv, CsvRaw, Json, Jsonl, Limit, Yes, group, search_option
from orders_cli.cli.people import human_invoice

invoice_app = group("invoice", "Invoices: list, show, change status.")
purchase_app = group("purchase", "Purchase orders to vendors.")
delivery_app = group("delivery", "Delivery notes.")

INVOICE_COLUMNS = [
    ("number", "Number"), ("invoice_date", "Date"), ("due_date", "Due"), ("order", "Order"), ("account.name", "Account"),
    ("subject", "Subject"), ("status", "Status"), ("total", "Total"), ("paid", "Paid"), ("credited", "Credited"),
    ("balance", "Balance"), ("payment_state", "Payment"),
]
AsOf = Annotated[Optional[str], typer.Option("--as-of", help="Tell payment states (overdue) on this date, YYYY-MM-DD (default today)")]


def human_delivery(doc: dict) -> None:
    from orders_cli.cli import output

    output.kv({"number": doc["number"], "order": doc["order"], "account": doc["account"]["name"], "date": doc["date"],
               "ship to": ", ".join(v for v in doc["ship_to"].values() if v)}, title=f"Delivery note {doc['number']}")
    output.rows(doc["lines"], output.TABLE, [("line_no", "Order line"), ("sku", "SKU"), ("description", "Description"), ("quantity", "Qty")])


def human_purchase(doc: dict) -> None:
    from orders_cli.cli import output

    output.kv({"number": doc["number"], "order": doc["order"], "vendor": doc["vendor"]["name"], "date": doc["date"],
               "ship to": ", ".join(v for v in doc["ship_to"].values() if v), "total": f"{doc['totals']['total']} {doc['currency']}"},
              title=f"Purchase order {doc['number']}")
    output.rows(doc["lines"], output.TABLE, [("line_no", "Order line"), ("sku", "SKU"), ("description", "Description"), ("quantity", "Qty"),
                                              ("unit_cost", "Unit cost"), ("net", "Net")])


def _show(fetch: Callable[[Any, str], Any], ref: str, json_: bool, human: Callable[[dict], None]) -> None:
    """The skeleton of every ``show``: read the document in a read-only transaction, print it."""
    from orders_cli import store
    from orders_cli.cli import output

    with store.transaction(write=False) as s:
        doc = fetch(s, ref)
    output.record(doc, output.JSON if json_ else output.TABLE, human)


def _list(items: Callable[[Any], Iterable[Any]], json_: bool, jsonl: bool, csv_: bool, csv_raw: bool, columns, empty: str) -> None:
    """The skeleton of every ``list``: stream the rows of a read-only transaction in the chosen format."""
    from orders_cli import store
    from orders_cli.cli import output

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    with store.transaction(write=False) as s:
        output.rows(items(s), fmt, columns, empty=empty)


@invoice_app.command("list")
def invoice_list(
    order: Annotated[Optional[str], typer.Option("--order", help="Only this order's invoices")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account's invoices")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="created | auto_created | approved | sent | paid | cancelled")] = None,
    since: Annotated[Optional[str], typer.Option("--since", help="Invoice date on or after YYYY-MM-DD")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Invoice date on or before YYYY-MM-DD")] = None,
    unpaid: Annotated[bool, typer.Option("--unpaid", help="Only invoices with a balance left to pay (unpaid, partially paid, overdue)")] = False,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only invoices with a balance whose due date is before the --as-of date")] = False,
    as_of: AsOf = None,
    search: search_option("the number, subject, customer reference, account, order number or a line's SKU or description") = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
) -> None:
    """List invoices, newest first, each with what was paid, credited, its balance and payment state.

    Example: orders invoice list --overdue --as-of 2026-12-31 --csv ; orders invoice list --search "cafe muller"
    """
    from orders_cli.invoicing import invoices as billing

    _list(lambda s: billing.list_invoices(s, order, status, since, until, account, limit, unpaid, overdue, as_of, search), json_, jsonl, csv_, csv_raw,
          INVOICE_COLUMNS, "no invoices" if search is None else "no invoice matches --search")


@invoice_app.command("show")
def invoice_show(invoice: Annotated[str, typer.Argument(help="Invoice number or id")], as_of: AsOf = None, json_: Json = False) -> None:
    """Show an invoice: lines, totals, tax breakdown, due date, period, paid, balance and payment state.

    Example: orders invoice show INV-00001 --json
    """
    from orders_cli.invoicing import invoices as billing

    _show(lambda s, ref: billing.show_invoice(s, ref, as_of), invoice, json_, human_invoice)


@invoice_app.command("status")
def invoice_status(
    invoice: Annotated[str, typer.Argument(help="Invoice number or id")],
    status: Annotated[str, typer.Argument(help="approved | sent | paid | cancelled")],
    yes: Yes = False,
    json_: Json = False,
) -> None:
    """Move an invoice along its statuses (nothing else of an issued invoice ever changes).

    paid records a payment of the balance first (method other, dated today; none when
    nothing is left to pay) and says so on stderr. cancelled issues a credit note of all that
    is not yet credited, dated today (an issued invoice is corrected by a credit note, never
    erased): asked on a terminal, --yes skips the question; without a terminal it goes ahead
    and says so on stderr.

    Example: orders invoice status INV-00001 paid
    """
    import sys

    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.core.errors import Invalid
    from orders_cli.invoicing import credit_views
    from orders_cli.invoicing import invoices as billing

    if status == "cancelled" and not yes and sys.stdin.isatty() and sys.stderr.isatty():
        if not typer.confirm(f"Cancel {invoice}? A credit note of all that is not yet credited will be issued", default=False, err=True):
            raise Invalid("nothing done")
    ctx = context()
    with store.transaction() as s:
        before = billing.get_invoice(s, invoice)
        had = set(credit_views.numbers_of_invoice(s, before.id))
        doc = billing.set_invoice_status(s, invoice, status, ctx)
        made = [n for n in credit_views.numbers_of_invoice(s, doc.id) if n not in had]
    for number in made:
        output.note(f"issued credit note {number} for {doc.number}")
    if doc.recorded_payment is not None:
        output.note(f"recorded a payment of {doc.recorded_payment} {doc.currency}: {doc.number} is paid")
    if json_:
        output.record(doc, output.JSON)
    else:
        output.note(f"{doc.number} is now {doc.status}")


@invoice_app.command("credit")
def invoice_credit(
    invoice: Annotated[str, typer.Argument(help="Invoice number or id")],
    line: Annotated[Optional[list[str]], typer.Option(
        "--line", metavar="N:QTY", help="Credit QTY of the invoice's order line N (repeatable; default: all not yet credited)")] = None,
    amount: Annotated[Optional[str], typer.Option(
        "--amount", metavar="A", help="A price reduction of A before tax, shared over the invoice's rates by their bases")] = None,
    tax: Annotated[Optional[str], typer.Option("--tax", metavar="NAME", help="With --amount: the reduction on this tax's rate only")] = None,
    reason: Annotated[Optional[str], typer.Option("--reason", help="Why (printed on the credit note)")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Credit note date (default today; never before the latest credit note)")] = None,
    allow_future: Annotated[bool, typer.Option("--allow-future", help="Accept a date after today")] = False,
    rebill: Annotated[bool, typer.Option(
        "--rebill", help="A recurring invoice credited in full: the next recur run bills its period again (default: it stays billed)")] = False,
    json_: Json = False,
) -> None:
    """Issue a credit note for an invoice: whole (default), per line and quantity, or a price reduction.

    It cites the invoice, copies its addresses, language and currency; its amounts are positive
    and lower the invoice's balance. Credited quantities go back to the order (they can be
    invoiced again). Crediting more than remains is refused (over_quantity). A credited
    recurring invoice's period stays billed, unless --rebill (with a credit note of all of it).

    Example: orders invoice credit INV-00001 --line 2:1 --reason "one mug broken"
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.invoicing import credits

    ctx = context()
    with store.transaction() as s:
        doc = credits.credit_invoice(s, ctx, invoice, line, amount, tax, reason, date, allow_future, rebill)
    output.record(doc, output.JSON if json_ else output.TABLE, human_credit)
    if not json_:
        output.note(f"created {doc.number} for {doc.invoice}")


def human_credit(doc: dict) -> None:
    from orders_cli.cli import output

    head = {"number": doc["number"], "invoice": f"{doc['invoice']} of {doc['invoice_date']}", "order": doc["order"],
            "account": doc["account"]["name"], "date": doc["credit_date"], "reason": doc["reason"], "refunded": doc["refunded"]}
    output.kv({k: v for k, v in head.items() if v}, title=f"Credit note {doc['number']}")
    output.rows(doc["lines"], output.TABLE, [("line_no", "Order line"), ("sku", "SKU"), ("description", "Description"), ("quantity", "Qty"),
                                              ("unit_price", "Unit price"), ("discount", "Disc."), ("net", "Net")])
    output.totals(doc["totals"], doc["currency"])


@purchase_app.command("list")
def purchase_list(
    order: Annotated[Optional[str], typer.Option("--order", help="Only this order's purchase orders")] = None,
    vendor: Annotated[Optional[str], typer.Option("--vendor", help="Only this vendor's purchase orders (name or id)")] = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
) -> None:
    """List purchase orders, newest first.

    Example: orders purchase list --vendor "Papeterie Lefèvre"
    """
    from orders_cli.fulfilment import notes as fulfilment

    _list(lambda s: fulfilment.list_purchases(s, order, vendor, limit), json_, jsonl, csv_, csv_raw,
          [("number", "Number"), ("date", "Date"), ("order", "Order"), ("vendor", "Vendor"), ("status", "Status"), ("total", "Total")],
          "no purchase orders")


@purchase_app.command("show")
def purchase_show(purchase: Annotated[str, typer.Argument(help="Purchase order number or id")], json_: Json = False) -> None:
    """Show a purchase order.

    Example: orders purchase show PO-00001
    """
    from orders_cli.fulfilment import notes as fulfilment

    _show(fulfilment.show_purchase, purchase, json_, human_purchase)


@delivery_app.command("list")
def delivery_list(
    order: Annotated[Optional[str], typer.Option("--order", help="Only this order's delivery notes")] = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
) -> None:
    """List delivery notes, newest first.

    Example: orders delivery list --order SO-00001
    """
    from orders_cli.fulfilment import notes as fulfilment

    _list(lambda s: fulfilment.list_deliveries(s, order, limit), json_, jsonl, csv_, csv_raw,
          [("number", "Number"), ("date", "Date"), ("order", "Order"), ("account", "Account"), ("status", "Status")],
          "no delivery notes")


@delivery_app.command("show")
def delivery_show(delivery: Annotated[str, typer.Argument(help="Delivery note number or id")], json_: Json = False) -> None:
    """Show a delivery note.

    Example: orders delivery show DN-00001
    """
    from orders_cli.fulfilment import notes as fulfilment

    _show(fulfilment.show_delivery, delivery, json_, human_delivery)
