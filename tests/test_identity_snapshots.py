"""Issue 15: invoices and credit notes keep the seller's and the customer's identity as they
were at issue (``seller``, ``buyer``), and the customer's order reference (``customer_ref``)."""

from __future__ import annotations

import functools

import pytest
from conftest import db_content, ok, refused


@pytest.fixture(autouse=True, scope="module")
def _command_tree_built_once():
    import typer.main

    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(typer.main, "get_command", functools.lru_cache(maxsize=None)(typer.main.get_command))
        yield


SELLER_SETTINGS = [
    ("company.name", "Atelier Dupré"), ("company.address", "3 place Bellecour\n69002 Lyon"), ("company.legal_form", "SAS"),
    ("company.capital", "10 000 EUR"), ("company.siren", "732829320"), ("company.siret", "73282932000074"),
    ("company.rcs", "Lyon"), ("company.vat_id", "FR44732829320"), ("company.country", "FR"),
    ("company.iban", "FR1420041010050500013M02606"), ("company.bic", "BNPAFRPP"),
    ("invoice.late_penalty_rate", "12.15 % a year"),
]
BUYER = {"vat_id": "PL5261040828", "siren": None, "siret": None, "electronic_address": None, "country": "PL"}


@pytest.fixture
def shop():
    for key, value in SELLER_SETTINGS:
        ok("config", "set", key, value)
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Kowalski", "--vat-id", "PL5261040828", "--country", "PL")
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    return ok("order", "add", "--subject", "Support", "--account", "Kowalski", "--line", "MAINT:2", "--customer-ref", "PO-77",
              "--json").json()["number"]


def test_invoice_keeps_the_identities_at_issue(shop):
    made = ok("order", "convert", "invoice", shop, "--json").json()
    inv = ok("invoice", "show", made["number"], "--json").json()
    assert inv["customer_ref"] == made["customer_ref"] == "PO-77"
    assert inv["buyer"] == made["buyer"] == BUYER
    seller = inv["seller"]
    assert {k: seller[k] for k in ("name", "legal_form", "capital", "siren", "siret", "rcs", "vat_id", "country", "iban", "bic")} == {
        "name": "Atelier Dupré", "legal_form": "SAS", "capital": "10 000 EUR", "siren": "732829320", "siret": "73282932000074",
        "rcs": "Lyon", "vat_id": "FR44732829320", "country": "FR", "iban": "FR1420041010050500013M02606", "bic": "BNPAFRPP"}
    assert (seller["payment_means"], seller["late_penalty_rate"], seller["recovery_indemnity"], seller["early_payment_discount"]) == (
        "transfer", "12.15 % a year", "40.00", "none")
    assert seller["electronic_address"] is None  # not set
    # later changes of the settings or the account never rewrite an issued invoice
    ok("config", "set", "company.legal_form", "SA")
    ok("account", "edit", "Kowalski", "--vat-id", "DE136695976", "--country", "DE")
    again = ok("invoice", "show", made["number"], "--json").json()
    assert again["seller"]["legal_form"] == "SAS" and again["buyer"] == BUYER
    # the list keeps its keys (no snapshots there)
    assert "seller" not in ok("invoice", "list", "--json").json()[0]


def test_credit_note_and_deposit_invoice_carry_them_too(shop):
    deposit = ok("order", "convert", "invoice", shop, "--deposit", "30%", "--json").json()
    assert deposit["kind"] == "deposit" and deposit["buyer"] == BUYER and deposit["customer_ref"] == "PO-77"
    assert deposit["seller"]["siren"] == "732829320"
    ok("account", "edit", "Kowalski", "--vat-id", "DE136695976", "--country", "DE")
    note = ok("invoice", "credit", deposit["number"], "--json").json()
    shown = ok("credit", "show", note["number"], "--json").json()
    assert shown["buyer"] == note["buyer"] == {**BUYER, "vat_id": "DE136695976", "country": "DE"}  # the customer at the credit's issue
    assert shown["seller"]["vat_id"] == "FR44732829320"
    assert shown["customer_ref"] == "PO-77"


def test_recurring_invoice_carries_them(shop):
    ok("recur", "set", shop, "--frequency", "monthly", "--start", "2026-11-01")
    out = ok("recur", "run", "--date", "2026-11-28", "--json").json()
    assert out["failed"] == []
    number = ok("invoice", "list", "--json").json()[0]["number"]
    inv = ok("invoice", "show", number, "--json").json()
    assert inv["period_start"] == "2026-11-01"
    assert inv["buyer"] == BUYER and inv["seller"]["siret"] == "73282932000074" and inv["customer_ref"] == "PO-77"


def test_a_refused_conversion_writes_no_snapshot(shop):
    ok("order", "convert", "invoice", shop)
    before = db_content()
    refused("order", "convert", "invoice", shop)  # nothing left to invoice
    assert db_content() == before
