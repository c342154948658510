"""The missing verbs (issue 18): vendor add|list|show|edit with a postal address, user edit,
contact edit|remove, product archive|unarchive. Mounted on the groups of cli/catalog.py and
cli/account.py."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.account import contact_app
from orders_cli.cli.catalog import product_app, user_app, vendor_app
from orders_cli.cli.common import Json, list_formats, show_record, show_rows

VENDOR_COLUMNS = [("id", "Id"), ("name", "Name"), ("email", "E-mail"), ("address.city", "City"), ("address.country", "Country")]
VENDOR_CSV = [("id", "id"), ("name", "name"), ("email", "email"), *((f"address.{f}", f"address.{f}") for f in
                                                                      ("street", "city", "postal_code", "state", "country"))]

Email = Annotated[Optional[str], typer.Option("--email", help="E-mail address ('' clears it)")]
NewEmail = Annotated[Optional[str], typer.Option("--email", help="E-mail address")]
NewName = Annotated[Optional[str], typer.Option("--name", help="New name (unique; not empty)")]


def postal_address(fn):
    """Decorator: the command's parameter ``address`` becomes the options --street, --city,
    --postal-code, --state and --country (in its place); it receives the ones given as a dict."""
    import inspect

    from orders_cli.cli.common import ADDRESS_PARTS, _options_in_place

    params = [
        inspect.Parameter(field, inspect.Parameter.KEYWORD_ONLY, default=None, annotation=Annotated[
            Optional[str], typer.Option(f"--{field.replace('_', '-')}", help=f"Postal address: {words}")])
        for field, words in ADDRESS_PARTS
    ]
    return _options_in_place(fn, {"address": (params, lambda values: {k: v for k, v in values.items() if v is not None})})


# ---------------------------------------------------------------- vendors


@vendor_app.command("add")
@postal_address
def vendor_add(
    name: Annotated[str, typer.Argument(help="Vendor name (unique)")],
    email: NewEmail = None,
    address: dict = None,  # type: ignore[assignment]  (the --street ... --country options)
    json_: Json = False,
) -> None:
    """Add a vendor (supplier), with the postal address its purchase orders print.

    Example: orders vendor add "Papeterie Lefèvre" --email commandes@lefevre.example --street "3 rue Colbert" --postal-code 69002 --city Lyon --country FR
    """
    from orders_cli.parties import vendors

    show_record(vendors.add_vendor, name, email, address, json_=json_)


@vendor_app.command("list")
@list_formats
def vendor_list(fmt: str = "table") -> None:
    """List vendors, with the city and country of their address (--csv: every address field).

    Example: orders vendor list --csv
    """
    from orders_cli.cli import output
    from orders_cli.parties import vendors

    show_rows(vendors.list_vendors, fmt=fmt, columns=VENDOR_CSV if fmt in output.CSV_FORMATS else VENDOR_COLUMNS, empty="no vendors yet")


@vendor_app.command("show")
def vendor_show(vendor: Annotated[str, typer.Argument(help="Vendor name or id")], json_: Json = False) -> None:
    """Show a vendor: e-mail and postal address.

    Example: orders vendor show "Papeterie Lefèvre" --json
    """
    from orders_cli.parties import vendors

    show_record(vendors.show_vendor, vendor, json_=json_, write=False)


@vendor_app.command("edit")
@postal_address
def vendor_edit(
    vendor: Annotated[str, typer.Argument(help="Vendor name or id")],
    name: NewName = None,
    email: Email = None,
    address: dict = None,  # type: ignore[assignment]  (the --street ... --country options)
    json_: Json = False,
) -> None:
    """Change a vendor's name, e-mail or postal address (the fields given; '' clears one).

    Its purchase orders print the vendor as it is now: its name above its address, then its
    e-mail; the ship-to block names the customer the goods go to.

    Example: orders vendor edit "Kaffeerösterei Weiß" --street "Hafenstraße 4" --postal-code 20457 --city Hamburg --country DE
    """
    from orders_cli.parties import vendors

    changes = {"name": name, "email": email, "address": address}
    show_record(vendors.edit_vendor, vendor, changes, json_=json_)


# ---------------------------------------------------------------- users


@user_app.command("edit")
def user_edit(
    user: Annotated[str, typer.Argument(help="User name or id")],
    name: NewName = None,
    email: Email = None,
    json_: Json = False,
) -> None:
    """Change a user's name or e-mail. The orders assigned to the user stay assigned.

    Example: orders user edit "Chloé Martin" --email chloe.martin@example.com
    """
    from orders_cli.parties import edits

    show_record(edits.edit_user, user, {"name": name, "email": email}, json_=json_)


# ---------------------------------------------------------------- contacts

OfAccount = Annotated[Optional[str], typer.Option("--account", help="The contact's account (name or id), when two accounts have a contact of that name")]


@contact_app.command("edit")
def contact_edit(
    contact: Annotated[str, typer.Argument(help="Contact name or id")],
    account: OfAccount = None,
    name: Annotated[Optional[str], typer.Option("--name", help="New name (unique on its account; not empty)")] = None,
    email: Email = None,
    phone: Annotated[Optional[str], typer.Option("--phone", help="Phone number ('' clears it)")] = None,
    json_: Json = False,
) -> None:
    """Change a contact's name, e-mail or phone. The documents that name the contact name it still.

    Example: orders contact edit "Jürgen Müller" --account "Café Müller" --phone "+49 30 1234567"
    """
    from orders_cli.parties import edits

    show_record(edits.edit_contact, contact, account, {"name": name, "email": email, "phone": phone}, json_=json_)


@contact_app.command("remove")
def contact_remove(
    contact: Annotated[str, typer.Argument(help="Contact name or id")],
    account: OfAccount = None,
    json_: Json = False,
) -> None:
    """Remove a contact. Refused while a quote or an order names the contact (the error names them):
    a document keeps the contact it was made for.

    Example: orders contact remove "Jürgen Müller" --account "Café Müller"
    """
    from orders_cli import store
    from orders_cli.cli.common import record_or_note
    from orders_cli.parties import edits

    with store.transaction() as s:
        removed = edits.remove_contact(s, contact, account)
    record_or_note(removed, json_, f"removed contact {removed.name} of {removed.account.name}")


# ---------------------------------------------------------------- archiving products


@product_app.command("archive")
def product_archive(sku: Annotated[str, typer.Argument(help="SKU or id")], json_: Json = False) -> None:
    """Archive a product you no longer sell: hidden from product list, refused on new lines.

    product list leaves it out (--all or --archived shows it); a new order or quote line naming
    it is refused ("product X is archived"), as is duplicating a document that has it. The
    orders and quotes that have it keep it: their lines can still be edited, invoiced and
    delivered, and recurring orders keep billing it. Undo: product unarchive.

    Example: orders product archive POSTER
    """
    from orders_cli.parties import edits

    show_record(edits.set_archived, sku, True, json_=json_)


@product_app.command("unarchive")
def product_unarchive(sku: Annotated[str, typer.Argument(help="SKU or id")], json_: Json = False) -> None:
    """Bring an archived product back: listed again, allowed on new lines.

    Example: orders product unarchive POSTER
    """
    from orders_cli.parties import edits

    show_record(edits.set_archived, sku, False, json_=json_)
