"""orders quote: quotes (sales proposals), their life (sent, accepted, rejected, expired) and
their conversion into orders. The skeletons (``_run``, ``_list``, ``_add``) and the options
are the order commands' (cli/order.py); ``quote pdf`` and ``quote send`` are mounted in app.py."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Csv, CsvRaw, Json, Jsonl, Limit, context, group, search_option
from orders_cli.cli.order import (
    HISTORY_COLUMNS,
    Account,
    Adjustment,
    AllowanceOpt,
    AssignedTo,
    ChargeOpt,
    Contact,
    Customer,
    Date,
    Discount,
    LineOpt,
    NoCharges,
    ShippingCharge,
    Subject,
    _add,
    _charges,
    _charges_change,
    _list,
    _run,
    human_doc,
    mount_line_commands,
)

app = group("quote", "Quotes (sales proposals): their life (sent, accepted, rejected, expired) and their conversion into orders.")
line_app = group("line", "Add, change or remove a quote's lines.")
app.add_typer(line_app, name="line")
convert_app = group("convert", "Turn a quote into another document.")
app.add_typer(convert_app, name="convert")

COLUMNS = [("number", "Number"), ("quote_date", "Date"), ("valid_until", "Valid until"), ("account.name", "Account"), ("subject", "Subject"),
           ("status", "Status"), ("total", "Total")]
STATUSES = "created | sent | accepted | rejected | expired | cancelled"

QuoteRef = Annotated[str, typer.Argument(help="Quote number or id")]
ValidUntil = Annotated[Optional[str], typer.Option(
    "--valid-until", metavar="YYYY-MM-DD", help="Last day the quote may be accepted (default: the date + quote.validity_days; '' for none)")]
Force = Annotated[bool, typer.Option("--force", help="Accept it even though it is expired (its status, or its valid-until date past)")]


def _human(doc: dict, events=None) -> None:
    """The people's view of a quote: the order view's header, lines and totals, its validity
    (marked when past), then its history."""
    from orders_cli.cli import output

    until = doc.get("valid_until")
    if until and str(until) < context().today.isoformat() and doc.get("status") not in ("accepted", "rejected", "cancelled"):
        doc = dict(doc, valid_until=f"{until} (past: expired)")
    human_doc(doc)
    if events is not None:
        output.rows(events, output.TABLE, HISTORY_COLUMNS, title="History")


@app.command("add")
def quote_add(
    subject: Subject = None,
    account: Customer = None,
    contact: Contact = None,
    assigned_to: AssignedTo = None,
    line: LineOpt = None,
    discount: Discount = None,
    shipping_charge: ShippingCharge = None,
    adjustment: Adjustment = None,
    allowance: AllowanceOpt = None,
    charge: ChargeOpt = None,
    date: Date = None,
    valid_until: ValidUntil = None,
    json_: Json = False,
) -> None:
    """Create a quote, valid until --valid-until (default: its date + the quote.validity_days setting).

    Example: orders quote add --subject "Fit-out proposal" --account "Boulangerie Dupré" --line CONSULT:8 --line MUG:24 --allowance "Opening offer:5%"
    """
    _add(True, subject, account, contact, None, None, assigned_to, line, discount, shipping_charge, adjustment, None, date, None, json_,
         _charges(allowance, charge), valid_until)


@app.command("list")
def quote_list(
    account: Account = None,
    status: Annotated[Optional[str], typer.Option("--status", help=STATUSES)] = None,
    search: search_option("the number, subject, account or a line's SKU or description") = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
) -> None:
    """List quotes, newest first.

    Example: orders quote list --status created ; orders quote list --search cafe
    """
    from orders_cli.cli import list_rows, output
    from orders_cli.sales import views
    from orders_cli.store.documents import QUOTE

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    _list(lambda s: list_rows.rendered(views.list_docs(s, QUOTE, account, status, limit=limit, search=search)), fmt, COLUMNS,
          empty="no quotes" if search is None else "no quote matches --search")


@app.command("show")
def quote_show(quote: QuoteRef, json_: Json = False) -> None:
    """Show a quote: header, validity, lines, totals, then its history (status changes, edits, mails).

    Example: orders quote show QT-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import views
    from orders_cli.store.documents import QUOTE

    with store.transaction(write=False) as s:
        doc = views.show(s, QUOTE, quote, context().today)
        events = None if json_ else views.history(s, QUOTE, quote)
    if json_:
        output.record(doc, output.JSON)
    else:
        output.record(doc, output.TABLE, lambda d: _human(d, events))


@app.command("history")
def quote_history(quote: QuoteRef, json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False, csv_raw: CsvRaw = False) -> None:
    """Status changes, field changes and mails sent, with timestamps, oldest first.

    Example: orders quote history QT-00001 --json
    """
    from orders_cli.cli import output
    from orders_cli.sales import views
    from orders_cli.store.documents import QUOTE

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    _list(lambda s: views.history(s, QUOTE, quote), fmt, HISTORY_COLUMNS)


@app.command("edit")
def quote_edit(
    quote: QuoteRef,
    subject: Annotated[Optional[str], typer.Option("--subject", help="New title")] = None,
    contact: Contact = None,
    assigned_to: AssignedTo = None,
    date: Annotated[Optional[str], typer.Option("--date", help="New quote date YYYY-MM-DD")] = None,
    valid_until: ValidUntil = None,
    discount: Discount = None,
    shipping_charge: ShippingCharge = None,
    adjustment: Adjustment = None,
    allowance: AllowanceOpt = None,
    charge: ChargeOpt = None,
    no_allowances: NoCharges = False,
    json_: Json = False,
) -> None:
    """Change a quote that is created, sent or expired (accepted, rejected and cancelled ones stay as they are).

    --allowance and --charge replace all the quote's allowances and charges by the ones given.

    Example: orders quote edit QT-00001 --valid-until 2026-12-31 --discount 5%
    """
    from orders_cli.sales import edits
    from orders_cli.store.documents import QUOTE

    given = {
        "subject": subject, "contact": contact, "assigned_to": assigned_to, "date": date, "valid_until": valid_until,
        "discount": discount, "shipping_charge": shipping_charge, "adjustment": adjustment,
        "allowances_charges": _charges_change(allowance, charge, no_allowances),
    }
    changes = {k: v for k, v in given.items() if v is not None}
    ctx = context()
    _run(lambda s: edits.edit(s, ctx, QUOTE, quote, changes), json_)


mount_line_commands(line_app, "quote")


@app.command("status")
def quote_status(
    quote: QuoteRef,
    status: Annotated[str, typer.Argument(help=STATUSES)],
    force: Force = False,
    json_: Json = False,
) -> None:
    """Move a quote along created -> sent -> accepted | rejected | expired, or cancel it; each change is kept in its history.

    An expired quote may be sent again (after quote edit --valid-until) or accepted with
    --force. Rejected and cancelled are final, and so is accepted once it became an order.

    Example: orders quote status QT-00001 sent
    """
    from orders_cli.sales import quotes

    _run(lambda s: quotes.set_status(s, context(), quote, status, force), json_, view=False, note=lambda doc: f"{doc.number} is now {doc.status}")


@app.command("duplicate")
def quote_duplicate(quote: QuoteRef, json_: Json = False) -> None:
    """Make a new quote (new number, status created, today's date and a new validity) with the same header and lines.

    Example: orders quote duplicate QT-00001
    """
    from orders_cli.sales import edits
    from orders_cli.store.documents import QUOTE

    ctx = context()
    _run(lambda s: edits.duplicate(s, ctx, QUOTE, quote), json_, view=False, note=lambda doc: f"created {doc.number} from {quote}")


@convert_app.command("order")
def quote_convert_order(quote: QuoteRef, force: Force = False, json_: Json = False) -> None:
    """Turn a quote into an order: lines, customer, contact, addresses, discount and charges carried over.

    The order keeps a link to the quote, and the quote is marked accepted (in its history).
    One order per quote; an expired quote is refused unless --force.

    Example: orders quote convert order QT-00001
    """
    from orders_cli.sales import quotes

    ctx = context()
    _run(lambda s: quotes.convert(s, ctx, quote, force), json_, view=False, note=lambda doc: f"created {doc.number} from {quote}")
