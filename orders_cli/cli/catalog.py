"""orders tax | vendor | user | product: the catalog and the people behind it."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Json, group, list_formats, search_option, show_record, show_rows

tax_app = group("tax", "Tax rates, with optional rates per tax region.")
vendor_app = group("vendor", "Suppliers: purchase orders go to them.")
user_app = group("user", "Users orders can be assigned to.")
product_app = group("product", "The catalog of products and services.")

TAX_COLUMNS = [("id", "Id"), ("name", "Name"), ("rate", "Rate %"), ("regions", "Regional rates")]
PARTY_COLUMNS = [("id", "Id"), ("name", "Name"), ("email", "E-mail")]
Email = Annotated[Optional[str], typer.Option("--email", help="E-mail address")]
PRODUCT_COLUMNS = [
    ("sku", "SKU"),
    ("name", "Name"),
    ("kind", "Kind"),
    ("unit_price", "Unit price"),
    ("cost", "Cost"),
    ("vendor", "Vendor"),
    ("taxes", "Taxes"),
]


CATEGORY_HELP = (
    "EN 16931 VAT category: S standard, Z zero, E exempt, AE reverse charge, K intra-community supply, "
    "G export, O outside scope, L, M (default S, or Z for a 0 % rate)"
)
Category = Annotated[str | None, typer.Option("--category", help=CATEGORY_HELP)]
ExemptionReason = Annotated[
    str | None,
    typer.Option(
        "--exemption-reason",
        help="Why no VAT is charged, printed on invoices (E, AE, K, G, O need it or a code; "
        "AE defaults to 'Autoliquidation', K to 'Exonération de TVA, article 262 ter I du CGI')",
    ),
]
ExemptionCode = Annotated[
    str | None,
    typer.Option("--exemption-code", help="VATEX code, e.g. VATEX-EU-AE, VATEX-EU-IC, VATEX-FR-FRANCHISE (AE and K default to VATEX-EU-AE, VATEX-EU-IC)"),
]


@tax_app.command("add")
def tax_add(
    name: Annotated[str, typer.Argument(help="Tax name, e.g. VAT20")],
    rate: Annotated[str, typer.Option("--rate", help="Rate in percent, e.g. 20 or 5.5")],
    region: Annotated[str | None, typer.Option("--region", help="Set the rate for this tax region only")] = None,
    category: Category = None,
    exemption_reason: ExemptionReason = None,
    exemption_code: ExemptionCode = None,
    json_: Json = False,
) -> None:
    """Add a tax, or a regional rate of an existing tax.

    A standard (S) tax has a rate above 0; Z, E, AE, K, G and O have a rate of 0, and E, AE,
    K, G and O carry the legal reason of the exemption (text, VATEX code or both). With no
    reason, AE takes "Autoliquidation" / VATEX-EU-AE and K "Exonération de TVA, article 262
    ter I du CGI" / VATEX-EU-IC.

    Examples: orders tax add VAT20 --rate 20 ; orders tax add VAT20 --rate 8.5 --region overseas ;
    orders tax add REVERSE --rate 0 --category AE ; orders tax add FRANCHISE --rate 0 --category E
    --exemption-reason "TVA non applicable, art. 293 B du CGI" --exemption-code VATEX-FR-FRANCHISE
    """
    from orders_cli.parties import catalog

    show_record(catalog.add_tax, name, rate, region, category, exemption_reason, exemption_code, json_=json_)


@tax_app.command("edit")
def tax_edit(
    name: Annotated[str, typer.Argument(help="Tax name or id")],
    new_name: Annotated[str | None, typer.Option("--name", help="New name (unique; not empty); the settings that name the tax follow")] = None,
    rate: Annotated[str | None, typer.Option("--rate", help="New default rate in percent (with --region: that region's rate)")] = None,
    region: Annotated[str | None, typer.Option("--region", help="Change the rate of this tax region (one tax add --region added)")] = None,
    category: Category = None,
    exemption_reason: Annotated[str | None, typer.Option("--exemption-reason", help="New exemption reason ('' for none)")] = None,
    exemption_code: Annotated[str | None, typer.Option("--exemption-code", help="New VATEX code ('' for none)")] = None,
    json_: Json = False,
) -> None:
    """Change a tax's name, rate, VAT category or exemption, or one regional rate (--region).

    The same rules as tax add (a new category drops the old exemption unless given again).

    What is already issued never changes: every quote, order, invoice and credit note stores
    its own figures (the tax's name, rate and amounts as they were), so only documents made
    from now on use the new values. A new name is carried into the settings that name the tax
    (charges.tax; accounting.vat.NAME is copied, the old key kept for the documents issued).

    Examples: orders tax edit VAT20 --rate 21 ; orders tax edit VAT20 --region overseas --rate 8.5 ;
    orders tax edit TVA20 --name VAT20 ;
    orders tax edit EXPORT --category G --exemption-reason "Exonération de TVA, article 262 I du CGI"
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.parties import catalog

    given = {"name": new_name, "rate": rate, "region": region, "category": category, "exemption_reason": exemption_reason,
             "exemption_code": exemption_code}
    changes = {k: v for k, v in given.items() if v is not None}
    with store.transaction() as s:
        old = catalog.show_tax(s, name).name
        result = catalog.edit_tax(s, name, changes)
        if result.name != old:
            _rename_in_settings(old, result.name)  # inside the transaction: a settings file that cannot be written undoes it
    output.record(result, output.JSON if json_ else output.TABLE)


def _rename_in_settings(old: str, new: str) -> None:
    """The settings that name a renamed tax: charges.tax follows it; accounting.vat.OLD is copied to
    accounting.vat.NEW (the old key stays: the documents issued carry the old name)."""
    from orders_cli.adapters import settings as config
    from orders_cli.adapters.env import ENV
    from orders_cli.cli import output

    current = config.current()
    values: dict[str, object] = {}
    if current.get("charges.tax") == old:
        values["charges.tax"] = new
    vat_key = f"{config.VAT_PREFIX}{old}"
    if current.values.get(vat_key) and f"{config.VAT_PREFIX}{new}" in config.KEYS and not current.values.get(f"{config.VAT_PREFIX}{new}"):
        values[f"{config.VAT_PREFIX}{new}"] = current.values[vat_key]
    if values:
        config.set_values(ENV.config_path(), values)
        config._CACHE.clear()
        output.note("settings: " + ", ".join(f"{k} = {v}" for k, v in values.items()))


@tax_app.command("show")
def tax_show(name: Annotated[str, typer.Argument(help="Tax name or id")], json_: Json = False) -> None:
    """Show one tax: rate, regional rates, VAT category and exemption.

    Example: orders tax show VAT20 --json
    """
    from orders_cli.parties import catalog

    show_record(catalog.show_tax, name, json_=json_, write=False)


def _list_command(group_app: typer.Typer, list_name: str, columns, empty: str, help: str, csv_columns=None) -> None:
    """Give a group its ``list`` command: ``parties.catalog.<list_name>`` as a table, JSON, JSON lines or CSV
    (``csv_columns`` when the CSV has columns of its own: those its import reads)."""

    def list_(fmt: str = "table") -> None:
        from orders_cli.cli import output
        from orders_cli.parties import catalog

        chosen = csv_columns() if csv_columns and fmt in output.CSV_FORMATS else columns
        show_rows(getattr(catalog, list_name), fmt=fmt, columns=chosen, empty=empty)

    group_app.command("list", help=help)(list_formats(list_))


def _party_commands(group_app: typer.Typer, what: str, add_help: str, list_help: str) -> None:
    """Users: add (a name and an e-mail) and list (vendors, with an address: cli/edits.py)."""

    def add(
        name: str = typer.Argument(..., help=f"{what.capitalize()} name"),
        email: Email = None,
        json_: Json = False,
    ) -> None:
        from orders_cli.parties import catalog

        show_record(getattr(catalog, f"add_{what}"), name, email, json_=json_)

    group_app.command("add", help=add_help)(add)
    _list_command(group_app, f"list_{what}s", PARTY_COLUMNS, f"no {what}s yet", list_help)


_list_command(
    tax_app,
    "list_taxes",
    TAX_COLUMNS,
    "no taxes yet: orders tax add VAT20 --rate 20",
    """List taxes and their regional rates.

    Example: orders tax list --json""",
)
_party_commands(
    user_app,
    "user",
    """Add a user (a sales representative orders can be assigned to).

    Example: orders user add "Chloé Martin" --email chloe@example.com""",
    """List users.

    Example: orders user list""",
)


UNIT_HELP = "Unit, e.g. h, kg, piece, or its UN/ECE Rec 20 code (HUR, KGM, C62)"
BASE_QUANTITY_HELP = "The price is for this many units (> 0), e.g. 100 for '12.00 per 100' (default 1)"


@product_app.command("add")
def product_add(
    sku: Annotated[str, typer.Argument(help="Stock keeping unit, unique, e.g. WIDGET")],
    name: Annotated[str, typer.Option("--name", help="Name printed on documents")],
    price: Annotated[str, typer.Option("--price", help="Unit price, e.g. 19.99 (more decimals allowed)")],
    tax: Annotated[Optional[list[str]], typer.Option("--tax", help="A tax that applies (repeatable)")] = None,
    vendor: Annotated[Optional[str], typer.Option("--vendor", help="The vendor it is bought from")] = None,
    service: Annotated[bool, typer.Option("--service", help="A service (never delivered)")] = False,
    unit: Annotated[Optional[str], typer.Option("--unit", help=UNIT_HELP)] = None,
    cost: Annotated[Optional[str], typer.Option("--cost", help="Purchase cost (for purchase orders)")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="Description: longer text about it")] = None,
    base_quantity: Annotated[str | None, typer.Option("--base-quantity", help=BASE_QUANTITY_HELP)] = None,
    json_: Json = False,
) -> None:
    """Add a product or service to the catalog.

    The unit is stored as written and as its UN/ECE Rec 20 code (h -> HUR, kg -> KGM, piece ->
    C62; a code such as HUR is taken as it is; an unknown unit is refused with the list).

    Examples: orders product add BOOK --name "Livre d'or" --price 19.99 --tax VAT5.5 --vendor "Papeterie Lefèvre" --cost 9.50 ;
    orders product add SCREW --name "Vis inox" --price 12.00 --base-quantity 100 --unit piece  (12.00 per 100 pieces)
    """
    from orders_cli.parties import catalog

    show_record(catalog.add_product, sku, name, price, tax or [], vendor, service, unit, cost, description, base_quantity, json_=json_)


def _product_csv_columns():
    from orders_cli.parties.catalog_csv import PRODUCT_CSV_OUT

    return PRODUCT_CSV_OUT


@product_app.command("list")
@list_formats
def product_list(
    search: search_option("the SKU, name, description or vendor") = None,
    all_: Annotated[bool, typer.Option("--all", help="Also the archived products (product archive)")] = False,
    archived: Annotated[bool, typer.Option("--archived", help="Only the archived products")] = False,
    fmt: str = "table",
) -> None:
    """List the catalog: the products in use (archived ones with --all or --archived).

    --csv writes the columns product import reads (sku,name,kind,unit_price,cost,vendor,taxes,
    unit,description,base_quantity): export, edit, import --upsert.

    Example: orders product list --csv > catalog.csv ; orders product list --search cafe
    """
    from orders_cli.cli import output
    from orders_cli.core.errors import Invalid
    from orders_cli.parties import catalog

    if all_ and archived:
        raise Invalid("choose --all or --archived, not both")
    columns = _product_csv_columns() if fmt in output.CSV_FORMATS else PRODUCT_COLUMNS + ([("archived", "Archived")] if all_ else [])
    empty = ("no product matches --search" if search is not None else "no archived products" if archived else "no products yet")
    show_rows(catalog.list_products, "all" if all_ else "archived" if archived else "active", search, fmt=fmt, columns=columns, empty=empty)


@product_app.command("show")
def product_show(sku: Annotated[str, typer.Argument(help="SKU or id")], json_: Json = False) -> None:
    """Show one product.

    Example: orders product show BOOK --json
    """
    from orders_cli.parties import catalog

    show_record(catalog.show_product, sku, json_=json_, write=False)


@product_app.command("edit")
def product_edit(
    sku: Annotated[str, typer.Argument(help="SKU or id")],
    name: Annotated[Optional[str], typer.Option("--name", help="New name printed on documents")] = None,
    price: Annotated[Optional[str], typer.Option("--price", help="New unit price, e.g. 21.00")] = None,
    tax: Annotated[Optional[list[str]], typer.Option("--tax", help="Replace the taxes (repeatable)")] = None,
    no_tax: Annotated[bool, typer.Option("--no-tax", help="Remove every tax")] = False,
    vendor: Annotated[Optional[str], typer.Option("--vendor", help="Vendor name ('' for none)")] = None,
    service: Annotated[Optional[bool], typer.Option("--service/--product", help="Kind")] = None,
    unit: Annotated[Optional[str], typer.Option("--unit", help=UNIT_HELP + " ('' for none)")] = None,
    cost: Annotated[Optional[str], typer.Option("--cost", help="Purchase cost ('' for none)")] = None,
    description: Annotated[Optional[str], typer.Option("--description", help="New description ('' for none)")] = None,
    base_quantity: Annotated[str | None, typer.Option("--base-quantity", help=BASE_QUANTITY_HELP + " ('' for 1)")] = None,
    json_: Json = False,
) -> None:
    """Change a product. Existing documents keep the prices and taxes they were made with.

    Example: orders product edit BOOK --price 21.00
    """
    from orders_cli.parties import catalog

    changes: dict = {
        k: v
        for k, v in {
            "name": name,
            "price": price,
            "vendor": vendor,
            "service": service,
            "unit": unit,
            "cost": cost,
            "description": description,
            "base_quantity": base_quantity,
        }.items()
        if v is not None
    }
    if tax:
        changes["taxes"] = tax
    if no_tax:
        changes["taxes"] = []
    show_record(catalog.edit_product, sku, changes, json_=json_)


@product_app.command("import")
def product_import(
    file: Annotated[Path, typer.Argument(help="CSV file with a header row; '-' for stdin")],
    upsert: Annotated[bool, typer.Option("--upsert", help="Update the products whose SKU exists (new prices), add the others")] = False,
    json_: Json = False,
) -> None:
    """Import products from CSV, all or nothing (one transaction).

    Columns: sku,name,price (required; unit_price is read as price), kind (product|service),
    unit, cost, vendor, taxes (names separated by ';'), description, base_quantity: the
    columns product list --csv writes. With --upsert a row whose SKU exists updates that
    product (the columns the file has) instead of being refused.

    Example: orders product import prices.csv --upsert
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli import progress as bars
    from orders_cli.cli.common import read_input
    from orders_cli.parties import catalog_csv

    with read_input(file, csv=True) as (raw, source), store.transaction() as s, bars.reading(raw, "reading lines", bars.wanted(json_)) as handle:
        result = catalog_csv.import_products(s, handle, source, upsert=upsert)
    if json_:
        output.record(result, output.JSON)
    else:
        output.note(f"imported {result.imported} products from {source}")
