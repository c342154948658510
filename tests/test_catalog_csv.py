"""CSV round trip and updates (issue 18 item 13): ``product list --csv`` writes the columns
``product import`` reads; ``--upsert`` updates existing SKUs in one transaction, all or nothing."""

from __future__ import annotations

from conftest import db_content, ok, refused, sql


def _catalog(folder):
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("vendor", "add", "Papeterie Lefèvre")
    ok("product", "add", "BOOK", "--name", "Livre d'or", "--price", "19.99", "--tax", "VAT5.5", "--vendor", "Papeterie Lefèvre",
       "--cost", "9.50", "--unit", "piece", "--description", "relié cuir")
    ok("product", "add", "SCREW", "--name", "=Vis inox", "--price", "12.00", "--base-quantity", "100", "--tax", "VAT20", "--tax", "VAT5.5")
    ok("product", "add", "HOUR", "--name", "Conseil, heure", "--price", "80", "--service", "--unit", "h")


def test_list_csv_header_is_the_import_columns(tmp_path):
    _catalog(tmp_path)
    out = ok("product", "list", "--csv").out.splitlines()
    assert out[0] == "sku,name,kind,unit_price,cost,vendor,taxes,unit,description,base_quantity"
    assert out[3] == "SCREW,'=Vis inox,product,12.00,,,VAT20;VAT5.5,,,100"  # formula made inert


def test_round_trip_through_csv(tmp_path):
    _catalog(tmp_path)
    before = ok("product", "list", "--json").json()
    (tmp_path / "cat.csv").write_text(ok("product", "list", "--csv").out, encoding="utf-8")
    # the same taxes and vendor, the products only from the CSV
    sql("DELETE FROM product_tax")
    sql("DELETE FROM product")
    ok("product", "import", str(tmp_path / "cat.csv"))
    after = ok("product", "list", "--json").json()
    strip = lambda rows: [{k: v for k, v in r.items() if k != "id"} for r in rows]  # noqa: E731
    assert strip(after) == strip(before)
    assert {r["sku"]: r["name"] for r in after}["SCREW"] == "=Vis inox"


def test_upsert_updates_prices_and_adds(tmp_path):
    _catalog(tmp_path)
    (tmp_path / "prices.csv").write_text("sku,name,price\nBOOK,Livre d'or,21.50\nPEN,Stylo,2.00\n", encoding="utf-8")
    before = db_content()
    r = refused("product", "import", str(tmp_path / "prices.csv"))
    assert r.err.strip() == f"error: {tmp_path / 'prices.csv'}: line 2: product 'BOOK' already exists (--upsert updates it)"
    assert db_content() == before
    ok("product", "import", str(tmp_path / "prices.csv"), "--upsert")
    book = ok("product", "show", "BOOK", "--json").json()
    assert (book["unit_price"], book["cost"], book["taxes"], book["vendor"], book["description"]) == ("21.50", "9.50", ["VAT5.5"], "Papeterie Lefèvre", "relié cuir")
    assert ok("product", "show", "PEN", "--json").json()["unit_price"] == "2.00"


def test_upsert_replaces_taxes_when_the_column_is_there(tmp_path):
    _catalog(tmp_path)
    (tmp_path / "p.csv").write_text("sku,name,price,taxes\nSCREW,Vis,13.00,VAT20\n", encoding="utf-8")
    ok("product", "import", str(tmp_path / "p.csv"), "--upsert")
    assert ok("product", "show", "SCREW", "--json").json()["taxes"] == ["VAT20"]


def test_upsert_is_all_or_nothing(tmp_path):
    _catalog(tmp_path)
    (tmp_path / "bad.csv").write_text("sku,name,price\nBOOK,Livre,30.00\nPEN,Stylo,2.00\nHOUR,Conseil,-5\n", encoding="utf-8")
    before = db_content()
    r = refused("product", "import", str(tmp_path / "bad.csv"), "--upsert")
    assert r.err.startswith(f"error: {tmp_path / 'bad.csv'}: line 4: ")
    assert db_content() == before


def test_unknown_tax_in_import_says_did_you_mean(tmp_path):
    _catalog(tmp_path)
    (tmp_path / "t.csv").write_text("sku,name,price,taxes\nPEN,Stylo,2.00,vat20\n", encoding="utf-8")
    r = refused("product", "import", str(tmp_path / "t.csv"))
    assert r.err.strip() == f"error: {tmp_path / 't.csv'}: line 2: no tax 'vat20'; did you mean VAT20, VAT5.5?"


def _no_ids(csv_text: str) -> list[str]:
    return sorted(line.split(",", 1)[1] for line in csv_text.splitlines()[1:])


def _parties():
    ok("account", "add", "Hôtel du Parc", "--email", "a@parc.example", "--phone", "+33 1 23", "--billing-street", "1 rue A",
       "--billing-city", "Paris", "--billing-country", "FR", "--language", "fr")
    ok("account", "add", "=Acme", "--tax-region", "overseas")
    ok("contact", "add", "Jean", "--account", "Hôtel du Parc", "--email", "j@parc.example")


def test_accounts_and_contacts_round_trip(tmp_path):
    _parties()
    accounts, contacts = ok("account", "list", "--csv").out, ok("contact", "list", "--csv").out
    assert accounts.splitlines()[0].startswith("id,name,email,tax_region,billing_address.city,billing_address.country,phone,")
    (tmp_path / "a.csv").write_text(accounts, encoding="utf-8")
    (tmp_path / "c.csv").write_text(contacts, encoding="utf-8")
    sql("DELETE FROM contact")
    sql("DELETE FROM account")
    ok("account", "import", str(tmp_path / "a.csv"))
    ok("contact", "import", str(tmp_path / "c.csv"))
    assert _no_ids(ok("account", "list", "--csv").out) == _no_ids(accounts)
    assert _no_ids(ok("contact", "list", "--csv").out) == _no_ids(contacts)
    assert ok("account", "show", "=Acme", "--json").json()["tax_region"] == "overseas"


def test_account_upsert_all_or_nothing(tmp_path):
    _parties()
    (tmp_path / "a.csv").write_text("name,email\nHôtel du Parc,new@parc.example\nNew one,\n", encoding="utf-8")
    before = db_content()
    r = refused("account", "import", str(tmp_path / "a.csv"))
    assert r.err.strip() == f"error: {tmp_path / 'a.csv'}: line 2: account 'Hôtel du Parc' already exists (--upsert updates it)"
    (tmp_path / "bad.csv").write_text("name,email\nHôtel du Parc,new@parc.example\nBad,not-an-email\n", encoding="utf-8")
    r = refused("account", "import", str(tmp_path / "bad.csv"), "--upsert")
    assert r.err.startswith(f"error: {tmp_path / 'bad.csv'}: line 3: ")
    assert db_content() == before
    ok("account", "import", str(tmp_path / "a.csv"), "--upsert")
    shown = ok("account", "show", "Hôtel du Parc", "--json").json()
    assert (shown["email"], shown["phone"], shown["billing_address"]["city"]) == ("new@parc.example", "+33 1 23", "Paris")
    assert ok("account", "show", "New one", "--json").json()["name"] == "New one"


def test_contact_upsert_and_refusals(tmp_path):
    _parties()
    (tmp_path / "c.csv").write_text("name,account.name,phone\nJean,Hôtel du Parc,0102\nMarie,hotel du parc,0304\n", encoding="utf-8")
    before = db_content()
    refused("contact", "import", str(tmp_path / "c.csv"))
    (tmp_path / "bad.csv").write_text("name,account.name\nJean,Hôtel du Parc\nPaul,Nowhere\n", encoding="utf-8")
    r = refused("contact", "import", str(tmp_path / "bad.csv"), "--upsert")
    assert r.err.startswith(f"error: {tmp_path / 'bad.csv'}: line 3: no account 'Nowhere'")
    assert db_content() == before
    ok("contact", "import", str(tmp_path / "c.csv"), "--upsert")
    rows = {c["name"]: c for c in ok("contact", "list", "--json").json()}
    assert (rows["Jean"]["email"], rows["Jean"]["phone"], rows["Marie"]["phone"]) == ("j@parc.example", "0102", "0304")
