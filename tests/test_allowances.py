"""Document allowances and charges with their own reason and tax (issue 15 item 4; EN 16931
BG-20/BG-21), through the CLI in-process: the arithmetic of an order, invoices of parts of it
adding up per allowance and per rate, credit notes, recurring invoices, quotes, the JSON round
trip, and every refusal with the database unchanged.
"""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import db_content, ok, refused
from test_conversions import (
    catalog,  # noqa: F401  (the fixture every test here uses)
    invoice,
    j,
    show,
)

D = Decimal
pytestmark = pytest.mark.usefixtures("catalog")

LINES = ("WIDGET:10", "BOOK:4")  # 100.00 at VAT20, 79.96 at VAT5.5


def order_with(*extra: str, lines=LINES) -> dict:
    args = ["order", "add", "--subject", "Allowances", "--account", "Café Müller"]
    for ln in lines:
        args += ["--line", ln]
    return j(*args, *extra)


def figures(t: dict) -> dict:
    return {
        "scalars": {k: t[k] for k in ("subtotal", "discount", "shipping", "allowances", "charges", "tax", "adjustment", "total")},
        "breakdown": {b["name"]: (b["base"], b["amount"]) for b in t["tax_breakdown"] if (b["base"], b["amount"]) != ("0.00", "0.00")},
        "items": [(c["kind"], c["reason"], c["amount"], (c["tax"] or {}).get("name")) for c in t["allowances_charges"]],
    }


def test_each_allowance_and_charge_moves_its_own_rate():
    o = order_with("--allowance", "Loyalty:5%", "--allowance", "Trade-in: old model:20.00:VAT5.5",
                   "--charge", "Packing:12.50", "--charge", "Insurance:1%:VAT5.5")
    t = o["totals"]
    # 5 % of the subtotal 179.96 = 9.00 (8.998), shared by the rates' nets: 100.00 / 79.96 -> 5.00 / 4.00
    # VAT20: 100.00 - 5.00 + 12.50 (Packing at charges.tax) = 107.50 -> 21.50
    # VAT5.5: 79.96 - 4.00 - 20.00 + 0.80 (1 % of the lines at VAT5.5, 79.96) = 56.76 -> 3.12
    assert figures(t) == {
        "scalars": {"subtotal": "179.96", "discount": "0.00", "shipping": "0.00", "allowances": "29.00", "charges": "13.30",
                    "tax": "24.62", "adjustment": "0.00", "total": "188.88"},
        "breakdown": {"VAT20": ("107.50", "21.50"), "VAT5.5": ("56.76", "3.12")},
        "items": [("allowance", "Loyalty", "9.00", None), ("allowance", "Trade-in: old model", "20.00", "VAT5.5"),
                  ("charge", "Packing", "12.50", "VAT20"), ("charge", "Insurance", "0.80", "VAT5.5")],
    }
    loyalty, trade_in = t["allowances_charges"][:2]
    assert (loyalty["value"], loyalty["percent"], loyalty["base"]) == ("5%", "5", "179.96")
    assert (trade_in["value"], trade_in["percent"], trade_in["base"]) == ("20.00", None, None)
    # the old discount and shipping charge stay what they were, beside the new ones
    o2 = order_with("--discount", "5%", "--shipping-charge", "12.50")
    assert (o2["totals"]["allowances"], o2["totals"]["charges"], o2["totals"]["allowances_charges"]) == ("0.00", "0.00", [])
    assert (o2["totals"]["discount"], o2["totals"]["shipping"]) == ("9.00", "12.50")


def test_an_allowance_at_a_rate_no_line_has_and_a_charge_there_too():
    o = order_with("--allowance", "Return of crates:5.00:VAT5.5", "--charge", "Crates:8.00:VAT5.5", lines=("WIDGET:1",))
    assert figures(o["totals"])["breakdown"] == {"VAT20": ("10.00", "2.00"), "VAT5.5": ("3.00", "0.17")}
    assert o["totals"]["total"] == "15.17"  # 10.00 - 5.00 + 8.00 + 2.00 + 0.17


def test_invoices_of_parts_add_up_to_the_order_per_allowance_and_rate():
    o = order_with("--allowance", "Loyalty:5%", "--allowance", "Trade-in:20.00:VAT5.5", "--charge", "Packing:12.50",
                   "--discount", "2.00", "--shipping-charge", "7.00")
    so = o["number"]
    first = invoice(so, "--line", "1:4")
    assert [c["reason"] for c in first["totals"]["allowances_charges"]] == ["Loyalty", "Packing"]  # no VAT5.5 line: no trade-in
    assert first["totals"]["charges"] == "12.50"  # the charge goes whole on the first invoice
    second = invoice(so, "--line", "2:1")
    assert second["totals"]["charges"] == "0.00"
    last = invoice(so)
    invs = [first, second, last]

    def total(key, docs):
        return sum((D(d["totals"][key]) for d in docs), D(0))

    for key in ("subtotal", "discount", "shipping", "allowances", "charges", "tax", "total"):
        assert total(key, invs) == D(o["totals"][key]), key
    per_item: dict = {}
    for d in invs:
        for c in d["totals"]["allowances_charges"]:
            per_item[c["reason"]] = per_item.get(c["reason"], D(0)) + D(c["amount"])
    assert per_item == {c["reason"]: D(c["amount"]) for c in o["totals"]["allowances_charges"]}
    for name, (base, amount) in figures(o["totals"])["breakdown"].items():
        got = [b for d in invs for b in d["totals"]["tax_breakdown"] if b["name"] == name]
        assert sum((D(b["base"]) for b in got), D(0)) == D(base)
        assert sum((D(b["amount"]) for b in got), D(0)) == D(amount)
    assert show(so)["progress"]["invoiced_percent"] == "100"


def test_a_credit_note_gives_back_the_allowances_of_its_invoice():
    o = order_with("--allowance", "Loyalty:5%", "--charge", "Packing:12.50:VAT20")
    inv = invoice(o["number"])
    part = j("invoice", "credit", inv["number"], "--line", "1:5")
    assert [c["reason"] for c in part["totals"]["allowances_charges"]] == ["Loyalty"]
    rest = j("invoice", "credit", inv["number"])
    for key in ("subtotal", "allowances", "charges", "tax", "total"):
        assert D(part["totals"][key]) + D(rest["totals"][key]) == D(inv["totals"][key]), key
    # the order can be invoiced again, whole, with its allowances
    again = invoice(o["number"])
    assert figures(again["totals"]) == figures(inv["totals"])


def test_percent_on_every_invoice_of_a_percent_invoice():
    o = order_with("--allowance", "Loyalty:10%:VAT20")
    half = invoice(o["number"], "--percent", "50")
    (item,) = half["totals"]["allowances_charges"]
    assert (item["value"], item["base"], item["amount"]) == ("10%", "50.00", "5.00")


def test_recurring_invoices_carry_the_allowances():
    so = order_with("--allowance", "Loyalty:5%", "--charge", "Packing:3.00")["number"]
    ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-11-01")
    run = ok("recur", "run", "--date", "2026-11-28", "--json").json()
    number = run["invoices"][0]["number"] if "invoices" in run else run["created"][0]["number"]
    inv = j("invoice", "show", number)
    assert figures(inv["totals"])["items"] == figures(show(so)["totals"])["items"]
    assert inv["totals"]["total"] == show(so)["totals"]["total"]


def test_quote_to_order_and_json_round_trip_keep_them():
    q = j("quote", "add", "--subject", "Q", "--account", "Café Müller", "--line", "WIDGET:3", "--allowance", "Opening:5%",
          "--charge", "Delivery:9.90")
    o = j("quote", "convert", "order", q["number"])
    assert figures(show(o["number"])["totals"]) == figures(q["totals"])
    copy = ok("order", "add", "--from-json", "-", "--json", stdin=ok("order", "show", o["number"], "--json").out).json()
    copied = j("order", "show", copy["last"]) if "last" in copy else show(copy["number"])
    assert figures(copied["totals"]) == figures(show(o["number"])["totals"])
    assert copied["totals"]["allowances_charges"][0]["value"] == "5%"  # the percent stays a percent


def test_order_edit_replaces_and_removes_them_until_invoiced():
    so = order_with("--allowance", "Loyalty:5%")["number"]
    edited = j("order", "edit", so, "--charge", "Packing:12.50")
    assert figures(edited["totals"])["items"] == [("charge", "Packing", "12.50", "VAT20")]
    cleared = j("order", "edit", so, "--no-allowances")
    assert cleared["totals"]["allowances_charges"] == [] and cleared["totals"]["total"] == show(so)["totals"]["total"]
    j("order", "edit", so, "--allowance", "Loyalty:5%")
    invoice(so, "--line", "1:1")
    before = db_content()
    r = refused("order", "edit", so, "--allowance", "Loyalty:10%", code=1)
    assert "allowances and charges" in r.err and r.err.count("\n") == 1
    assert db_content() == before


@pytest.mark.parametrize("option, value, message", [
    ("--allowance", "Loyalty", "expected REASON:AMOUNT"),
    ("--allowance", ":5%", "reason is required"),
    ("--allowance", "Loyalty:abc", "Loyalty"),
    ("--allowance", "Loyalty:-5.00", "negative"),
    ("--allowance", "Loyalty:150%", "100"),
    ("--allowance", "Loyalty:5.00:NOPE", "unknown tax 'NOPE'"),
    ("--allowance", "Too much:200.00:VAT20", "below zero"),
    ("--charge", "Packing:0.00", "more than 0.00"),
    ("--allowance", "Loyalty:5.001", "Loyalty"),
    ("--allowance", "Loyalty [FC]:5%", "'FC' is not an allowance code of UNTDID 5189"),
    ("--allowance", "Loyalty [999]:5%", "'999' is not an allowance code"),
    ("--charge", "Packing [95]:5.00", "'95' is not a charge code of UNTDID 7161"),
    ("--charge", "[FC]:5.00", "a reason is required before its code [FC]"),
])
def test_bad_allowances_are_refused_and_nothing_is_stored(option, value, message):
    before = db_content()
    r = refused("order", "add", "--subject", "Bad", "--account", "Café Müller", "--line", "WIDGET:10", option, value, code=1)
    assert r.err.startswith("error:") and message in r.err and r.err.count("\n") == 1, r.err
    assert db_content() == before


def test_reason_codes_in_brackets_after_the_reason():
    o = order_with("--allowance", "Loyalty [95]:5%", "--charge", "Freight [FC]:10.00", "--charge", "Packing:2.00")
    items = [(c["kind"], c["reason"], c["reason_code"]) for c in o["totals"]["allowances_charges"]]
    assert items == [("allowance", "Loyalty", "95"), ("charge", "Freight", "FC"), ("charge", "Packing", None)]
    # kept through the JSON round trip, and checked there too
    shown = ok("order", "show", o["number"], "--json").out
    again = ok("order", "add", "--from-json", "-", "--json", stdin=shown).json()
    assert again["imported"] == 1
    latest = ok("order", "list", "--json").json()[0]["number"]
    assert [(c["reason"], c["reason_code"]) for c in show(latest)["totals"]["allowances_charges"]] == [
        ("Loyalty", "95"), ("Freight", "FC"), ("Packing", None)]
    before = db_content()
    bad = shown.replace('"reason_code": "95"', '"reason_code": "FC"')
    r = refused("order", "add", "--from-json", "-", stdin=bad, code=1)
    assert "'FC' is not an allowance code of UNTDID 5189" in r.err and r.err.count("\n") == 1
    assert db_content() == before


def test_a_finalized_order_keeps_its_allowances():
    so = order_with("--allowance", "Loyalty:5%")["number"]
    ok("order", "finalize", so, "--yes")
    before = db_content()
    refused("order", "edit", so, "--no-allowances", code=1)
    assert db_content() == before


def test_the_invoice_states_its_delivery_date():
    """EN 16931 BT-72: --delivery-date, else the order's latest delivery note; refused when not a date."""
    so = order_with()["number"]
    first = invoice(so, "--line", "1:1")
    assert first["delivery_date"] is None  # nothing delivered, nothing said
    ok("order", "convert", "delivery", so, "--line", "1:2", "--date", "2026-11-20")
    second = invoice(so, "--line", "1:1")
    assert second["delivery_date"] == "2026-11-20"
    third = invoice(so, "--line", "1:1", "--delivery-date", "2026-11-25")
    assert third["delivery_date"] == "2026-11-25" == j("invoice", "show", third["number"])["delivery_date"]
    before = db_content()
    r = refused("order", "convert", "invoice", so, "--delivery-date", "25/11/2026", code=1)
    assert "--delivery-date" in r.err and r.err.count("\n") == 1
    assert db_content() == before
