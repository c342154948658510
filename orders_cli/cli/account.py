"""orders account | contact: customers and their people."""

from pathlib import Path
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import (
    Csv,
    CsvRaw,
    Json,
    address_options,
    group,
    list_formats,
    search_option,
    show_record,
    show_rows,
)

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

Email = Annotated[Optional[str], typer.Option("--email", help="E-mail address (documents are mailed to it)")]
Phone = Annotated[Optional[str], typer.Option("--phone", help="Phone number")]
TaxRegion = Annotated[Optional[str], typer.Option("--tax-region", help="Tax region, e.g. overseas (its regional tax rates apply)")]
Language = Annotated[Optional[str], typer.Option("--language", help="Language of its documents, e.g. fr")]
VatId = Annotated[Optional[str], typer.Option("--vat-id", help="VAT number with its country prefix, e.g. PL5261040828 (checked; \"\" clears)")]
Siren = Annotated[Optional[str], typer.Option("--siren", help="French SIREN, 9 digits (checked)")]
Siret = Annotated[Optional[str], typer.Option("--siret", help="French SIRET, 14 digits beginning with the SIREN (checked)")]
ElectronicAddress = Annotated[Optional[str], typer.Option(
    "--electronic-address", help="E-invoicing address: SCHEME:ID (0009:<SIRET>) or an e-mail address")]
Country = Annotated[Optional[str], typer.Option("--country", help="Country of the legal entity, ISO 3166 code (FR, DE, PL)")]


@app.command("add")
@address_options("billing", "shipping")
def add(
    name: Annotated[str, typer.Argument(help="Account name (unique)")],
    email: Email = None,
    phone: Phone = None,
    tax_region: TaxRegion = None,
    language: Language = None,
    vat_id: VatId = None,
    siren: Siren = None,
    siret: Siret = None,
    electronic_address: ElectronicAddress = None,
    country: Country = None,
    billing: dict = None,  # type: ignore[assignment]  (the --billing-* options)
    shipping: dict = None,  # type: ignore[assignment]  (the --shipping-* options)
    json_: Json = False,
) -> None:
    """Add a customer account. The shipping address defaults to the billing address.

    The identity numbers are checked (check digits, the SIRET and a French VAT number
    against the SIREN); a wrong one is refused and nothing is stored.

    Example: orders account add "Café Müller" --email hallo@mueller.example --billing-city Strasbourg --billing-country FR
    Example: orders account add "Kowalski sp. z o.o." --vat-id PL5261040828 --country PL
    """
    from orders_cli.parties import catalog

    ids = {"vat_id": vat_id, "siren": siren, "siret": siret, "electronic_address": electronic_address, "country": country}
    show_record(catalog.add_account, name, email, phone, tax_region, billing, shipping, language,
                {k: v for k, v in ids.items() if v is not None}, json_=json_)


@app.command("list")
@list_formats
def list_(search: search_option("the name or e-mail address") = None, fmt: str = "table") -> None:
    """List customer accounts.

    --csv writes every field, in the columns account import reads.

    Example: orders account list --csv > accounts.csv ; orders account list --search muller
    """
    from orders_cli.cli import output
    from orders_cli.parties import catalog

    columns = ACCOUNT_COLUMNS
    if fmt in output.CSV_FORMATS:
        from orders_cli.parties.party_csv import ACCOUNT_CSV_COLUMNS

        columns = [(c, c) for c in ACCOUNT_CSV_COLUMNS]
    show_rows(catalog.list_accounts, search, fmt=fmt, columns=columns, empty="no accounts yet" if search is None else "no account matches --search")


def _import(kind: str, file: Path, upsert: bool, json_: bool) -> None:
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.cli import progress as bars
    from orders_cli.cli.common import read_input
    from orders_cli.parties import party_csv

    with read_input(file, csv=True) as (raw, source), store.transaction() as s, bars.reading(raw, "reading lines", bars.wanted(json_)) as handle:
        result = getattr(party_csv, f"import_{kind}s")(s, handle, source, upsert=upsert)
    if json_:
        output.record(result, output.JSON)
    else:
        output.note(f"imported {result.imported} {kind}s from {source}")


CsvFile = Annotated[Path, typer.Argument(help="CSV file with a header row; '-' for stdin")]
Upsert = Annotated[bool, typer.Option("--upsert", help="Update the records that exist (by name), add the others")]


@app.command("import")
def import_(file: CsvFile, upsert: Upsert = False, json_: Json = False) -> None:
    """Import accounts from CSV, all or nothing (one transaction).

    Columns: those account list --csv writes (name required; id is ignored): name, email,
    tax_region, phone, language, billing_address.street|city|postal_code|state|country, the
    same for shipping_address, vat_id, siren, siret, electronic_address, country. Each row is
    checked as account add checks it. --upsert updates an account of the same name.

    Example: orders account import accounts.csv --upsert
    """
    _import("account", file, upsert, json_)


@app.command("show")
def show(account: Annotated[str, typer.Argument(help="Account name or id")], json_: Json = False) -> None:
    """Show an account with its contacts and orders, and its open balance (what its invoices still owe).

    Example: orders account show "Café Müller"
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.core.results import to_data
    from orders_cli.invoicing import statements
    from orders_cli.parties import catalog

    with store.transaction(write=False) as s:
        found = catalog.show_account(s, account)
        data = to_data(found)
        data["open_balance"] = to_data(statements.open_balance(s, account_id=found.id))  # invoicing sits above parties
    output.record(data, output.JSON if json_ else output.TABLE, _human)


def _human(acc: dict) -> None:
    from orders_cli.cli import output

    identity = {"vat_id": "VAT number", "siren": "SIREN", "siret": "SIRET", "electronic_address": "e-invoicing", "country": "country"}
    head = {k: v for k, v in acc.items() if k not in ("contacts", "orders", "billing_address", "shipping_address", "open_balance", *identity)}
    head["billing"] = ", ".join(v for v in acc["billing_address"].values() if v)
    head["shipping"] = ", ".join(v for v in acc["shipping_address"].values() if v)
    head.update({label: acc[k] for k, label in identity.items() if acc.get(k)})  # only those set
    output.kv(head, title=acc["name"])
    if "contacts" not in acc:  # account add / edit print the account itself, not what hangs on it
        return
    if acc["contacts"]:
        output.rows(acc["contacts"], output.TABLE, CONTACT_COLUMNS[:2] + CONTACT_COLUMNS[3:], title="Contacts")
    else:
        output.say("no contacts")  # part of the view: stdout, like the rest of it
    if acc.get("orders"):
        output.rows(acc["orders"], output.TABLE, [("number", "Order"), ("order_date", "Date"), ("subject", "Subject"), ("status", "Status"),
                                                  ("total", "Total")], title="Orders")
    else:
        output.say("no orders")
    if "open_balance" in acc:
        output.kv({"open balance": acc["open_balance"]})


STATEMENT_COLUMNS = [("date", "Date"), ("type", "Type"), ("number", "Number"), ("description", "Description"), ("method", "Method"),
                     ("debit", "Debit"), ("credit", "Credit"), ("balance", "Balance")]


@app.command("statement")
def statement(
    account: Annotated[str, typer.Argument(help="Account name or id")],
    since: Annotated[Optional[str], typer.Option("--since", help="From this date, YYYY-MM-DD (an opening balance line first)")] = None,
    until: Annotated[Optional[str], typer.Option("--until", help="Up to this date, YYYY-MM-DD (default: everything)")] = None,
    currency: Annotated[Optional[str], typer.Option("--currency", help="Only documents in this currency (needed when the account has several)")] = None,
    json_: Json = False,
    csv_: Csv = False,
    csv_raw: CsvRaw = False,
    pdf: Annotated[bool, typer.Option("--pdf", help="Write the statement as a PDF in the account's language (English or French)")] = False,
    output_file: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE",
                                                        help="With --pdf: write here (default: statement-<ACCOUNT>-<DATE>.pdf)")] = None,
) -> None:
    """An account's invoices, credit notes, payments and refunds in date order, with a running balance.

    Invoices and refunds are debits, credit notes and payments credits; removed payments are
    left out. With --since the first line is the opening balance.

    Example: orders account statement "Café Müller" --since 2026-01-01 --pdf -o statement.pdf
    """
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.cli import output
    from orders_cli.cli.common import context
    from orders_cli.core.errors import Invalid
    from orders_cli.core.results import to_data
    from orders_cli.invoicing import statements

    if sum((json_, csv_, csv_raw, pdf)) > 1:
        raise Invalid("choose one of --json, --csv, --csv-raw and --pdf")
    if output_file is not None and not pdf:
        raise Invalid("--output is for --pdf")
    ctx = context()
    with store.transaction(write=False) as s:
        data = to_data(statements.statement(s, ctx, account, since, until, currency))
    if pdf:
        from orders_cli.adapters import statement_pdf

        name = statement_pdf.default_filename(data, ctx.today)
        target = output.checked_path(output_file or name)
        path = output.write_file(target, statement_pdf.render(data, ctx.today, config.current()), default_name=name)
        output.note(str(path))
    elif json_:
        output.record(data, output.JSON)
    elif csv_ or csv_raw:
        output.rows(data["lines"], output.CSV if csv_ else output.CSV_RAW, STATEMENT_COLUMNS)
    else:
        _human_statement(data)


def _human_statement(st: dict) -> None:
    from orders_cli.cli import output

    head = {"account": st["account"]["name"], "since": st["since"], "until": st["until"], "currency": st["currency"]}
    output.kv({k: v for k, v in head.items() if v}, title="Statement")
    output.rows(st["lines"], output.TABLE, STATEMENT_COLUMNS, empty="no entries")
    output.kv({"closing balance": f"{st['closing_balance']} {st['currency']}"})


@app.command("edit")
@address_options("billing", "shipping")
def edit(
    account: Annotated[str, typer.Argument(help="Account name or id")],
    name: Annotated[Optional[str], typer.Option("--name", help="New name")] = None,
    email: Email = None,
    phone: Phone = None,
    tax_region: TaxRegion = None,
    language: Language = None,
    vat_id: VatId = None,
    siren: Siren = None,
    siret: Siret = None,
    electronic_address: ElectronicAddress = None,
    country: Country = None,
    billing: dict = None,  # type: ignore[assignment]  (the --billing-* options)
    shipping: dict = None,  # type: ignore[assignment]  (the --shipping-* options)
    json_: Json = False,
) -> None:
    """Change an account. Existing orders keep the addresses they were made with.

    --vat-id, --siren, --siret, --electronic-address and --country are checked; "" clears one.

    Example: orders account edit "Café Müller" --shipping-city Colmar
    Example: orders account edit "Café Müller" --vat-id FR44732829320 --siren 732829320 --country FR
    """
    from orders_cli.parties import catalog

    given = {"name": name, "email": email, "phone": phone, "tax_region": tax_region, "language": language, "billing": billing, "shipping": shipping,
             "vat_id": vat_id, "siren": siren, "siret": siret, "electronic_address": electronic_address, "country": country}
    changes = {k: v for k, v in given.items() if v is not None and v != {}}
    show_record(catalog.edit_account, account, changes, json_=json_, human=_human)


@contact_app.command("add")
def contact_add(
    name: Annotated[str, typer.Argument(help="Contact name")],
    account: Annotated[str, typer.Option("--account", help="Account name or id")],
    email: Annotated[Optional[str], typer.Option("--email", help="E-mail address")] = None,
    phone: Phone = None,
    json_: Json = False,
) -> None:
    """Add a contact to an account.

    Example: orders contact add "Jürgen Müller" --account "Café Müller" --email j@mueller.example
    """
    from orders_cli.parties import catalog

    show_record(catalog.add_contact, name, account, email, phone, json_=json_)


@contact_app.command("list")
@list_formats
def contact_list(
    account: Annotated[Optional[str], typer.Option("--account", help="Only this account's contacts")] = None,
    fmt: str = "table",
) -> None:
    """List contacts.

    Example: orders contact list --account "Café Müller"
    """
    from orders_cli.parties import catalog

    show_rows(catalog.list_contacts, account, fmt=fmt, columns=CONTACT_COLUMNS, empty="no contacts")


@contact_app.command("import")
def contact_import(file: CsvFile, upsert: Upsert = False, json_: Json = False) -> None:
    """Import contacts from CSV, all or nothing (one transaction).

    Columns: those contact list --csv writes: id (ignored), name, account.name (both
    required), email, phone. --upsert updates the account's contact of the same name.

    Example: orders contact import contacts.csv
    """
    _import("contact", file, upsert, json_)
