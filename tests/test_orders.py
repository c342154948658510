"""Orders and quotes through the CLI (SPEC.md §2, CLI.md): totals, JSON shape, addresses,
lists, edits, lifecycle, finalize lock (also in the database), numbering, duplicate, quotes,
and every refusal changing nothing."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from datetime import date, datetime
from decimal import Decimal

import pytest
from conftest import clone_db, db_content, ok, raw_connect, refused, run

S = {"category": "S", "exemption_reason": None, "exemption_code": None}  # a standard-rated breakdown entry


ADDR_KEYS = ["street", "city", "postal_code", "state", "country"]


@pytest.fixture(autouse=True, scope="module")
def fast_cli():
    """Typer rebuilds its click command tree on every call (~90 ms of an in-process call; a real
    process pays it once). Build it once per module so the suite stays fast."""
    import typer.main

    real = typer.main.get_command
    built: dict[int, object] = {}

    def cached(typer_instance):
        key = id(typer_instance)
        if key not in built:
            built[key] = real(typer_instance)
        return built[key]

    mp = pytest.MonkeyPatch()
    mp.setattr(typer.main, "get_command", cached)
    yield
    mp.undo()


def build_catalog() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("account", "add", "Acme", "--email", "buy@acme.test",
       "--billing-street", "1 rue de la Paix", "--billing-city", "Paris", "--billing-postal-code", "75002",
       "--billing-country", "FR")
    ok("account", "add", "Reunion Co", "--tax-region", "overseas",
       "--billing-street", "2 rue du Port", "--billing-city", "Saint-Denis", "--billing-postal-code", "97400",
       "--billing-country", "RE")
    ok("contact", "add", "Jane Doe", "--account", "Acme")
    ok("contact", "add", "Bob Roe", "--account", "Reunion Co")
    ok("user", "add", "Alice")
    ok("vendor", "add", "Paper Inc")
    ok("product", "add", "BOOK", "--name", "Book", "--price", "19.99", "--tax", "VAT5.5", "--vendor", "Paper Inc", "--cost", "9.00")
    ok("product", "add", "CONSULT", "--name", "Consulting", "--price", "120.00", "--tax", "VAT20", "--service", "--unit", "h")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "8.50", "--tax", "VAT20")
    ok("product", "add", "GIFT", "--name", "Gift card", "--price", "25.00")  # no tax


@pytest.fixture(scope="session")
def catalog_template(db_template):
    """The catalog built once (migrations and a dozen commands cost ~1 s); each test gets a copy."""
    return db_template("orders-catalog", build_catalog)


@pytest.fixture
def catalog(catalog_template, isolated):
    """Taxes VAT20 (overseas 8.5) and VAT5.5; accounts Acme and Reunion Co (overseas); contacts,
    a user, a vendor; products BOOK 19.99 VAT5.5, CONSULT 120.00 VAT20 service, MUG 8.50 VAT20, GIFT untaxed."""
    from orders_cli import store

    clone_db(catalog_template)
    yield True
    store.dispose_all()


def add(*args: str) -> dict:
    return ok("order", "add", "--json", *args).json()


def show(ref: str) -> dict:
    return ok("order", "show", ref, "--json").json()


def worked(**kw) -> dict:
    extra = [x for k, v in kw.items() for x in (f"--{k.replace('_', '-')}", v)]
    return add("--subject", "Spring restock", "--account", "Acme", "--line", "BOOK:3", "--line", "CONSULT:1:120.00:15%", *extra)


def refused_unchanged(*args: str, code: int = 1, stdin: str | None = None, error_code: str | None = None):
    """Refused, one error line, no traceback, and the database exactly as before."""
    before = db_content()
    r = refused(*args, code=code, stdin=stdin, error_code=error_code)
    assert db_content() == before
    return r


def next_number_is(expected: str) -> None:
    """A refused command burnt no number: the next success gets ``expected``."""
    assert add("--subject", "next", "--account", "Acme", "--line", "MUG:1")["number"] == expected


# ---------------------------------------------------------------- totals


def test_worked_example(catalog):
    o = worked()
    t = o["totals"]
    assert [ln["net"] for ln in o["lines"]] == ["59.97", "102.00"]
    assert t["subtotal"] == "161.97"
    assert t["tax"] == "23.70"
    assert t["total"] == "185.67"
    assert [(b["name"], b["rate"], b["base"], b["amount"]) for b in t["tax_breakdown"]] == [
        ("VAT5.5", "5.5", "59.97", "3.30"),
        ("VAT20", "20", "102.00", "20.40"),
    ]
    assert show(o["number"])["totals"] == t


def test_regional_rate_for_overseas_account(catalog):
    o = add("--subject", "s", "--account", "Reunion Co", "--line", "CONSULT:1", "--line", "MUG:2")
    assert o["lines"][0]["taxes"] == [{"name": "VAT20", "rate": "8.5", "category": "S", "exemption_reason": None, "exemption_code": None}]
    assert o["totals"]["tax_breakdown"] == [{"name": "VAT20", "rate": "8.5", "base": "137.00", "amount": "11.65", **S}]
    assert o["totals"]["total"] == "148.65"
    # the mainland account still gets the default rate
    assert add("--subject", "s", "--account", "Acme", "--line", "CONSULT:1")["totals"]["tax"] == "24.00"


def test_shipping_untaxed_by_default_and_taxed_with_charges_tax(catalog):
    o = add("--subject", "s", "--account", "Acme", "--line", "MUG:2", "--shipping-charge", "10.00")
    assert o["totals"]["tax_breakdown"] == [{"name": "VAT20", "rate": "20", "base": "17.00", "amount": "3.40", **S}]
    assert o["totals"]["total"] == "30.40"
    ok("config", "set", "charges.tax", "VAT20")
    o = add("--subject", "s", "--account", "Acme", "--line", "MUG:2", "--shipping-charge", "10.00")
    assert o["totals"]["shipping"] == "10.00"
    assert o["totals"]["tax_breakdown"] == [{"name": "VAT20", "rate": "20", "base": "27.00", "amount": "5.40", **S}]
    assert o["totals"]["total"] == "32.40"
    # an order with only untaxed lines still taxes its shipping
    o = add("--subject", "s", "--account", "Acme", "--line", "GIFT:1", "--shipping-charge", "5.00")
    assert o["totals"]["tax_breakdown"] == [{"name": "VAT20", "rate": "20", "base": "5.00", "amount": "1.00", **S}]
    assert o["totals"]["total"] == "31.00"
    # overseas: the charge tax at the regional rate
    o = add("--subject", "s", "--account", "Reunion Co", "--line", "GIFT:1", "--shipping-charge", "10.00")
    assert o["totals"]["tax_breakdown"] == [{"name": "VAT20", "rate": "8.5", "base": "10.00", "amount": "0.85", **S}]


def test_overall_discount_percent_is_shared_across_rates(catalog):
    t = worked(discount="10%")["totals"]
    assert t["discount"] == "16.20"
    # shares 6.00 / 10.20 in proportion to the nets 59.97 / 102.00
    assert [(b["base"], b["amount"]) for b in t["tax_breakdown"]] == [("53.97", "2.97"), ("91.80", "18.36")]
    assert t["tax"] == "21.33"
    assert t["total"] == "167.10"


def test_overall_discount_amount(catalog):
    o = worked(discount="10.00")
    t = o["totals"]
    assert o["discount"] == "10.00"
    assert t["discount"] == "10.00"
    assert [(b["base"], b["amount"]) for b in t["tax_breakdown"]] == [("56.27", "3.09"), ("95.70", "19.14")]
    assert t["tax"] == "22.23"
    assert t["total"] == "174.20"


def test_negative_adjustment(catalog):
    t = worked(adjustment="-0.67")["totals"]
    assert t["adjustment"] == "-0.67"
    assert t["total"] == "185.00"


def test_fractional_quantity_and_four_place_price(catalog):
    o = add("--subject", "s", "--account", "Acme", "--line", "CONSULT:2.5:99.9999", "--line", "MUG:3::1.50")
    assert o["lines"][0]["quantity"] == "2.5"
    assert o["lines"][0]["unit_price"] == "99.9999"
    assert o["lines"][0]["net"] == "250.00"  # 249.99975 half-up
    assert o["lines"][1]["discount"] == "1.50"
    assert o["lines"][1]["net"] == "24.00"


# ---------------------------------------------------------------- JSON shape


def _is_money(s):
    return isinstance(s, str) and Decimal(s) == Decimal(s).quantize(Decimal("0.01")) and "." in s and len(s.split(".")[1]) == 2


def _is_decimal_text(s):
    if not isinstance(s, str):
        return False
    d = Decimal(s)
    return d.is_finite()


def _is_date(s):
    return isinstance(s, str) and len(s) == 10 and date.fromisoformat(s).isoformat() == s


def test_order_show_json_shape(catalog):
    ok("order", "add", "--subject", "Shape", "--account", "Acme", "--contact", "Jane Doe", "--assigned-to", "Alice",
       "--customer-ref", "PO-77", "--line", "BOOK:3", "--line", "CONSULT:1.5:120.00:15%", "--shipping-charge", "4.00",
       "--discount", "5%", "--adjustment", "-0.10")
    o = show("SO-00001")
    for key in ["id", "number", "subject", "status", "finalized", "order_date", "currency", "account", "contact", "quote",
                "customer_ref", "assigned_to", "billing_address", "shipping_address", "lines", "totals", "progress",
                "recurrence", "related"]:
        assert key in o, key
    assert isinstance(o["id"], int) and o["id"] == 1
    assert o["number"] == "SO-00001"
    assert o["subject"] == "Shape"
    assert o["status"] == "created"
    assert o["finalized"] is False
    assert _is_date(o["order_date"]) and o["order_date"] == "2026-11-28"
    assert o["currency"] == "EUR"
    assert o["account"] == {"id": 1, "name": "Acme"}
    assert o["contact"]["name"] == "Jane Doe" and isinstance(o["contact"]["id"], int)
    assert o["assigned_to"]["name"] == "Alice" and isinstance(o["assigned_to"]["id"], int)
    assert o["quote"] is None
    assert o["customer_ref"] == "PO-77"
    for which in ("billing_address", "shipping_address"):
        assert list(o[which]) == ADDR_KEYS
        assert all(isinstance(v, str) for v in o[which].values())
    assert o["billing_address"] == {"street": "1 rue de la Paix", "city": "Paris", "postal_code": "75002", "state": "", "country": "FR"}
    assert o["shipping_address"] == o["billing_address"]
    assert [ln["line_no"] for ln in o["lines"]] == [1, 2]
    for ln in o["lines"]:
        for key in ["line_no", "sku", "description", "quantity", "unit_price", "discount", "net", "taxes",
                    "delivered_quantity", "invoiced_quantity"]:
            assert key in ln, key
        assert isinstance(ln["line_no"], int)
        assert isinstance(ln["sku"], str) and isinstance(ln["description"], str)
        for key in ("quantity", "unit_price", "delivered_quantity", "invoiced_quantity"):
            assert _is_decimal_text(ln[key]), (key, ln[key])
        assert _is_money(ln["net"])
        assert ln["discount"] is None or isinstance(ln["discount"], str)
        for tax in ln["taxes"]:
            assert set(tax) == {"name", "rate", "category", "exemption_reason", "exemption_code"} and isinstance(tax["rate"], str)
    l1, l2 = o["lines"]
    assert (l1["sku"], l1["description"], l1["quantity"], l1["unit_price"], l1["discount"], l1["net"]) == ("BOOK", "Book", "3", "19.99", None, "59.97")
    assert (l2["quantity"], l2["discount"], l2["net"], l2["taxes"]) == ("1.5", "15%", "153.00", [{"name": "VAT20", "rate": "20", **S}])
    assert (l1["delivered_quantity"], l1["invoiced_quantity"]) == ("0", "0")
    t = o["totals"]
    for key in ["subtotal", "discount", "shipping", "tax", "adjustment", "total"]:
        assert _is_money(t[key]), (key, t[key])
    assert t["adjustment"] == "-0.10" and t["shipping"] == "4.00"
    for b in t["tax_breakdown"]:
        assert set(b) >= {"name", "rate", "base", "amount"}
        assert isinstance(b["rate"], str) and _is_money(b["base"]) and _is_money(b["amount"])
    assert set(o["progress"]) >= {"delivered_percent", "invoiced_percent", "invoiced_amount"}
    assert o["progress"] == {"delivered_percent": "0", "invoiced_percent": "0", "invoiced_amount": "0.00"}
    assert o["recurrence"] is None
    for key in ("invoices", "purchase_orders", "deliveries", "documents", "activities"):
        assert o["related"][key] == []
    # the printed numbers add up
    assert Decimal(t["subtotal"]) == sum(Decimal(ln["net"]) for ln in o["lines"])
    assert Decimal(t["tax"]) == sum(Decimal(b["amount"]) for b in t["tax_breakdown"])
    assert Decimal(t["total"]) == Decimal(t["subtotal"]) - Decimal(t["discount"]) + Decimal(t["shipping"]) + Decimal(t["tax"]) + Decimal(t["adjustment"])
    # --json on add prints the same document as show
    assert ok("order", "add", "--json", "--subject", "x", "--account", "Acme").json()["number"] == "SO-00002"


def test_human_show_and_list(catalog):
    worked()
    r = ok("order", "show", "SO-00001")
    assert "SO-00001" in r.out and "185.67" in r.out and "Traceback" not in r.err
    assert "SO-00001" in ok("order", "list").out


# ---------------------------------------------------------------- addresses


def test_addresses_are_a_snapshot(catalog):
    o = worked()
    ok("account", "edit", "Acme", "--billing-street", "9 new street", "--billing-city", "Lyon",
       "--shipping-street", "7 dock", "--shipping-city", "Marseille")
    again = show(o["number"])
    assert again["billing_address"] == o["billing_address"]
    assert again["shipping_address"] == o["shipping_address"]
    assert again["billing_address"]["city"] == "Paris"
    # a new order takes the new addresses
    new = worked()
    assert new["billing_address"]["city"] == "Lyon"
    assert new["shipping_address"]["city"] == "Marseille"


def test_shipping_override_on_add_and_edit(catalog):
    o = add("--subject", "s", "--account", "Acme", "--line", "MUG:1",
            "--shipping-street", "5 quai Ouest", "--shipping-city", "Lille", "--shipping-postal-code", "59000")
    assert o["shipping_address"] == {"street": "5 quai Ouest", "city": "Lille", "postal_code": "59000", "state": "", "country": "FR"}
    assert o["billing_address"]["city"] == "Paris"
    e = ok("order", "edit", o["number"], "--shipping-city", "Roubaix", "--json").json()
    assert e["shipping_address"]["city"] == "Roubaix" and e["shipping_address"]["street"] == "5 quai Ouest"
    assert ok("account", "show", "Acme", "--json").json()["shipping_address"]["city"] == "Paris"


# ---------------------------------------------------------------- lists


def _orders_for_lists():
    add("--subject", "a1", "--account", "Acme", "--line", "MUG:1", "--date", "2026-01-10")
    add("--subject", "r1", "--account", "Reunion Co", "--line", "MUG:1", "--date", "2026-03-05")
    add("--subject", "a2", "--account", "Acme", "--line", "MUG:2", "--date", "2026-03-05")
    add("--subject", "a3", "--account", "Acme", "--line", "MUG:3", "--date", "2026-06-30")
    ok("order", "status", "SO-00002", "approved")
    ok("order", "status", "SO-00004", "cancelled")


def test_order_list_filters_newest_first(catalog):
    _orders_for_lists()
    nums = lambda *a: [o["number"] for o in ok("order", "list", "--json", *a).json()]  # noqa: E731
    assert nums() == ["SO-00004", "SO-00003", "SO-00002", "SO-00001"]
    assert nums("--account", "Acme") == ["SO-00004", "SO-00003", "SO-00001"]
    assert nums("--account", "2") == ["SO-00002"]
    assert nums("--status", "approved") == ["SO-00002"]
    assert nums("--status", "cancelled") == ["SO-00004"]
    assert nums("--since", "2026-03-05") == ["SO-00004", "SO-00003", "SO-00002"]
    assert nums("--until", "2026-03-05") == ["SO-00003", "SO-00002", "SO-00001"]
    assert nums("--since", "2026-02-01", "--until", "2026-04-01", "--account", "Acme") == ["SO-00003"]
    assert nums("--limit", "2") == ["SO-00004", "SO-00003"]
    assert nums("--status", "delivered") == []
    assert ok("order", "list", "--json", "--status", "delivered").out.strip() == "[]"


def test_order_list_formats(catalog):
    _orders_for_lists()
    items = ok("order", "list", "--json").json()
    first = items[0]
    assert first["number"] == "SO-00004" and first["order_date"] == "2026-06-30"
    assert first["account"] == {"id": 1, "name": "Acme"}
    assert first["status"] == "cancelled" and first["finalized"] is False
    assert first["total"] == "30.60" and first["subtotal"] == "25.50" and first["tax"] == "5.10"
    assert ok("order", "list", "--jsonl").jsonl() == items
    lines = ok("order", "list", "--csv").out.splitlines()
    assert lines[0] == "number,order_date,account.name,subject,status,finalized,total"
    assert lines[1] == "SO-00004,2026-06-30,Acme,a3,cancelled,no,30.60"
    assert len(lines) == 5


def test_account_show_lists_its_orders(catalog):
    _orders_for_lists()
    acc = ok("account", "show", "Acme", "--json").json()
    assert [o["number"] for o in acc["orders"]] == ["SO-00004", "SO-00003", "SO-00001"]
    assert acc["orders"][0]["total"] == "30.60"
    assert [o["number"] for o in ok("account", "show", "Reunion Co", "--json").json()["orders"]] == ["SO-00002"]


# ---------------------------------------------------------------- edits and history


def test_edit_and_lines_recompute_totals(catalog):
    o = worked()
    n = o["number"]
    e = ok("order", "edit", n, "--subject", "Renamed", "--discount", "10%", "--customer-ref", "C-1", "--json").json()
    assert e["subject"] == "Renamed" and e["customer_ref"] == "C-1" and e["totals"]["total"] == "167.10"
    e = ok("order", "edit", n, "--discount", "", "--shipping-charge", "5.00", "--adjustment", "-0.67", "--json").json()
    assert e["discount"] is None and e["totals"]["total"] == "190.00"
    e = ok("order", "line", "add", n, "--line", "MUG:2", "--line", "GIFT:1", "--json").json()
    assert [ln["line_no"] for ln in e["lines"]] == [1, 2, 3, 4]
    assert e["totals"]["subtotal"] == "203.97"
    assert e["totals"]["total"] == str(Decimal("190.00") + Decimal("17.00") + Decimal("3.40") + Decimal("25.00"))
    e = ok("order", "line", "edit", n, "3", "--qty", "4", "--price", "10.00", "--discount", "5.00", "--json").json()
    assert e["lines"][2]["net"] == "35.00"
    assert e["totals"]["subtotal"] == "221.97"
    e = ok("order", "line", "remove", n, "4", "--json").json()
    assert [ln["sku"] for ln in e["lines"]] == ["BOOK", "CONSULT", "MUG"]
    assert e["totals"]["subtotal"] == "196.97"
    e = ok("order", "line", "remove", n, "1", "--json").json()
    assert e["totals"]["subtotal"] == "137.00"
    assert e["totals"]["tax_breakdown"] == [{"name": "VAT20", "rate": "20", "base": "137.00", "amount": "27.40", **S}]
    assert e["totals"]["total"] == str(Decimal("137.00") + Decimal("5.00") + Decimal("27.40") - Decimal("0.67"))
    assert show(n) == e
    # a new line after a removal does not reuse a number still in use
    e = ok("order", "line", "add", n, "--line", "BOOK:1", "--json").json()
    assert len({ln["line_no"] for ln in e["lines"]}) == 3


def test_edit_contact_and_assigned_user(catalog):
    n = worked()["number"]
    e = ok("order", "edit", n, "--contact", "Jane Doe", "--assigned-to", "Alice", "--date", "2026-10-01", "--json").json()
    assert e["contact"]["name"] == "Jane Doe" and e["assigned_to"]["name"] == "Alice" and e["order_date"] == "2026-10-01"
    e = ok("order", "edit", n, "--contact", "", "--assigned-to", "", "--json").json()
    assert e["contact"] is None and e["assigned_to"] is None


def test_history_lists_status_and_field_changes(catalog):
    n = worked()["number"]
    ok("order", "edit", n, "--subject", "Renamed")
    ok("order", "line", "edit", n, "1", "--qty", "4")
    ok("order", "status", n, "approved")
    ok("order", "status", n, "delivered", "--force")  # nothing delivered yet: issue 18 asks for --force in a script
    events = ok("order", "history", n, "--json").json()
    for e in events:
        assert set(e) >= {"at", "kind", "field", "old", "new"}
        assert datetime.fromisoformat(e["at"]).tzinfo is not None, e["at"]
    status = [(e["old"], e["new"]) for e in events if e["kind"] == "status"]
    assert status == [(None, "created"), ("created", "approved"), ("approved", "delivered")]
    changes = {(e["field"], e["old"], e["new"]) for e in events if e["kind"] == "change"}
    assert ("subject", "Spring restock", "Renamed") in changes
    assert ("line 1 quantity", "3", "4") in changes
    assert [e["at"] for e in events] == sorted(e["at"] for e in events)
    assert ok("order", "history", n, "--jsonl").jsonl() == events
    assert ok("order", "history", n, "--csv").out.splitlines()[0] == "at,kind,field,old,new"


# ---------------------------------------------------------------- lifecycle


def test_lifecycle(catalog):
    n = worked()["number"]
    assert ok("order", "status", n, "approved", "--json").json()["status"] == "approved"
    assert ok("order", "status", n, "delivered", "--force", "--json").json()["status"] == "delivered"
    assert ok("order", "status", n, "cancelled", "--json").json()["status"] == "cancelled"
    for target in ("created", "approved", "delivered", "cancelled"):
        refused_unchanged("order", "status", n, target, "--json", error_code="invalid_transition")
    refused_unchanged("order", "status", n, "shipped", "--json", error_code="invalid")


@pytest.mark.parametrize("start", ["created", "approved", "delivered"])
def test_any_status_can_be_cancelled(catalog, start):
    n = worked()["number"]
    path = ["approved", "delivered"][: ["created", "approved", "delivered"].index(start)]
    for s in path:
        ok("order", "status", n, s, "--force")
    assert ok("order", "status", n, "cancelled", "--json").json()["status"] == "cancelled"


def test_backwards_and_skipping_transitions_are_refused(catalog):
    n = worked()["number"]
    refused_unchanged("order", "status", n, "delivered", "--json", error_code="invalid_transition")
    refused_unchanged("order", "status", n, "created", "--json", error_code="invalid_transition")
    ok("order", "status", n, "approved")
    refused_unchanged("order", "status", n, "created", "--json", error_code="invalid_transition")


# ---------------------------------------------------------------- finalize


def test_finalize_needs_yes_without_a_terminal(catalog):
    n = worked()["number"]
    r = refused_unchanged("order", "finalize", n)
    assert "--yes" in r.err
    assert show(n)["finalized"] is False


def test_finalize_locks_every_edit(catalog):
    n = worked()["number"]
    f = ok("order", "finalize", n, "--yes", "--json").json()
    assert f["finalized"] is True
    for args in (
        ("order", "edit", n, "--subject", "changed"),
        ("order", "edit", n, "--discount", "5%"),
        ("order", "edit", n, "--shipping-charge", "3.00"),
        ("order", "edit", n, "--adjustment", "-1.00"),
        ("order", "edit", n, "--shipping-city", "Nice"),
        ("order", "edit", n, "--customer-ref", "X"),
        ("order", "edit", n, "--date", "2026-01-01"),
        ("order", "line", "add", n, "--line", "MUG:1"),
        ("order", "line", "edit", n, "1", "--qty", "9"),
        ("order", "line", "edit", n, "1", "--price", "1.00"),
        ("order", "line", "edit", n, "1", "--discount", "10%"),
        ("order", "line", "remove", n, "2"),
        ("order", "finalize", n, "--yes"),
    ):
        refused_unchanged(*args, "--json", error_code="locked")
    # human form too
    r = refused_unchanged("order", "edit", n, "--subject", "changed")
    assert "finalized" in r.err
    # the status still moves
    assert ok("order", "status", n, "approved", "--json").json()["status"] == "approved"
    assert show(n)["totals"] == f["totals"]
    assert show(n)["subject"] == "Spring restock"


def test_finalize_without_lines_is_refused(catalog):
    n = add("--subject", "empty", "--account", "Acme")["number"]
    refused_unchanged("order", "finalize", n, "--yes")


def test_database_triggers_lock_a_finalized_order(catalog):
    n = worked()["number"]
    other = worked()["number"]
    ok("order", "finalize", n, "--yes")
    con = raw_connect()
    try:
        oid = con.execute("SELECT id FROM sales_order WHERE number = ?", (n,)).fetchone()[0]
        for sql in (
            "UPDATE sales_order SET subject = 'hacked' WHERE id = ?",
            "UPDATE sales_order SET total = 1 WHERE id = ?",
            "UPDATE sales_order SET subtotal = subtotal + 100 WHERE id = ?",
            "UPDATE sales_order SET discount = '50%' WHERE id = ?",
            "UPDATE sales_order SET shipping_street = 'x' WHERE id = ?",
            "UPDATE sales_order SET number = 'SO-99999' WHERE id = ?",
            "UPDATE sales_order SET finalized = FALSE WHERE id = ?",
            "UPDATE order_line SET quantity = 99 WHERE order_id = ?",
            "UPDATE order_line SET unit_price = 0 WHERE order_id = ?",
            "UPDATE order_line SET net = 0 WHERE order_id = ?",
            "DELETE FROM order_line WHERE order_id = ?",
            "DELETE FROM sales_order WHERE id = ?",
        ):
            before = db_content()
            with pytest.raises(con.Error, match="locked"):
                con.execute(sql, (oid,))
            con.rollback()
            assert db_content() == before, sql
        with pytest.raises(con.Error, match="locked"):
            con.execute(
                "INSERT INTO order_line (order_id, line_no, product_id, sku, description, kind, quantity, unit_price, discount, taxes, net, comment) "
                "SELECT order_id, 99, product_id, sku, description, kind, quantity, unit_price, discount, taxes, net, comment FROM order_line WHERE order_id = ? LIMIT 1",
                (oid,),
            )
        con.rollback()
        # the status is not locked
        con.execute("UPDATE sales_order SET status = 'approved' WHERE id = ?", (oid,))
        con.commit()
        # an order that is not finalized is not locked
        con.execute("UPDATE sales_order SET subject = 'fine' WHERE number = ?", (other,))
        con.commit()
    finally:
        con.close()
    assert show(n)["status"] == "approved"
    assert show(other)["subject"] == "fine"


# ---------------------------------------------------------------- numbering


def test_numbers_are_sequential(catalog):
    assert [worked()["number"] for _ in range(3)] == ["SO-00001", "SO-00002", "SO-00003"]


def test_custom_prefix(catalog):
    worked()
    ok("config", "set", "numbering.order_prefix", "CMD-")
    assert worked()["number"] == "CMD-00002"
    assert show("CMD-00002")["number"] == "CMD-00002"
    assert show("SO-00001")["number"] == "SO-00001"


def test_a_refused_add_burns_no_number(catalog):
    worked()
    refused_unchanged("order", "add", "--subject", "bad", "--account", "Acme", "--line", "BOOK:1", "--line", "NOPE:1")
    refused_unchanged("order", "add", "--subject", "bad", "--account", "Acme", "--line", "BOOK:1", "--discount", "5000.00")
    next_number_is("SO-00002")


def test_concurrent_processes_get_unique_gap_free_numbers(catalog):
    code = (
        "import sys\n"
        "from orders_cli.cli.app import main\n"
        "for i in range(5):\n"
        "    rc = main(['order', 'add', '--subject', f'p{sys.argv[1]}-{i}', '--account', 'Acme', '--line', 'MUG:1'])\n"
        "    if rc: sys.exit(rc)\n"
    )
    procs = [
        subprocess.Popen([sys.executable, "-c", code, str(p)], env=dict(os.environ), stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        for p in range(4)
    ]
    for p in procs:
        _, err = p.communicate(timeout=120)
        assert p.returncode == 0, err
    numbers = [o["number"] for o in ok("order", "list", "--json").json()]
    assert sorted(numbers) == [f"SO-{i:05d}" for i in range(1, 21)]
    assert len({o["subject"] for o in ok("order", "list", "--json").json()}) == 20


# ---------------------------------------------------------------- duplicate


def test_duplicate(catalog):
    o = add("--subject", "Orig", "--account", "Acme", "--contact", "Jane Doe", "--date", "2026-02-01", "--customer-ref", "C-9",
            "--line", "BOOK:3", "--line", "CONSULT:1:120.00:15%", "--discount", "5%", "--shipping-charge", "4.00",
            "--shipping-city", "Lille")
    ok("order", "status", o["number"], "approved")
    ok("order", "finalize", o["number"], "--yes")
    d = ok("order", "duplicate", o["number"], "--json").json()
    assert d["number"] == "SO-00002"
    assert d["status"] == "created" and d["finalized"] is False
    assert d["order_date"] == "2026-11-28"
    for key in ("subject", "account", "contact", "customer_ref", "billing_address", "shipping_address", "totals", "discount", "shipping_charge"):
        assert d[key] == o[key], key
    assert d["lines"] == o["lines"]
    assert d["related"]["invoices"] == []
    # the copy is editable; the original is untouched
    ok("order", "edit", d["number"], "--subject", "Copy")
    assert show(o["number"])["subject"] == "Orig"
    assert [e["new"] for e in ok("order", "history", d["number"], "--json").json() if e["kind"] == "status"] == ["created"]


# ---------------------------------------------------------------- quotes


def _quote():
    return ok("quote", "add", "--json", "--subject", "Proposal", "--account", "Acme", "--contact", "Jane Doe",
              "--line", "BOOK:3", "--line", "CONSULT:2.5:110.00:10%", "--discount", "5.00", "--shipping-charge", "7.00",
              "--adjustment", "-0.03", "--date", "2026-11-01").json()


def test_quote_add_list_show(catalog):
    q = _quote()
    assert q["number"] == "QT-00001" and q["status"] == "created" and q["quote_date"] == "2026-11-01"
    assert q["contact"]["name"] == "Jane Doe"
    assert [ln["net"] for ln in q["lines"]] == ["59.97", "247.50"]
    show_q = ok("quote", "show", "QT-00001", "--json").json()
    assert show_q == q
    assert show_q["related"]["orders"] == []
    ok("quote", "add", "--subject", "Other", "--account", "Reunion Co", "--line", "MUG:1")
    assert [x["number"] for x in ok("quote", "list", "--json").json()] == ["QT-00002", "QT-00001"]
    assert [x["number"] for x in ok("quote", "list", "--json", "--account", "Acme").json()] == ["QT-00001"]
    assert ok("quote", "list", "--jsonl").jsonl() == ok("quote", "list", "--json").json()
    assert "QT-00001" in ok("quote", "show", "QT-00001").out
    # quotes have their own numbers
    assert worked()["number"] == "SO-00001"


def test_quote_convert_order(catalog):
    q = _quote()
    ok("account", "edit", "Acme", "--billing-city", "Lyon")  # the order gets the quote's addresses
    o = ok("quote", "convert", "order", "QT-00001", "--json").json()
    assert o["number"] == "SO-00001" and o["status"] == "created" and o["finalized"] is False
    assert o["quote"] == "QT-00001"
    assert o["order_date"] == "2026-11-28"
    assert o["account"] == q["account"] and o["contact"] == q["contact"]
    assert o["billing_address"] == q["billing_address"] and o["billing_address"]["city"] == "Paris"
    assert o["shipping_address"] == q["shipping_address"]
    assert o["discount"] == "5.00" and o["shipping_charge"] == "7.00" and o["adjustment"] == "-0.03"
    keys = ("line_no", "sku", "description", "quantity", "unit_price", "discount", "net", "taxes")
    assert [{k: ln[k] for k in keys} for ln in o["lines"]] == [{k: ln[k] for k in keys} for ln in q["lines"]]
    assert o["totals"] == q["totals"]
    assert show("SO-00001") == o
    qq = ok("quote", "show", "QT-00001", "--json").json()
    assert qq["status"] == "accepted"
    assert [x["number"] for x in qq["related"]["orders"]] == ["SO-00001"]
    refused_unchanged("quote", "convert", "order", "QT-00001", "--json", error_code="conflict")
    r = refused_unchanged("quote", "convert", "order", "QT-00001")
    assert "SO-00001" in r.err
    next_number_is("SO-00002")


def test_order_add_with_quote_reference(catalog):
    _quote()
    o = add("--subject", "s", "--account", "Acme", "--quote", "QT-00001", "--line", "MUG:1")
    assert o["quote"] == "QT-00001"


# ---------------------------------------------------------------- refusals (exit 1 / 2, one line, nothing changed)


BASE = ("order", "add", "--subject", "s", "--account", "Acme")


@pytest.mark.parametrize(
    "args, error_code, needle",
    [
        (("order", "add", "--account", "Acme", "--line", "BOOK:1"), "invalid", "subject"),
        (("order", "add", "--subject", "  ", "--account", "Acme", "--line", "BOOK:1"), "invalid", "subject"),
        (("order", "add", "--subject", "s", "--line", "BOOK:1"), "invalid", "account"),
        (("order", "add", "--subject", "s", "--account", "Nobody", "--line", "BOOK:1"), "not_found", "Nobody"),
        (BASE + ("--contact", "Nobody", "--line", "BOOK:1"), "not_found", "Nobody"),
        (BASE + ("--contact", "Bob Roe", "--line", "BOOK:1"), "not_found", "Bob Roe"),  # another account's contact
        (BASE + ("--line", "NOPE:1"), "not_found", "NOPE"),
        (BASE + ("--assigned-to", "Nobody", "--line", "BOOK:1"), "not_found", "Nobody"),
        (BASE + ("--quote", "QT-00042", "--line", "BOOK:1"), "not_found", "QT-00042"),
        (BASE + ("--line", "BOOK:0"), "invalid", "quantity"),
        (BASE + ("--line", "BOOK:-1"), "invalid", "quantity"),
        (BASE + ("--line", "BOOK:abc"), "invalid", "abc"),
        (BASE + ("--line", "BOOK:NaN"), "invalid", "NaN"),
        (BASE + ("--line", "BOOK:Infinity"), "invalid", "Infinity"),
        (BASE + ("--line", "BOOK:1:-5"), "invalid", "price"),
        (BASE + ("--line", "BOOK:1::150%"), "invalid", "150"),
        (BASE + ("--line", "BOOK:1::-5%"), "invalid", "discount"),
        (BASE + ("--line", "BOOK:1::20.00"), "invalid", "more than the line"),
        (BASE + ("--line", "BOOK:1::5.001"), "invalid", "discount"),
        (BASE + ("--line", "BOOK"), "invalid", "SKU:QTY"),
        (BASE + ("--line", "BOOK:"), "invalid", "quantity"),
        (BASE + ("--line", ":3"), "invalid", "SKU:QTY"),
        (BASE + ("--line", "BOOK:1:2:3:4"), "invalid", "SKU:QTY"),
        (BASE + ("--line", "BOOK:1", "--discount", "200.00"), "invalid", "subtotal"),
        (BASE + ("--line", "BOOK:1", "--discount", "101%"), "invalid", "discount"),
        (BASE + ("--line", "BOOK:1", "--shipping-charge", "-1.00"), "invalid", "shipping"),
        (BASE + ("--line", "BOOK:1", "--shipping-charge", "1.005"), "invalid", "shipping"),
        (BASE + ("--line", "BOOK:1", "--adjustment", "abc"), "invalid", "adjustment"),
        (BASE + ("--line", "BOOK:1", "--date", "2026-02-30"), "invalid", "date"),
        (BASE + ("--line", "BOOK:1", "--from-json", "-"), "invalid", "--from-json"),
    ],
)
def test_order_add_refusals(catalog, args, error_code, needle):
    worked()
    before = db_content()
    r = refused(*args)
    assert needle in r.err, r.err
    assert db_content() == before
    refused_unchanged(*args, "--json", error_code=error_code)
    next_number_is("SO-00002")


@pytest.mark.parametrize(
    "args",
    [
        ("line", "edit", "SO-00001", "1", "--qty", "0"),
        ("line", "edit", "SO-00001", "1", "--qty", "-1"),
        ("line", "edit", "SO-00001", "1", "--qty", "abc"),
        ("line", "edit", "SO-00001", "1", "--qty", "NaN"),
        ("line", "edit", "SO-00001", "1", "--discount", "101%"),
        ("line", "edit", "SO-00001", "1", "--discount", "100.00"),
        ("line", "edit", "SO-00001", "1", "--price", "-1"),
        ("line", "edit", "SO-00001", "1"),
        ("line", "edit", "SO-00001", "9", "--qty", "1"),
        ("line", "edit", "SO-00042", "1", "--qty", "1"),
        ("line", "remove", "SO-00001", "9"),
        ("line", "add", "SO-00001", "--line", "NOPE:1"),
        ("line", "add", "SO-00001", "--line", "BOOK:0"),
        ("line", "add", "SO-00001"),
        ("edit", "SO-00001"),
        ("edit", "SO-00001", "--subject", ""),
        ("edit", "SO-00001", "--contact", "Nobody"),
        ("edit", "SO-00001", "--assigned-to", "Nobody"),
        ("edit", "SO-00001", "--contact", "Bob Roe"),
        ("edit", "SO-00001", "--adjustment", "1.001"),
        ("line", "edit", "SO-00001", "2", "--qty", "1e40"),
        ("edit", "SO-00001", "--discount", "500.00"),
        ("edit", "SO-00042", "--subject", "x"),
        ("show", "SO-00042"),
        ("status", "SO-00001", "shipped"),
        ("status", "SO-00001", "delivered"),
        ("finalize", "SO-00042", "--yes"),
        ("duplicate", "SO-00042"),
        ("history", "SO-00042"),
        ("list", "--account", "Nobody"),
        ("list", "--status", "shipped"),
        ("list", "--since", "yesterday"),
    ],
)
def test_other_order_refusals(catalog, args):
    worked()
    r = refused_unchanged("order", *args)
    assert r.out == ""
    next_number_is("SO-00002")


@pytest.mark.parametrize(
    "args",
    [
        ("order", "add", "--bogus"),
        ("order", "status", "SO-00001"),
        ("order", "line", "edit", "SO-00001", "one", "--qty", "1"),
        ("order", "list", "--limit", "many"),
        ("order", "show"),
        ("order", "list", "--limit", "0"),
    ],
)
def test_usage_errors(catalog, args):
    worked()
    r = refused_unchanged(*args, code=2)
    assert "Traceback" not in r.err


def test_edits_that_break_a_discount_are_refused_whole(catalog):
    n = add("--subject", "s", "--account", "Acme", "--line", "BOOK:3::50.00", "--line", "MUG:10", "--discount", "50.00")["number"]
    refused_unchanged("order", "line", "edit", n, "1", "--qty", "1", "--json", error_code="invalid")  # 50.00 off a 19.99 line
    refused_unchanged("order", "line", "remove", n, "2", "--json", error_code="invalid")  # 50.00 off a 9.97 subtotal
    refused_unchanged("order", "line", "edit", n, "2", "--price", "0", "--json", error_code="invalid")
    assert show("1")["number"] == n  # by id too
    assert show(n)["totals"]["subtotal"] == "94.97"


def test_transition_out_of_cancelled_is_refused(catalog):
    n = worked()["number"]
    ok("order", "status", n, "cancelled")
    r = refused_unchanged("order", "status", n, "approved")
    assert "cancelled" in r.err
    refused_unchanged("order", "status", n, "created", "--json", error_code="invalid_transition")


def test_quote_refusals(catalog):
    q = _quote()
    refused_unchanged("quote", "add", "--account", "Acme", "--line", "BOOK:1", "--json", error_code="invalid")
    refused_unchanged("quote", "add", "--subject", "s", "--account", "Nobody", "--json", error_code="not_found")
    refused_unchanged("quote", "add", "--subject", "s", "--account", "Acme", "--line", "BOOK:0", "--json", error_code="invalid")
    refused_unchanged("quote", "show", "QT-00042", "--json", error_code="not_found")
    refused_unchanged("quote", "convert", "order", "QT-00042", "--json", error_code="not_found")
    assert q["number"] == "QT-00001"
    assert ok("quote", "add", "--json", "--subject", "n", "--account", "Acme").json()["number"] == "QT-00002"


# ---------------------------------------------------------------- --from-json refusals


GOOD_LINE = '{"sku": "BOOK", "quantity": "2"}'


@pytest.mark.parametrize(
    "doc, needles",
    [
        ('{"subject": "x",\n "account": }', ["line 2", "JSON"]),
        ('{"subject": "x", "account": "Acme", "lines": [' + GOOD_LINE + "]", ["line 1"]),
        ('{"subject": 5, "account": "Acme", "lines": [' + GOOD_LINE + "]}", ["line 1", "subject"]),
        ('{"subject": "x", "account": "Acme", "lines": "BOOK:1"}', ["line 1", "lines"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": ["2"]}]}', ["line 1", "quantity"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": true}]}', ["line 1", "quantity"]),
        ('{"subject": "x", "account": "Acme", "finalized": "yes", "lines": [' + GOOD_LINE + "]}", ["line 1", "finalized"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": 2.5}]}', ["line 1", "quantity", "2.5"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": "1", "unit_price": 19.99}]}', ["line 1", "unit_price", "19.99"]),
        ('{"subject": "x", "account": "Acme", "shipping_charge": 1.5, "lines": [' + GOOD_LINE + "]}", ["line 1", "shipping_charge", "1.5"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": NaN}]}', ["line 1", "NaN"]),
        ('{"subject": "x", "account": "Acme", "colour": "red", "lines": [' + GOOD_LINE + "]}", ["line 1", "colour"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": "1", "size": "L"}]}', ["line 1", "size"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"quantity": "1"}]}', ["line 1", "sku"]),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "NOPE", "quantity": "1"}]}', ["line 1", "NOPE"]),
        ('{"subject": "x", "account": "Nobody", "lines": [' + GOOD_LINE + "]}", ["line 1", "Nobody"]),
        ('{"subject": "x", "lines": [' + GOOD_LINE + "]}", ["line 1", "account"]),
        ('{"subject": "x", "account": "Acme", "status": "shipped", "lines": [' + GOOD_LINE + "]}", ["line 1", "status"]),
        ('["not an object"]', ["line 1", "object"]),
        ("", ["no JSON"]),
        ('{"subject": "ok", "account": "Acme"}\n{"subject": "x", "account": "Acme", "lines": [{"sku": "BOOK", "quantity": "0"}]}', ["line 2", "quantity"]),
        ('{"subject": "ok", "account": "Acme", "lines": [' + GOOD_LINE + ']}\n{"subject": "x", "account": "Acme",\n "lines": [{"sku": "BOOK",\n "quantity": 2.5}]}',
         ["line 2", "quantity"]),
    ],
)
def test_from_json_refusals(catalog, doc, needles):
    worked()
    r = refused_unchanged("order", "add", "--from-json", "-", stdin=doc)
    for needle in needles:
        assert needle in r.err, (needle, r.err)
    refused_unchanged("order", "add", "--from-json", "-", "--json", stdin=doc, error_code=None)
    next_number_is("SO-00002")


def test_from_json_unreadable_file(catalog, tmp_path):
    refused_unchanged("order", "add", "--from-json", str(tmp_path / "missing.json"), "--json", error_code="invalid")
    bad = tmp_path / "latin1.json"
    bad.write_bytes('{"subject": "caf\xe9"}'.encode("latin-1"))
    refused_unchanged("order", "add", "--from-json", str(bad))


def test_refusal_prints_json_error_with_json(catalog):
    r = run("order", "show", "SO-00042", "--json")
    assert r.code == 1 and r.out == ""
    payload = json.loads(r.err)
    assert payload["error"]["code"] == "not_found" and "SO-00042" in payload["error"]["message"]
