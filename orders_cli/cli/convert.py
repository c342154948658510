"""orders order convert invoice | delivery | purchase: an order becomes the documents that move goods and money."""

from typing import Annotated, Any, Callable, Optional

import typer

from orders_cli.cli.common import Json, group

app = group("convert", "Turn an order into an invoice, a delivery note or purchase orders.")

Parts = Annotated[Optional[list[str]], typer.Option("--line", metavar="N:QTY", help="Only QTY of order line N (repeatable)")]
Order = Annotated[str, typer.Argument(help="Order number or id")]


def _made(make: Callable[[Any, Any], Any], json_: bool, human: Callable[[dict], None]) -> None:
    """The skeleton of ``convert invoice|delivery``: make the document in one transaction, print it."""
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context

    ctx = context()
    with store.transaction() as s:
        doc = make(s, ctx)
    output.record(doc, output.JSON if json_ else output.TABLE, human)
    if not json_:
        output.note(f"created {doc.number} for {doc.order}")


@app.command("invoice")
def invoice(
    order: Order,
    line: Parts = None,
    percent: Annotated[Optional[str], typer.Option(
        "--percent", metavar="P", help="A progress invoice of P % of every line (quantities count as invoiced; not a deposit)")] = None,
    deposit: Annotated[Optional[str], typer.Option(
        "--deposit", metavar="P%|AMOUNT",
        help="A deposit invoice (facture d'acompte): 30% or 500.00 before tax of the order, one line per VAT rate; "
             "the next ordinary invoice deducts it")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Invoice date (default today; never before the latest invoice)")] = None,
    allow_future: Annotated[bool, typer.Option("--allow-future", help="Accept an invoice date after today")] = False,
    delivery_date: Annotated[Optional[str], typer.Option(
        "--delivery-date", metavar="YYYY-MM-DD",
        help="The date of delivery the invoice states (default: the order's latest delivery note, if any)")] = None,
    json_: Json = False,
) -> None:
    """Invoice an order: what remains of every line by default, part of a line, P % of every line, or a deposit.

    The shipping charge and the adjustment go on the first invoice, an amount discount is shared
    by subtotal; the last invoice takes what remains, so the invoices (less their credit notes)
    add up exactly to the order. Open deposits are deducted from the next ordinary invoices, a
    line per rate citing the deposit invoice. Invoices are numbered in date order: --date before
    the latest invoice is refused, after today needs --allow-future. On an order that bills
    itself by recurrence a warning (stderr) says the invoice is separate from the recurring ones.

    Examples: orders order convert invoice SO-00001 --deposit 30% ; orders order convert invoice SO-00001 --line 1:2
    """
    from orders_cli.cli import output
    from orders_cli.cli.documents import human_invoice
    from orders_cli.invoicing import invoices as billing
    from orders_cli.sales import guards

    warning = []

    def make(s, ctx):
        doc = billing.convert_to_invoice(s, ctx, order, line, percent, date, deposit, allow_future, delivery_date)
        warning.append(guards.recurrence_warning(s, order))
        return doc

    _made(make, json_, human_invoice)
    if warning[0]:  # only once the invoice is made: a refusal stays one line
        output.note(warning[0])


@app.command("delivery")
def delivery(
    order: Order,
    line: Parts = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Delivery date (default today)")] = None,
    json_: Json = False,
) -> None:
    """Make a delivery note: the remaining quantities of the product lines, or part of them.

    Example: orders order convert delivery SO-00001 --line 1:2
    """
    from orders_cli.cli.documents import human_delivery
    from orders_cli.fulfilment import notes as fulfilment

    _made(lambda s, ctx: fulfilment.convert_to_delivery(s, ctx, order, line, date), json_, human_delivery)


@app.command("purchase")
def purchase(
    order: Order,
    line: Annotated[Optional[list[int]], typer.Option("--line", metavar="N", help="Only order line N (repeatable)")] = None,
    json_: Json = False,
) -> None:
    """Make one purchase order per vendor for the order's product lines, at purchase cost, shipped to the customer.

    Lines without a vendor are named on stderr. Running it again for lines already on a
    purchase order is refused unless lines are named.

    Example: orders order convert purchase SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.fulfilment import notes as fulfilment

    ctx = context()
    with store.transaction() as s:
        result = fulfilment.convert_to_purchase(s, ctx, order, line)
    for item in result.unplaced:
        output.note(f"warning: not placed: {item}")
    if json_:
        output.write(output.dumps(result.purchase_orders) + "\n")
    else:
        output.rows(result.purchase_orders, output.TABLE, [("number", "Purchase order"), ("vendor.name", "Vendor"), ("totals.total", "Total")])
