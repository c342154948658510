"""Look-ups that forgive (issue 18 item 8): names case- and accent-insensitively when unique,
document numbers case-insensitively and without leading zeros, statuses in any case; an
unknown reference names the closest few, an ambiguous one lists the candidates. Every
refusal is one line and leaves the database as it was."""

from __future__ import annotations

from conftest import db_content, ok, refused


def test_account_name_folds_case_and_accents(demo):
    assert ok("account", "show", "cafe muller", "--json").json()["name"] == "Café Müller"
    assert ok("account", "show", "BRASSERIE LEON", "--json").json()["name"] == "Brasserie Léon"


def test_unknown_account_says_did_you_mean(demo):
    before = db_content()
    r = refused("account", "show", "cafe mulle")
    assert r.err.strip() == "error: no account 'cafe mulle'; did you mean Café Müller?"
    assert db_content() == before


def test_ambiguous_folded_name_lists_candidates(demo):
    ok("account", "add", "Hôtel du Parc")
    ok("account", "add", "Hotel du Parc")
    before = db_content()
    r = refused("account", "show", "hotel du parc")
    assert r.err.strip() == ("error: 'hotel du parc' matches more than one account: Hotel du Parc, Hôtel du Parc; "
                             "type it exactly or use its id")
    assert db_content() == before
    assert ok("account", "show", "Hôtel du Parc", "--json").json()["name"] == "Hôtel du Parc"  # exact wins


def test_unique_folded_name_used_in_a_write(demo):
    ok("account", "add", "Hôtel du Parc")
    r = ok("order", "add", "--account", "hotel du parc", "--subject", "Nuitées", "--json").json()
    assert ok("order", "list", "--account", "HOTEL DU PARC", "--json").json()[0]["number"] == r["number"]


def test_document_number_without_zeros_and_case(demo):
    assert ok("order", "show", "so-1", "--json").json()["number"] == "SO-00001"
    assert ok("order", "show", "So-00001", "--json").json()["number"] == "SO-00001"
    assert ok("order", "show", " SO-001 ", "--json").json()["number"] == "SO-00001"


def test_unknown_number_says_did_you_mean(demo):
    before = db_content()
    r = refused("order", "show", "so-99")
    assert r.err.startswith("error: no order 'so-99'; did you mean SO-")
    assert db_content() == before


def test_sku_case_insensitive_and_near(demo):
    assert ok("product", "show", "book", "--json").json()["sku"] == "BOOK"
    r = refused("product", "show", "COFFE-1KG")
    assert r.err.strip() == "error: no product (SKU) 'COFFE-1KG'; did you mean COFFEE-1KG?"


def test_status_any_case(demo):
    listed = ok("order", "list", "--status", "APPROVED", "--json").json()
    assert listed and {o["status"] for o in listed} == {"approved"}
    assert "now approved" in ok("order", "status", "so-1", "Approved").err
    before = db_content()
    r = refused("order", "list", "--status", "aproved")
    assert r.err.strip() == "error: unknown status 'aproved'; did you mean approved?"
    r = refused("order", "status", "so-1", "zzz")
    assert r.err.strip().startswith("error: unknown status 'zzz'; expected one of ")
    assert db_content() == before


def test_number_forms_read_how_numbers_are_built():
    from orders_cli.store import refs

    assert refs._number_forms("inv-12") == ["inv-12", "inv-00012"]
    assert refs._number_forms(" SO-000001 ") == ["so-000001", "so-00001"]
    assert refs._number_forms("inv-2026-7") == ["inv-2026-7", "inv-2026-00007"]
    assert refs._number_forms("SO-123456") == ["so-123456"]
    assert refs._number_forms("acme") == ["acme"]


def test_invoice_number_and_payment_hint(demo):
    ok("order", "convert", "invoice", "SO-00001")
    assert ok("invoice", "show", "inv-1", "--json").json()["number"] == "INV-00001"
    assert ok("invoice", "show", "Inv-001", "--json").json()["number"] == "INV-00001"
    before = db_content()
    r = refused("invoice", "show", "inv-2")
    assert r.err.strip() == "error: no invoice 'inv-2'; did you mean INV-00001?"
    r = refused("payment", "add", "inv-7", "--amount", "1")
    assert r.err.strip() == "error: no invoice or credit note inv-7; did you mean INV-00001?"
    assert db_content() == before
    ok("payment", "add", "inv-1", "--amount", "1")


def test_vendor_name_folds_and_near(demo):
    made = ok("product", "add", "TEA", "--name", "Thé vert", "--price", "5", "--vendor", "KAFFEEROSTEREI WEISS", "--json")
    assert made.json()["vendor"] == "Kaffeerösterei Weiß"
    before = db_content()
    r = refused("product", "add", "TEA2", "--name", "Thé noir", "--price", "5", "--vendor", "papeterie lefevr")
    assert r.err.strip() == "error: no vendor 'papeterie lefevr'; did you mean Papeterie Lefèvre?"
    assert db_content() == before


def test_product_by_name_when_unique(demo):
    assert ok("product", "show", "mug emaille", "--json").json()["sku"] == "MUG"
    ok("product", "add", "TEA", "--name", "Thé vert", "--price", "5")
    ok("product", "add", "TEA-B", "--name", "The vert", "--price", "5")
    before = db_content()
    r = refused("product", "show", "THE VERT")
    assert r.err.strip() == ("error: 'THE VERT' matches more than one product (SKU): The vert, Thé vert; "
                             "type it exactly or use its id")
    r = refused("product", "show", "mug emaile")
    assert r.err.strip() == "error: no product (SKU) 'mug emaile'; did you mean Mug émaillé?"
    assert db_content() == before
    assert ok("product", "show", "tea-b", "--json").json()["sku"] == "TEA-B"  # a SKU before a name


def test_contact_and_user_names_fold_in_a_write(demo):
    r = ok("order", "add", "--account", "boulangerie dupre", "--subject", "Pains", "--contact", "elodie dupre",
           "--assigned-to", "CHLOE MARTIN", "--json").json()
    shown = ok("order", "show", r["number"], "--json").json()
    assert "Élodie Dupré" in str(shown) and "Chloé Martin" in str(shown)
    before = db_content()
    r = refused("order", "add", "--account", "Boulangerie Dupré", "--subject", "Pains", "--contact", "Elodie Dupr")
    assert r.err.strip() == "error: no contact 'Elodie Dupr' on this account; did you mean Élodie Dupré?"
    r = refused("order", "add", "--account", "Boulangerie Dupré", "--subject", "Pains", "--assigned-to", "chloe marti")
    assert r.err.strip() == "error: no user 'chloe marti'; did you mean Chloé Martin?"
    assert db_content() == before
