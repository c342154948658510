"""The missing verbs (issue 18, item 14; revision 0006): tax edit (name, rate, a region's rate),
vendor add|show|edit with a postal address (printed on purchase orders, whose ship-to block names
the customer), user edit, contact edit|remove, product archive|unarchive.

Each verb's happy path, and its refusals: exit 1, one error line, did-you-mean for an unknown
name, the database exactly as it was."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from conftest import clone_db, db_content, ok, refused, sql, sqlite_only

CAFE = "Café Müller"
HOTEL = "Hôtel du Parc"
WEISS = "Kaffeerösterei Weiß"


def _make_books():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("vendor", "add", WEISS, "--email", "bestellung@weiss.example")
    ok("vendor", "add", "Papeterie Lefèvre")
    ok("user", "add", "Chloé Martin", "--email", "chloe@example.com")
    ok("user", "add", "Paweł Nowak")
    ok("account", "add", CAFE, "--shipping-street", "Lager 2", "--shipping-postal-code", "53111", "--shipping-city", "Bonn",
       "--shipping-country", "DE")
    ok("account", "add", HOTEL)
    ok("contact", "add", "Anna", "--account", CAFE, "--email", "anna@mueller.example")
    ok("contact", "add", "Anna", "--account", HOTEL)
    ok("contact", "add", "Bob", "--account", CAFE, "--phone", "0102")
    ok("product", "add", "MUG", "--name", "Mug émaillé", "--price", "8.90", "--tax", "VAT20", "--vendor", WEISS, "--cost", "3.10")
    ok("product", "add", "BOOK", "--name", "Livre d'or", "--price", "19.99", "--tax", "VAT5.5")
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "49", "--tax", "VAT20", "--service")
    # SO-00001: Anna of the café, assigned to Chloé; QT-00001 names Anna too
    ok("order", "add", "--subject", "Mugs", "--account", CAFE, "--contact", "Anna", "--assigned-to", "Chloé Martin",
       "--line", "MUG:24", "--line", "BOOK:1")
    ok("quote", "add", "--subject", "Offer", "--account", CAFE, "--contact", "Anna", "--line", "BOOK:2")
    # SO-00002: bills maintenance every month from September
    ok("order", "add", "--subject", "Maintenance", "--account", HOTEL, "--line", "MAINT:1")
    ok("recur", "set", "SO-00002", "--frequency", "monthly", "--start", "2026-09-01")


@pytest.fixture
def books(db_template):
    clone_db(db_template("verbs", _make_books))
    return True


def unchanged(*args: str, **kw) -> str:
    """The command is refused (one line, exit 1) and the database is exactly as it was; returns stderr."""
    before = db_content()
    r = refused(*args, **kw)
    assert db_content() == before, f"orders {' '.join(args)} changed the database"
    return r.err


# ---------------------------------------------------------------- tax edit


def test_tax_edit_rate_leaves_what_is_issued_alone(books):
    ok("order", "convert", "invoice", "SO-00001")
    tax = ok("tax", "edit", "VAT20", "--rate", "21", "--json").json()
    assert (tax["name"], tax["rate"], tax["regions"]) == ("VAT20", "21", {"overseas": "8.5"})
    # the invoice and the order keep the figures they were made with; a new order takes the new rate
    inv = ok("invoice", "show", "INV-00001", "--json").json()
    assert [(t["name"], t["rate"], t["amount"]) for t in inv["totals"]["tax_breakdown"]] == [("VAT5.5", "5.5", "1.10"), ("VAT20", "20", "42.72")]
    assert ok("order", "show", "SO-00001", "--json").json()["lines"][0]["taxes"][0]["rate"] == "20"
    new = ok("order", "add", "--subject", "New", "--account", CAFE, "--line", "MUG:10", "--json").json()
    assert new["totals"]["tax_breakdown"] == [
        {"name": "VAT20", "rate": "21", "base": "89.00", "amount": "18.69", "category": "S", "exemption_reason": None, "exemption_code": None}]


def test_tax_edit_a_regional_rate(books):
    tax = ok("tax", "edit", "vat20", "--region", "overseas", "--rate", "8", "--json").json()  # the look-up forgives the case
    assert (tax["rate"], tax["regions"]) == ("20", {"overseas": "8"})


def test_tax_rename_carries_the_settings_that_name_it(books):
    ok("config", "set", "charges.tax", "VAT20")
    ok("config", "set", "accounting.vat.VAT20", "445712")
    r = ok("tax", "edit", "VAT20", "--name", "TVA20")
    assert r.out.splitlines()[1].split() == ["name", "TVA20"]
    assert "charges.tax = TVA20" in r.err
    assert ok("config", "get", "charges.tax").out.strip() == "TVA20"
    assert ok("config", "get", "accounting.vat.TVA20").out.strip() == "445712"
    assert ok("config", "get", "accounting.vat.VAT20").out.strip() == "445712"  # the documents issued carry the old name
    assert [t["name"] for t in ok("tax", "list", "--json").json()] == ["TVA20", "VAT5.5"]
    assert ok("order", "show", "SO-00001", "--json").json()["lines"][0]["taxes"][0]["name"] == "VAT20"  # as it was made
    new = ok("order", "add", "--subject", "New", "--account", CAFE, "--line", "MUG:1", "--shipping-charge", "10", "--json").json()
    assert [t["name"] for t in new["totals"]["tax_breakdown"]] == ["TVA20"]  # the charge tax followed the rename


@pytest.mark.parametrize("args, words", [
    (("VAT2O", "--rate", "21"), "no tax 'VAT2O'; did you mean VAT20"),
    (("VAT20",), "nothing to change"),
    (("VAT20", "--name", ""), "tax name is required"),
    (("VAT20", "--name", "VAT5.5"), "tax 'VAT5.5' already exists"),
    (("VAT20", "--name", "A\x00B"), "control characters"),
    (("VAT20", "--rate", ""), "rate"),
    (("VAT20", "--rate", "101"), "0 to 100"),
    (("VAT20", "--region", "oversea", "--rate", "8"), "no rate for region 'oversea'; did you mean overseas?"),
    (("VAT20", "--region", "overseas"), "--region needs --rate"),
    (("VAT20", "--region", "", "--rate", "8"), "region is required"),
    (("VAT20", "--region", "overseas", "--rate", "8", "--category", "Z"), "a regional rate has its tax's category"),
])
def test_tax_edit_refusals(books, args, words):
    assert words in unchanged("tax", "edit", *args)


def test_tax_rename_refused_leaves_the_settings_alone(books):
    ok("config", "set", "charges.tax", "VAT20")
    unchanged("tax", "edit", "VAT20", "--name", "VAT5.5")
    assert ok("config", "get", "charges.tax").out.strip() == "VAT20"


# ---------------------------------------------------------------- vendors


HAMBURG = {"street": "Hafenstraße 4", "city": "Hamburg", "postal_code": "20457", "state": "", "country": "DE"}


def test_vendor_edit_show_and_list(books):
    v = ok("vendor", "edit", "kaffeerosterei weiss", "--street", "Hafenstraße 4", "--postal-code", "20457", "--city", "Hamburg",
           "--country", "DE", "--json").json()
    assert v == {"id": 1, "name": WEISS, "email": "bestellung@weiss.example", "address": HAMBURG}
    assert ok("vendor", "show", WEISS, "--json").json() == v
    assert ok("vendor", "show", "1").out == (
        "id       1\n"
        f"name     {WEISS}\n"
        "email    bestellung@weiss.example\n"
        "address  Hafenstraße 4, Hamburg, 20457, DE\n"
    )
    v = ok("vendor", "edit", WEISS, "--name", "Weiß GmbH", "--email", "", "--street", "", "--json").json()
    assert v == {"id": 1, "name": "Weiß GmbH", "email": None, "address": {**HAMBURG, "street": ""}}
    assert ok("vendor", "list", "--csv").out == (
        "id,name,email,address.street,address.city,address.postal_code,address.state,address.country\n"
        "2,Papeterie Lefèvre,,,,,,\n"
        "1,Weiß GmbH,,,Hamburg,20457,,DE\n"
    )
    # the products keep their vendor (by id) across the rename
    assert ok("product", "show", "MUG", "--json").json()["vendor"] == "Weiß GmbH"


def test_vendor_add_takes_the_address(books):
    v = ok("vendor", "add", "Druckerei Nord", "--street", "Kai 1", "--city", "Kiel", "--postal-code", "24103", "--country", "DE",
           "--json").json()
    assert v["address"] == {"street": "Kai 1", "city": "Kiel", "postal_code": "24103", "state": "", "country": "DE"}


@pytest.mark.parametrize("args, words", [
    (("Kaffeerösterei", "--city", "Kiel"), f"no vendor 'Kaffeerösterei'; did you mean {WEISS}?"),
    ((WEISS,), "nothing to change"),
    ((WEISS, "--name", ""), "vendor name is required"),
    ((WEISS, "--name", "  "), "vendor name is required"),
    ((WEISS, "--name", "Papeterie Lefèvre"), "vendor 'Papeterie Lefèvre' already exists"),
    ((WEISS, "--email", "not an address"), "not an e-mail address"),
    ((WEISS, "--street", "a\x00b"), "address street: control characters"),
    ((WEISS, "--city", "x" * 301), "address city: at most 300 characters"),
])
def test_vendor_edit_refusals(books, args, words):
    assert words in unchanged("vendor", "edit", *args)


def test_vendor_add_refusals(books):
    assert "vendor name is required" in unchanged("vendor", "add", "", "--city", "Kiel")
    assert "already exists" in unchanged("vendor", "add", WEISS, "--city", "Kiel")
    assert "control characters" in unchanged("vendor", "add", "New", "--country", "D\x1bE")


def pdf_lines(path: Path) -> list[str]:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages).splitlines()


def test_the_purchase_order_names_the_vendor_and_the_customer_above_their_addresses(books, tmp_path):
    ok("vendor", "edit", WEISS, "--street", "Hafenstraße 4", "--postal-code", "20457", "--city", "Hamburg", "--country", "DE")
    po = ok("order", "convert", "purchase", "SO-00001", "--json").json()[0]
    assert po["vendor"] == {"id": 1, "name": WEISS, "email": "bestellung@weiss.example", "address": HAMBURG}
    assert po["account"] == {"id": 1, "name": CAFE}
    ok("purchase", "pdf", po["number"], "-o", tmp_path / "po.pdf")
    lines = pdf_lines(tmp_path / "po.pdf")
    at = lines.index("Vendor")
    assert lines[at:at + 10] == [
        "Vendor", WEISS, "Hafenstraße 4", "20457 Hamburg", "DE", "bestellung@weiss.example",
        "Ship to", CAFE, "Lager 2", "53111 Bonn",
    ]
    # printed as the vendor is now: edited, the same purchase order prints the new name and address
    ok("vendor", "edit", WEISS, "--name", "Weiß GmbH", "--city", "Altona")
    ok("purchase", "pdf", po["number"], "-o", tmp_path / "po2.pdf")
    lines = pdf_lines(tmp_path / "po2.pdf")
    at = lines.index("Vendor")
    assert lines[at:at + 4] == ["Vendor", "Weiß GmbH", "Hafenstraße 4", "20457 Altona"]


# ---------------------------------------------------------------- users


def test_user_edit(books):
    u = ok("user", "edit", "chloe martin", "--name", "Chloé Martin-Roy", "--email", "chloe.roy@example.com", "--json").json()
    assert u == {"id": 1, "name": "Chloé Martin-Roy", "email": "chloe.roy@example.com"}
    assert ok("order", "show", "SO-00001", "--json").json()["assigned_to"]["name"] == "Chloé Martin-Roy"  # still assigned
    assert ok("user", "edit", "2", "--email", "pawel@example.com", "--json").json()["email"] == "pawel@example.com"
    assert ok("user", "edit", "2", "--email", "", "--json").json()["email"] is None


@pytest.mark.parametrize("args, words", [
    (("Chloé", "--email", "c@example.com"), "no user 'Chloé'; did you mean Chloé Martin?"),
    (("Chloé Martin",), "nothing to change"),
    (("Chloé Martin", "--name", ""), "user name is required"),
    (("Chloé Martin", "--name", "Paweł Nowak"), "user 'Paweł Nowak' already exists"),
    (("Chloé Martin", "--email", "chloe@"), "not an e-mail address"),
])
def test_user_edit_refusals(books, args, words):
    assert words in unchanged("user", "edit", *args)


# ---------------------------------------------------------------- contacts


def test_contact_edit(books):
    c = ok("contact", "edit", "Anna", "--account", CAFE, "--name", "Anna Schmidt", "--phone", "+49 30 1", "--json").json()
    assert c == {"id": 1, "name": "Anna Schmidt", "account": {"id": 1, "name": CAFE}, "email": "anna@mueller.example", "phone": "+49 30 1"}
    assert ok("order", "show", "SO-00001", "--json").json()["contact"]["name"] == "Anna Schmidt"  # the order names it still
    c = ok("contact", "edit", "bob", "--email", "bob@mueller.example", "--phone", "", "--json").json()  # unique: no --account needed
    assert (c["name"], c["email"], c["phone"]) == ("Bob", "bob@mueller.example", None)


@pytest.mark.parametrize("args, words", [
    (("Anna", "--phone", "1"), "more than one contact is named 'Anna'"),
    (("Bobb", "--phone", "1"), "no contact 'Bobb'; did you mean Bob?"),
    (("Bob", "--account", HOTEL, "--phone", "1"), "no contact 'Bob' on this account"),
    (("Bob", "--account", "Cafe Mueler", "--phone", "1"), f"no account 'Cafe Mueler'; did you mean {CAFE}?"),
    (("Bob",), "nothing to change"),
    (("Bob", "--name", ""), "contact name is required"),
    (("Bob", "--name", "Anna"), f"account '{CAFE}' already has a contact 'Anna'"),
    (("Bob", "--email", "bob"), "not an e-mail address"),
    (("Bob", "--phone", "0\x001"), "phone: control characters"),
])
def test_contact_edit_refusals(books, args, words):
    assert words in unchanged("contact", "edit", *args)


def test_contact_remove(books):
    r = ok("contact", "remove", "Bob")
    assert r.err == f"removed contact Bob of {CAFE}\n"
    assert [(c["name"], c["account"]["name"]) for c in ok("contact", "list", "--json").json()] == [("Anna", CAFE), ("Anna", HOTEL)]
    gone = ok("contact", "remove", "Anna", "--account", HOTEL, "--json").json()
    assert gone == {"id": 2, "name": "Anna", "account": {"id": 2, "name": HOTEL}, "email": None, "phone": None}
    assert [c["name"] for c in ok("contact", "list", "--json").json()] == ["Anna"]


def test_contact_remove_is_refused_while_a_document_names_it(books):
    err = unchanged("contact", "remove", "Anna", "--account", CAFE)
    assert err == (f"error: contact 'Anna' of '{CAFE}' is named on QT-00001, SO-00001: it cannot be removed "
                   "(documents keep the contact they were made for)\n")
    payload = json.loads(unchanged("contact", "remove", "Anna", "--account", CAFE, "--json"))
    assert payload["error"]["code"] == "conflict"
    assert "more than one contact" in unchanged("contact", "remove", "Anna")
    assert "did you mean Bob?" in unchanged("contact", "remove", "Bobby")


# ---------------------------------------------------------------- archived products


def test_an_archived_product_leaves_the_list_and_shows_it_is_archived(books):
    p = ok("product", "archive", "mug", "--json").json()
    assert (p["sku"], p["archived"]) == ("MUG", True)
    assert [p["sku"] for p in ok("product", "list", "--json").json()] == ["BOOK", "MAINT"]
    assert ok("product", "list", "--csv").out.splitlines()[1:] == [
        "BOOK,Livre d'or,product,19.99,,,VAT5.5,,,1", "MAINT,Maintenance,service,49.00,,,VAT20,,,1"]
    assert [(p["sku"], p["archived"]) for p in ok("product", "list", "--all", "--json").json()] == [
        ("BOOK", False), ("MAINT", False), ("MUG", True)]
    assert [p["sku"] for p in ok("product", "list", "--archived", "--jsonl").jsonl()] == ["MUG"]
    table = ok("product", "list", "--all").out
    assert "Archived" in table.splitlines()[1] and [line.split("│")[-2].strip() for line in table.splitlines() if "MUG" in line] == ["yes"]
    assert "archived       yes" in ok("product", "show", "MUG").out
    ok("product", "unarchive", "MUG")
    assert [p["sku"] for p in ok("product", "list", "--json").json()] == ["BOOK", "MAINT", "MUG"]
    assert ok("product", "list", "--archived").err.strip() == "no archived products"


@pytest.mark.parametrize("args, words", [
    (("product", "archive", "MUGG"), "no product (SKU) 'MUGG'; did you mean MUG?"),
    (("product", "unarchive", "MUG"), "product MUG is not archived"),
    (("product", "archive", ""), "no product (SKU) ''"),
    (("product", "list", "--all", "--archived"), "choose --all or --archived, not both"),
])
def test_archive_refusals(books, args, words):
    assert words in unchanged(*args)


def test_archiving_twice_is_refused(books):
    ok("product", "archive", "MUG")
    assert "product MUG is already archived" in unchanged("product", "archive", "MUG")


def test_an_archived_product_is_refused_on_new_lines(books, tmp_path):
    order = ok("order", "show", "SO-00001", "--json").json()
    ok("product", "archive", "MUG")
    assert unchanged("order", "add", "--subject", "x", "--account", CAFE, "--line", "BOOK:1", "--line", "MUG:2") == (
        "error: line 2: product MUG is archived (orders product unarchive MUG to sell it again)\n")
    assert "line 1: product MUG is archived" in unchanged("quote", "add", "--subject", "x", "--account", CAFE, "--line", "MUG:1")
    assert "line 3: product MUG is archived" in unchanged("order", "line", "add", "SO-00001", "--line", "MUG:1")
    # a JSON round trip makes a new order: refused too
    del order["number"]
    (tmp_path / "o.json").write_text(json.dumps(order), encoding="utf-8")
    assert "product MUG is archived" in unchanged("order", "add", "--from-json", tmp_path / "o.json")
    # duplicating a document that has it makes a new one
    assert "SO-00001 line 1: product MUG is archived" in unchanged("order", "duplicate", "SO-00001")
    # the usual look-up forgiveness and refusal still apply before it
    assert "did you mean MUG?" in unchanged("order", "add", "--subject", "x", "--account", CAFE, "--line", "MUGG:1")
    ok("product", "unarchive", "MUG")
    assert ok("order", "add", "--subject", "x", "--account", CAFE, "--line", "MUG:2", "--json").json()["lines"][0]["sku"] == "MUG"


def test_existing_orders_keep_an_archived_product(books):
    ok("product", "archive", "MUG")
    # the order still shows, edits, invoices, delivers and orders it from the vendor
    doc = ok("order", "line", "edit", "SO-00001", "1", "--qty", "30", "--json").json()
    assert [(ln["sku"], ln["quantity"]) for ln in doc["lines"]] == [("MUG", "30"), ("BOOK", "1")]
    ok("order", "edit", "SO-00001", "--subject", "More mugs")
    assert ok("order", "convert", "delivery", "SO-00001", "--json").json()["lines"][0]["sku"] == "MUG"
    assert ok("order", "convert", "invoice", "SO-00001", "--json").json()["lines"][0]["sku"] == "MUG"
    assert ok("order", "convert", "purchase", "SO-00001", "--json").json()[0]["lines"][0]["sku"] == "MUG"
    # a quote that has it still becomes an order (the offer was made)
    ok("quote", "add", "--subject", "Old offer", "--account", CAFE, "--line", "BOOK:1")
    ok("product", "archive", "BOOK")
    converted = ok("quote", "convert", "order", "QT-00002", "--json").json()
    assert [ln["sku"] for ln in converted["lines"]] == ["BOOK"]


def test_a_recurring_order_keeps_billing_an_archived_product(books):
    ok("product", "archive", "MAINT")
    run = ok("recur", "run", "--date", "2026-11-28", "--json").json()
    assert [(i["order"], i["period_start"]) for i in run["invoices"]] == [
        ("SO-00002", "2026-09-01"), ("SO-00002", "2026-10-01"), ("SO-00002", "2026-11-01")]
    assert run["failed"] == []
    inv = ok("invoice", "show", run["invoices"][-1]["number"], "--json").json()
    assert [(ln["sku"], ln["net"]) for ln in inv["lines"]] == [("MAINT", "49.00")]


def test_the_new_columns_have_their_defaults_in_the_database(books):
    """Revision 0006: a row written without them (another program, an older orders) is an active
    product, a vendor with an empty address."""
    sql("INSERT INTO vendor (name) VALUES (?)", "Raw GmbH")
    sql("INSERT INTO product (sku, name, kind, unit, unit_price, description) VALUES ('RAW', 'Raw', 'product', '', '1', '')")
    assert ok("vendor", "show", "Raw GmbH", "--json").json()["address"] == {"street": "", "city": "", "postal_code": "", "state": "", "country": ""}
    assert ok("product", "show", "RAW", "--json").json()["archived"] is False
    assert "RAW" in [p["sku"] for p in ok("product", "list", "--json").json()]


@sqlite_only  # the fixture is a SQLite dump
def test_an_old_database_upgrades_to_0006_with_nothing_archived(monkeypatch, tmp_path):
    import sqlite3

    from orders_cli.store.migrations import HEAD

    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.executescript((Path(__file__).parent / "fixtures" / "orders_0001.sql").read_text(encoding="utf-8"))
    con.close()
    monkeypatch.setenv("ORDERS_DB", str(db))
    ok("db", "upgrade")
    con = sqlite3.connect(db)
    try:
        assert con.execute("SELECT version_num FROM alembic_version").fetchall() == [(HEAD,)]  # through 0006 to the newest
        products = con.execute("SELECT count(*), sum(archived) FROM product").fetchone()
        assert products[0] > 0 and products[1] == 0
        assert con.execute("SELECT DISTINCT street, city, postal_code, state, country FROM vendor").fetchall() == [("", "", "", "", "")]
    finally:
        con.close()
    assert len(ok("product", "list", "--json").json()) == products[0]
