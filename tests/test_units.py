"""Prices per base quantity (EN 16931 BT-149) and UN/ECE Rec 20 unit codes on documents
(issue 15): lines copy the product's, price with them, and invoices copy the order line's."""

from __future__ import annotations

import json

import pytest
from conftest import db_content, ok, refused


@pytest.fixture
def screws():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "SCREW", "--name", "Vis inox", "--price", "12.00", "--base-quantity", "100", "--unit", "pièces", "--tax", "VAT20")
    ok("product", "add", "DEV", "--name", "Développement", "--price", "90.00", "--unit", "h", "--tax", "VAT20", "--service")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "8.00", "--tax", "VAT20")
    return True


def test_order_lines_price_per_base_quantity(screws):
    o = ok("order", "add", "--subject", "Screws", "--account", "Acme", "--line", "SCREW:250", "--line", "DEV:2", "--line", "MUG:1",
           "--json").json()
    screw, dev, mug = o["lines"]
    assert (screw["net"], screw["unit_code"], screw["base_quantity"]) == ("30.00", "C62", "100")
    assert (dev["net"], dev["unit_code"], dev["base_quantity"]) == ("180.00", "HUR", "1")
    assert (mug["unit_code"], mug["base_quantity"]) == (None, "1")
    assert (o["totals"]["subtotal"], o["totals"]["tax"], o["totals"]["total"]) == ("218.00", "43.60", "261.60")
    # editing the quantity prices again per 100
    o = ok("order", "line", "edit", o["number"], "1", "--qty", "1000", "--json").json()
    assert o["lines"][0]["net"] == "120.00"
    # the JSON round trip keeps the base quantity
    again = ok("order", "add", "--from-json", "-", "--json", stdin=json.dumps(o)).json()
    copy = ok("order", "show", again["first"], "--json").json()
    assert (copy["lines"][0]["net"], copy["lines"][0]["base_quantity"]) == ("120.00", "100")


def test_quote_and_invoices_carry_unit_and_base_quantity(screws):
    q = ok("quote", "add", "--subject", "Screws", "--account", "Acme", "--line", "SCREW:250", "--json").json()
    assert (q["lines"][0]["net"], q["lines"][0]["base_quantity"], q["lines"][0]["unit_code"]) == ("30.00", "100", "C62")
    o = ok("order", "add", "--subject", "Screws", "--account", "Acme", "--line", "SCREW:250", "--line", "DEV:3", "--json").json()
    ok("order", "finalize", o["number"], "--yes")
    part = ok("order", "convert", "invoice", o["number"], "--line", "1:100", "--json").json()
    line = part["lines"][0]
    assert (line["quantity"], line["net"], line["unit_code"], line["base_quantity"]) == ("100", "12.00", "C62", "100")
    rest = ok("order", "convert", "invoice", o["number"], "--json").json()
    assert [(ln["sku"], ln["quantity"], ln["net"], ln["unit_code"], ln["base_quantity"]) for ln in rest["lines"]] == [
        ("SCREW", "150", "18.00", "C62", "100"), ("DEV", "3", "270.00", "HUR", "1")]
    assert rest["totals"]["subtotal"] == "288.00"


def test_a_line_base_quantity_in_json_is_checked(screws):
    o = ok("order", "add", "--subject", "Screws", "--account", "Acme", "--line", "SCREW:250", "--json").json()
    before = db_content()
    for bad in ("0", "-1", "lots"):
        o["lines"][0]["base_quantity"] = bad
        r = refused("order", "add", "--from-json", "-", stdin=json.dumps(o))
        assert "line 1 base quantity" in r.err
        assert db_content() == before
