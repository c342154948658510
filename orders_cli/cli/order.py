"""orders order | quote: customer orders and quotes."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Csv, Json, Jsonl, Limit, Yes, group

app = group("order", "Customer orders: create, list, show, edit, finalize, convert.")
line_app = group("line", "Add, change or remove an order's lines.")
app.add_typer(line_app, name="line")
quote_app = group("quote", "Quotes (sales proposals) and their conversion into orders.")
quote_convert_app = group("convert", "Turn a quote into another document.")
quote_app.add_typer(quote_convert_app, name="convert")

LIST_COLUMNS = [
    ("number", "Number"),
    ("order_date", "Date"),
    ("account.name", "Account"),
    ("subject", "Subject"),
    ("status", "Status"),
    ("finalized", "Final"),
    ("total", "Total"),
]
QUOTE_COLUMNS = [("number", "Number"), ("quote_date", "Date"), ("account.name", "Account"), ("subject", "Subject"), ("status", "Status"), ("total", "Total")]

LineOpt = Annotated[Optional[list[str]], typer.Option("--line", help="SKU:QTY[:PRICE[:DISCOUNT]] (repeatable), e.g. WIDGET:3 or CONSULT:2.5:120.00:10%")]


def _kind(quote: bool = False):
    from orders_cli.sales import orders as sales

    return sales.QUOTE if quote else sales.ORDER


def _specs(lines: list[str] | None):
    from orders_cli.sales import orders as sales
    from orders_cli.core.lines import parse_line

    out = []
    for text in lines or []:
        ls = parse_line(text)
        out.append(sales.LineInput(ls.sku, ls.quantity, ls.unit_price, ls.discount))
    return out


def _shipping(street, city, postal_code, state, country) -> dict | None:
    values = {"street": street, "city": city, "postal_code": postal_code, "state": state, "country": country}
    values = {k: v for k, v in values.items() if v is not None}
    return values or None


def human_doc(doc: dict) -> None:
    """The people's view of an order or quote: header, lines, totals, progress, relations."""
    from orders_cli.cli import output

    date_key = "order_date" if "order_date" in doc else "quote_date"
    head = {
        "number": doc["number"],
        "subject": doc["subject"],
        "status": doc["status"] + (" (finalized)" if doc.get("finalized") else ""),
        "date": doc[date_key],
        "account": doc["account"]["name"],
        "contact": (doc.get("contact") or {}).get("name"),
        "quote": doc.get("quote"),
        "customer ref": doc.get("customer_ref"),
        "assigned to": (doc.get("assigned_to") or {}).get("name"),
        "billing": ", ".join(v for v in doc["billing_address"].values() if v),
        "shipping": ", ".join(v for v in doc["shipping_address"].values() if v),
    }
    output.kv({k: v for k, v in head.items() if v not in (None, "")}, title=f"{doc['number']}  {doc['subject']}")
    cols = [("line_no", "#"), ("sku", "SKU"), ("description", "Description"), ("quantity", "Qty"), ("unit_price", "Unit price"), ("discount", "Disc."), ("net", "Net")]
    if "delivered_quantity" in (doc["lines"][0] if doc["lines"] else {}):
        cols += [("delivered_quantity", "Delivered"), ("invoiced_quantity", "Invoiced")]
    output.rows(doc["lines"], output.TABLE, cols, empty="no lines yet: orders order line add ...")
    t = doc["totals"]
    totals = {"subtotal": t["subtotal"]}
    if t["discount"] != "0.00":
        totals["discount"] = "-" + t["discount"] + (f" ({doc['discount']})" if doc.get("discount") else "")
    if t["shipping"] != "0.00":
        totals["shipping"] = t["shipping"]
    for b in t["tax_breakdown"]:
        totals[f"{b['name']} {b['rate']} % on {b['base']}"] = b["amount"]
    if t["adjustment"] != "0.00":
        totals["adjustment"] = t["adjustment"]
    totals["total"] = f"{t['total']} {doc['currency']}"
    output.kv(totals)
    if "progress" in doc:
        p = doc["progress"]
        output.note(f"delivered {p['delivered_percent']} %, invoiced {p['invoiced_percent']} % ({p['invoiced_amount']} {doc['currency']})")
    rel = doc.get("related") or {}
    for key, label in (("invoices", "invoices"), ("deliveries", "delivery notes"), ("purchase_orders", "purchase orders"), ("orders", "orders")):
        items = rel.get(key) or []
        if items:
            output.note(f"{label}: " + ", ".join(i["number"] for i in items))
    if rel.get("documents"):
        output.rows(rel["documents"], output.TABLE, [("id", "Id"), ("filename", "File"), ("content_type", "Type"), ("size", "Size")], title="Documents")
    if rel.get("activities"):
        output.rows(rel["activities"], output.TABLE, [("id", "Id"), ("type", "Type"), ("subject", "Subject"), ("due", "Due"), ("done", "Done"), ("invoice", "Invoice")],
                    title="Activities")
    if doc.get("recurrence"):
        r = doc["recurrence"]
        output.note(f"recurring: {r['frequency']} from {r['start']}" + (" (off)" if not r["enabled"] else ""))


def _print(doc: dict, json_: bool) -> None:
    from orders_cli.cli import output

    output.record(doc, output.JSON if json_ else output.TABLE, human_doc)


def _add(quote: bool, subject, account, contact, quote_ref, customer_ref, assigned_to, line, discount, shipping_charge, adjustment, shipping, date, from_json, json_):
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales
    from orders_cli.core.errors import Invalid

    kind = _kind(quote)
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
    inp = sales.DocInput(
        subject=subject,
        account=account,
        contact=contact,
        quote=quote_ref,
        customer_ref=customer_ref,
        assigned_to=assigned_to,
        date=date,
        discount=discount,
        shipping_charge=shipping_charge,
        adjustment=adjustment,
        shipping=shipping,
        lines=_specs(line),
    )
    with store.transaction() as s:
        doc = sales.create(s, kind, inp)
    if json_:
        output.record(doc, output.JSON)
    else:
        human_doc(doc)
        output.note(f"created {doc['number']}")


def _import(source: str, json_: bool) -> None:
    import sys

    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales
    from orders_cli.cli.common import read_input
    from orders_cli.adapters.env import stderr_is_tty

    progress = None
    if stderr_is_tty():
        def progress(n: int) -> None:
            print(f"\rimported {n} orders...", end="", file=sys.stderr, flush=True)
    with read_input(source) as (handle, name), store.transaction() as s:
        numbers = sales.import_json(s, handle, name, progress=progress)
    if progress:
        print(file=sys.stderr)
    if json_:
        output.record({"imported": len(numbers), "first": numbers[0], "last": numbers[-1]}, output.JSON)
    else:
        output.note(f"imported {len(numbers)} orders ({numbers[0]} to {numbers[-1]})")


@app.command("add")
def order_add(
    subject: Annotated[Optional[str], typer.Option("--subject", help="Order title (required)")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Customer account name or id (required)")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="Contact at the account")] = None,
    quote: Annotated[Optional[str], typer.Option("--quote", help="The quote it follows")] = None,
    customer_ref: Annotated[Optional[str], typer.Option("--customer-ref", help="The customer's own order number")] = None,
    assigned_to: Annotated[Optional[str], typer.Option("--assigned-to", help="User in charge")] = None,
    line: LineOpt = None,
    discount: Annotated[Optional[str], typer.Option("--discount", help="Overall discount: 5% or 10.00")] = None,
    shipping_charge: Annotated[Optional[str], typer.Option("--shipping-charge", help="e.g. 12.00 (taxed at charges.tax)")] = None,
    adjustment: Annotated[Optional[str], typer.Option("--adjustment", help="Signed amount, e.g. -1.00")] = None,
    shipping_street: Annotated[Optional[str], typer.Option("--shipping-street")] = None,
    shipping_city: Annotated[Optional[str], typer.Option("--shipping-city")] = None,
    shipping_postal_code: Annotated[Optional[str], typer.Option("--shipping-postal-code")] = None,
    shipping_state: Annotated[Optional[str], typer.Option("--shipping-state")] = None,
    shipping_country: Annotated[Optional[str], typer.Option("--shipping-country")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Order date YYYY-MM-DD (default today)")] = None,
    from_json: Annotated[Optional[str], typer.Option("--from-json", metavar="FILE|-", help="Create from JSON: what 'order show --json' prints; one object, an array or JSON lines")] = None,
    json_: Json = False,
) -> None:
    """Create an order (addresses are copied from the account), or import many from JSON.

    Example: orders order add --subject "Spring restock" --account "Café Müller" --line BOOK:3 --line CONSULT:1:120:15%

    Bulk: orders order show SO-00001 --json | orders order add --from-json -
    """
    _add(False, subject, account, contact, quote, customer_ref, assigned_to, line, discount, shipping_charge, adjustment,
         _shipping(shipping_street, shipping_city, shipping_postal_code, shipping_state, shipping_country), date, from_json, json_)


@app.command("list")
def order_list(
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account's orders")] = None,
    status: Annotated[Optional[str], typer.Option("--status", help="created | approved | delivered | cancelled")] = None,
    recurring: Annotated[bool, typer.Option("--recurring", help="Only orders with recurring invoicing on")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="Order date on or after YYYY-MM-DD")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Order date on or before YYYY-MM-DD")] = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
) -> None:
    """List orders, newest first.

    Example: orders order list --account "Café Müller" --status approved --limit 20
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales

    fmt = output.pick(json_, jsonl, csv_)
    with store.transaction(write=False) as s:
        output.rows(
            sales.list_docs(s, sales.ORDER, account, status, recurring, since, until, limit),
            fmt,
            LIST_COLUMNS,
            empty="no orders (create one: orders order add --help)",
        )


@app.command("show")
def order_show(order: Annotated[str, typer.Argument(help="Order number or id")], json_: Json = False) -> None:
    """Show an order: header, lines, totals, tax breakdown, progress, related records.

    Example: orders order show SO-00001 --json
    """
    from orders_cli import store
    from orders_cli.sales import orders as sales

    with store.transaction(write=False) as s:
        doc = sales.show(s, sales.ORDER, order)
    _print(doc, json_)


@app.command("edit")
def order_edit(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    subject: Annotated[Optional[str], typer.Option("--subject")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact", help="Contact ('' for none)")] = None,
    customer_ref: Annotated[Optional[str], typer.Option("--customer-ref")] = None,
    assigned_to: Annotated[Optional[str], typer.Option("--assigned-to", help="User ('' for none)")] = None,
    date: Annotated[Optional[str], typer.Option("--date")] = None,
    discount: Annotated[Optional[str], typer.Option("--discount", help="5% or 10.00 ('' for none)")] = None,
    shipping_charge: Annotated[Optional[str], typer.Option("--shipping-charge")] = None,
    adjustment: Annotated[Optional[str], typer.Option("--adjustment")] = None,
    shipping_street: Annotated[Optional[str], typer.Option("--shipping-street")] = None,
    shipping_city: Annotated[Optional[str], typer.Option("--shipping-city")] = None,
    shipping_postal_code: Annotated[Optional[str], typer.Option("--shipping-postal-code")] = None,
    shipping_state: Annotated[Optional[str], typer.Option("--shipping-state")] = None,
    shipping_country: Annotated[Optional[str], typer.Option("--shipping-country")] = None,
    json_: Json = False,
) -> None:
    """Change an order that is not finalized (invoices already issued never change).

    Example: orders order edit SO-00001 --discount 5% --shipping-charge 12.00
    """
    from orders_cli import store
    from orders_cli.sales import orders as sales

    changes = {
        k: v
        for k, v in {
            "subject": subject, "contact": contact, "customer_ref": customer_ref, "assigned_to": assigned_to, "date": date,
            "discount": discount, "shipping_charge": shipping_charge, "adjustment": adjustment,
        }.items()
        if v is not None
    }
    ship = _shipping(shipping_street, shipping_city, shipping_postal_code, shipping_state, shipping_country)
    if ship:
        changes["shipping"] = ship
    with store.transaction() as s:
        doc = sales.edit(s, sales.ORDER, order, changes)
    _print(doc, json_)


@line_app.command("add")
def line_add(order: Annotated[str, typer.Argument(help="Order number or id")], line: LineOpt = None, json_: Json = False) -> None:
    """Add lines to an order.

    Example: orders order line add SO-00001 --line MUG:6 --line POSTER:2::10%
    """
    from orders_cli import store
    from orders_cli.sales import orders as sales

    with store.transaction() as s:
        doc = sales.add_lines(s, sales.ORDER, order, line or [])
    _print(doc, json_)


@line_app.command("edit")
def line_edit(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    line_no: Annotated[int, typer.Argument(metavar="N", help="Line number")],
    qty: Annotated[Optional[str], typer.Option("--qty", help="New quantity")] = None,
    price: Annotated[Optional[str], typer.Option("--price", help="New unit price")] = None,
    discount: Annotated[Optional[str], typer.Option("--discount", help="10% or 5.00 ('' for none)")] = None,
    comment: Annotated[Optional[str], typer.Option("--comment")] = None,
    json_: Json = False,
) -> None:
    """Change a line's quantity, price, discount or comment.

    Example: orders order line edit SO-00001 2 --qty 4 --discount 10%
    """
    from orders_cli import store
    from orders_cli.sales import orders as sales

    with store.transaction() as s:
        doc = sales.edit_line(s, sales.ORDER, order, line_no, qty, price, discount, comment)
    _print(doc, json_)


@line_app.command("remove")
def line_remove(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    line_no: Annotated[int, typer.Argument(metavar="N", help="Line number")],
    json_: Json = False,
) -> None:
    """Remove a line (not one already invoiced, delivered or purchased).

    Example: orders order line remove SO-00001 3
    """
    from orders_cli import store
    from orders_cli.sales import orders as sales

    with store.transaction() as s:
        doc = sales.remove_line(s, sales.ORDER, order, line_no)
    _print(doc, json_)


@app.command("status")
def order_status(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    status: Annotated[str, typer.Argument(help="created | approved | delivered | cancelled")],
    json_: Json = False,
) -> None:
    """Move an order along created -> approved -> delivered, or cancel it (final).

    Example: orders order status SO-00001 approved
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales

    with store.transaction() as s:
        doc = sales.set_status(s, order, status)
    if json_:
        output.record(doc, output.JSON)
    else:
        output.note(f"{doc['number']} is now {doc['status']}")


@app.command("finalize")
def order_finalize(order: Annotated[str, typer.Argument(help="Order number or id")], yes: Yes = False, json_: Json = False) -> None:
    """Lock an order for good: after this only its status and recurrence can change.

    Irreversible. Asks for confirmation; without a terminal, --yes is required.

    Example: orders order finalize SO-00001 --yes
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales
    from orders_cli.adapters.env import stdin_is_tty
    from orders_cli.core.errors import Invalid

    if not yes:
        if not stdin_is_tty():
            raise Invalid("finalize is irreversible: confirm with --yes (no terminal to ask)")
        if not typer.confirm(f"Finalize {order}? It can never be edited again", default=False, err=True):
            raise Invalid("not finalized (answered no)")
    with store.transaction() as s:
        doc = sales.finalize(s, order)
    if json_:
        output.record(doc, output.JSON)
    else:
        output.note(f"{doc['number']} is finalized")


@app.command("duplicate")
def order_duplicate(order: Annotated[str, typer.Argument(help="Order number or id")], json_: Json = False) -> None:
    """Make a new order (new number, status created, today's date) with the same header and lines.

    Example: orders order duplicate SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales

    with store.transaction() as s:
        doc = sales.duplicate(s, sales.ORDER, order)
    if json_:
        output.record(doc, output.JSON)
    else:
        output.note(f"created {doc['number']} from {order}")


@app.command("history")
def order_history(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
) -> None:
    """Status changes and field changes, with timestamps, oldest first.

    Example: orders order history SO-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales

    fmt = output.pick(json_, jsonl, csv_)
    with store.transaction(write=False) as s:
        events = sales.history(s, sales.ORDER, order)
    output.rows(events, fmt, [("at", "When"), ("kind", "Kind"), ("field", "Field"), ("old", "Old"), ("new", "New")])


# ---------------------------------------------------------------- quotes


@quote_app.command("add")
def quote_add(
    subject: Annotated[Optional[str], typer.Option("--subject", help="Quote title (required)")] = None,
    account: Annotated[Optional[str], typer.Option("--account", help="Customer account (required)")] = None,
    contact: Annotated[Optional[str], typer.Option("--contact")] = None,
    assigned_to: Annotated[Optional[str], typer.Option("--assigned-to")] = None,
    line: LineOpt = None,
    discount: Annotated[Optional[str], typer.Option("--discount", help="5% or 10.00")] = None,
    shipping_charge: Annotated[Optional[str], typer.Option("--shipping-charge")] = None,
    adjustment: Annotated[Optional[str], typer.Option("--adjustment")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Quote date (default today)")] = None,
    json_: Json = False,
) -> None:
    """Create a quote.

    Example: orders quote add --subject "Fit-out proposal" --account "Boulangerie Dupré" --line CONSULT:8 --line MUG:24
    """
    _add(True, subject, account, contact, None, None, assigned_to, line, discount, shipping_charge, adjustment, None, date, None, json_)


@quote_app.command("list")
def quote_list(
    account: Annotated[Optional[str], typer.Option("--account")] = None,
    status: Annotated[Optional[str], typer.Option("--status")] = None,
    limit: Limit = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
) -> None:
    """List quotes, newest first.

    Example: orders quote list --status created
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales

    fmt = output.pick(json_, jsonl, csv_)
    with store.transaction(write=False) as s:
        output.rows(sales.list_docs(s, sales.QUOTE, account, status, limit=limit), fmt, QUOTE_COLUMNS, empty="no quotes")


@quote_app.command("show")
def quote_show(quote: Annotated[str, typer.Argument(help="Quote number or id")], json_: Json = False) -> None:
    """Show a quote.

    Example: orders quote show QT-00001
    """
    from orders_cli import store
    from orders_cli.sales import orders as sales

    with store.transaction(write=False) as s:
        doc = sales.show(s, sales.QUOTE, quote)
    _print(doc, json_)


@quote_convert_app.command("order")
def quote_convert_order(quote: Annotated[str, typer.Argument(help="Quote number or id")], json_: Json = False) -> None:
    """Turn a quote into an order: lines, customer, contact, addresses, discount and charges carried over.

    The order keeps a link to the quote, and the quote is marked accepted.

    Example: orders quote convert order QT-00001
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.sales import orders as sales

    with store.transaction() as s:
        doc = sales.convert_quote(s, quote)
    if json_:
        output.record(doc, output.JSON)
    else:
        output.note(f"created {doc['number']} from {quote}")
