"""The catalog and the parties: taxes, accounts, contacts, vendors, users, products.

Exact output shapes (--json array/object, --jsonl, --csv) for a small fixed catalog,
and every refusal: exit code, one error line (or the JSON error object), no
traceback, and the database left exactly as it was.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path

import pytest
from conftest import PG, clone_db, db_content, ok, refused, run

# ---------------------------------------------------------------- a small fixed catalog

PAPETERIE = "Papeterie Lefèvre"
CAFE = "Café Müller"
DUPRE = "Boulangerie Dupré"


@pytest.fixture(autouse=True, scope="module")
def _command_tree_built_once():
    """Typer rebuilds its click command tree on every ``main()`` (~75 ms, more as commands are
    added); tests run hundreds of commands in-process, so build it once per module."""
    import typer.main

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.main, "get_command", functools.lru_cache(maxsize=None)(typer.main.get_command))
        yield


@pytest.fixture(scope="module")
def catalog_template(db_template, _command_tree_built_once):
    """The fixed catalog, made once through the CLI; each test gets a copy of the file."""
    return db_template("catalog", _make_catalog)


@pytest.fixture
def catalog(catalog_template):
    assert PG or Path(os.environ["ORDERS_DB"]).exists()  # the empty migrated copy the isolated fixture made
    clone_db(catalog_template)
    return True


def _make_catalog():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas")
    ok("tax", "add", "VAT5.5", "--rate", "5.50")
    ok("vendor", "add", PAPETERIE, "--email", "commandes@lefevre.example")
    ok("vendor", "add", "Acme")
    ok("user", "add", "Chloé Martin", "--email", "chloe@example.com")
    ok(
        "account", "add", CAFE, "--email", "hallo@mueller.example", "--phone", "+33 3 88 00 00 01",
        "--billing-street", "12 rue des Orfèvres", "--billing-city", "Strasbourg",
        "--billing-postal-code", "67000", "--billing-country", "FR",
    )
    ok(
        "account", "add", DUPRE, "--tax-region", "overseas",
        "--billing-city", "Lyon", "--billing-country", "FR",
        "--shipping-street", "Zone artisanale, lot 7", "--shipping-city", "Villeurbanne",
        "--shipping-postal-code", "69100", "--shipping-country", "FR",
    )
    ok("contact", "add", "Jürgen Müller", "--account", CAFE, "--email", "j@mueller.example", "--phone", "0102")
    ok(
        "product", "add", "BOOK", "--name", "Livre d'or", "--price", "19.99", "--tax", "VAT5.5",
        "--vendor", PAPETERIE, "--cost", "9.50", "--unit", "piece",
    )
    ok("product", "add", "CONSULT", "--name", "Conseil", "--price", "120", "--tax", "VAT20", "--service", "--unit", "h")
    ok("product", "add", "MUG", "--name", "Mug, émaillé", "--price", "8.9", "--tax", "VAT5.5", "--tax", "VAT20", "--vendor", "Acme")


STANDARD = {"category": "S", "exemption_reason": None, "exemption_code": None}
TAXES = [
    {"id": 1, "name": "VAT20", "rate": "20", "regions": {"overseas": "8.5"}, **STANDARD},
    {"id": 2, "name": "VAT5.5", "rate": "5.5", "regions": {}, **STANDARD},
]
NO_ADDRESS = {"street": "", "city": "", "postal_code": "", "state": "", "country": ""}
VENDORS = [  # a vendor's postal address: revision 0006 (vendor edit)
    {"id": 2, "name": "Acme", "email": None, "address": NO_ADDRESS},
    {"id": 1, "name": PAPETERIE, "email": "commandes@lefevre.example", "address": NO_ADDRESS},
]
USERS = [{"id": 1, "name": "Chloé Martin", "email": "chloe@example.com"}]
EMPTY_ADDRESS = {"street": "", "city": "", "postal_code": "", "state": "", "country": ""}
CAFE_ADDRESS = {"street": "12 rue des Orfèvres", "city": "Strasbourg", "postal_code": "67000", "state": "", "country": "FR"}
NO_IDENTITY = {"vat_id": None, "siren": None, "siret": None, "electronic_address": None, "country": None}  # issue 15
ACCOUNTS = [
    {
        "id": 2, "name": DUPRE, "email": None, "phone": None, "tax_region": "overseas", "language": None,
        "billing_address": {**EMPTY_ADDRESS, "city": "Lyon", "country": "FR"},
        "shipping_address": {"street": "Zone artisanale, lot 7", "city": "Villeurbanne", "postal_code": "69100", "state": "", "country": "FR"},
        **NO_IDENTITY,
    },
    {
        "id": 1, "name": CAFE, "email": "hallo@mueller.example", "phone": "+33 3 88 00 00 01", "tax_region": None, "language": None,
        "billing_address": CAFE_ADDRESS, "shipping_address": CAFE_ADDRESS, **NO_IDENTITY,
    },
]
CONTACTS = [{"id": 1, "name": "Jürgen Müller", "account": {"id": 1, "name": CAFE}, "email": "j@mueller.example", "phone": "0102"}]
PRODUCTS = [
    {
        "id": 1, "sku": "BOOK", "name": "Livre d'or", "kind": "product", "unit": "piece", "unit_price": "19.99",
        "cost": "9.50", "vendor": PAPETERIE, "taxes": ["VAT5.5"], "description": "",
        "unit_code": "C62", "base_quantity": "1", "archived": False,
    },
    {
        "id": 2, "sku": "CONSULT", "name": "Conseil", "kind": "service", "unit": "h", "unit_price": "120.00",
        "cost": None, "vendor": None, "taxes": ["VAT20"], "description": "",
        "unit_code": "HUR", "base_quantity": "1", "archived": False,
    },
    {
        "id": 3, "sku": "MUG", "name": "Mug, émaillé", "kind": "product", "unit": "", "unit_price": "8.90",
        "cost": None, "vendor": "Acme", "taxes": ["VAT20", "VAT5.5"], "description": "",
        "unit_code": None, "base_quantity": "1", "archived": False,
    },
]

CSV = {
    "tax": 'id,name,rate,regions\n1,VAT20,20,"{""overseas"": ""8.5""}"\n2,VAT5.5,5.5,{}\n',
    "vendor": ("id,name,email,address.street,address.city,address.postal_code,address.state,address.country\n"
               f"2,Acme,,,,,,\n1,{PAPETERIE},commandes@lefevre.example,,,,,\n"),
    "user": "id,name,email\n1,Chloé Martin,chloe@example.com\n",
    "account": (
        "id,name,email,tax_region,billing_address.city,billing_address.country,phone,language,"
        "billing_address.street,billing_address.postal_code,billing_address.state,shipping_address.street,"
        "shipping_address.city,shipping_address.postal_code,shipping_address.state,shipping_address.country,"
        "vat_id,siren,siret,electronic_address,country\n"
        f"2,{DUPRE},,overseas,Lyon,FR,,,,,,\"Zone artisanale, lot 7\",Villeurbanne,69100,,FR,,,,,\n"
        f"1,{CAFE},hallo@mueller.example,,Strasbourg,FR,'+33 3 88 00 00 01,,12 rue des Orfèvres,67000,,"
        "12 rue des Orfèvres,Strasbourg,67000,,FR,,,,,\n"
    ),
    "contact": f"id,name,account.name,email,phone\n1,Jürgen Müller,{CAFE},j@mueller.example,0102\n",
    "product": (
        "sku,name,kind,unit_price,cost,vendor,taxes,unit,description,base_quantity\n"
        f"BOOK,Livre d'or,product,19.99,9.50,{PAPETERIE},VAT5.5,piece,,1\n"
        "CONSULT,Conseil,service,120.00,,,VAT20,h,,1\n"
        'MUG,"Mug, émaillé",product,8.90,,Acme,VAT20;VAT5.5,,,1\n'
    ),
}
EXPECTED = {"tax": TAXES, "vendor": VENDORS, "user": USERS, "account": ACCOUNTS, "contact": CONTACTS, "product": PRODUCTS}
GROUPS = sorted(EXPECTED)


@pytest.mark.parametrize("group", GROUPS)
def test_list_json_is_one_array(catalog, group):
    r = ok(group, "list", "--json")
    assert r.err == ""
    assert json.loads(r.out) == EXPECTED[group]  # the whole of stdout is one JSON document


@pytest.mark.parametrize("group", GROUPS)
def test_list_jsonl_is_one_object_per_line(catalog, group):
    r = ok(group, "list", "--jsonl")
    lines = r.out.splitlines()
    assert len(lines) == len(EXPECTED[group])
    assert [json.loads(line) for line in lines] == EXPECTED[group]
    assert all(line.startswith("{") and line.endswith("}") for line in lines)


@pytest.mark.parametrize("group", GROUPS)
def test_list_csv_is_a_header_and_rows(catalog, group):
    assert ok(group, "list", "--csv").out == CSV[group]


@pytest.mark.parametrize("group", GROUPS)
def test_list_table_for_people(catalog, group):
    r = ok(group, "list")
    for item in EXPECTED[group]:
        assert item.get("name", item.get("sku")).split(",")[0] in r.out


@pytest.mark.parametrize("group", GROUPS)
def test_empty_list(group):
    assert ok(group, "list", "--json").json() == []
    assert ok(group, "list", "--jsonl").out == ""
    assert ok(group, "list", "--csv").out.count("\n") == 1
    r = ok(group, "list")
    assert r.out == "" and r.err.strip()


def test_two_output_formats_at_once_is_refused():
    r = run("tax", "list", "--json", "--csv")
    assert r.code in (1, 2) and "Traceback" not in r.err


# ---------------------------------------------------------------- taxes


def test_tax_add_json_and_regional_rate():
    assert ok("tax", "add", "VAT20", "--rate", "20.0", "--json").json() == {"id": 1, "name": "VAT20", "rate": "20", "regions": {}, **STANDARD}
    r = ok("tax", "add", "VAT20", "--rate", "8.50", "--region", "overseas", "--json")
    assert r.json() == {"id": 1, "name": "VAT20", "rate": "20", "regions": {"overseas": "8.5"}, **STANDARD}
    ok("tax", "add", "VAT20", "--rate", "0", "--region", "export")
    assert ok("tax", "list", "--json").json() == [
        {"id": 1, "name": "VAT20", "rate": "20", "regions": {"export": "0", "overseas": "8.5"}, **STANDARD}
    ]


def test_tax_rates_are_exact_strings():
    assert ok("tax", "add", "T1", "--rate", "5.5", "--json").json()["rate"] == "5.5"
    assert ok("tax", "add", "T2", "--rate", "0.125", "--json").json()["rate"] == "0.125"
    assert ok("tax", "add", "T3", "--rate", "100", "--json").json()["rate"] == "100"


def test_tax_categories_and_exemptions():
    """EN 16931 VAT categories: a 0 % tax is Z unless told; AE and K take the French default
    reason and VATEX code; E names its own; show, list and edit carry them."""
    assert ok("tax", "add", "ZERO", "--rate", "0", "--json").json()["category"] == "Z"
    rc = ok("tax", "add", "REVERSE", "--rate", "0", "--category", "ae", "--json").json()
    assert (rc["category"], rc["exemption_reason"], rc["exemption_code"]) == ("AE", "Autoliquidation", "VATEX-EU-AE")
    ic = ok("tax", "add", "INTRA", "--rate", "0", "--category", "K", "--json").json()
    assert (ic["exemption_reason"], ic["exemption_code"]) == ("Exonération de TVA, article 262 ter I du CGI", "VATEX-EU-IC")
    ok("tax", "add", "FRANCHISE", "--rate", "0", "--category", "E",
       "--exemption-reason", "TVA non applicable, art. 293 B du CGI", "--exemption-code", "VATEX-FR-FRANCHISE")
    ok("tax", "add", "EXPORT", "--rate", "0", "--category", "G", "--exemption-code", "VATEX-EU-G")
    shown = ok("tax", "show", "FRANCHISE", "--json").json()
    assert shown == {"id": 4, "name": "FRANCHISE", "rate": "0", "regions": {}, "category": "E",
                     "exemption_reason": "TVA non applicable, art. 293 B du CGI", "exemption_code": "VATEX-FR-FRANCHISE"}
    listed = {t["name"]: t for t in ok("tax", "list", "--json").json()}
    assert listed["EXPORT"]["category"] == "G" and listed["EXPORT"]["exemption_reason"] is None
    assert listed["EXPORT"]["exemption_code"] == "VATEX-EU-G"
    # edit: a new category drops the old exemption (K takes its default), S needs a rate again
    e = ok("tax", "edit", "REVERSE", "--category", "K", "--json").json()
    assert (e["category"], e["exemption_code"]) == ("K", "VATEX-EU-IC")
    e = ok("tax", "edit", "REVERSE", "--category", "S", "--rate", "20", "--json").json()
    assert (e["category"], e["rate"], e["exemption_reason"], e["exemption_code"]) == ("S", "20", None, None)
    e = ok("tax", "edit", "FRANCHISE", "--exemption-code", "", "--json").json()
    assert (e["exemption_reason"], e["exemption_code"]) == ("TVA non applicable, art. 293 B du CGI", None)


@pytest.mark.parametrize(
    "args, field",
    [
        (("tax", "add", "NEW", "--rate", "0", "--category", "X"), "category"),
        (("tax", "add", "NEW", "--rate", "0", "--category", "S"), "rate"),
        (("tax", "add", "NEW", "--rate", "5", "--category", "K"), "rate"),
        (("tax", "add", "NEW", "--rate", "5", "--category", "Z"), "rate"),
        (("tax", "add", "NEW", "--rate", "0", "--category", "E"), "exemption reason"),
        (("tax", "add", "NEW", "--rate", "0", "--category", "O"), "exemption reason"),
        (("tax", "add", "NEW", "--rate", "0", "--category", "E", "--exemption-code", "vatex-eu-j"), "exemption code"),
        (("tax", "add", "NEW", "--rate", "0", "--category", "E", "--exemption-code", "EU-AE"), "exemption code"),
        (("tax", "add", "NEW", "--rate", "20", "--exemption-reason", "none"), "exemption reason"),
        (("tax", "add", "NEW", "--rate", "0", "--category", "Z", "--exemption-code", "VATEX-EU-AE"), "exemption reason"),
        (("tax", "add", "VAT20", "--rate", "0", "--region", "x", "--category", "Z"), "category"),
        (("tax", "edit", "VAT20", "--category", "E"), "rate"),
        (("tax", "edit", "VAT20", "--rate", "0"), "rate"),
        (("tax", "edit", "VAT20", "--category", "Q"), "category"),
        (("tax", "edit", "VAT20", "--exemption-reason", "why"), "exemption reason"),
    ],
)
def test_bad_tax_category_refused(catalog, args, field):
    err = refused_unchanged(*args, error_code="invalid")
    assert f"error: {field}" in err
    if field == "category":
        assert "S, Z, E, AE, K, G, O, L, M" in err or "regional" in err


def test_product_units_as_rec20_codes_and_base_quantity():
    p = ok("product", "add", "SCREW", "--name", "Vis inox", "--price", "12.00", "--unit", "pièces", "--base-quantity", "100", "--json").json()
    assert (p["unit"], p["unit_code"], p["base_quantity"]) == ("pièces", "C62", "100")
    p = ok("product", "add", "DEV", "--name", "Développement", "--price", "90", "--unit", "HUR", "--service", "--json").json()
    assert (p["unit"], p["unit_code"], p["base_quantity"]) == ("HUR", "HUR", "1")
    p = ok("product", "edit", "DEV", "--unit", "jour", "--base-quantity", "0.5", "--json").json()
    assert (p["unit_code"], p["base_quantity"]) == ("DAY", "0.5")
    p = ok("product", "edit", "DEV", "--unit", "", "--base-quantity", "", "--json").json()
    assert (p["unit"], p["unit_code"], p["base_quantity"]) == ("", None, "1")
    assert ok("product", "show", "SCREW", "--json").json()["base_quantity"] == "100"


@pytest.mark.parametrize(
    "args, field",
    [
        (("product", "add", "NEW", "--name", "N", "--price", "1", "--unit", "furlong"), "unit"),
        (("product", "add", "NEW", "--name", "N", "--price", "1", "--base-quantity", "0"), "base quantity"),
        (("product", "add", "NEW", "--name", "N", "--price", "1", "--base-quantity", "-5"), "base quantity"),
        (("product", "add", "NEW", "--name", "N", "--price", "1", "--base-quantity", "many"), "base quantity"),
        (("product", "edit", "BOOK", "--unit", "furlong"), "unit"),
        (("product", "edit", "BOOK", "--base-quantity", "0"), "base quantity"),
    ],
)
def test_bad_unit_or_base_quantity_refused(catalog, args, field):
    err = refused_unchanged(*args, error_code="invalid")
    assert field in err.split(":")[1] or err.startswith(f"error: {field}")
    if field == "unit":
        assert "HUR (hour)" in err and "KGM (kilogram)" in err


# ---------------------------------------------------------------- accounts and contacts


def test_account_shipping_defaults_to_billing():
    r = ok("account", "add", CAFE, "--billing-street", "12 rue des Orfèvres", "--billing-city", "Strasbourg",
           "--billing-postal-code", "67000", "--billing-country", "FR", "--json")
    acc = r.json()
    assert acc["billing_address"] == CAFE_ADDRESS
    assert acc["shipping_address"] == CAFE_ADDRESS


def test_account_shipping_override(catalog):
    acc = ok("account", "show", DUPRE, "--json").json()
    assert acc["billing_address"]["city"] == "Lyon"
    assert acc["shipping_address"]["city"] == "Villeurbanne"
    assert acc["shipping_address"]["street"] == "Zone artisanale, lot 7"


def test_account_show_by_name_and_id(catalog):
    by_name = ok("account", "show", CAFE, "--json").json()
    by_id = ok("account", "show", "1", "--json").json()
    assert by_name == by_id
    assert {k: v for k, v in by_name.items() if k not in ("contacts", "orders", "open_balance")} == ACCOUNTS[1]
    assert by_name["contacts"] == CONTACTS
    assert by_name["orders"] == []
    assert by_name["open_balance"] == "0.00"
    human = ok("account", "show", CAFE)
    assert CAFE in human.out and "Jürgen Müller" in human.out and "Strasbourg" in human.out


def test_account_edit(catalog):
    r = ok("account", "edit", CAFE, "--name", "Café Müller & Söhne", "--email", "info@mueller.example",
           "--shipping-city", "Colmar", "--language", "de", "--json")
    acc = r.json()
    assert acc["name"] == "Café Müller & Söhne"
    assert acc["email"] == "info@mueller.example"
    assert acc["language"] == "de"
    assert acc["shipping_address"] == {**CAFE_ADDRESS, "city": "Colmar"}  # the other fields kept
    assert acc["billing_address"] == CAFE_ADDRESS
    assert ok("account", "show", "Café Müller & Söhne", "--json").json()["id"] == 1
    refused("account", "show", CAFE, "--json", error_code="not_found")


def test_contact_add_and_list(catalog):
    r = ok("contact", "add", "Élodie Dupré", "--account", "2", "--json")
    assert r.json() == {"id": 2, "name": "Élodie Dupré", "account": {"id": 2, "name": DUPRE}, "email": None, "phone": None}
    everyone = ok("contact", "list", "--json").json()
    assert [c["name"] for c in everyone] == ["Élodie Dupré", "Jürgen Müller"]  # by account name, then name
    assert ok("contact", "list", "--account", CAFE, "--json").json() == CONTACTS


def test_vendor_and_user_add_json():
    assert ok("vendor", "add", "Kaffeerösterei Weiß", "--email", "b@weiss.example", "--json").json() == {
        "id": 1, "name": "Kaffeerösterei Weiß", "email": "b@weiss.example", "address": NO_ADDRESS}
    assert ok("user", "add", "Paweł Nowak", "--json").json() == {"id": 1, "name": "Paweł Nowak", "email": None}


# ---------------------------------------------------------------- products


def test_product_add_and_show(catalog):
    assert ok("product", "show", "BOOK", "--json").json() == PRODUCTS[0]
    assert ok("product", "show", "2", "--json").json() == PRODUCTS[1]  # by id
    r = ok("product", "add", "TEA", "--name", "Thé", "--price", "0.125", "--cost", "0.1",
           "--description", "Vert\nbio", "--json")
    assert r.json() == {"id": 4, "sku": "TEA", "name": "Thé", "kind": "product", "unit": "", "unit_price": "0.125",
                        "cost": "0.10", "vendor": None, "taxes": [], "description": "Vert\nbio", "unit_code": None, "base_quantity": "1",
                        "archived": False}
    human = ok("product", "show", "MUG")
    assert "Mug, émaillé" in human.out and "8.90" in human.out


def test_product_edit(catalog):
    r = ok("product", "edit", "BOOK", "--price", "21", "--name", "Livre", "--tax", "VAT20", "--vendor", "Acme", "--json")
    p = r.json()
    assert (p["unit_price"], p["name"], p["taxes"], p["vendor"]) == ("21.00", "Livre", ["VAT20"], "Acme")
    p = ok("product", "edit", "BOOK", "--no-tax", "--vendor", "", "--cost", "", "--service", "--json").json()
    assert (p["taxes"], p["vendor"], p["cost"], p["kind"]) == ([], None, None, "service")
    p = ok("product", "edit", "1", "--product", "--json").json()
    assert p["kind"] == "product"
    assert ok("product", "show", "BOOK", "--json").json() == p


IMPORT_CSV = (
    "sku,name,price,kind,unit,cost,vendor,taxes,description\n"
    f"PAPER,Papier A4,4.50,,ream,2.10,{PAPETERIE},VAT20;VAT5.5,\n"
    "SETUP,Installation,80,service,h,,,VAT20,On site\n"
    "PEN,\"Stylo, bleu\",1.2,product,,,,,\n"
)


def test_product_import_csv(catalog, tmp_path):
    path = tmp_path / "catalog.csv"
    path.write_text(IMPORT_CSV, encoding="utf-8")
    r = ok("product", "import", path, "--json")
    assert r.json() == {"imported": 3}
    by_sku = {p["sku"]: p for p in ok("product", "list", "--json").json()}
    assert by_sku["PAPER"]["taxes"] == ["VAT20", "VAT5.5"]
    assert by_sku["PAPER"]["vendor"] == PAPETERIE
    assert (by_sku["PAPER"]["unit_price"], by_sku["PAPER"]["cost"], by_sku["PAPER"]["unit"]) == ("4.50", "2.10", "ream")
    assert by_sku["SETUP"]["kind"] == "service"
    assert by_sku["SETUP"]["description"] == "On site"
    assert by_sku["PEN"]["name"] == "Stylo, bleu"
    assert by_sku["PEN"]["unit_price"] == "1.20"
    assert by_sku["PEN"]["taxes"] == []


def test_product_import_from_stdin_with_bom():
    r = ok("product", "import", "-", stdin="\ufeffsku,name,price\nA,Alpha,1\n")
    assert "imported 1" in r.err
    assert [p["sku"] for p in ok("product", "list", "--json").json()] == ["A"]


# ---------------------------------------------------------------- refusals: nothing changes


def refused_unchanged(*args: str, error_code: str, stdin: str | None = None) -> str:
    """Refused as text and as JSON, exit 1, and the database identical afterwards."""
    before = db_content()
    r = refused(*args, stdin=stdin)
    assert r.err.startswith("error: ") and r.out == ""
    assert db_content() == before
    j = refused(*args, "--json", stdin=stdin, error_code=error_code)
    assert set(json.loads(j.err)["error"]) == {"code", "message"}
    assert j.out == ""
    assert db_content() == before
    return r.err


def test_duplicate_sku_refused(catalog):
    err = refused_unchanged("product", "add", "BOOK", "--name", "Other", "--price", "1", error_code="conflict")
    assert "BOOK" in err


def test_duplicate_account_name_refused(catalog):
    err = refused_unchanged("account", "add", CAFE, "--billing-city", "Paris", error_code="conflict")
    assert CAFE in err


def test_account_rename_onto_existing_name_refused(catalog):
    refused_unchanged("account", "edit", CAFE, "--name", DUPRE, error_code="conflict")


def test_duplicate_tax_and_vendor_refused(catalog):
    refused_unchanged("tax", "add", "VAT20", "--rate", "19", error_code="conflict")
    refused_unchanged("tax", "add", "VAT20", "--rate", "7", "--region", "overseas", error_code="conflict")
    refused_unchanged("vendor", "add", "Acme", error_code="conflict")
    refused_unchanged("user", "add", "Chloé Martin", error_code="conflict")


def test_negative_price_refused(catalog):
    refused_unchanged("product", "add", "NEG", "--name", "Neg", "--price", "-1.00", error_code="invalid")
    refused_unchanged("product", "add", "NEG", "--name", "Neg", "--price", "1", "--cost", "-0.01", error_code="invalid")
    refused_unchanged("product", "edit", "BOOK", "--price", "-5", error_code="invalid")


@pytest.mark.parametrize("price", ["abc", "NaN", "1e309", "Infinity", "-Infinity", "", "1,50", "0x10"])
def test_non_numeric_price_refused(catalog, price):
    err = refused_unchanged("product", "add", "BAD", "--name", "Bad", "--price", price, error_code="invalid")
    assert "price" in err


@pytest.mark.parametrize("rate", ["-1", "100.01", "101", "abc", "NaN", "Infinity", "20%"])
def test_bad_tax_rate_refused(catalog, rate):
    err = refused_unchanged("tax", "add", "NEW", "--rate", rate, error_code="invalid")
    assert "rate" in err
    refused_unchanged("tax", "add", "VAT20", "--rate", rate, "--region", "elsewhere", error_code="invalid")


def test_regional_rate_on_missing_tax_refused(catalog):
    err = refused_unchanged("tax", "add", "NOPE", "--rate", "5", "--region", "overseas", error_code="not_found")
    assert "NOPE" in err


def test_unknown_tax_refused(catalog):
    err = refused_unchanged("product", "add", "NEW", "--name", "New", "--price", "1", "--tax", "NOPE", error_code="not_found")
    assert "NOPE" in err
    refused_unchanged("product", "edit", "BOOK", "--tax", "NOPE", error_code="not_found")


def test_same_tax_twice_refused(catalog):
    refused_unchanged("product", "add", "NEW", "--name", "New", "--price", "1", "--tax", "VAT20", "--tax", "VAT20", error_code="invalid")


def test_unknown_vendor_refused(catalog):
    err = refused_unchanged("product", "add", "NEW", "--name", "New", "--price", "1", "--vendor", "NOPE", error_code="not_found")
    assert "NOPE" in err
    refused_unchanged("product", "edit", "BOOK", "--vendor", "NOPE", error_code="not_found")


def test_unknown_account_refused(catalog):
    err = refused_unchanged("contact", "add", "Someone", "--account", "NOPE", error_code="not_found")
    assert "NOPE" in err
    refused_unchanged("contact", "list", "--account", "NOPE", error_code="not_found")


def test_account_show_missing_is_not_found(catalog):
    err = refused_unchanged("account", "show", "Nobody", error_code="not_found")
    assert "Nobody" in err
    refused_unchanged("account", "show", "999", error_code="not_found")
    refused_unchanged("account", "edit", "Nobody", "--email", "a@b.example", error_code="not_found")


def test_product_show_missing_is_not_found(catalog):
    err = refused_unchanged("product", "show", "NOPE", error_code="not_found")
    assert "NOPE" in err
    refused_unchanged("product", "edit", "NOPE", "--price", "1", error_code="not_found")


@pytest.mark.parametrize("args", [
    ("account", "list", "--bogus"),
    ("product", "add", "X", "--name", "X", "--price", "1", "--colour", "red"),
    ("tax", "add", "T"),  # missing --rate
    ("product", "show"),  # missing argument
])
def test_usage_errors_exit_2(catalog, args):
    before = db_content()
    r = refused(*args, code=2)
    assert r.out == ""
    assert r.err.strip()
    assert db_content() == before


def test_bad_email_refused(catalog):
    refused_unchanged("vendor", "add", "New", "--email", "not-an-address", error_code="invalid")
    refused_unchanged("account", "add", "New", "--email", "x@", error_code="invalid")


def test_bad_sku_refused(catalog):
    refused_unchanged("product", "add", "TWO WORDS", "--name", "x", "--price", "1", error_code="invalid")
    refused_unchanged("product", "add", "A:B", "--name", "x", "--price", "1", error_code="invalid")


@pytest.mark.parametrize("args", [
    ("account", "add", "Bad\x07Name"),
    ("account", "add", "Bad\x1b[31mName"),
    ("vendor", "add", "Bad\x00Name"),
    ("user", "add", "Bad\nName"),
    ("tax", "add", "VAT\r20", "--rate", "1"),
    ("product", "add", "NEW", "--name", "Bad\x08Name", "--price", "1"),
    ("contact", "add", "Bad\x7fName", "--account", CAFE),
    ("account", "edit", CAFE, "--name", "Bad\u2028Name"),
    ("account", "add", "Good", "--billing-city", "Bad\x0cCity"),
])
def test_control_characters_refused(catalog, args):
    err = refused_unchanged(*args, error_code="invalid")
    assert "control characters" in err


# ---------------------------------------------------------------- CSV import refusals


def _import_refused(tmp_path, content: str, error_code: str, line: int | None) -> str:
    path = tmp_path / "in.csv"
    path.write_text(content, encoding="utf-8")
    err = refused_unchanged("product", "import", path, error_code=error_code)
    if line is not None:
        assert f"line {line}" in err, err
    assert "in.csv" in err
    return err


@pytest.mark.parametrize("bad_row,error_code", [
    ("BAD,Bad,abc,,,,,,", "invalid"),
    ("BAD,Bad,-1,,,,,,", "invalid"),
    ("BAD,Bad,1,gadget,,,,,", "invalid"),
    ("BAD,Bad,1,,,,NOPE,,", "not_found"),
    ("BAD,Bad,1,,,,,VAT20;NOPE,", "not_found"),
    ("BAD,Bad,1,,,,,VAT20;VAT20,", "invalid"),
    ("BOOK,Dup of existing,1,,,,,,", "conflict"),
    ("FIRST,Dup within file,1,,,,,,", "conflict"),
    ("BAD,,1,,,,,,", "invalid"),
    ("B D,Bad,1,,,,,,", "invalid"),
    ("BAD,Bad\x07,1,,,,,,", "invalid"),
    ("BAD,Bad,1,,,,,,,extra", "invalid"),
])
def test_import_bad_row_in_the_middle_imports_nothing(catalog, tmp_path, bad_row, error_code):
    content = (
        "sku,name,price,kind,unit,cost,vendor,taxes,description\n"
        "FIRST,First,1.00,,,,,VAT20,\n"
        f"{bad_row}\n"
        "LAST,Last,2.00,,,,,,\n"
    )
    _import_refused(tmp_path, content, error_code, line=3)
    assert [p["sku"] for p in ok("product", "list", "--json").json()] == ["BOOK", "CONSULT", "MUG"]


def test_import_bad_header_refused(catalog, tmp_path):
    _import_refused(tmp_path, "sku,name,colour\nA,B,red\n", "invalid", line=1)
    _import_refused(tmp_path, "sku,name\nA,B\n", "invalid", line=1)
    _import_refused(tmp_path, "", "invalid", line=None)


def test_import_missing_file_refused(tmp_path):
    refused("product", "import", tmp_path / "nope.csv", "--json", error_code="invalid")


# ---------------------------------------------------------------- help texts


def _walk(command, path=()):
    yield path, command
    for name, sub in sorted(getattr(command, "commands", {}).items()):
        yield from _walk(sub, path + (name,))


def test_every_command_has_help_with_an_example():
    """Like sqlite-utils' test_docs: no command ships without help, no leaf without an example."""
    import typer

    from orders_cli.cli.app import app

    root = typer.main.get_command(app)
    walked = list(_walk(root))
    assert len(walked) > 20
    names = {" ".join(p) for p, _ in walked}
    assert {"tax add", "account edit", "product import", "db backup", "config set", "demo"} <= names
    problems = []
    for path, command in walked:
        text = (command.help or "").strip()
        if not text:
            problems.append(f"{' '.join(path) or 'orders'}: no help")
            continue
        if getattr(command, "commands", None) is None:  # a leaf
            if "Example" not in text:
                problems.append(f"{' '.join(path)}: no example in the help")
            rendered = run(*path, "--help")
            if rendered.code != 0 or "Example" not in rendered.out:
                problems.append(f"{' '.join(path)} --help: exit {rendered.code}, no example shown")
    assert not problems, "\n".join(problems)


# ---------------------------------------------------------------- customer identity (issue 15)

IDENTITY_FIELDS = ("vat_id", "siren", "siret", "electronic_address", "country")


def identity_of(ref: str) -> dict:
    acc = ok("account", "show", ref, "--json").json()
    return {k: acc[k] for k in IDENTITY_FIELDS}


def test_account_identity_add_edit_show_list(catalog):
    r = ok("account", "add", "Kowalski sp. z o.o.", "--vat-id", "pl 526-104-08-28", "--country", "pl", "--json")
    assert {k: r.json()[k] for k in IDENTITY_FIELDS} == {
        "vat_id": "PL5261040828", "siren": None, "siret": None, "electronic_address": None, "country": "PL"}
    ok("account", "edit", CAFE, "--siren", "732 829 320", "--siret", "73282932000074", "--vat-id", "FR44732829320",
       "--electronic-address", "0009:73282932000074", "--country", "FR")
    expected = {"vat_id": "FR44732829320", "siren": "732829320", "siret": "73282932000074",
                "electronic_address": "0009:73282932000074", "country": "FR"}
    assert identity_of(CAFE) == expected
    listed = {a["name"]: a for a in ok("account", "list", "--json").json()}
    assert {k: listed[CAFE][k] for k in IDENTITY_FIELDS} == expected
    assert {k: listed[DUPRE][k] for k in IDENTITY_FIELDS} == dict.fromkeys(IDENTITY_FIELDS)
    assert {k: json.loads(line)[k] for line in ok("account", "list", "--jsonl").out.splitlines()
            if json.loads(line)["name"] == CAFE for k in IDENTITY_FIELDS} == expected
    # editing one field keeps the others; "" clears one
    ok("account", "edit", CAFE, "--vat-id", "", "--country", "")
    assert identity_of(CAFE) == {**expected, "vat_id": None, "country": None}
    ok("account", "edit", CAFE, "--email", "new@mueller.example")
    assert identity_of(CAFE)["siren"] == "732829320"


@pytest.mark.parametrize(
    "args, field",
    [
        (("--siren", "123456788"), "siren"),
        (("--siret", "73282932000075"), "siret"),
        (("--vat-id", "FR41303265045"), "vat_id"),
        (("--vat-id", "PL5261040829"), "vat_id"),
        (("--vat-id", "12345"), "vat_id"),
        (("--country", "XX"), "country"),
        (("--country", "France"), "country"),
        (("--electronic-address", "nowhere"), "electronic_address"),
        (("--siren", "303265045", "--siret", "73282932000074"), "siret"),
        (("--siren", "303265045", "--vat-id", "FR44732829320"), "vat_id"),
    ],
)
def test_account_identity_refused_nothing_stored(catalog, args, field):
    err = refused_unchanged("account", "add", "New", *args, error_code="invalid")
    assert err.startswith(f"error: {field}: ") and err.count("\n") == 1
    err = refused_unchanged("account", "edit", CAFE, "--email", "changed@mueller.example", *args, error_code="invalid")
    assert err.startswith(f"error: {field}: ")
    assert ok("account", "show", CAFE, "--json").json()["email"] == "hallo@mueller.example"


def test_account_edit_siren_must_agree_with_the_stored_siret(catalog):
    ok("account", "edit", CAFE, "--siren", "732829320", "--siret", "73282932000074", "--vat-id", "FR44732829320")
    err = refused_unchanged("account", "edit", CAFE, "--siren", "303265045", error_code="invalid")
    assert err.startswith("error: siren: ") and "73282932000074" in err
    err = refused_unchanged("account", "edit", CAFE, "--vat-id", "FR40303265045", error_code="invalid")
    assert err.startswith("error: vat_id: ") and "732829320" in err
    assert identity_of(CAFE)["siren"] == "732829320"
