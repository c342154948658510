"""VAT categories on documents (issue 15): the tax snapshot on each line and the tax breakdown
carry the EN 16931 category and the exemption; a reverse-charged or intra-community line needs
the customer's VAT number."""

from __future__ import annotations

import pytest
from conftest import db_content, ok, refused, sql

NO_EXEMPTION = {"exemption_reason": None, "exemption_code": None}
FRANCHISE = "TVA non applicable, art. 293 B du CGI"


@pytest.fixture
def shop():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "EXEMPT", "--rate", "0", "--category", "E", "--exemption-reason", FRANCHISE)
    ok("tax", "add", "REVERSE", "--rate", "0", "--category", "AE")
    ok("tax", "add", "INTRA", "--rate", "0", "--category", "K")
    ok("account", "add", "Acme")
    ok("account", "add", "Kowalski")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "10.00", "--tax", "VAT20")
    ok("product", "add", "TRAINING", "--name", "Training", "--price", "100.00", "--tax", "EXEMPT", "--service")
    ok("product", "add", "AUDIT", "--name", "Audit", "--price", "500.00", "--tax", "REVERSE", "--service")
    ok("product", "add", "CRATE", "--name", "Crate", "--price", "40.00", "--tax", "INTRA")
    return True


def test_breakdown_and_line_taxes_carry_the_category(shop):
    o = ok("order", "add", "--subject", "Mixed", "--account", "Acme", "--line", "MUG:2", "--line", "TRAINING:1", "--json").json()
    mug, training = o["lines"]
    assert mug["taxes"] == [{"name": "VAT20", "rate": "20", "category": "S", **NO_EXEMPTION}]
    assert training["taxes"] == [{"name": "EXEMPT", "rate": "0", "category": "E", "exemption_reason": FRANCHISE, "exemption_code": None}]
    expected = [
        {"name": "EXEMPT", "rate": "0", "base": "100.00", "amount": "0.00", "category": "E", "exemption_reason": FRANCHISE, "exemption_code": None},
        {"name": "VAT20", "rate": "20", "base": "20.00", "amount": "4.00", "category": "S", **NO_EXEMPTION},
    ]
    assert o["totals"]["tax_breakdown"] == expected
    assert ok("order", "show", o["number"], "--json").json()["totals"]["tax_breakdown"] == expected
    # the tax changed later: the order keeps the snapshot it was priced with
    ok("tax", "edit", "EXEMPT", "--exemption-reason", "something else")
    assert ok("order", "show", o["number"], "--json").json()["totals"]["tax_breakdown"] == expected
    # and the invoice made of it carries the same
    ok("order", "finalize", o["number"], "--yes")
    inv = ok("order", "convert", "invoice", o["number"], "--json").json()
    assert inv["totals"]["tax_breakdown"] == expected
    assert [ln["taxes"][0]["category"] for ln in inv["lines"]] == ["S", "E"]


def _refused_unchanged(*args: str, stdin: str | None = None) -> str:
    before = db_content()
    err = refused(*args, stdin=stdin).err
    assert db_content() == before
    return err


def _set_vat_id(account: str, vat_id: str | None) -> None:
    """Directly in the database (``account edit --vat-id`` is another part of issue 15)."""
    sql("UPDATE account SET vat_id = ? WHERE name = ?", vat_id, account)


def test_reverse_charge_needs_the_customer_vat_number(shop):
    err = _refused_unchanged("order", "add", "--subject", "Audit", "--account", "Kowalski", "--line", "MUG:1", "--line", "AUDIT:1")
    assert err == ("error: SO-00001 line 2 (AUDIT) is reverse-charged (AE): the account Kowalski has no VAT number "
                   "(orders account edit Kowalski --vat-id ...)\n")
    err = _refused_unchanged("order", "add", "--subject", "Crates", "--account", "Kowalski", "--line", "CRATE:3")
    assert "SO-00001 line 1 (CRATE) is an intra-community supply (K)" in err and "--vat-id" in err
    # a standard order for the same account is fine; adding an AE line to it is refused
    o = ok("order", "add", "--subject", "Mugs", "--account", "Kowalski", "--line", "MUG:1", "--json").json()
    err = _refused_unchanged("order", "line", "add", o["number"], "--line", "AUDIT:1")
    assert err.startswith(f"error: {o['number']} line 2 (AUDIT) is reverse-charged (AE): the account Kowalski has no VAT number")
    # with a VAT number: accepted, and the breakdown says reverse charge
    _set_vat_id("Kowalski", "PL5260250274")
    ok("order", "line", "add", o["number"], "--line", "AUDIT:1")
    r = ok("order", "add", "--subject", "Audit", "--account", "Kowalski", "--line", "AUDIT:1", "--json").json()
    assert r["totals"]["tax_breakdown"] == [{"name": "REVERSE", "rate": "0", "base": "500.00", "amount": "0.00", "category": "AE",
                                             "exemption_reason": "Autoliquidation", "exemption_code": "VATEX-EU-AE"}]
    assert r["totals"]["total"] == "500.00"


def test_reverse_charge_refused_on_import_and_on_invoicing(shop):
    _set_vat_id("Kowalski", "PL5260250274")
    o = ok("order", "add", "--subject", "Audit", "--account", "Kowalski", "--line", "MUG:1", "--line", "AUDIT:1", "--json").json()
    shown = ok("order", "show", o["number"], "--json").out
    ok("order", "finalize", o["number"], "--yes")
    _set_vat_id("Kowalski", None)  # the number removed since
    err = _refused_unchanged("order", "convert", "invoice", o["number"])
    assert err.startswith(f"error: {o['number']} line 2 (AUDIT) is reverse-charged (AE): the account Kowalski has no VAT number")
    err = _refused_unchanged("order", "convert", "invoice", o["number"], "--deposit", "30%")
    assert "(AUDIT) is reverse-charged (AE)" in err
    # invoicing only the standard line is fine
    inv = ok("order", "convert", "invoice", o["number"], "--line", "1:1", "--json").json()
    assert [ln["sku"] for ln in inv["lines"]] == ["MUG"]
    err = _refused_unchanged("order", "add", "--from-json", "-", stdin=shown)
    assert "line 2 (AUDIT) is reverse-charged (AE): the account Kowalski has no VAT number" in err
    # an account with a VAT number takes the same JSON
    _set_vat_id("Kowalski", "PL5260250274")
    assert ok("order", "add", "--from-json", "-", "--json", stdin=shown).json()["imported"] == 1


def test_account_name_with_spaces_is_quoted_in_the_hint(shop):
    ok("account", "add", "Polska Sp. z o.o.")
    err = _refused_unchanged("order", "add", "--subject", "Audit", "--account", "Polska Sp. z o.o.", "--line", "AUDIT:1")
    assert err.endswith('(orders account edit "Polska Sp. z o.o." --vat-id ...)\n')


def test_reverse_charge_quotes_need_the_number_too_and_so_do_their_orders(shop):
    err = _refused_unchanged("quote", "add", "--subject", "Audit", "--account", "Kowalski", "--line", "AUDIT:1")
    assert err.startswith("error: QT-00001 line 1 (AUDIT) is reverse-charged (AE): the account Kowalski has no VAT number")
    err = _refused_unchanged("quote", "add", "--subject", "Crates", "--account", "Kowalski", "--line", "MUG:1", "--line", "CRATE:1")
    assert "QT-00001 line 2 (CRATE) is an intra-community supply (K)" in err
    # a quote made while the account had its number, converted after it was removed: refused
    _set_vat_id("Kowalski", "PL5260250274")
    q = ok("quote", "add", "--subject", "Audit", "--account", "Kowalski", "--line", "AUDIT:1", "--json").json()
    _set_vat_id("Kowalski", None)
    err = _refused_unchanged("quote", "convert", "order", q["number"])
    assert "line 1 (AUDIT) is reverse-charged (AE): the account Kowalski has no VAT number" in err
    _set_vat_id("Kowalski", "PL5260250274")
    assert ok("quote", "convert", "order", q["number"], "--json").json()["totals"]["tax_breakdown"][0]["category"] == "AE"
