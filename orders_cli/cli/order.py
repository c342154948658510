"""orders order: customer orders (and the skeletons cli/quote.py shares for quotes)."""

from typing import Annotated, Any, Callable, Optional

import typer

from orders_cli.cli.common import (
    Address,
    Csv,
    CsvRaw,
    Json,
    Jsonl,
    Limit,
    Yes,
    address_options,
    context,
    group,
    search_option,
)

from orders_cli.cli.people import LIST_COLUMNS, LIST_EMPTY, human_doc  # noqa: F401  (quote.py takes human_doc from here)

app = group("order", "Customer orders: create, list, show, edit, finalize, convert.")
line_app = group("line", "Add, change or remove an order's lines.")
app.add_typer(line_app, name="line")

HISTORY_COLUMNS = [("at", "When"), ("kind", "Kind"), ("field", "Field"), ("old", "Old"), ("new", "New")]

OrderRef = Annotated[str, typer.Argument(help="Order number or id")]
LineNo = Annotated[int, typer.Argument(metavar="N", help="Line number")]
LineOpt = Annotated[Optional[list[str]], typer.Option("--line", help="SKU:QTY[:PRICE[:DISCOUNT]] (repeatable), e.g. WIDGET:3 or CONSULT:2.5:120.00:10%")]
Contact = Annotated[Optional[str], typer.Option("--contact", help="Contact at the account ('' for none when editing)")]
AssignedTo = Annotated[Optional[str], typer.Option("--assigned-to", help="User in charge ('' for none when editing)")]
CustomerRef = Annotated[Optional[str], typer.Option("--customer-ref", help="The customer's own order number")]
Discount = Annotated[Optional[str], typer.Option("--discount", help="Overall discount: 5% or 10.00 ('' for none when editing)")]
ShippingCharge = Annotated[Optional[str], typer.Option("--shipping-charge", help="Shipping charge, e.g. 12.00 (taxed at charges.tax)")]
Adjustment = Annotated[Optional[str], typer.Option("--adjustment", help="Signed amount added to the total, e.g. -1.00")]
AllowanceOpt = Annotated[Optional[list[str]], typer.Option(
    "--allowance", metavar="REASON[ [CODE]]:AMOUNT|PCT[:TAX]",
    help="A document allowance with its reason (repeatable), at one tax or, without TAX, shared over the rates like --discount; "
         "an UNTDID 5189 code may follow the reason in brackets; e.g. 'Loyalty [95]:5%' or 'Trade-in:50.00:VAT20'")]
ChargeOpt = Annotated[Optional[list[str]], typer.Option(
    "--charge", metavar="REASON[ [CODE]]:AMOUNT|PCT[:TAX]",
    help="A document charge with its reason (repeatable), at one tax (default charges.tax, like --shipping-charge); "
         "an UNTDID 7161 code may follow the reason in brackets; e.g. 'Packing [ABL]:12.50' or 'Insurance:2%:VAT20'")]
NoCharges = Annotated[bool, typer.Option("--no-allowances", help="Remove every document allowance and charge")]


def _charges(allowance: list[str] | None, charge: list[str] | None) -> list | None:
    """The --allowance/--charge options as the use cases take them (None: none given)."""
    items = [("allowance", a) for a in allowance or []] + [("charge", c) for c in charge or []]
    return items or None
Account = Annotated[Optional[str], typer.Option("--account", help="Only this account's documents (name or id)")]
Subject = Annotated[Optional[str], typer.Option("--subject", help="Title (required)")]
Customer = Annotated[Optional[str], typer.Option("--account", help="Customer account name or id (required)")]
Date = Annotated[Optional[str], typer.Option("--date", help="Document date YYYY-MM-DD (default today)")]


def _run(use_case: Callable[[Any], Any], json_: bool, *, write: bool = True, view: bool = True, note: Callable[[Any], str] | None = None) -> None:
    """The one skeleton of a command on one document: run the use case in a transaction, then
    print the document as JSON (--json), or the people's view (``view``) and/or a ``note``."""
    from orders_cli import store
    from orders_cli.cli import output

    with store.transaction(write=write) as s:
        doc = use_case(s)
    if json_:
        output.record(doc, output.JSON)
        return
    if view:
        output.record(doc, output.TABLE, human_doc)
    if note is not None:
        output.note(note(doc))


def _list(use_case: Callable[[Any], Any], fmt: str, columns, empty: str = "nothing to show") -> None:
    from orders_cli import store
    from orders_cli.cli import output

    with store.transaction(write=False) as s:
        output.rows(use_case(s), fmt, columns, empty=empty)


def _add(quote: bool, subject, account, contact, quote_ref, customer_ref, assigned_to, line, discount, shipping_charge, adjustment, shipping, date, from_json, json_,
         charges=None, valid_until=None):
    from orders_cli.core.errors import Invalid
    from orders_cli.sales import inputs
    from orders_cli.store.documents import ORDER, QUOTE

    if from_json is not None:
        if quote:
            raise Invalid("--from-json is for orders")
        given = [n for n, v in (("--subject", subject), ("--account", account), ("--line", line)) if v]
        if given:
            raise Invalid(f"--from-json takes everything from the JSON; drop {given[0]}")
        _import(from_json, json_)
        return
    if not subject:
        raise Invalid("--subject is required")
    if not account:
        raise Invalid("--account is required")
    inp = inputs.DocInput(subject=subject, account=account, contact=contact, quote=quote_ref, customer_ref=customer_ref, assigned_to=assigned_to,
                          date=date, discount=discount, shipping_charge=shipping_charge, adjustment=adjustment, shipping=shipping,
                          lines=[inputs.LineInput.parse(text) for text in line or []], allowances_charges=charges, valid_until=valid_until)
    ctx = context()
    _run(lambda s: inputs.create(s, ctx, QUOTE if quote else ORDER, inp), json_, note=lambda doc: f"created {doc.number}")


def _import(source: str, json_: bool) -> None:
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli import progress as bars
    from orders_cli.cli.common import read_input
    from orders_cli.sales import imports

    ctx, shown = context(), bars.wanted(json_)  # on a terminal: a bar counts the orders read (the total is not known ahead)
    with read_input(source) as (handle, name), store.transaction() as s, bars.bar("importing orders", show=shown) as update:
        result = imports.import_json(s, ctx, handle, name, progress=update if shown else None)
    if json_:
        output.record(result, output.JSON)
    else:
        output.note(f"imported {result.imported} orders ({result.first} to {result.last})")


@app.command("add")
@address_options("shipping")
def order_add(
    subject: Subject = None,
    account: Customer = None,
    contact: Contact = None,
    quote: Annotated[Optional[str], typer.Option("--quote", help="The quote it follows")] = None,
    customer_ref: CustomerRef = None,
    assigned_to: AssignedTo = None,
    line: LineOpt = None,
    discount: Discount = None,
    shipping_charge: ShippingCharge = None,
    adjustment: Adjustment = None,
    allowance: AllowanceOpt = None,
    charge: ChargeOpt = None,
    shipping: Address = None,
    date: Date = None,
    from_json: Annotated[Optional[str], typer.Option("--from-json", metavar="FILE|-", help="Create from JSON: what 'order show --json' prints; one object, an array or JSON lines")] = None,
    json_: Json = False,
) -> None:
    """Create an order (addresses are copied from the account), or import many from JSON.

    Example: orders order add --subject "Spring restock" --account "Café Müller" --line BOOK:3 --line CONSULT:1:120:15%

    With allowances and charges: ... --allowance "Loyalty:5%" --charge "Packing:12.50:VAT20"

    Bulk: orders order show SO-00001 --json | orders order add --from-json -
    """
    if from_json is not None and (allowance or charge):
        from orders_cli.core.errors import Invalid

        raise Invalid("--from-json takes everything from the JSON; drop --allowance/--charge")
    _add(False, subject, account, contact, quote, customer_ref, assigned_to, line, discount, shipping_charge, adjustment, shipping, date, from_json, json_,
         _charges(allowance, charge))


@app.command("list")
def order_list(
    account: Account = None,
    status: Annotated[Optional[str], typer.Option("--status", help="created | approved | delivered | cancelled")] = None,
    recurring: Annotated[bool, typer.Option("--recurring", help="Only orders with recurring invoicing on")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="Order date on or after YYYY-MM-DD")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Order date on or before YYYY-MM-DD")] = None,
    search: search_option("the number, subject, customer reference, account or a line's SKU or description") = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
) -> None:
    """List orders, newest first.

    Example: orders order list --account "Café Müller" --status approved --limit 20
    """
    from orders_cli.cli import list_rows, output
    from orders_cli.sales import views
    from orders_cli.store.documents import ORDER

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    _list(lambda s: list_rows.rendered(views.list_docs(s, ORDER, account, status, recurring, since, until, limit, search)), fmt, LIST_COLUMNS,
          empty=LIST_EMPTY if search is None else "no order matches --search")


@app.command("show")
def order_show(order: OrderRef, json_: Json = False) -> None:
    """Show an order: header, lines, totals, tax breakdown, progress, related records.

    Example: orders order show SO-00001 --json
    """
    from orders_cli.sales import views
    from orders_cli.store.documents import ORDER

    _run(lambda s: views.show(s, ORDER, order, context().today), json_, write=False)


@app.command("edit")
@address_options("shipping")
def order_edit(
    order: OrderRef,
    subject: Annotated[Optional[str], typer.Option("--subject", help="New title")] = None,
    contact: Contact = None,
    customer_ref: CustomerRef = None,
    assigned_to: AssignedTo = None,
    date: Annotated[Optional[str], typer.Option("--date", help="New order date YYYY-MM-DD")] = None,
    discount: Discount = None,
    shipping_charge: ShippingCharge = None,
    adjustment: Adjustment = None,
    allowance: AllowanceOpt = None,
    charge: ChargeOpt = None,
    no_allowances: NoCharges = False,
    shipping: Address = None,
    json_: Json = False,
) -> None:
    """Change an order that is not finalized (invoices already issued never change).

    --allowance and --charge replace all the order's allowances and charges by the ones given.

    Example: orders order edit SO-00001 --discount 5% --shipping-charge 12.00 --charge "Packing:12.50"
    """
    from orders_cli.sales import edits
    from orders_cli.store.documents import ORDER

    given = {
        "subject": subject, "contact": contact, "customer_ref": customer_ref, "assigned_to": assigned_to, "date": date,
        "discount": discount, "shipping_charge": shipping_charge, "adjustment": adjustment, "shipping": shipping,
        "allowances_charges": _charges_change(allowance, charge, no_allowances),
    }
    changes = {k: v for k, v in given.items() if v is not None}
    ctx = context()
    _run(lambda s: edits.edit(s, ctx, ORDER, order, changes), json_)


def _charges_change(allowance, charge, none: bool) -> list | None:
    items = _charges(allowance, charge)
    if none and items:
        from orders_cli.core.errors import Invalid

        raise Invalid("use --no-allowances or --allowance/--charge, not both")
    return [] if none else items


LINE_HELP = {  # kind -> (the document, what line remove keeps, the example's number)
    "order": ("an order", " (not one already invoiced, delivered or purchased)", "SO-00001"),
    "quote": ("a quote", " from a quote", "QT-00001"),
}


def mount_line_commands(line_app_: typer.Typer, kind_name: str) -> None:
    """``line add|edit|remove`` of orders (here) and quotes (cli/quote.py): one body for both,
    the use cases of sales/edits.py taking the kind."""
    the, kept, number = LINE_HELP[kind_name]
    Ref = Annotated[str, typer.Argument(metavar=kind_name.upper(), help=f"{kind_name.capitalize()} number or id")]

    def kind():
        from orders_cli.store import documents

        return documents.ORDER if kind_name == "order" else documents.QUOTE

    def line_add(doc: str, line: LineOpt = None, json_: Json = False) -> None:
        from orders_cli.sales import edits

        ctx = context()
        _run(lambda s: edits.add_lines(s, ctx, kind(), doc, line or []), json_)

    def line_edit(
        doc: str,
        line_no: LineNo,
        qty: Annotated[Optional[str], typer.Option("--qty", help="New quantity")] = None,
        price: Annotated[Optional[str], typer.Option("--price", help="New unit price")] = None,
        discount: Annotated[Optional[str], typer.Option("--discount", help="10% or 5.00 ('' for none)")] = None,
        comment: Annotated[Optional[str], typer.Option("--comment", help="A note printed under the line ('' for none)")] = None,
        json_: Json = False,
    ) -> None:
        from orders_cli.sales import edits

        ctx = context()
        _run(lambda s: edits.edit_line(s, ctx, kind(), doc, line_no, qty, price, discount, comment), json_)

    def line_remove(doc: str, line_no: LineNo, json_: Json = False) -> None:
        from orders_cli.sales import edits

        ctx = context()
        _run(lambda s: edits.remove_line(s, ctx, kind(), doc, line_no), json_)

    helps = {
        "add": (line_add, f"Add lines to {the}.\n\nExample: orders {kind_name} line add {number} --line MUG:6 --line POSTER:2::10%"),
        "edit": (line_edit, f"Change a line's quantity, price, discount or comment.\n\n"
                            f"Example: orders {kind_name} line edit {number} 2 --qty 4 --discount 10%"),
        "remove": (line_remove, f"Remove a line{kept}.\n\nExample: orders {kind_name} line remove {number} 3"),
    }
    for name, (fn, help_text) in helps.items():
        fn.__annotations__["doc"] = Ref  # the real object: Typer reads it, no name to look up in this module
        line_app_.command(name, help=help_text)(fn)


mount_line_commands(line_app, "order")


@app.command("status")
def order_status(
    order: OrderRef,
    status: Annotated[str, typer.Argument(help="created | approved | delivered | cancelled")],
    force: Annotated[bool, typer.Option("--force", help="Mark it delivered even with goods not delivered yet (no question)")] = False,
    json_: Json = False,
) -> None:
    """Move an order along created -> approved -> delivered, or cancel it (final).

    delivered with goods not yet delivered asks on a terminal; in a script it needs --force.

    Example: orders order status SO-00001 approved
    """
    from orders_cli.cli.order_verbs import set_status

    set_status(order, status, force, json_)


@app.command("finalize")
def order_finalize(order: OrderRef, yes: Yes = False, json_: Json = False) -> None:
    """Lock an order for good: after this only its status and recurrence can change.

    Irreversible. Asks for confirmation; without a terminal, --yes is required.

    Example: orders order finalize SO-00001 --yes
    """
    from orders_cli.adapters.env import stdin_is_tty
    from orders_cli.core.errors import Invalid
    from orders_cli.sales import edits

    if not yes:
        if not stdin_is_tty():
            raise Invalid("finalize is irreversible: confirm with --yes (no terminal to ask)")
        if not typer.confirm(f"Finalize {order}? It can never be edited again", default=False, err=True):
            raise Invalid("not finalized (answered no)")
    _run(lambda s: edits.finalize(s, context(), order), json_, view=False, note=lambda doc: f"{doc.number} is finalized")


@app.command("duplicate")
def order_duplicate(order: OrderRef, json_: Json = False) -> None:
    """Make a new order (new number, status created, today's date) with the same header and lines.

    Example: orders order duplicate SO-00001
    """
    from orders_cli.sales import edits
    from orders_cli.store.documents import ORDER

    ctx = context()
    _run(lambda s: edits.duplicate(s, ctx, ORDER, order), json_, view=False, note=lambda doc: f"created {doc.number} from {order}")


@app.command("history")
def order_history(order: OrderRef, json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False, csv_raw: CsvRaw = False) -> None:
    """Status changes and field changes, with timestamps, oldest first.

    Example: orders order history SO-00001
    """
    from orders_cli.cli import output
    from orders_cli.sales import views
    from orders_cli.store.documents import ORDER

    fmt = output.pick(json_, jsonl, csv_, csv_raw)
    _list(lambda s: views.history(s, ORDER, order), fmt, HISTORY_COLUMNS)
