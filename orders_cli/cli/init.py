"""orders init: your company's settings, checked one by one, and the database."""

import sys
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import Json

# (setting, question), in the order they are asked
FIELDS = [
    ("company.name", "Company name"),
    ("company.address", "Address (\\n between lines)"),
    ("company.country", "Country (ISO 3166 code, e.g. FR)"),
    ("company.vat_id", "VAT number (e.g. FR40303265045)"),
    ("company.siren", "SIREN (9 digits, French companies)"),
    ("company.iban", "IBAN"),
    ("currency", "Currency (ISO 4217, e.g. EUR)"),
    ("language", "Language of documents (en, fr, de ...)"),
    *[(f"numbering.{t}_prefix", f"Number prefix of {'credit notes' if t == 'credit' else t + 's'}")
      for t in ("quote", "order", "invoice", "credit", "purchase", "delivery")],
]


def _opt(flag: str, text: str):
    return Annotated[Optional[str], typer.Option(flag, metavar="TEXT", help=f"{text}.")]


def _interactive() -> bool:
    return sys.stdin.isatty() and sys.stderr.isatty()


def _ask(key: str, question: str, default: str) -> str:
    from orders_cli.adapters import settings as config
    from orders_cli.cli import output
    from orders_cli.core.errors import Invalid

    while True:
        answer = typer.prompt(question, default=default, show_default=bool(default), err=True)
        try:
            config.checked(key, answer)
            return answer
        except Invalid as err:
            output.note(f"  {err.message}; try again")


def init(
    name: _opt("--name", "Company name") = None,
    address: _opt("--address", "Postal address (\\n between lines)") = None,
    country: _opt("--country", "Country, ISO 3166 code (FR)") = None,
    vat_id: _opt("--vat-id", "VAT number with its country prefix") = None,
    siren: _opt("--siren", "SIREN, 9 digits") = None,
    iban: _opt("--iban", "IBAN") = None,
    currency: _opt("--currency", "ISO 4217 currency (EUR)") = None,
    language: _opt("--language", "Language of documents (en, fr, de)") = None,
    quote_prefix: _opt("--quote-prefix", "Number prefix of quotes") = None,
    order_prefix: _opt("--order-prefix", "Number prefix of orders") = None,
    invoice_prefix: _opt("--invoice-prefix", "Number prefix of invoices") = None,
    credit_prefix: _opt("--credit-prefix", "Number prefix of credit notes") = None,
    purchase_prefix: _opt("--purchase-prefix", "Number prefix of purchase orders") = None,
    delivery_prefix: _opt("--delivery-prefix", "Number prefix of delivery notes") = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Ask nothing: the flags, else the current settings.")] = False,
    json_: Json = False,
) -> None:
    """Set up your company (settings, each checked) and create the database.

    On a terminal it asks each question (Enter keeps the value shown); with --yes, or when not
    on a terminal, it takes the flags and keeps the other settings. SIREN, VAT number and IBAN
    are checked (check digits). Example: orders init --yes --name "Atelier Dupré" --country FR
    """
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.adapters.env import ENV
    from orders_cli.cli import output
    from orders_cli.store import target as run_target

    given = dict(zip([k for k, _ in FIELDS], (name, address, country, vat_id, siren, iban, currency, language, quote_prefix,
                                                  order_prefix, invoice_prefix, credit_prefix, purchase_prefix, delivery_prefix)))
    path = ENV.config_path()
    now = config.current()
    answers = {k: v for k, v in given.items() if v is not None}
    config.set_values(path, answers, check_only=True)  # a bad flag is refused before anything is asked
    if not yes and _interactive():
        for key, question in FIELDS:
            answers[key] = _ask(key, question, str(given[key] if given[key] is not None else now.get(key) or ""))
        answers = {k: v for k, v in answers.items() if v != "" or now.get(k)}
    config.set_values(path, answers, check_only=True)
    run_target.may_create()
    eng = store.engine()
    info = store.check(eng)
    stored = config.set_values(path, answers) if answers else {}
    where = eng.url.render_as_string(hide_password=True)
    if json_:
        output.record({"settings": str(path), "database": where, "revision": info["revision"], "set": stored}, output.JSON)
        return
    output.note(f"settings: {path} ({len(stored)} set)")
    output.note(f"database ready: {where} (schema {info['revision']})")
    output.note("next: orders config check (what a French invoice still needs), orders product add ...")
