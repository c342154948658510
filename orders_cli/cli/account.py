"""orders account | contact: customers and their people."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Csv, Json, Jsonl, group

app = group("account", "Customer accounts: addresses, tax region, their orders.")
contact_app = group("contact", "Contacts: the people at a customer account.")

ACCOUNT_COLUMNS = [
    ("id", "Id"),
    ("name", "Name"),
    ("email", "E-mail"),
    ("tax_region", "Tax region"),
    ("billing_address.city", "City"),
    ("billing_address.country", "Country"),
]
CONTACT_COLUMNS = [("id", "Id"), ("name", "Name"), ("account.name", "Account"), ("email", "E-mail"), ("phone", "Phone")]

Opt = Annotated[Optional[str], typer.Option()]


def _addr(prefix: str, street, city, postal_code, state, country) -> dict:
    values = {"street": street, "city": city, "postal_code": postal_code, "state": state, "country": country}
    return {k: v for k, v in values.items() if v is not None}


@app.command("add")
def add(
    name: Annotated[str, typer.Argument(help="Account name (unique)")],
    email: Annotated[Optional[str], typer.Option("--email")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    tax_region: Annotated[Optional[str], typer.Option("--tax-region", help="Tax region, e.g. overseas")] = None,
    language: Annotated[Optional[str], typer.Option("--language", help="Language of its documents, e.g. fr")] = None,
    billing_street: Annotated[Optional[str], typer.Option("--billing-street")] = None,
    billing_city: Annotated[Optional[str], typer.Option("--billing-city")] = None,
    billing_postal_code: Annotated[Optional[str], typer.Option("--billing-postal-code")] = None,
    billing_state: Annotated[Optional[str], typer.Option("--billing-state")] = None,
    billing_country: Annotated[Optional[str], typer.Option("--billing-country")] = None,
    shipping_street: Annotated[Optional[str], typer.Option("--shipping-street")] = None,
    shipping_city: Annotated[Optional[str], typer.Option("--shipping-city")] = None,
    shipping_postal_code: Annotated[Optional[str], typer.Option("--shipping-postal-code")] = None,
    shipping_state: Annotated[Optional[str], typer.Option("--shipping-state")] = None,
    shipping_country: Annotated[Optional[str], typer.Option("--shipping-country")] = None,
    json_: Json = False,
) -> None:
    """Add a customer account. The shipping address defaults to the billing address.

    Example: orders account add "Café Müller" --email hallo@mueller.example --billing-city Strasbourg --billing-country FR
    """
    from orders_cli import store
    from orders_cli.parties import catalog
    from orders_cli.cli import output

    with store.transaction() as s:
        result = catalog.add_account(
            s,
            name,
            email,
            phone,
            tax_region,
            _addr("billing", billing_street, billing_city, billing_postal_code, billing_state, billing_country),
            _addr("shipping", shipping_street, shipping_city, shipping_postal_code, shipping_state, shipping_country),
            language,
        )
    output.record(result, output.JSON if json_ else output.TABLE)


@app.command("list")
def list_(json_: Json = False, jsonl: Jsonl = False, csv_: Csv = False) -> None:
    """List customer accounts.

    Example: orders account list --csv > accounts.csv
    """
    from orders_cli import store
    from orders_cli.parties import catalog
    from orders_cli.cli import output

    fmt = output.pick(json_, jsonl, csv_)
    with store.transaction(write=False) as s:
        output.rows(catalog.list_accounts(s), fmt, ACCOUNT_COLUMNS, empty="no accounts yet")


@app.command("show")
def show(account: Annotated[str, typer.Argument(help="Account name or id")], json_: Json = False) -> None:
    """Show an account with its contacts and orders.

    Example: orders account show "Café Müller"
    """
    from orders_cli import store
    from orders_cli.parties import catalog
    from orders_cli.cli import output

    with store.transaction(write=False) as s:
        result = catalog.show_account(s, account)
    output.record(result, output.JSON if json_ else output.TABLE, _human)


def _human(acc: dict) -> None:
    from orders_cli.cli import output

    head = {k: v for k, v in acc.items() if k not in ("contacts", "orders", "billing_address", "shipping_address")}
    head["billing"] = ", ".join(v for v in acc["billing_address"].values() if v)
    head["shipping"] = ", ".join(v for v in acc["shipping_address"].values() if v)
    output.kv(head, title=acc["name"])
    output.rows(acc.get("contacts", []), output.TABLE, CONTACT_COLUMNS[:2] + CONTACT_COLUMNS[3:], title="Contacts", empty="no contacts")
    output.rows(
        acc.get("orders", []),
        output.TABLE,
        [("number", "Order"), ("order_date", "Date"), ("subject", "Subject"), ("status", "Status"), ("total", "Total")],
        title="Orders",
        empty="no orders",
    )


@app.command("edit")
def edit(
    account: Annotated[str, typer.Argument(help="Account name or id")],
    name: Annotated[Optional[str], typer.Option("--name", help="New name")] = None,
    email: Annotated[Optional[str], typer.Option("--email")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    tax_region: Annotated[Optional[str], typer.Option("--tax-region")] = None,
    language: Annotated[Optional[str], typer.Option("--language")] = None,
    billing_street: Annotated[Optional[str], typer.Option("--billing-street")] = None,
    billing_city: Annotated[Optional[str], typer.Option("--billing-city")] = None,
    billing_postal_code: Annotated[Optional[str], typer.Option("--billing-postal-code")] = None,
    billing_state: Annotated[Optional[str], typer.Option("--billing-state")] = None,
    billing_country: Annotated[Optional[str], typer.Option("--billing-country")] = None,
    shipping_street: Annotated[Optional[str], typer.Option("--shipping-street")] = None,
    shipping_city: Annotated[Optional[str], typer.Option("--shipping-city")] = None,
    shipping_postal_code: Annotated[Optional[str], typer.Option("--shipping-postal-code")] = None,
    shipping_state: Annotated[Optional[str], typer.Option("--shipping-state")] = None,
    shipping_country: Annotated[Optional[str], typer.Option("--shipping-country")] = None,
    json_: Json = False,
) -> None:
    """Change an account. Existing orders keep the addresses they were made with.

    Example: orders account edit "Café Müller" --shipping-city Colmar
    """
    from orders_cli import store
    from orders_cli.parties import catalog
    from orders_cli.cli import output

    changes: dict = {
        k: v
        for k, v in {"name": name, "email": email, "phone": phone, "tax_region": tax_region, "language": language}.items()
        if v is not None
    }
    bill = _addr("billing", billing_street, billing_city, billing_postal_code, billing_state, billing_country)
    ship = _addr("shipping", shipping_street, shipping_city, shipping_postal_code, shipping_state, shipping_country)
    if bill:
        changes["billing"] = bill
    if ship:
        changes["shipping"] = ship
    with store.transaction() as s:
        result = catalog.edit_account(s, account, changes)
    output.record(result, output.JSON if json_ else output.TABLE, _human)


@contact_app.command("add")
def contact_add(
    name: Annotated[str, typer.Argument(help="Contact name")],
    account: Annotated[str, typer.Option("--account", help="Account name or id")],
    email: Annotated[Optional[str], typer.Option("--email")] = None,
    phone: Annotated[Optional[str], typer.Option("--phone")] = None,
    json_: Json = False,
) -> None:
    """Add a contact to an account.

    Example: orders contact add "Jürgen Müller" --account "Café Müller" --email j@mueller.example
    """
    from orders_cli import store
    from orders_cli.parties import catalog
    from orders_cli.cli import output

    with store.transaction() as s:
        result = catalog.add_contact(s, name, account, email, phone)
    output.record(result, output.JSON if json_ else output.TABLE)


@contact_app.command("list")
def contact_list(
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account's contacts")] = None,
    json_: Json = False,
    jsonl: Jsonl = False,
    csv_: Csv = False,
) -> None:
    """List contacts.

    Example: orders contact list --account "Café Müller"
    """
    from orders_cli import store
    from orders_cli.parties import catalog
    from orders_cli.cli import output

    fmt = output.pick(json_, jsonl, csv_)
    with store.transaction(write=False) as s:
        output.rows(catalog.list_contacts(s, account), fmt, CONTACT_COLUMNS, empty="no contacts")
