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
