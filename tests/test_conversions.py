"""Order conversions (SPEC.md §3, CLI.md `order convert`): invoices, delivery notes,
purchase orders, their JSON shapes, progress on the order, and every refusal.

All through the CLI in-process, on a small catalog: two taxes (shipping taxed at
VAT20), two vendors, products with purchase costs, one product without vendor, a service.
"""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

import partial_steps
import pytest
from conftest import clone_db, db_content, ok, raw_connect, refused

S = {"category": "S", "exemption_reason": None, "exemption_code": None}  # a standard-rated breakdown entry


D = Decimal
SHIP = {"street": "9 quai des Bateliers", "city": "Lyon", "postal_code": "69002", "state": "", "country": "FR"}
BILL = {"street": "1 rue de la Paix", "city": "Paris", "postal_code": "75002", "state": "", "country": "FR"}
TODAY = "2026-11-28"


def build_catalog():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("vendor", "add", "Acme", "--email", "sales@acme.example")
    ok("vendor", "add", "Lefèvre")
    ok(
        "account", "add", "Café Müller",
        "--billing-street", BILL["street"], "--billing-city", BILL["city"], "--billing-postal-code", BILL["postal_code"],
        "--billing-country", "FR",
        "--shipping-street", SHIP["street"], "--shipping-city", SHIP["city"], "--shipping-postal-code", SHIP["postal_code"],
        "--shipping-country", "FR",
    )
    ok("account", "add", "Other")
    ok("product", "add", "WIDGET", "--name", "Widget", "--price", "10", "--tax", "VAT20", "--vendor", "Acme", "--cost", "4.50")
    ok("product", "add", "GADGET", "--name", "Gadget", "--price", "7.25", "--tax", "VAT20", "--vendor", "Acme", "--cost", "3.1")
    ok("product", "add", "BOOK", "--name", "Livre", "--price", "19.99", "--tax", "VAT5.5", "--vendor", "Lefèvre", "--cost", "9.50")
    ok("product", "add", "LOOSE", "--name", "Loose part", "--price", "3", "--tax", "VAT20")
    ok("product", "add", "CONSULT", "--name", "Conseil", "--price", "120", "--tax", "VAT20", "--service")


@pytest.fixture
def catalog(db_template, isolated):
    """The catalog built once per session (a dozen commands), copied for each test; shipping
    taxed at VAT20 (a setting: the copy gets its own settings file)."""
    from orders_cli import store

    clone_db(db_template("conversions-catalog", build_catalog))
    ok("config", "set", "charges.tax", "VAT20")
    yield True
    store.dispose_all()


def j(*args) -> dict | list:
    return ok(*args, "--json").json()


STD_LINES = ("WIDGET:3::10%", "BOOK:2.5", "LOOSE:1", "CONSULT:1.5")


def make_order(*lines: str, account: str = "Café Müller", discount: str | None = "5%", shipping: str | None = "12.00",
               adjustment: str | None = "-0.01", extra: tuple = ()) -> dict:
    args = ["order", "add", "--subject", "Fit-out", "--account", account]
    for ln in lines or STD_LINES:
        args += ["--line", ln]
    if discount:
        args += ["--discount", discount]
    if shipping:
        args += ["--shipping-charge", shipping]
    if adjustment:
        args += ["--adjustment", adjustment]
    return j(*args, *extra)


def show(order: str) -> dict:
    return j("order", "show", order)


def invoice(order: str, *args: str) -> dict:
    return j("order", "convert", "invoice", order, *args)


# ---------------------------------------------------------------- checking sums

SCALARS = ("subtotal", "discount", "shipping", "tax", "adjustment", "total")


def totals_of(t: dict) -> dict:
    out = {k: D(t[k]) for k in SCALARS}
    out["breakdown"] = {(b["name"], D(b["rate"])): (D(b["base"]), D(b["amount"])) for b in t["tax_breakdown"]}
    return out


def add_up(totals: list[dict]) -> dict:
    return partial_steps.add_up(map(totals_of, totals))


def nonzero(t: dict) -> dict:
    return {**t, "breakdown": {k: v for k, v in t["breakdown"].items() if v != (0, 0)}}


def assert_consistent(doc: dict) -> None:
    """A document's printed numbers add up: lines to subtotal, parts to total, breakdown to tax."""
    t = totals_of(doc["totals"])
    assert sum((D(ln["net"]) for ln in doc["lines"]), D(0)) == t["subtotal"], doc
    assert t["subtotal"] - t["discount"] + t["shipping"] + t["tax"] + t["adjustment"] == t["total"], doc
    assert sum((a for _, a in t["breakdown"].values()), D(0)) == t["tax"], doc
    for v in doc["totals"].values():
        if isinstance(v, str):
            assert v == f"{D(v):.2f}"  # money as 2-place strings


def order_invoices(order: str, with_cancelled: bool = False) -> list[dict]:
    rows = j("invoice", "list", "--order", order)
    docs = [j("invoice", "show", r["number"]) for r in rows]
    return [d for d in docs if with_cancelled or d["status"] != "cancelled"]


def assert_invoices_add_up_to_order(order: str) -> list[dict]:
    o = show(order)
    invs = order_invoices(order)
    assert invs
    for inv in invs:
        assert_consistent(inv)
    assert add_up([i["totals"] for i in invs]) == nonzero(totals_of(o["totals"]))
    for ln in o["lines"]:
        assert ln["invoiced_quantity"] == ln["quantity"]
        got = sum((D(il["quantity"]) for i in invs for il in i["lines"] if il["line_no"] == ln["line_no"]), D(0))
        assert got == D(ln["quantity"])
        nets = sum((D(il["net"]) for i in invs for il in i["lines"] if il["line_no"] == ln["line_no"]), D(0))
        assert nets == D(ln["net"]), f"line {ln['line_no']}: invoiced nets {nets} != order net {ln['net']}"
    assert o["progress"]["invoiced_percent"] == "100"
    assert o["progress"]["invoiced_amount"] == o["totals"]["total"]
    return invs


def half_up(x: Decimal) -> Decimal:
    return x.quantize(D("0.01"), rounding=ROUND_HALF_UP)


# ================================================================ order -> invoice


def test_default_invoice_takes_everything(catalog):
    o = make_order()
    assert o["totals"]["tax_breakdown"][0]["name"] == "VAT5.5"
    inv = invoice(o["number"])
    assert inv["number"] == "INV-00001"
    assert inv["order"] == o["number"]
    assert inv["invoice_date"] == TODAY and inv["due_date"] == "2026-12-28"
    assert [(ln["line_no"], ln["sku"], ln["quantity"], ln["net"]) for ln in inv["lines"]] == [
        (ln["line_no"], ln["sku"], ln["quantity"], ln["net"]) for ln in o["lines"]
    ]
    assert inv["totals"] == o["totals"]
    assert_consistent(inv)
    assert_invoices_add_up_to_order(o["number"])
    after = show(o["number"])
    assert [ln["invoiced_quantity"] for ln in after["lines"]] == ["3", "2.5", "1", "1.5"]
    assert [i["number"] for i in after["related"]["invoices"]] == ["INV-00001"]
    # nothing left: refused, nothing written, no number burnt
    before = db_content()
    r = refused("order", "convert", "invoice", o["number"], "--json", error_code="over_quantity")
    assert "nothing left" in r.err
    assert db_content() == before


def test_percent_30_then_70(catalog):
    o = make_order()
    first = invoice(o["number"], "--percent", "30")
    assert first["percent"] == "30"
    assert [ln["quantity"] for ln in first["lines"]] == ["0.9", "0.75", "0.3", "0.45"]
    assert [ln["net"] for ln in first["lines"]] == ["8.10", "14.99", "0.90", "54.00"]
    assert first["totals"] == {
        "subtotal": "77.99", "discount": "3.90", "shipping": "12.00", "tax": "15.15", "adjustment": "-0.01", "total": "101.23",
        "tax_breakdown": [
            {"name": "VAT5.5", "rate": "5.5", "base": "14.24", "amount": "0.78", "category": "S", "exemption_reason": None, "exemption_code": None},
            {"name": "VAT20", "rate": "20", "base": "71.85", "amount": "14.37", "category": "S", "exemption_reason": None, "exemption_code": None},
        ],
        "allowances": "0.00", "charges": "0.00", "allowances_charges": [],
    }
    mid = show(o["number"])
    assert [ln["invoiced_quantity"] for ln in mid["lines"]] == ["0.9", "0.75", "0.3", "0.45"]
    assert mid["progress"]["invoiced_percent"] == "30"
    assert mid["progress"]["invoiced_amount"] == "101.23"
    # 80 % no longer fits
    before = db_content()
    refused("order", "convert", "invoice", o["number"], "--percent", "80", "--json", error_code="over_quantity")
    assert db_content() == before
    last = invoice(o["number"], "--percent", "70")
    assert last["number"] == "INV-00002"
    assert [ln["quantity"] for ln in last["lines"]] == ["2.1", "1.75", "0.7", "1.05"]
    assert last["totals"]["shipping"] == "0.00" and last["totals"]["adjustment"] == "0.00"
    assert D(last["totals"]["discount"]) > 0  # a percent discount applies to every invoice
    assert_invoices_add_up_to_order(o["number"])


def test_line_parts_then_the_rest(catalog):
    o = make_order()
    a = invoice(o["number"], "--line", "1:1")
    assert [(ln["line_no"], ln["sku"], ln["quantity"], ln["net"]) for ln in a["lines"]] == [(1, "WIDGET", "1", "9.00")]
    assert a["totals"]["shipping"] == "12.00"  # the first invoice carries the shipping charge
    b = invoice(o["number"], "--line", "1:1", "--line", "2:1.5", "--line", "1:0.5")
    assert [(ln["line_no"], ln["quantity"]) for ln in b["lines"]] == [(1, "1.5"), (2, "1.5")]
    assert b["totals"]["shipping"] == "0.00" and b["totals"]["adjustment"] == "0.00"
    mid = show(o["number"])
    assert [ln["invoiced_quantity"] for ln in mid["lines"]] == ["2.5", "1.5", "0", "0"]
    assert D(mid["progress"]["invoiced_amount"]) == D(a["totals"]["total"]) + D(b["totals"]["total"])
    assert D("0") < D(mid["progress"]["invoiced_percent"]) < D("100")
    c = invoice(o["number"])  # the rest
    assert [(ln["line_no"], ln["quantity"]) for ln in c["lines"]] == [(1, "0.5"), (2, "1"), (3, "1"), (4, "1.5")]
    assert [x["number"] for x in (a, b, c)] == ["INV-00001", "INV-00002", "INV-00003"]
    assert_invoices_add_up_to_order(o["number"])


def test_thirds_of_a_line_still_add_up(catalog):
    """A line invoiced in three thirds before the last invoice: its parts add up to its net."""
    o = make_order("WIDGET:3:3.3333", "BOOK:1", discount="7%", shipping="5.00", adjustment=None)
    for _ in range(3):
        assert_consistent(invoice(o["number"], "--line", "1:1"))
    assert_consistent(invoice(o["number"]))
    assert_invoices_add_up_to_order(o["number"])


def test_several_steps_mixed(catalog):
    o = make_order("WIDGET:7", "GADGET:3.5::1.30", "BOOK:2.5::5%", "CONSULT:0.75", discount="3.5%", shipping="9.90", adjustment="0.03")
    invoice(o["number"], "--percent", "12.5")
    invoice(o["number"], "--line", "2:1", "--line", "4:0.25")
    invoice(o["number"], "--percent", "33.33")
    invoice(o["number"], "--line", "1:0.001")
    last = invoice(o["number"])
    assert last["number"] == "INV-00005"
    invs = assert_invoices_add_up_to_order(o["number"])
    assert [i["totals"]["shipping"] for i in invs] == ["0.00", "0.00", "0.00", "0.00", "9.90"]  # newest first


def test_amount_discount_shared_by_subtotal(catalog):
    o = make_order(discount="20.00")
    assert o["totals"]["discount"] == "20.00"
    first = invoice(o["number"], "--percent", "50")
    assert first["totals"]["discount"] == "10.00"
    assert first["totals"]["shipping"] == "12.00"
    second = invoice(o["number"], "--percent", "25")
    assert second["totals"]["discount"] == "5.00" and second["totals"]["shipping"] == "0.00"
    third = invoice(o["number"])
    assert third["totals"]["discount"] == "5.00"
    assert_invoices_add_up_to_order(o["number"])


def test_amount_discount_larger_than_the_first_invoice(catalog):
    o = make_order(discount="100.00")
    first = invoice(o["number"], "--line", "3:1")  # 3.00 of LOOSE
    assert D(first["totals"]["discount"]) <= D("3.00")  # its share, never more than its subtotal
    assert D(first["totals"]["total"]) >= 0
    invoice(o["number"], "--line", "1:1")
    invoice(o["number"])
    assert_invoices_add_up_to_order(o["number"])


def test_percent_discount_on_every_invoice(catalog):
    o = make_order(discount="10%", shipping=None, adjustment=None)
    first = invoice(o["number"], "--percent", "40")
    assert D(first["totals"]["discount"]) == half_up(D(first["totals"]["subtotal"]) / 10)
    second = invoice(o["number"], "--line", "4:0.5")
    assert D(second["totals"]["discount"]) == half_up(D(second["totals"]["subtotal"]) / 10)
    last = invoice(o["number"])
    assert D(last["totals"]["discount"]) > 0
    assert_invoices_add_up_to_order(o["number"])


def test_invoice_date_and_due_days(catalog):
    o = make_order()
    inv = invoice(o["number"], "--percent", "10", "--date", "2026-11-01")
    assert (inv["invoice_date"], inv["due_date"]) == ("2026-11-01", "2026-12-01")
    ok("config", "set", "invoice.due_days", "45")
    inv = invoice(o["number"], "--percent", "10", "--date", "2026-11-20")
    assert (inv["invoice_date"], inv["due_date"], inv["due_days"]) == ("2026-11-20", "2027-01-04", 45)
    inv = invoice(o["number"], "--percent", "10")
    assert inv["due_date"] == (date(2026, 11, 28) + timedelta(days=45)).isoformat()
    # after today only when asked (and then the next one cannot be dated before it)
    refused("order", "convert", "invoice", o["number"], "--percent", "10", "--date", "2026-12-20", "--json", error_code="invalid")
    inv = invoice(o["number"], "--percent", "10", "--date", "2026-12-20", "--allow-future")
    assert (inv["invoice_date"], inv["due_date"]) == ("2026-12-20", "2027-02-03")
    before = db_content()
    refused("order", "convert", "invoice", o["number"], "--date", "2026-13-01", "--json", error_code="invalid")
    assert db_content() == before


def test_invoice_keeps_its_lines_when_the_order_is_edited(catalog):
    o = make_order()
    inv = invoice(o["number"], "--percent", "50")
    # (its prices and amounts are locked once invoiced: test_edits_after_invoicing_*; these may change)
    ok("order", "line", "edit", o["number"], "1", "--qty", "4")
    ok("order", "edit", o["number"], "--subject", "Changed")
    ok("order", "line", "add", o["number"], "--line", "GADGET:2")
    assert j("invoice", "show", "INV-00001") == inv
    # the remainder follows the edited order, and still adds up
    invoice(o["number"])
    edited = show(o["number"])
    assert edited["subject"] == "Changed"
    invs = order_invoices(o["number"])
    assert add_up([i["totals"] for i in invs]) == nonzero(totals_of(edited["totals"]))
    assert [ln["invoiced_quantity"] for ln in edited["lines"]] == [ln["quantity"] for ln in edited["lines"]]
    assert j("invoice", "show", "INV-00001") == inv


def test_a_finalized_order_still_converts(catalog):
    o = make_order()
    ok("order", "finalize", o["number"], "--yes")
    assert invoice(o["number"], "--percent", "50")["number"] == "INV-00001"
    assert j("order", "convert", "delivery", o["number"])["number"] == "DN-00001"
    assert [p["number"] for p in j("order", "convert", "purchase", o["number"])] == ["PO-00001", "PO-00002"]
    invoice(o["number"])
    after = assert_invoices_add_up_to_order(o["number"])
    assert len(after) == 2
    s = show(o["number"])
    assert s["finalized"] is True
    assert [r["number"] for r in s["related"]["deliveries"]] == ["DN-00001"]


def test_invoice_show_json_shape(catalog):
    o = make_order()
    made = invoice(o["number"], "--line", "2:1", "--line", "4:0.5", "--date", "2026-11-30", "--allow-future")
    shown = j("invoice", "show", "INV-00001")
    assert shown == made
    assert j("invoice", "show", str(shown["id"])) == shown  # by id too
    for key in ("number", "order", "subject", "invoice_date", "due_date", "period_start", "period_end", "status", "lines", "totals"):
        assert key in shown
    assert shown["number"] == "INV-00001" and shown["order"] == o["number"] and shown["subject"] == "Fit-out"
    assert (shown["invoice_date"], shown["due_date"]) == ("2026-11-30", "2026-12-30")
    assert shown["period_start"] is None and shown["period_end"] is None
    assert shown["status"] == "created"
    assert shown["billing_address"] == BILL and shown["shipping_address"] == SHIP
    assert [{k: ln[k] for k in ("line_no", "sku", "quantity", "unit_price", "net")} for ln in shown["lines"]] == [
        {"line_no": 2, "sku": "BOOK", "quantity": "1", "unit_price": "19.99", "net": "19.99"},
        {"line_no": 4, "sku": "CONSULT", "quantity": "0.5", "unit_price": "120.00", "net": "60.00"},
    ]
    assert set(shown["totals"]) == {*SCALARS, "tax_breakdown", "allowances", "charges", "allowances_charges"}
    assert_consistent(shown)
    human = ok("invoice", "show", "INV-00001")
    assert "INV-00001" in human.out and "CONSULT" in human.out
    refused("invoice", "show", "INV-00009", "--json", error_code="not_found")


def test_invoice_list_filters_and_formats(catalog):
    a = make_order()["number"]
    b = make_order(account="Other")["number"]
    invoice(a, "--percent", "10", "--date", "2026-10-01")  # INV-00001
    invoice(b, "--percent", "10", "--date", "2026-11-15")  # INV-00002
    invoice(a, "--percent", "10", "--date", "2026-12-05", "--allow-future")  # INV-00003
    ok("invoice", "status", "INV-00002", "approved")

    def numbers(*args):
        return [r["number"] for r in j("invoice", "list", *args)]

    assert numbers() == ["INV-00003", "INV-00002", "INV-00001"]  # newest first
    assert numbers("--order", a) == ["INV-00003", "INV-00001"]
    assert numbers("--order", b) == ["INV-00002"]
    assert numbers("--status", "approved") == ["INV-00002"]
    assert numbers("--status", "created") == ["INV-00003", "INV-00001"]
    assert numbers("--since", "2026-11-01") == ["INV-00003", "INV-00002"]
    assert numbers("--until", "2026-11-15") == ["INV-00002", "INV-00001"]
    assert numbers("--since", "2026-11-15", "--until", "2026-11-15") == ["INV-00002"]
    assert numbers("--order", a, "--since", "2026-12-01") == ["INV-00003"]
    assert numbers("--status", "paid") == []

    rows = j("invoice", "list")
    row = rows[-1]
    assert row["order"] == a and row["subject"] == "Fit-out" and row["status"] == "created"
    assert row["invoice_date"] == "2026-10-01" and row["due_date"] == "2026-10-31"
    assert row["period_start"] is None and row["period_end"] is None
    assert row["total"] == j("invoice", "show", "INV-00001")["totals"]["total"]

    jl = ok("invoice", "list", "--jsonl", "--order", a)
    assert jl.jsonl() == [r for r in rows if r["order"] == a]
    assert all(line.startswith("{") for line in jl.out.splitlines())
    parsed = list(csv.DictReader(io.StringIO(ok("invoice", "list", "--csv").out)))
    assert [p["number"] for p in parsed] == ["INV-00003", "INV-00002", "INV-00001"]
    assert parsed[1]["status"] == "approved" and parsed[1]["order"] == b
    assert parsed[0]["total"] == rows[0]["total"]

    refused("invoice", "list", "--order", "SO-00099", "--json", error_code="not_found")
    refused("invoice", "list", "--status", "bogus", "--json", error_code="invalid")
    refused("invoice", "list", "--since", "yesterday", "--json", error_code="invalid")


def test_invoice_status_transitions(catalog):
    o = make_order()
    invoice(o["number"], "--percent", "50")
    assert j("invoice", "status", "INV-00001", "approved")["status"] == "approved"
    assert j("invoice", "status", "INV-00001", "sent")["status"] == "sent"
    before = db_content()
    refused("invoice", "status", "INV-00001", "approved", "--json", error_code="invalid_transition")
    refused("invoice", "status", "INV-00001", "sent", "--json", error_code="invalid_transition")
    assert db_content() == before
    paid = j("invoice", "status", "INV-00001", "paid")
    assert paid["status"] == "paid"
    before = db_content()
    for status in ("created", "approved", "sent", "cancelled"):
        refused("invoice", "status", "INV-00001", status, "--json", error_code="invalid_transition")
    refused("invoice", "status", "INV-00001", "bogus", "--json", error_code="invalid")
    refused("invoice", "status", "INV-00404", "cancelled", "--json", error_code="not_found")
    assert db_content() == before
    shown = j("invoice", "show", "INV-00001")
    assert shown["status"] == "paid"
    assert {k: v for k, v in shown.items() if k != "status"} == {k: v for k, v in paid.items() if k != "status"}
    assert show(o["number"])["related"]["invoices"][0]["status"] == "paid"
    invoice(o["number"])
    r = ok("invoice", "status", "INV-00002", "approved")
    assert "INV-00002 is now approved" in r.out + r.err


def test_cancelled_invoice_quantities_become_invoiceable_again(catalog):
    o = make_order()
    first = invoice(o["number"], "--percent", "30")
    second = invoice(o["number"], "--percent", "30")
    ok("invoice", "status", first["number"], "cancelled")
    refused("invoice", "status", first["number"], "paid", "--json", error_code="invalid_transition")
    mid = show(o["number"])
    assert [ln["invoiced_quantity"] for ln in mid["lines"]] == [q["quantity"] for q in second["lines"]]
    assert mid["progress"]["invoiced_amount"] == second["totals"]["total"]
    assert [(i["number"], i["status"]) for i in mid["related"]["invoices"]] == [("INV-00001", "cancelled"), ("INV-00002", "created")]
    third = invoice(o["number"], "--percent", "70")
    assert third["number"] == "INV-00003"
    assert_invoices_add_up_to_order(o["number"])
    # the cancelled one is still there, unchanged but for its status and what it owes, and cites the credit note that cancelled it
    after = j("invoice", "show", "INV-00001")
    assert after["credit_notes"] == ["CN-00001"] and first["credit_notes"] == []
    moving = ("status", "credit_notes", "credited", "balance", "payment_state")
    assert {k: v for k, v in after.items() if k not in moving} == {k: v for k, v in first.items() if k not in moving}
    assert (after["credited"], after["balance"], after["payment_state"]) == (first["totals"]["total"], "0.00", "credited")
    credit = j("credit", "show", "CN-00001")
    assert credit["invoice"] == "INV-00001" and credit["totals"] == first["totals"]


def test_cancelled_last_invoice_then_invoice_again(catalog):
    o = make_order()
    invoice(o["number"], "--percent", "40")
    last = invoice(o["number"])
    ok("invoice", "status", last["number"], "cancelled")
    again = invoice(o["number"])
    assert again["totals"] == last["totals"]
    assert_invoices_add_up_to_order(o["number"])


def test_the_database_refuses_to_change_an_issued_invoice(catalog):
    o = make_order()
    invoice(o["number"], "--percent", "50")
    con = raw_connect()
    try:
        before = db_content()
        for sql in (
            "UPDATE invoice SET total = total + 100 WHERE number = 'INV-00001'",
            "UPDATE invoice SET subtotal = 0, tax_total = 0 WHERE number = 'INV-00001'",
            "UPDATE invoice SET due_date = '2030-01-01' WHERE number = 'INV-00001'",
            "UPDATE invoice_line SET net = 0",
            "DELETE FROM invoice_line",
            "DELETE FROM invoice",
        ):
            with pytest.raises(con.Error, match="locked"):
                con.execute(sql)
            con.rollback()
        assert db_content() == before
        con.execute("UPDATE invoice SET status = 'approved' WHERE number = 'INV-00001'")
        con.commit()
    finally:
        con.close()
    assert j("invoice", "show", "INV-00001")["status"] == "approved"


# ================================================================ order -> delivery


def test_delivery_default_is_every_remaining_product_line(catalog):
    o = make_order()
    dn = j("order", "convert", "delivery", o["number"], "--date", "2026-12-02")
    assert dn["number"] == "DN-00001" and dn["order"] == o["number"] and dn["date"] == "2026-12-02"
    assert [(ln["line_no"], ln["sku"], ln["quantity"]) for ln in dn["lines"]] == [(1, "WIDGET", "3"), (2, "BOOK", "2.5"), (3, "LOOSE", "1")]
    assert dn["ship_to"] == SHIP
    s = show(o["number"])
    assert [ln["delivered_quantity"] for ln in s["lines"]] == ["3", "2.5", "1", "0"]  # the service is never delivered
    assert s["progress"]["delivered_percent"] == "100"
    assert s["progress"]["invoiced_percent"] == "0"
    before = db_content()
    r = refused("order", "convert", "delivery", o["number"], "--json", error_code="over_quantity")
    assert "nothing left" in r.err
    assert db_content() == before


def test_delivery_parts_several_notes(catalog):
    o = make_order()
    a = j("order", "convert", "delivery", o["number"], "--line", "1:1", "--line", "2:0.5")
    assert [(ln["line_no"], ln["quantity"]) for ln in a["lines"]] == [(1, "1"), (2, "0.5")]
    s = show(o["number"])
    assert [ln["delivered_quantity"] for ln in s["lines"]] == ["1", "0.5", "0", "0"]
    assert D("0") < D(s["progress"]["delivered_percent"]) < D("100")
    before = db_content()
    r = refused("order", "convert", "delivery", o["number"], "--line", "1:2.5", "--json", error_code="over_quantity")
    assert "line 1" in r.err
    refused("order", "convert", "delivery", o["number"], "--line", "1:1", "--line", "1:1.5", "--json", error_code="over_quantity")
    refused("order", "convert", "delivery", o["number"], "--line", "4:1", "--json", error_code="invalid")  # a service
    refused("order", "convert", "delivery", o["number"], "--line", "9:1", "--json", error_code="not_found")
    refused("order", "convert", "delivery", o["number"], "--line", "1:0", "--json", error_code="invalid")
    refused("order", "convert", "delivery", o["number"], "--line", "1", "--json", error_code="invalid")
    assert db_content() == before
    b = j("order", "convert", "delivery", o["number"], "--line", "1:2")
    assert b["number"] == "DN-00002"
    c = j("order", "convert", "delivery", o["number"])
    assert [(ln["line_no"], ln["quantity"]) for ln in c["lines"]] == [(2, "2"), (3, "1")]
    s = show(o["number"])
    assert [ln["delivered_quantity"] for ln in s["lines"]] == ["3", "2.5", "1", "0"]
    assert s["progress"]["delivered_percent"] == "100"
    assert [d["number"] for d in s["related"]["deliveries"]] == ["DN-00001", "DN-00002", "DN-00003"]
    refused("order", "convert", "delivery", o["number"], "--line", "3:0.01", "--json", error_code="over_quantity")
    ok("order", "status", o["number"], "approved")
    ok("order", "status", o["number"], "delivered")  # the user decides


def test_delivery_show_and_list(catalog):
    a = make_order()["number"]
    b = make_order("GADGET:2", account="Other", discount=None)["number"]
    made = j("order", "convert", "delivery", a, "--line", "1:2", "--date", "2026-11-01")
    j("order", "convert", "delivery", b)
    j("order", "convert", "delivery", a)
    shown = j("delivery", "show", "DN-00001")
    assert shown == made
    assert {"number", "order", "date", "lines"} <= set(shown)
    assert shown["account"]["name"] == "Café Müller"
    assert shown["lines"] == [{"line_no": 1, "sku": "WIDGET", "description": "Widget", "quantity": "2"}]
    rows = j("delivery", "list")
    assert [r["number"] for r in rows] == ["DN-00003", "DN-00002", "DN-00001"]
    assert rows[-1]["order"] == a and rows[-1]["date"] == "2026-11-01"
    assert [r["number"] for r in j("delivery", "list", "--order", a)] == ["DN-00003", "DN-00001"]
    assert [r["number"] for r in ok("delivery", "list", "--jsonl").jsonl()] == ["DN-00003", "DN-00002", "DN-00001"]
    assert ok("delivery", "list", "--csv").out.splitlines()[0].startswith("number,")
    refused("delivery", "show", "DN-00404", "--json", error_code="not_found")


def test_a_services_only_order_is_never_delivered(catalog):
    o = make_order("CONSULT:2")
    before = db_content()
    refused("order", "convert", "delivery", o["number"], "--json", error_code="over_quantity")
    assert db_content() == before
    assert show(o["number"])["progress"]["delivered_percent"] == "0"


# ================================================================ order -> purchase orders


def test_purchase_one_per_vendor_at_cost(catalog):
    o = make_order("WIDGET:3::10%", "BOOK:2.5", "LOOSE:1", "CONSULT:1.5", "GADGET:2")
    r = ok("order", "convert", "purchase", o["number"], "--json")
    pos = r.json()
    assert "LOOSE" in r.err and "line 3" in r.err and "warning" in r.err  # lines without vendor are named
    assert "CONSULT" not in r.err  # a service is not purchased
    assert [(p["number"], p["vendor"]["name"]) for p in pos] == [("PO-00001", "Acme"), ("PO-00002", "Lefèvre")]
    acme, lef = pos
    assert acme["order"] == o["number"] and acme["ship_to"] == SHIP and lef["ship_to"] == SHIP
    assert [(ln["line_no"], ln["sku"], ln["quantity"], ln["unit_cost"], ln["net"]) for ln in acme["lines"]] == [
        (1, "WIDGET", "3", "4.50", "13.50"), (5, "GADGET", "2", "3.10", "6.20"),
    ]
    assert acme["totals"] == {"subtotal": "19.70", "tax": "3.94", "total": "23.64",
                              "tax_breakdown": [{"name": "VAT20", "rate": "20", "base": "19.70", "amount": "3.94", "category": "S", "exemption_reason": None, "exemption_code": None}]}
    assert [(ln["line_no"], ln["quantity"], ln["unit_cost"], ln["net"]) for ln in lef["lines"]] == [(2, "2.5", "9.50", "23.75")]
    assert lef["totals"]["total"] == "25.06"
    assert j("purchase", "show", "PO-00001") == acme
    assert j("purchase", "show", str(lef["id"])) == lef
    assert [(p["number"], p["vendor"], p["order"], p["total"]) for p in j("purchase", "list")] == [
        ("PO-00002", "Lefèvre", o["number"], "25.06"), ("PO-00001", "Acme", o["number"], "23.64"),
    ]
    assert [p["number"] for p in j("purchase", "list", "--vendor", "Acme")] == ["PO-00001"]
    assert [p["number"] for p in j("purchase", "list", "--order", o["number"])] == ["PO-00002", "PO-00001"]
    s = show(o["number"])
    assert [(p["number"], p["vendor"]) for p in s["related"]["purchase_orders"]] == [("PO-00001", "Acme"), ("PO-00002", "Lefèvre")]
    # the order itself is untouched
    assert s["totals"] == o["totals"] and s["lines"] == o["lines"]


def test_purchase_second_run_is_a_conflict_unless_lines_are_named(catalog):
    o = make_order()  # has LOOSE (no vendor) and a service besides the vendor lines
    ok("order", "convert", "purchase", o["number"])
    before = db_content()
    refused("order", "convert", "purchase", o["number"], "--json", error_code="conflict")
    assert db_content() == before
    again = j("order", "convert", "purchase", o["number"], "--line", "1")
    assert [(p["number"], p["vendor"]["name"], [ln["line_no"] for ln in p["lines"]]) for p in again] == [("PO-00003", "Acme", [1])]
    # a line added later is placed by a default run
    ok("order", "line", "add", o["number"], "--line", "GADGET:4")
    later = j("order", "convert", "purchase", o["number"])
    assert [(p["number"], [ln["sku"] for ln in p["lines"]]) for p in later] == [("PO-00004", ["GADGET"])]


def test_purchase_refusals(catalog):
    o = make_order("WIDGET:1", "LOOSE:2")
    n = make_order("LOOSE:2", "CONSULT:1")
    before = db_content()
    r = refused("order", "convert", "purchase", n["number"], "--json", error_code="invalid")  # nothing has a vendor
    assert "LOOSE" in r.err
    refused("order", "convert", "purchase", o["number"], "--line", "2", "--json", error_code="invalid")
    refused("order", "convert", "purchase", o["number"], "--line", "7", "--json", error_code="not_found")
    refused("order", "convert", "purchase", "SO-00404", "--json", error_code="not_found")
    refused("order", "convert", "purchase", o["number"], "--line", "x", code=2)  # not a line number: usage error
    assert db_content() == before
    assert j("order", "convert", "purchase", o["number"])[0]["number"] == "PO-00001"


# ================================================================ refusals: nothing written, no number burnt

REFUSALS = [
    ("more than remains", ["--line", "1:2.8"], "over_quantity"),
    ("more than remains, summed", ["--line", "2:1", "--line", "2:1.5"], "over_quantity"),
    ("percent too big for what remains", ["--percent", "95"], "over_quantity"),
    ("percent 0", ["--percent", "0"], "invalid"),
    ("percent 150", ["--percent", "150"], "invalid"),
    ("percent negative", ["--percent", "-10"], "invalid"),
    ("percent abc", ["--percent", "abc"], "invalid"),
    ("percent 3 places", ["--percent", "33.333"], "invalid"),
    ("no such line", ["--line", "9:1"], "not_found"),
    ("zero quantity", ["--line", "1:0"], "invalid"),
    ("bad part", ["--line", "WIDGET:1"], "invalid"),
    ("line and percent", ["--line", "1:1", "--percent", "10"], "invalid"),
    ("bad date", ["--date", "28/11/2026"], "invalid"),
]


@pytest.mark.parametrize("args,code", [(a, c) for _, a, c in REFUSALS], ids=[n for n, _, _ in REFUSALS])
def test_invoice_refusals_write_nothing_and_burn_no_number(catalog, args, code):
    o = make_order()
    assert invoice(o["number"], "--percent", "10")["number"] == "INV-00001"
    before = db_content()
    r = refused("order", "convert", "invoice", o["number"], *args, "--json", error_code=code)
    assert r.out == ""
    assert db_content() == before
    plain_r = refused("order", "convert", "invoice", o["number"], *args)
    assert plain_r.err.startswith("error: ")
    assert db_content() == before
    assert invoice(o["number"], "--line", "1:1")["number"] == "INV-00002"


def test_a_cancelled_order_does_not_convert(catalog):
    good = make_order()
    bad = make_order()
    assert invoice(good["number"], "--percent", "10")["number"] == "INV-00001"
    assert j("order", "convert", "delivery", good["number"], "--line", "1:1")["number"] == "DN-00001"
    assert j("order", "convert", "purchase", good["number"], "--line", "1")[0]["number"] == "PO-00001"
    ok("order", "status", bad["number"], "cancelled")
    before = db_content()
    for kind in ("invoice", "delivery", "purchase"):
        refused("order", "convert", kind, bad["number"], "--json", error_code="invalid")
    refused("order", "convert", "invoice", bad["number"], "--percent", "10", "--json", error_code="invalid")
    assert db_content() == before
    assert invoice(good["number"], "--percent", "10")["number"] == "INV-00002"
    assert j("order", "convert", "delivery", good["number"], "--line", "1:1")["number"] == "DN-00002"
    assert j("order", "convert", "purchase", good["number"], "--line", "1")[0]["number"] == "PO-00002"


def test_an_unknown_order_does_not_convert(catalog):
    good = make_order()
    before = db_content()
    for kind in ("invoice", "delivery", "purchase"):
        for ref in ("SO-00404", "404", "nonsense"):
            refused("order", "convert", kind, ref, "--json", error_code="not_found")
    assert db_content() == before
    assert invoice(good["number"])["number"] == "INV-00001"


def test_a_cancelled_order_keeps_its_invoices(catalog):
    o = make_order()
    invoice(o["number"], "--percent", "50")
    ok("order", "status", o["number"], "cancelled")
    assert j("invoice", "show", "INV-00001")["status"] == "created"
    assert [i["number"] for i in show(o["number"])["related"]["invoices"]] == ["INV-00001"]


def test_human_output_of_conversions(catalog):
    o = make_order()
    r = ok("order", "convert", "invoice", o["number"], "--percent", "50")
    assert "INV-00001" in r.out and "created INV-00001" in r.err
    r = ok("order", "convert", "delivery", o["number"])
    assert "DN-00001" in r.out and "created DN-00001" in r.err
    r = ok("order", "convert", "purchase", o["number"])
    assert "PO-00001" in r.out and "PO-00002" in r.out and "LOOSE" in r.err
    assert "Traceback" not in r.err


def test_percent_giving_too_many_decimal_places_is_refused_cleanly(catalog):
    o = make_order("WIDGET:0.12345678", "BOOK:1")
    before = db_content()
    r = refused("order", "convert", "invoice", o["number"], "--percent", "33.33", "--json", error_code="invalid")
    assert "line 1" in r.err
    assert db_content() == before
    assert invoice(o["number"], "--percent", "50")["number"] == "INV-00001"


def test_a_services_only_order_has_nothing_to_purchase(catalog):
    o = make_order("CONSULT:2")
    before = db_content()
    refused("order", "convert", "purchase", o["number"], "--json", error_code="invalid")
    assert db_content() == before


def test_a_fully_invoiced_line_cannot_be_repriced_so_invoices_stay_consistent(catalog):
    """Repricing a line whose every unit is invoiced would leave a difference no invoice line
    carries: refused (price and discount). A partly invoiced line's remainder carries a new
    price, and the order's other lines stay editable."""
    o = make_order("WIDGET:3", "CONSULT:1", discount=None, shipping=None, adjustment=None)
    invoice(o["number"], "--line", "1:3")
    before = db_content()
    for args in (["--price", "12"], ["--discount", "10%"], ["--qty", "3", "--price", "12"]):
        r = refused("order", "line", "edit", o["number"], "1", *args, code=1)
        assert "fully invoiced" in r.err
        assert db_content() == before
    ok("order", "line", "edit", o["number"], "2", "--price", "99")
    assert_consistent(invoice(o["number"]))
    assert_invoices_add_up_to_order(o["number"])


def test_a_line_completed_before_the_last_invoice_keeps_its_net(catalog):
    """Found by the property test: 0.33 invoiced in halves (0.17 + 0.17) while another line stays open."""
    o = make_order("GADGET:1:0.33", "LOOSE:1", discount=None, shipping=None, adjustment=None)
    assert invoice(o["number"], "--line", "1:0.5")["lines"][0]["net"] == "0.17"
    assert invoice(o["number"], "--line", "1:0.5")["lines"][0]["net"] == "0.16"  # the last part takes what is left
    assert_consistent(invoice(o["number"]))
    assert_invoices_add_up_to_order(o["number"])
