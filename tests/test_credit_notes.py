"""Credit notes and deposit invoices (issue 14 items 1, 2 and the chronology of item 6), through
the CLI in-process: what they hold, what they give back to the order, every refusal with the
database unchanged, the series, the locks, the PDFs.
"""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from conftest import db_content, ok, raw_connect, refused
from pypdf import PdfReader
from test_conversions import (
    add_up,
    assert_consistent,
    catalog,  # noqa: F401  (the fixture every test here uses)
    invoice,
    j,
    make_order,
    nonzero,
    show,
    totals_of,
)


@pytest.fixture(autouse=True)
def _plain_pdfs(isolated):
    """Invoices here carry no complete EN 16931 identity (no SIREN, no customer country): these tests
    are about what a PDF draws and how mail goes out, so invoices are plain PDFs (invoice.format
    plain). The default, Factur-X, is held to by test_facturx_out.py and test_facturx_pdf.py."""
    from conftest import ok as _ok

    _ok("config", "set", "invoice.format", "plain")


D = Decimal
pytestmark = pytest.mark.usefixtures("catalog")


def credit(inv: str, *args: str) -> dict:
    return j("invoice", "credit", inv, *args)


def net_of_credits(order: str) -> dict:
    """The order's invoices minus their credit notes, amount by amount and per rate."""
    invs = [j("invoice", "show", r["number"]) for r in j("invoice", "list", "--order", order)]
    notes = [j("credit", "show", r["number"]) for r in j("credit", "list", "--order", order)]
    plus = add_up([i["totals"] for i in invs])
    minus = add_up([c["totals"] for c in notes]) if notes else None
    if minus is None:
        return nonzero(plus)
    out = {k: plus[k] - minus[k] for k in plus if k != "breakdown"}
    keys = set(plus["breakdown"]) | set(minus["breakdown"])
    out["breakdown"] = {k: tuple(a - b for a, b in zip(plus["breakdown"].get(k, (0, 0)), minus["breakdown"].get(k, (0, 0)))) for k in keys}
    return nonzero(out)


def pdf_text(data: bytes) -> str:
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


# ---------------------------------------------------------------- whole, lines, amount


def test_a_whole_credit_note_mirrors_the_invoice_and_gives_everything_back():
    o = make_order()
    inv = invoice(o["number"])
    cn = credit(inv["number"], "--reason", "wrong customer")
    assert cn["number"] == "CN-00001" and cn["invoice"] == inv["number"] and cn["invoice_date"] == inv["invoice_date"]
    assert cn["mode"] == "whole" and cn["reason"] == "wrong customer"
    assert cn["totals"] == inv["totals"]  # positive amounts, the invoice's exactly
    assert cn["billing_address"] == inv["billing_address"] and cn["currency"] == inv["currency"]
    assert_consistent(cn)
    order = show(o["number"])
    assert [ln["invoiced_quantity"] for ln in order["lines"]] == ["0"] * len(order["lines"])
    assert order["progress"]["invoiced_amount"] == "0.00"
    assert [c["number"] for c in order["related"]["credit_notes"]] == ["CN-00001"]
    assert j("invoice", "show", inv["number"])["credit_notes"] == ["CN-00001"]
    # nothing left to credit; the order can be invoiced again, in full
    before = db_content()
    refused("invoice", "credit", inv["number"], "--json", error_code="over_quantity")
    assert db_content() == before
    again = invoice(o["number"])
    assert again["totals"] == inv["totals"]
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))


def test_erpnext_56450_credited_quantities_leave_the_billing_progress():
    """Invoice 10, credit 4 (a return): the order is 60 % invoiced, not 100 %; the 4 bill again."""
    o = make_order("WIDGET:10", discount=None, shipping=None, adjustment=None)
    inv = invoice(o["number"])
    cn = credit(inv["number"], "--line", "1:4")
    assert cn["mode"] == "lines" and [(ln["line_no"], ln["quantity"], ln["net"]) for ln in cn["lines"]] == [(1, "4", "40.00")]
    order = show(o["number"])
    assert order["lines"][0]["invoiced_quantity"] == "6"
    assert order["progress"]["invoiced_percent"] == "60"
    assert order["progress"]["invoiced_amount"] == "72.00"
    refused("invoice", "credit", inv["number"], "--line", "1:7", "--json", error_code="over_quantity")
    rest = invoice(o["number"])
    assert [(ln["quantity"], ln["net"]) for ln in rest["lines"]] == [("4", "40.00")]
    order = show(o["number"])
    assert order["progress"]["invoiced_percent"] == "100" and order["progress"]["invoiced_amount"] == order["totals"]["total"]
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))


def test_partial_credits_then_the_rest_add_up_to_the_invoice_per_rate():
    o = make_order()  # two rates, 5 % discount, shipping 12.00, adjustment -0.01
    inv = invoice(o["number"])
    first = credit(inv["number"], "--line", "1:1", "--line", "2:0.5")
    assert first["totals"]["shipping"] == "0.00" and first["totals"]["adjustment"] == "0.00"  # charges go back with the last one
    assert D(first["totals"]["discount"]) > 0  # the 5 % applies to what is credited
    assert_consistent(first)
    rest = credit(inv["number"])
    assert rest["totals"]["shipping"] == "12.00" and rest["totals"]["adjustment"] == "-0.01"
    both = add_up([first["totals"], rest["totals"]])
    assert nonzero(both) == nonzero(totals_of(inv["totals"]))
    assert net_of_credits(o["number"]) == {k: (D(0) if k != "breakdown" else {}) for k in both}


def test_a_price_reduction_at_a_tax_with_no_base_names_the_taxes_that_have_one():
    """A rate can sit in the breakdown at a base of 0.00 (a 1.5 % charge at VAT5.5 of an order
    with no 5.5 % line): --tax at it is refused, naming the taxes a reduction can go to."""
    o = make_order("WIDGET:10", discount=None, shipping=None, adjustment=None, extra=("--charge", "Packing:1.5%:VAT5.5"))
    inv = invoice(o["number"])
    assert {b["name"]: b["base"] for b in inv["totals"]["tax_breakdown"]} == {"VAT20": "100.00", "VAT5.5": "0.00"}
    before = db_content()
    r = refused("invoice", "credit", inv["number"], "--amount", "1.00", "--tax", "VAT5.5", "--json", error_code="not_found")
    assert "its taxes with a base: VAT20)" in r.err
    assert db_content() == before


def test_a_price_reduction_is_shared_over_the_rates_by_their_bases():
    o = make_order("WIDGET:10", "BOOK:10", discount=None, shipping=None, adjustment=None)  # 100.00 at 20 %, 199.90 at 5.5 %
    inv = invoice(o["number"])
    cn = credit(inv["number"], "--amount", "30.00")
    assert cn["mode"] == "amount"
    shares = {b["name"]: b["base"] for b in cn["totals"]["tax_breakdown"]}
    assert shares == {"VAT20": "10.00", "VAT5.5": "20.00"}  # 30 x 100/299.90 = 10.003..., 30 x 199.90/299.90 = 19.996...
    assert all(ln["kind"] == "reduction" and ln["line_no"] is None for ln in cn["lines"])
    assert_consistent(cn)
    # quantities untouched
    assert [ln["invoiced_quantity"] for ln in show(o["number"])["lines"]] == ["10", "10"]
    one = credit(inv["number"], "--amount", "5.00", "--tax", "VAT5.5")
    assert [b["name"] for b in one["totals"]["tax_breakdown"]] == ["VAT5.5"]
    before = db_content()
    refused("invoice", "credit", inv["number"], "--amount", "95.00", "--tax", "VAT20", "--json", error_code="over_quantity")
    refused("invoice", "credit", inv["number"], "--amount", "5", "--tax", "VAT7", "--json", error_code="not_found")
    refused("invoice", "credit", inv["number"], "--amount", "0", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--amount", "-3", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--amount", "1.234", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--amount", "5", "--line", "1:1", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--tax", "VAT20", "--json", error_code="invalid")
    assert db_content() == before
    # the rest: the lines in full, less the reductions already given, so the three add up to the invoice
    rest = credit(inv["number"])
    back = [ln for ln in rest["lines"] if ln["kind"] == "reduction"]
    assert sorted(ln["net"] for ln in back) == ["-10.00", "-25.00"]
    assert_consistent(rest)
    assert nonzero(add_up([cn["totals"], one["totals"], rest["totals"]])) == nonzero(totals_of(inv["totals"]))
    assert [ln["invoiced_quantity"] for ln in show(o["number"])["lines"]] == ["0", "0"]


def test_cancelling_an_issued_invoice_issues_a_credit_note():
    o = make_order()
    inv = invoice(o["number"], "--percent", "50")
    r = ok("invoice", "status", inv["number"], "cancelled")
    assert f"issued credit note CN-00001 for {inv['number']}" in r.err
    assert f"{inv['number']} is now cancelled" in r.err
    cn = j("credit", "show", "CN-00001")
    assert cn["totals"] == inv["totals"] and cn["reason"] == "invoice status cancelled"
    shown = j("invoice", "show", inv["number"])
    assert shown["status"] == "cancelled" and shown["credit_notes"] == ["CN-00001"]
    # after a partial credit, cancelling credits only the rest
    second = invoice(o["number"], "--percent", "50")
    part = credit(second["number"], "--line", "1:0.5")
    ok("invoice", "status", second["number"], "cancelled", "--yes")
    rest = j("credit", "show", "CN-00003")
    assert nonzero(add_up([part["totals"], rest["totals"]])) == nonzero(totals_of(second["totals"]))
    assert show(o["number"])["progress"]["invoiced_amount"] == "0.00"


def test_credit_note_refusals_change_nothing_and_burn_no_number():
    o = make_order()
    inv = invoice(o["number"], "--date", "2026-11-20")
    credit(inv["number"], "--line", "1:1", "--date", "2026-11-25")
    before = db_content()
    refused("invoice", "credit", "INV-09999", "--json", error_code="not_found")
    refused("invoice", "credit", inv["number"], "--line", "9:1", "--json", error_code="not_found")
    refused("invoice", "credit", inv["number"], "--line", "1:0", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--line", "1:x", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--line", "1:9", "--json", error_code="over_quantity")
    # chronology: not before the latest credit note, not before the invoice, not after today unless asked
    r = refused("invoice", "credit", inv["number"], "--line", "2:1", "--date", "2026-11-24", "--json", error_code="invalid")
    assert "CN-00001" in r.err and "2026-11-25" in r.err
    refused("invoice", "credit", inv["number"], "--line", "2:1", "--date", "2026-11-29", "--json", error_code="invalid")
    refused("invoice", "credit", inv["number"], "--line", "2:1", "--date", "2026-02-30", "--json", error_code="invalid")
    assert db_content() == before
    made = credit(inv["number"], "--line", "2:1", "--date", "2026-11-29", "--allow-future")
    assert made["number"] == "CN-00002" and made["credit_date"] == "2026-11-29"
    # a credit note is never dated before its invoice
    later = invoice(o["number"], "--date", "2026-11-29", "--allow-future")
    before = db_content()
    refused("invoice", "credit", later["number"], "--date", "2026-11-28", "--json", error_code="invalid")
    assert db_content() == before


def test_credit_list_show_and_formats():
    a = make_order()
    b = make_order(account="Other")
    ia = invoice(a["number"])
    ib = invoice(b["number"])
    credit(ia["number"], "--line", "1:1")
    credit(ib["number"], "--reason", "=HYPERLINK(\"x\")")
    assert [r["number"] for r in j("credit", "list")] == ["CN-00002", "CN-00001"]
    assert [r["number"] for r in j("credit", "list", "--invoice", ia["number"])] == ["CN-00001"]
    assert [r["number"] for r in j("credit", "list", "--account", "Other")] == ["CN-00002"]
    assert [r["number"] for r in j("credit", "list", "--order", a["number"])] == ["CN-00001"]
    row = j("credit", "list")[0]
    assert set(row) >= {"number", "credit_date", "invoice", "order", "account", "total"}
    csv_out = ok("credit", "list", "--csv").out
    assert "'=HYPERLINK" in csv_out  # a formula stays text in a spreadsheet
    human = ok("credit", "show", "CN-00001")
    assert "CN-00001" in human.out and ia["number"] in human.out
    refused("credit", "show", "CN-00077", "--json", error_code="not_found")


# ---------------------------------------------------------------- deposits


def test_a_deposit_bills_a_share_of_every_rate_and_no_quantity():
    o = make_order("WIDGET:10", "BOOK:10", discount=None, shipping=None, adjustment=None)
    dep = invoice(o["number"], "--deposit", "30%")
    assert dep["kind"] == "deposit"
    assert [(ln["kind"], ln["net"], ln["taxes"][0]["name"]) for ln in dep["lines"]] == [("deposit", "59.97", "VAT5.5"), ("deposit", "30.00", "VAT20")]
    assert all(ln["description"] == f"Deposit 30 % on order {o['number']}" for ln in dep["lines"])
    assert_consistent(dep)
    order = show(o["number"])
    assert [ln["invoiced_quantity"] for ln in order["lines"]] == ["0", "0"]  # never 0.3 espresso machines
    # the next ordinary invoice deducts it, a line per rate citing it
    part = invoice(o["number"], "--line", "1:5", "--line", "2:5")
    ded = [ln for ln in part["lines"] if ln["kind"] == "deduction"]
    assert sorted((ln["net"], ln["taxes"][0]["name"]) for ln in ded) == [("-30.00", "VAT20"), ("-59.97", "VAT5.5")]
    assert all(dep["number"] in ln["description"] and ln["quantity"] == "-1" for ln in ded)
    assert_consistent(part)
    last = invoice(o["number"])
    assert not [ln for ln in last["lines"] if ln["kind"] == "deduction"]  # nothing left to deduct
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))


def test_a_deposit_larger_than_a_small_invoice_is_deducted_over_the_next_ones():
    o = make_order("WIDGET:10", discount=None, shipping=None, adjustment=None)  # 100.00 + 20 % = 120.00
    dep = invoice(o["number"], "--deposit", "50.00")
    assert dep["totals"]["subtotal"] == "50.00" and dep["totals"]["total"] == "60.00"
    small = invoice(o["number"], "--line", "1:2")  # 20.00: deducts 20.00 of the 50.00, never below zero
    assert small["totals"]["total"] == "0.00"
    mid = invoice(o["number"], "--line", "1:5")  # 50.00 less the 30.00 left
    assert [ln["net"] for ln in mid["lines"] if ln["kind"] == "deduction"] == ["-30.00"]
    last = invoice(o["number"])
    assert last["totals"]["total"] == "36.00"
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))


def test_deposits_with_discount_shipping_and_adjustment_add_up_to_the_order():
    o = make_order()
    invoice(o["number"], "--deposit", "30%")
    invoice(o["number"], "--deposit", "10.00")
    invoice(o["number"], "--percent", "50")
    invoice(o["number"])
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))


def test_deposit_refusals_change_nothing():
    o = make_order("WIDGET:10", discount=None, shipping=None, adjustment=None)
    invoice(o["number"], "--deposit", "80%")
    before = db_content()
    refused("order", "convert", "invoice", o["number"], "--deposit", "30%", "--json", error_code="over_quantity")
    refused("order", "convert", "invoice", o["number"], "--deposit", "0%", "--json", error_code="invalid")
    refused("order", "convert", "invoice", o["number"], "--deposit", "101%", "--json", error_code="invalid")
    refused("order", "convert", "invoice", o["number"], "--deposit", "-5", "--json", error_code="invalid")
    refused("order", "convert", "invoice", o["number"], "--deposit", "abc", "--json", error_code="invalid")
    refused("order", "convert", "invoice", o["number"], "--deposit", "5%", "--line", "1:1", "--json", error_code="invalid")
    refused("order", "convert", "invoice", o["number"], "--deposit", "5%", "--date", "2026-11-27", "--json", error_code="invalid")
    assert db_content() == before
    assert invoice(o["number"], "--deposit", "20%")["number"] == "INV-00002"  # no number burnt


def test_crediting_a_deposit_or_a_deduction_moves_what_is_left_to_deduct():
    o = make_order("WIDGET:10", discount=None, shipping=None, adjustment=None)
    dep = invoice(o["number"], "--deposit", "20%")
    credit(dep["number"])  # the deposit refunded: nothing to deduct any more
    part = invoice(o["number"], "--line", "1:5")
    assert not [ln for ln in part["lines"] if ln["kind"] == "deduction"]
    dep2 = invoice(o["number"], "--deposit", "10%")
    before = db_content()
    refused("invoice", "credit", dep2["number"], "--amount", "1.00", "--json", error_code="invalid")  # a deposit is credited whole
    assert db_content() == before
    nxt = invoice(o["number"], "--line", "1:2")
    assert [ln["net"] for ln in nxt["lines"] if ln["kind"] == "deduction"] == ["-10.00"]
    r = refused("invoice", "credit", dep2["number"], "--json", error_code="invalid")  # deducted by nxt: refunding it too would pay it twice
    assert nxt["number"] in r.err
    credit(nxt["number"])  # the deduction comes back with the whole credit note
    last = invoice(o["number"])
    assert [ln["net"] for ln in last["lines"] if ln["kind"] == "deduction"] == ["-10.00"]
    assert dep2["number"] in [ln for ln in last["lines"] if ln["kind"] == "deduction"][0]["description"]
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))


# ---------------------------------------------------------------- PDFs, locks


def test_credit_note_and_deposit_pdfs_in_english_and_french(tmp_path):
    o = make_order()
    dep = invoice(o["number"], "--deposit", "30%")
    inv = invoice(o["number"])
    credit(inv["number"], "--line", "1:1", "--reason", "cassé")
    ok("credit", "pdf", "CN-00001", "-o", str(tmp_path / "cn.pdf"))
    text = pdf_text((tmp_path / "cn.pdf").read_bytes())
    assert "Credit note" in text and inv["number"] in text and "cassé" in text
    ok("invoice", "pdf", dep["number"], "-o", str(tmp_path / "dep.pdf"))
    assert "Deposit invoice" in pdf_text((tmp_path / "dep.pdf").read_bytes())
    ok("account", "add", "Boulangerie", "--language", "fr")
    f = make_order(account="Boulangerie")
    fdep = invoice(f["number"], "--deposit", "30%")
    assert fdep["lines"][0]["description"].startswith("Acompte de 30 % sur la commande")
    finv = invoice(f["number"])
    credit(finv["number"])
    ok("credit", "pdf", "CN-00002", "-o", str(tmp_path / "avoir.pdf"))
    text = pdf_text((tmp_path / "avoir.pdf").read_bytes())
    assert "Avoir" in text and finv["number"] in text
    ok("invoice", "pdf", fdep["number"], "-o", str(tmp_path / "acompte.pdf"))
    assert "Facture d'acompte" in pdf_text((tmp_path / "acompte.pdf").read_bytes())


def test_credit_notes_are_locked_in_the_database():
    o = make_order()
    inv = invoice(o["number"])
    credit(inv["number"], "--line", "1:1")
    with raw_connect() as con:
        for stmt in ("UPDATE credit_note SET total = 1", "DELETE FROM credit_note", "UPDATE credit_note_line SET net = 1",
                     "DELETE FROM credit_note_line", "DELETE FROM status_history WHERE doc_type = 'credit_note'"):
            with pytest.raises(Exception, match="locked"):
                con.execute(stmt)
            con.rollback()
        with pytest.raises(Exception, match="locked"):
            con.execute("INSERT INTO credit_note_line (credit_note_id, line_no, sku, description, kind, quantity, unit_price, net, taxes) "
                        "VALUES (1, 9, 'X', '', 'product', '1', '1', 100, '[]')")
        con.rollback()


def test_credit_send_writes_the_message_with_the_pdf(tmp_path):
    o = make_order()
    inv = invoice(o["number"])
    credit(inv["number"])
    ok("credit", "send", "CN-00001", "--to", "buyer@example.com", "--eml", str(tmp_path / "cn.eml"))
    raw = (tmp_path / "cn.eml").read_text()
    assert "Credit note CN-00001 for invoice" in raw and "CN-00001.pdf" in raw


def test_a_credited_recurring_invoice_keeps_its_period_billed():
    o = make_order("CONSULT:1", discount=None, shipping=None, adjustment=None)
    ok("recur", "set", o["number"], "--frequency", "monthly", "--start", "2026-11-01")
    made = j("recur", "run")["invoices"]
    assert [i["period_start"] for i in made] == ["2026-11-01"]
    cn = credit(made[0]["number"])
    assert cn["totals"] == j("invoice", "show", made[0]["number"])["totals"]
    # the period stays billed: the next run bills nothing again, and the order's own progress is untouched
    assert j("recur", "run")["invoices"] == []
    assert show(o["number"])["progress"]["invoiced_amount"] == "0.00"
    assert [ln["invoiced_quantity"] for ln in show(o["number"])["lines"]] == ["0"]


def test_rebill_bills_a_credited_recurring_period_again_once():
    ok("product", "add", "HOUR", "--name", "Hour", "--price", "50", "--tax", "VAT20", "--service")
    o = make_order("CONSULT:1", discount=None, shipping=None, adjustment=None)
    ok("recur", "set", o["number"], "--frequency", "monthly", "--start", "2026-10-01", "--usage")
    ok("usage", "add", o["number"], "--product", "HOUR", "--qty", "2", "--date", "2026-09-15")
    first = j("recur", "run", "--date", "2026-11-01")["invoices"]  # October and November
    assert [i["period_start"] for i in first] == ["2026-10-01", "2026-11-01"]
    october = j("invoice", "show", first[0]["number"])
    assert any(ln["sku"] == "HOUR" for ln in october["lines"])
    manual = invoice(make_order("WIDGET:1", discount=None, shipping=None, adjustment=None)["number"])
    before = db_content()
    refused("invoice", "credit", october["number"], "--line", "1:0.5", "--rebill", "--json", error_code="invalid")  # not all of it
    refused("invoice", "credit", october["number"], "--amount", "5", "--rebill", "--json", error_code="invalid")
    refused("invoice", "credit", manual["number"], "--rebill", "--json", error_code="invalid")  # not recurring
    assert db_content() == before
    cn = credit(october["number"], "--rebill", "--reason", "wrong rate")
    assert cn["rebill"] is True
    again = j("recur", "run")["invoices"]
    assert [(i["period_start"], i["period_end"]) for i in again] == [("2026-10-01", "2026-10-31")]
    redo = j("invoice", "show", again[0]["number"])
    assert redo["invoice_date"] == "2026-11-28" and any(ln["sku"] == "HOUR" for ln in redo["lines"])  # the usage billed again
    assert j("recur", "run")["invoices"] == []  # once
    refused("invoice", "credit", october["number"], "--rebill", "--json", error_code="invalid")  # already to be billed again
    refused("invoice", "credit", october["number"], "--json", error_code="over_quantity")  # nothing left of it
    # credited again with --rebill, it bills a third time
    credit(redo["number"], "--rebill")
    assert [i["period_start"] for i in j("recur", "run")["invoices"]] == ["2026-10-01"]
    assert j("recur", "run")["invoices"] == []


def _at_once(*argvs: list[str]) -> list[tuple[int, str]]:
    """Run the commands as real processes at the same time; their exit codes and stderr."""
    import os
    import subprocess
    import sys

    from orders_cli import store

    store.dispose_all()
    procs = [subprocess.Popen([sys.executable, "-m", "orders_cli", *argv], env=dict(os.environ), stdout=subprocess.DEVNULL,
                              stderr=subprocess.PIPE, text=True) for argv in argvs]
    out = [(p.wait(timeout=120), p.stderr.read()) for p in procs]
    for p in procs:
        p.stderr.close()
    return out


@pytest.mark.slow
def test_concurrent_credits_and_invoices_never_take_more_than_there_is():
    """Three processes credit the whole of one invoice at once: one credit note. Then three invoice
    the credited order at once: one invoice. The reads happen under the order's and the invoice's
    row locks (PostgreSQL), or the write transaction (SQLite)."""
    o = make_order()
    inv = invoice(o["number"])
    results = _at_once(*[["invoice", "credit", inv["number"]]] * 3)
    assert sorted(code for code, _ in results) == [0, 1, 1], results
    assert [r["number"] for r in j("credit", "list")] == ["CN-00001"]
    results = _at_once(*[["order", "convert", "invoice", o["number"]]] * 3)
    assert sorted(code for code, _ in results) == [0, 1, 1], results
    assert net_of_credits(o["number"]) == nonzero(totals_of(o["totals"]))
