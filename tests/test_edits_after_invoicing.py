"""Edits after invoicing (issue 13.1): once an order has invoices its discount, shipping charge
and adjustment, and the price and discount of every (partly or fully) invoiced line, are locked;
quantities may grow, never drop below what is invoiced or delivered. And whatever the path, an
invoice is checked before it is written (core.invoicecheck): a failing check is an internal
error that writes nothing and burns no number.
"""

from __future__ import annotations

import json
from dataclasses import replace
from decimal import Decimal

import pytest
from conftest import db_content, ok, refused, run
from test_conversions import (  # noqa: F401
    assert_consistent,
    assert_invoices_add_up_to_order,
    catalog,
    invoice,
    j,
    make_order,
    show,
)

D = Decimal


def non_negative(inv: dict) -> None:
    assert_consistent(inv)
    assert all(D(ln["net"]) >= 0 and D(ln["quantity"]) > 0 for ln in inv["lines"]), inv
    for k in ("subtotal", "discount", "shipping", "tax", "total"):
        assert D(inv["totals"][k]) >= 0, inv
    assert all(D(b["base"]) >= 0 for b in inv["totals"]["tax_breakdown"]), inv


def test_header_amounts_are_locked_once_invoiced(catalog):
    """The reproduction: --percent 30, the rest, then --discount 10% and a new line gave an
    invoice for 2 x 18.50 with a negative discount, a foreign VAT 5.5 base and a negative total."""
    o = make_order()
    no = o["number"]
    invoice(no, "--percent", "30")
    invoice(no)
    before = db_content()
    for args in (["--discount", "10%"], ["--discount", ""], ["--shipping-charge", "20"], ["--adjustment", "1.00"],
                 ["--subject", "x", "--discount", "10%"]):
        r = refused("order", "edit", no, *args, "--json", error_code="locked")
        msg = json.loads(r.err)["error"]["message"]
        assert "INV-00001, INV-00002" in msg and "credit note" in msg and "add a line" in msg
        assert db_content() == before
    ok("order", "edit", no, "--discount", "5%", "--shipping-charge", "12.00")  # the same values: nothing changes
    ok("order", "edit", no, "--subject", "Still editable")
    ok("order", "line", "add", no, "--line", "GADGET:2:18.50")
    last = invoice(no)
    non_negative(last)
    assert [b["name"] for b in last["totals"]["tax_breakdown"] if D(b["base"]) or D(b["amount"])] == ["VAT20"]
    assert_invoices_add_up_to_order(no)


def test_the_price_and_discount_of_an_invoiced_line_are_locked(catalog):
    """The reproduction: --price 100 on a half-invoiced line, then the rest: `1 x 100.00 = -2290.00`."""
    o = make_order("WIDGET:3", "BOOK:2", discount=None, shipping=None, adjustment=None)
    no = o["number"]
    invoice(no, "--line", "1:1.5")
    before = db_content()
    for args in (["--price", "100"], ["--discount", "10%"], ["--qty", "4", "--price", "100"]):
        r = refused("order", "line", "edit", no, "1", *args, "--json", error_code="locked")
        assert "partly (1.5 of 3) invoiced" in r.err and "credit note" in r.err
        assert db_content() == before
    ok("order", "line", "edit", no, "1", "--price", "10.00", "--comment", "same price")  # no change of price: fine
    ok("order", "line", "edit", no, "2", "--price", "25")  # not invoiced yet: free
    invoice(no, "--line", "1:1.5")
    r = refused("order", "line", "edit", no, "1", "--price", "100", "--json", error_code="locked")  # fully invoiced: locked too
    assert "fully invoiced" in r.err
    non_negative(invoice(no))
    assert_invoices_add_up_to_order(no)
    assert show(no)["progress"]["invoiced_percent"] == "100"


def test_quantities_may_grow_never_drop_below_invoiced_or_delivered(catalog):
    o = make_order("WIDGET:4::5.00", "BOOK:2", discount="5%", shipping=None, adjustment=None)
    no = o["number"]
    invoice(no, "--line", "1:2")
    j("order", "convert", "delivery", no, "--line", "2:1.5")
    before = db_content()
    refused("order", "line", "edit", no, "1", "--qty", "1.5", "--json", error_code="conflict")
    refused("order", "line", "edit", no, "2", "--qty", "1", "--json", error_code="conflict")
    assert db_content() == before
    ok("order", "line", "edit", no, "1", "--qty", "2")  # down to what is invoiced: fine
    ok("order", "line", "edit", no, "1", "--qty", "6")
    ok("order", "line", "edit", no, "2", "--qty", "1.5")
    non_negative(invoice(no))
    assert_invoices_add_up_to_order(no)


def test_a_recurring_order_and_cancelled_invoices_do_not_lock(catalog):
    o = make_order("CONSULT:1", discount=None, shipping=None, adjustment=None)
    no = o["number"]
    invoice(no)
    ok("invoice", "status", "INV-00001", "cancelled")
    ok("order", "edit", no, "--discount", "10%")
    ok("order", "line", "edit", no, "1", "--price", "100")
    non_negative(invoice(no))


# ---------------------------------------------------------------- the check, on every path


def _bad_plan(monkeypatch):
    from orders_cli.core import planner

    real = planner.plan_invoice

    def bad(*args, **kwargs):
        plan = real(*args, **kwargs)
        first = plan.parts[0]
        return replace(plan, parts=(replace(first, net=first.net - D("1.00")), *plan.parts[1:]))

    monkeypatch.setattr(planner, "plan_invoice", bad)
    return lambda: monkeypatch.setattr(planner, "plan_invoice", real)


@pytest.mark.parametrize("args", [[], ["--line", "1:1"], ["--percent", "50"]], ids=["remaining", "line", "percent"])
def test_a_failing_check_writes_nothing_on_every_order_path(catalog, monkeypatch, args):
    o = make_order()
    no = o["number"]
    assert invoice(no, "--percent", "10")["number"] == "INV-00001"
    restore = _bad_plan(monkeypatch)
    before = db_content()
    r = refused("order", "convert", "invoice", no, *args, "--json", error_code="internal")
    assert "invoice check failed" in r.err and "line 1 (WIDGET)" in r.err
    assert db_content() == before
    r = refused("order", "convert", "invoice", no, *args)
    assert r.err.startswith("error: ") and "invoice check failed" in r.err
    assert db_content() == before
    restore()
    assert invoice(no, *args)["number"] == "INV-00002"  # no number burned


def test_a_failing_check_writes_nothing_on_a_recurring_run(catalog, monkeypatch):
    from orders_cli.core import pricing

    o = make_order("CONSULT:1", discount=None, shipping=None, adjustment=None)
    no = o["number"]
    ok("recur", "set", no, "--frequency", "monthly", "--start", "2026-01-01")
    real = pricing.totals_from_nets
    monkeypatch.setattr(pricing, "totals_from_nets", lambda *a, **k: replace(real(*a, **k), total=real(*a, **k).total + D("1.00")))
    before = db_content()
    r = run("recur", "run", "--date", "2026-02-01", "--json")
    assert r.code == 1 and "Traceback" not in r.err
    failed = r.json()["failed"]
    assert [f["order"] for f in failed] == [no] and "invoice check failed" in json.dumps(failed[0])
    assert db_content() == before
    monkeypatch.setattr(pricing, "totals_from_nets", real)
    made = ok("recur", "run", "--date", "2026-02-01", "--json").json()["invoices"]
    assert [i["number"] for i in made] == ["INV-00001", "INV-00002"]
