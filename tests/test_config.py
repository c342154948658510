"""orders config: every key of CLI.md with good values, bad values refused, and the file itself."""

from __future__ import annotations

import functools
import json
import os
import tomllib
from pathlib import Path

import pytest
from conftest import ok, refused, run


@pytest.fixture(autouse=True, scope="module")
def _command_tree_built_once():
    """Typer rebuilds its click command tree on every ``main()``; build it once per module."""
    import typer.main

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.main, "get_command", functools.lru_cache(maxsize=None)(typer.main.get_command))
        yield


def config_file() -> Path:
    return Path(os.environ["ORDERS_CONFIG"])


# key, value as typed, value as stored (JSON / TOML), value as `config get` prints it
VALID = [
    ("company.name", "Atelier Dupré", "Atelier Dupré", "Atelier Dupré"),
    ("company.address", "3 place de l'Église\n69002 Lyon", "3 place de l'Église\n69002 Lyon", "3 place de l'Église\n69002 Lyon"),
    ("company.email", "factures@dupre.example", "factures@dupre.example", "factures@dupre.example"),
    ("company.vat_id", "FR 40 303 265 045", "FR40303265045", "FR40303265045"),
    ("company.vat_id", "de136695976", "DE136695976", "DE136695976"),
    ("company.vat_id", "", "", ""),
    ("company.siren", "303 265 045", "303265045", "303265045"),
    ("company.siret", "732 829 320 00074", "73282932000074", "73282932000074"),
    ("company.legal_form", "SAS", "SAS", "SAS"),
    ("company.capital", "10 000 EUR", "10 000 EUR", "10 000 EUR"),
    ("company.capital", "5000", "5000", "5000"),
    ("company.rcs", "Lyon", "Lyon", "Lyon"),
    ("company.iban", "fr14 2004 1010 0505 0001 3m02 606", "FR1420041010050500013M02606", "FR1420041010050500013M02606"),
    ("company.bic", "bnpafrpp", "BNPAFRPP", "BNPAFRPP"),
    ("company.electronic_address", "0009:73282932000074", "0009:73282932000074", "0009:73282932000074"),
    ("company.country", "fr", "FR", "FR"),
    ("invoice.late_penalty_rate", "12.15 % a year", "12.15 % a year", "12.15 % a year"),
    ("invoice.recovery_indemnity", "40", "40.00", "40.00"),
    ("invoice.early_payment_discount", "2 % within 10 days", "2 % within 10 days", "2 % within 10 days"),
    ("invoice.payment_means", "card", "card", "card"),
    ("invoice.payment_means", "direct_debit", "direct_debit", "direct_debit"),
    ("currency", "usd", "USD", "USD"),
    ("currency", "GBP", "GBP", "GBP"),
    ("language", "fr", "fr", "fr"),
    ("language", "en_GB", "en_GB", "en_GB"),
    ("charges.tax", "VAT20", "VAT20", "VAT20"),
    ("numbering.quote_prefix", "DEV-", "DEV-", "DEV-"),
    ("numbering.order_prefix", "CMD-", "CMD-", "CMD-"),
    ("numbering.invoice_prefix", "FAC/2026/", "FAC/2026/", "FAC/2026/"),
    ("numbering.purchase_prefix", "BC-", "BC-", "BC-"),
    ("numbering.delivery_prefix", "BL-", "BL-", "BL-"),
    ("smtp.host", "smtp.example.com", "smtp.example.com", "smtp.example.com"),
    ("smtp.port", "2525", 2525, "2525"),
    ("smtp.port", "1", 1, "1"),
    ("smtp.port", "65535", 65535, "65535"),
    ("smtp.user", "mailer", "mailer", "mailer"),
    ("smtp.security", "starttls", "starttls", "starttls"),
    ("smtp.security", "ssl", "ssl", "ssl"),
    ("smtp.security", "none", "none", "none"),
    ("smtp.sender", "ne-pas-repondre@dupre.example", "ne-pas-repondre@dupre.example", "ne-pas-repondre@dupre.example"),
    ("portal.enabled", "true", True, "true"),
    ("portal.enabled", "false", False, "false"),
    ("portal.enabled", "yes", True, "true"),
    ("portal.url", "https://portal.example.com/", "https://portal.example.com", "https://portal.example.com"),
    ("portal.url", "http://127.0.0.1:8080/extranet", "http://127.0.0.1:8080/extranet", "http://127.0.0.1:8080/extranet"),
]

DEFAULTS = {
    "currency": "EUR",
    "language": "en",
    "charges.tax": "",
    "numbering.quote_prefix": "QT-",
    "numbering.order_prefix": "SO-",
    "numbering.invoice_prefix": "INV-",
    "numbering.purchase_prefix": "PO-",
    "numbering.delivery_prefix": "DN-",
    "smtp.port": 587,
    "smtp.security": "starttls",
    "portal.enabled": False,
    "portal.url": "http://127.0.0.1:8765",
    "company.name": "",
    "invoice.late_penalty_rate": "12.15",
    "invoice.recovery_indemnity": "40.00",
    "invoice.early_payment_discount": "none",
    "invoice.payment_means": "transfer",
}


def test_show_defaults_without_a_file():
    values = ok("config", "show", "--json").json()
    for key, default in DEFAULTS.items():
        assert values[key] == default, key
    assert not config_file().exists()
    for key in ("company.name", "smtp.port", "portal.enabled", "numbering.invoice_prefix"):
        assert key in values
    assert not any("password" in key for key in values)  # the password never comes from the file


@pytest.mark.parametrize("key,typed,stored,printed", VALID, ids=[f"{v[0]}={v[1]!r}" for v in VALID])
def test_set_get_show_every_key(key, typed, stored, printed):
    if key == "charges.tax":
        ok("tax", "add", "VAT20", "--rate", "20")  # charges.tax names an existing tax
    r = ok("config", "set", key, typed)
    assert r.out == ""  # the confirmation is for people: stderr
    assert key in r.err
    assert ok("config", "get", key, "--json").json() == stored
    assert ok("config", "get", key).out == printed + "\n"
    assert ok("config", "show", "--json").json()[key] == stored
    assert key in ok("config", "show").out
    # the file is valid TOML, nested by the dotted key
    data = tomllib.loads(config_file().read_text(encoding="utf-8"))
    node = data
    for part in key.split("."):
        node = node[part]
    assert node == stored


def test_the_file_is_valid_toml_read_back_with_tomllib():
    ok("config", "set", "company.name", 'Atelier "Dupré" & fils')
    ok("config", "set", "currency", "CHF")
    ok("config", "set", "smtp.port", "465")
    ok("config", "set", "smtp.security", "ssl")
    ok("config", "set", "portal.enabled", "on")
    ok("config", "set", "numbering.invoice_prefix", "F-")
    ok("config", "set", "company.address", "Rue 1\nVille")
    with open(config_file(), "rb") as fh:
        data = tomllib.load(fh)
    assert data == {
        "company": {"name": 'Atelier "Dupré" & fils', "address": "Rue 1\nVille"},
        "currency": "CHF",
        "smtp": {"port": 465, "security": "ssl"},
        "portal": {"enabled": True},
        "numbering": {"invoice_prefix": "F-"},
    }
    # setting a key again replaces it, and keeps the others
    ok("config", "set", "smtp.port", "25")
    data = tomllib.loads(config_file().read_text(encoding="utf-8"))
    assert data["smtp"] == {"port": 25, "security": "ssl"}
    assert data["currency"] == "CHF"
    assert not list(config_file().parent.glob(".config-*"))  # no temp file left behind


def test_wrong_siren_check_digit_is_one_error_line_and_the_file_unchanged():
    ok("config", "set", "company.siren", "303265045")
    before = config_file().read_bytes()
    r = refused("config", "set", "company.siren", "123456788")
    assert r.err.count("\n") == 1 and r.err.startswith("error: company.siren: ")
    assert "check digit" in r.err
    assert config_file().read_bytes() == before
    assert ok("config", "get", "company.siren").out == "303265045\n"


def test_siret_and_french_vat_number_must_carry_the_siren():
    ok("config", "set", "company.siren", "303265045")
    ok("config", "set", "company.vat_id", "FR40303265045")
    before = config_file().read_bytes()
    r = refused("config", "set", "company.siret", "73282932000074")
    assert r.err.startswith("error: company.siret: ") and "303265045" in r.err
    r = refused("config", "set", "company.siren", "732829320")
    assert r.err.startswith("error: company.siren: ") and "FR40303265045" in r.err
    r = refused("config", "set", "company.vat_id", "FR83404833048")
    assert r.err.startswith("error: company.vat_id: ") and "303265045" in r.err
    assert config_file().read_bytes() == before
    # to change both: empty one, set the other, set the first again
    ok("config", "set", "company.vat_id", "")
    ok("config", "set", "company.siren", "732829320")
    ok("config", "set", "company.siret", "73282932000074")
    ok("config", "set", "company.vat_id", "FR44732829320")
    assert ok("config", "get", "company.vat_id").out == "FR44732829320\n"


def test_a_vat_number_written_before_it_was_checked_is_still_read():
    config_file().write_text('[company]\nvat_id = "FR12345678901"\n', encoding="utf-8")
    assert ok("config", "get", "company.vat_id").out == "FR12345678901\n"
    ok("config", "set", "company.name", "Atelier")  # other keys can still be set
    assert refused("config", "set", "company.vat_id", "FR12345678901").err.startswith("error: company.vat_id: ")


def test_custom_numbering_prefix_setting():
    ok("config", "set", "numbering.order_prefix", "ORD-")
    assert ok("config", "get", "numbering.order_prefix").out == "ORD-\n"
    others = ok("config", "show", "--json").json()
    assert others["numbering.invoice_prefix"] == "INV-"
    assert others["numbering.quote_prefix"] == "QT-"


def test_config_option_and_new_folder(tmp_path):
    path = tmp_path / "deep" / "er" / "settings.toml"
    ok("--config", path, "config", "set", "company.name", "Elsewhere")
    assert tomllib.loads(path.read_text(encoding="utf-8")) == {"company": {"name": "Elsewhere"}}
    assert ok("--config", path, "config", "get", "company.name").out == "Elsewhere\n"
    assert not config_file().exists()  # ORDERS_CONFIG was overridden by --config


BAD = [
    ("smtp.port", "abc"),
    ("smtp.port", "0"),
    ("smtp.port", "70000"),
    ("smtp.port", "-25"),
    ("smtp.port", "25.5"),
    ("smtp.security", "foo"),
    ("smtp.security", "TLS"),
    ("currency", "euro"),
    ("currency", "E1"),
    ("currency", ""),
    ("portal.enabled", "maybe"),
    ("portal.enabled", ""),
    ("portal.url", "portal.example.com"),
    ("portal.url", "ftp://portal.example.com"),
    ("portal.url", "https://portal.example.com/?next=x"),
    ("portal.url", ""),
    ("language", "French"),
    ("company.email", "not an address"),
    ("smtp.sender", "nobody"),
    ("numbering.order_prefix", ""),
    ("numbering.order_prefix", "S O-"),
    ("numbering.invoice_prefix", "THIS-IS-FAR-TOO-LONG-"),
    ("company.name", "Bad\x07Name"),
    ("company.name", "x" * 201),
    ("company.siren", "123456788"),
    ("company.siren", "12345678"),
    ("company.siret", "73282932000075"),
    ("company.vat_id", "FR41303265045"),
    ("company.vat_id", "FR1"),
    ("company.vat_id", "PL5261040829"),
    ("company.iban", "FR1420041010050500013M02607"),
    ("company.bic", "BNPA1RPP"),
    ("company.country", "XX"),
    ("company.country", "France"),
    ("company.electronic_address", "somewhere"),
    ("company.capital", "x" * 101),
    ("invoice.recovery_indemnity", "-1"),
    ("invoice.recovery_indemnity", "forty"),
    ("invoice.payment_means", "bitcoin"),
]


@pytest.mark.parametrize("key,value", BAD, ids=[f"{k}={v[:10]!r}" for k, v in BAD])
def test_bad_value_refused(key, value):
    ok("config", "set", "company.rcs", "Lyon")  # an existing file that must stay as it was
    before = config_file().read_bytes()
    r = refused("config", "set", "--", key, value)  # `--`: "-25" is a value, not an option
    assert r.err.startswith("error: ") and key in r.err
    assert config_file().read_bytes() == before
    assert ok("config", "get", key, "--json").json() == DEFAULTS.get(key, "")


@pytest.mark.parametrize("key", ["nope", "company.nope", "smtp.password", "numbering.ticket_prefix", "Currency", ""])
def test_unknown_key_refused(key):
    r = refused("config", "set", key, "x")
    assert "unknown setting" in r.err
    assert not config_file().exists()
    refused("config", "get", key)
    j = refused("config", "get", key, "--json", error_code="invalid")
    assert "unknown setting" in json.loads(j.err)["error"]["message"]


@pytest.mark.parametrize("text", ["currency = ", "[smtp\nport = 25", "currency = 'EUR'\ncurrency = 'USD'\n", "\x00"])
def test_malformed_file_is_one_error_line_naming_the_file(text):
    config_file().write_text(text, encoding="utf-8")
    for args in (("config", "show"), ("config", "get", "currency"), ("config", "set", "currency", "USD")):
        r = refused(*args)
        assert str(config_file()) in r.err
        assert "TOML" in r.err
    assert config_file().read_text(encoding="utf-8") == text  # `set` did not overwrite the broken file
    j = refused("config", "show", "--json", error_code="invalid")
    assert str(config_file()) in json.loads(j.err)["error"]["message"]


@pytest.mark.parametrize(
    "text,named",
    [
        ("foo = 1\n", "foo"),
        ("[smtp]\npassword = 'hunter2'\n", "smtp.password"),
        ("[company]\nname = 'A'\nlogo_url = 'x'\n", "company.logo_url"),
        ("[numbering]\nticket_prefix = 'T-'\n", "numbering.ticket_prefix"),
    ],
)
def test_unknown_key_inside_the_file_refused(text, named):
    config_file().write_text(text, encoding="utf-8")
    r = refused("config", "show")
    assert str(config_file()) in r.err and named in r.err
    refused("config", "get", "currency")
    refused("config", "set", "currency", "USD")
    assert config_file().read_text(encoding="utf-8") == text


@pytest.mark.parametrize(
    "text,named",
    [("[smtp]\nport = 0\n", "smtp.port"), ("[smtp]\nsecurity = 'tls'\n", "smtp.security"), ("currency = 'euro'\n", "currency"),
     ("[portal]\nenabled = 'maybe'\n", "portal.enabled"), ("[company]\nname = 12\n", "company.name")],
)
def test_bad_value_inside_the_file_refused(text, named):
    config_file().write_text(text, encoding="utf-8")
    r = refused("config", "show")
    assert str(config_file()) in r.err and named in r.err


def test_hand_written_file_is_read():
    config_file().write_text(
        'currency = "usd"\n[smtp]\nport = 2525\nhost = "mail.example"\n[portal]\nenabled = true\n', encoding="utf-8"
    )
    values = ok("config", "show", "--json").json()
    assert (values["currency"], values["smtp.port"], values["smtp.host"], values["portal.enabled"]) == ("USD", 2525, "mail.example", True)


def test_missing_arguments_are_usage_errors():
    refused("config", "set", "currency", code=2)
    refused("config", "get", code=2)
    r = run("config")
    assert r.code in (0, 2) and "show" in (r.out + r.err)  # no_args_is_help


# ---------------------------------------------------------------- config check (issue 15)

SELLER = [
    ("company.name", "Atelier Dupré SAS"),
    ("company.address", "3 place de l'Église\n69002 Lyon"),
    ("company.siren", "732829320"),
    ("company.vat_id", "FR44732829320"),
    ("company.legal_form", "SAS"),
    ("company.capital", "10 000 EUR"),
    ("company.rcs", "Lyon"),
    ("company.iban", "FR1420041010050500013M02606"),
    ("company.country", "FR"),
]


def test_config_check_lists_what_the_seller_misses():
    r = ok("config", "check")
    keys = [line.split(":")[0] for line in r.out.splitlines()]
    assert keys == [k for k, _ in SELLER]
    missing = ok("config", "check", "--json").json()["missing"]
    assert [m["key"] for m in missing] == keys
    assert missing[2] == {"key": "company.siren", "label": "SIREN", "problem": "missing"}
    for key, value in SELLER:
        ok("config", "set", key, value)
    assert ok("config", "check").out == "nothing missing\n"
    assert ok("config", "check", "--json").json() == {"missing": []}


def test_config_check_capital_and_iban_only_when_they_apply():
    for key, value in SELLER:
        if key not in ("company.capital", "company.iban"):
            ok("config", "set", key, value)
    assert [m["key"] for m in ok("config", "check", "--json").json()["missing"]] == ["company.capital", "company.iban"]
    ok("config", "set", "company.legal_form", "EI")
    ok("config", "set", "invoice.payment_means", "cheque")
    assert ok("config", "check").out == "nothing missing\n"


def test_config_check_names_a_vat_number_written_before_it_was_checked():
    config_file().write_text('[company]\nvat_id = "FR12345678901"\n', encoding="utf-8")
    r = ok("config", "check", "--json")
    assert {"key": "company.vat_id", "label": "VAT number", "problem": "invalid"} in r.json()["missing"]
    assert "company.vat_id: VAT number invalid\n" in ok("config", "check").out
