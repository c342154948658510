"""VAT categories on documents (issue 15): the tax snapshot on each line and the tax breakdown
carry the EN 16931 category and the exemption; a reverse-charged or intra-community line needs
the customer's VAT number."""

from __future__ import annotations

import pytest
from conftest import ok

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
