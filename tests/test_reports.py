"""Issue 17, reports: `report sales | vat | aging | recurring | forecast`. Every figure is checked
against the documents summed by hand (from `invoice show`, `credit show` and `invoice list`),
on a fixed book and on random ones; the refusals leave the database as it was."""

from __future__ import annotations

import random
import xml.etree.ElementTree as ET
from collections import defaultdict
from decimal import Decimal

import pytest
from conftest import clone_db, db_content, ok, refused, run

D = Decimal
TODAY = "2026-11-28"  # ORDERS_TODAY in the tests (conftest)


# ---------------------------------------------------------------- the book


def catalog() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("tax", "add", "EXO", "--rate", "0", "--category", "E", "--exemption-reason", "Exonération, article 261 4 4° du CGI")
    ok("account", "add", "Café Müller")
    ok("account", "add", "=Bistro")  # a formula to a spreadsheet: --csv must make it inert
    ok("vendor", "add", "Roaster")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "8.90", "--tax", "VAT20", "--cost", "3.10", "--vendor", "Roaster")
    ok("product", "add", "COFFEE", "--name", "Coffee 1 kg", "--price", "24.50", "--tax", "VAT5.5", "--cost", "13.20")
    ok("product", "add", "CONSULT", "--name", "Consulting", "--price", "120.00", "--tax", "VAT20", "--service")
    ok("product", "add", "TRAINING", "--name", "Training", "--price", "300.00", "--tax", "EXO", "--service")


def invoice(day: str, *lines: str, account: str = "Café Müller", extra: tuple = ()) -> str:
    args = [a for ln in lines for a in ("--line", ln)]
    so = ok("order", "add", "--subject", "Order", "--account", account, *args, *extra, "--json").json()["number"]
    return ok("order", "convert", "invoice", so, "--date", day, "--json").json()["number"]


_BOOK: dict[str, str] = {}


@pytest.fixture
def book(db_template):
    """Four invoices over October and November 2026, two credit notes, payments: built once
    per session through the CLI (``_build_book``) and copied into each test's database."""
    clone_db(db_template("reports-book", _build_book))
    return dict(_BOOK)


def _build_book() -> None:
    catalog()
    a = invoice("2026-10-03", "MUG:10", "COFFEE:4", extra=("--discount", "5%", "--shipping-charge", "12.00"))
    b = invoice("2026-10-20", "CONSULT:2", "TRAINING:1", account="=Bistro")
    c = invoice("2026-11-05", "MUG:3:8.50", "CONSULT:1")
    d = invoice("2026-11-10", "COFFEE:2", account="=Bistro")
    ok("invoice", "credit", a, "--amount", "10", "--date", "2026-11-12")
    ok("invoice", "credit", c, "--line", "1:1", "--date", "2026-11-15")
    ok("payment", "add", a, "--amount", "50.00", "--date", "2026-10-15")
    ok("payment", "add", b, "--amount", str(total_of(b)), "--date", "2026-11-02")
    pid = ok("payment", "add", d, "--amount", "10.00", "--date", "2026-11-20", "--json").json()["id"]
    ok("payment", "remove", str(pid), "--yes")
    _BOOK.update(a=a, b=b, c=c, d=d)


def total_of(number: str) -> Decimal:
    return D(ok("invoice", "show", number, "--json").json()["totals"]["total"])


def documents() -> list[tuple[int, dict]]:
    """(sign, full document) of every invoice (+1) and credit note (-1)."""
    out = [(1, ok("invoice", "show", r["number"], "--json").json()) for r in ok("invoice", "list", "--json").json()]
    out += [(-1, ok("credit", "show", r["number"], "--json").json()) for r in ok("credit", "list", "--json").json()]
    return out


def day_of(doc: dict) -> str:
    return doc["credit_date"] if "credit_date" in doc else doc["invoice_date"]


def by_hand(key) -> dict:
    """{key(doc): [net, vat, gross]} summed from the documents themselves."""
    out: dict = defaultdict(lambda: [D(0), D(0), D(0)])
    for sign, doc in documents():
        t = doc["totals"]
        row = out[key(doc)]
        row[0] += sign * (D(t["total"]) - D(t["tax"]))
        row[1] += sign * D(t["tax"])
        row[2] += sign * D(t["total"])
    return out


def report(*args: str) -> list[dict]:
    return ok("report", *args, "--json").json()


def amounts(row: dict, *keys: str) -> list[Decimal]:
    return [D(row[k]) for k in keys]


# ---------------------------------------------------------------- sales


def test_sales_by_month_and_quarter_are_the_documents_summed_by_hand(book):
    hand = by_hand(lambda doc: day_of(doc)[:7])
    rows = report("sales", "--by", "month")
    assert [r["month"] for r in rows] == ["2026-10", "2026-11"]
    for r in rows:
        assert amounts(r, "net", "vat", "gross") == hand[r["month"]], r["month"]
    assert [(r["invoices"], r["credit_notes"]) for r in rows] == [(2, 0), (2, 2)]
    quarter = report("sales", "--by", "quarter")
    assert len(quarter) == 1 and quarter[0]["quarter"] == "2026-Q4"
    assert amounts(quarter[0], "net", "vat", "gross") == [sum(v[i] for v in hand.values()) for i in range(3)]
    november = report("sales", "--period", "2026-11")
    assert [r["month"] for r in november] == ["2026-11"] and amounts(november[0], "net") == hand["2026-11"][:1]
    assert report("sales", "--since", "2026-10-21", "--until", "2026-11-06")[0]["invoices"] == 1  # c only


def test_sales_by_account_with_the_account_filter(book):
    hand = by_hand(lambda doc: doc["account"]["name"])
    rows = report("sales", "--by", "account")
    assert {r["account"]["name"] for r in rows} == {"Café Müller", "=Bistro"}
    for r in rows:
        assert amounts(r, "net", "vat", "gross") == hand[r["account"]["name"]]
    only = report("sales", "--by", "account", "--account", "=Bistro")
    assert [r["account"]["name"] for r in only] == ["=Bistro"]


def test_sales_by_product_and_vendor_add_up_to_the_documents_net(book):
    lines: dict = defaultdict(lambda: [D(0), D(0)])
    net = D(0)
    for sign, doc in documents():
        net += sign * (D(doc["totals"]["total"]) - D(doc["totals"]["tax"]))
        for ln in doc["lines"]:
            lines[ln["sku"]][0] += sign * D(ln["quantity"])
            lines[ln["sku"]][1] += sign * D(ln["net"])
    rows = report("sales", "--by", "product")
    products = {r["sku"]: r for r in rows if r["sku"] is not None}
    assert set(products) == set(lines)
    for sku, (qty, amount) in lines.items():
        assert (D(products[sku]["quantity"]), D(products[sku]["net"])) == (qty, amount), sku
    rest = [r for r in rows if r["sku"] is None]
    assert len(rest) == 1 and rest[0]["product"] == "(document level)"  # discount, shipping
    assert sum(D(r["net"]) for r in rows) == net
    vendors = report("sales", "--by", "vendor")
    assert sum(D(r["net"]) for r in vendors) == net
    roaster = [r for r in vendors if r["vendor"] and r["vendor"]["name"] == "Roaster"]
    assert D(roaster[0]["net"]) == lines["MUG"][1]


def test_margin_is_the_line_net_minus_quantity_times_the_catalog_cost(book):
    rows = {r["sku"]: r for r in report("sales", "--by", "product", "--margin")}
    mug = rows["MUG"]
    assert D(mug["cost"]) == D(mug["quantity"]) * D("3.10")
    assert D(mug["margin"]) == D(mug["net"]) - D(mug["cost"])
    assert D(rows["CONSULT"]["cost"]) == 0 and D(rows["CONSULT"]["uncosted_net"]) == D(rows["CONSULT"]["net"])
    month = report("sales", "--margin")
    total_cost = sum(D(r["cost"]) for r in rows.values())
    assert sum(D(r["cost"]) for r in month) == total_cost
    assert sum(D(r["margin"]) + D(r["uncosted_net"]) for r in month) + total_cost == sum(D(r["net"]) for r in month)


def test_sales_table_has_a_total_row_and_csv_is_spreadsheet_safe(book):
    table = ok("report", "sales", "--by", "account").out
    assert "total" in table and "Café Müller" in table
    hand = sum(v[2] for v in by_hand(lambda doc: "").values())
    assert f"{hand:.2f}" in table
    csv_out = ok("report", "sales", "--by", "account", "--csv").out.splitlines()
    assert csv_out[0] == "account.name,invoices,credit_notes,net,vat,gross,currency"
    assert any(line.startswith("'=Bistro,") for line in csv_out[1:])


# ---------------------------------------------------------------- VAT


def test_vat_per_rate_is_the_breakdowns_summed_and_exempt_is_apart(book):
    hand: dict = defaultdict(lambda: [D(0), D(0), D(0), D(0)])
    net = D(0)
    for sign, doc in documents():
        net += sign * (D(doc["totals"]["total"]) - D(doc["totals"]["tax"]))
        for b in doc["totals"]["tax_breakdown"]:
            slot = 0 if sign > 0 else 2
            hand[b["name"]][slot] += D(b["base"])
            hand[b["name"]][slot + 1] += D(b["amount"])
    rows = report("vat")
    taxed = [r for r in rows if r["tax"] is not None]
    assert [r["tax"] for r in taxed] == ["VAT20", "VAT5.5", "EXO"]  # standard rates first, highest first; exempt after
    for r in taxed:
        assert amounts(r, "invoices_base", "invoices_vat", "credit_notes_base", "credit_notes_vat") == hand[r["tax"]], r["tax"]
        assert D(r["base"]) == D(r["invoices_base"]) - D(r["credit_notes_base"])
    exo = taxed[-1]
    assert exo["category"] == "E" and D(exo["vat"]) == 0 and exo["exemption_reason"].startswith("Exonération")
    outside = [r for r in rows if r["tax"] is None]
    assert len(outside) == 1 and outside[0]["category"] is None  # the untaxed shipping charge
    assert sum(D(r["base"]) for r in rows) == net
    sales_vat = sum(D(r["vat"]) for r in report("sales"))
    assert sum(D(r["vat"]) for r in rows) == sales_vat


def test_vat_on_payments_counts_each_payment_share_and_a_full_payment_all_of_it(book):
    b = ok("invoice", "show", book["b"], "--json").json()
    paid_in_full = {x["name"]: D(x["amount"]) for x in b["totals"]["tax_breakdown"]}
    november = {r["tax"]: r for r in report("vat", "--period", "2026-11", "--basis", "payment")}
    october = {r["tax"]: r for r in report("vat", "--period", "2026-10", "--basis", "payment")}
    a = ok("invoice", "show", book["a"], "--json").json()
    total_a = D(a["totals"]["total"])
    # October: 50.00 of invoice a, each rate's share of it; November: all of invoice b
    for x in a["totals"]["tax_breakdown"]:
        share = (D("50.00") * D(x["amount"]) / total_a).quantize(D("0.01"))
        assert D(october[x["name"]]["invoices_vat"]) == share
    assert D(november["VAT20"]["invoices_vat"]) == paid_in_full["VAT20"]
    assert "VAT5.5" not in november  # the payment on d was removed: it counts nothing
    # the rest of a paid later: the two shares add up to exactly its VAT
    ok("payment", "add", book["a"], "--amount", str(D(ok("invoice", "show", book["a"], "--json").json()["balance"])), "--date", TODAY)
    both = report("vat", "--since", "2026-10-01", "--until", TODAY, "--basis", "payment")
    vat20 = next(r for r in both if r["tax"] == "VAT20")
    credit_a = ok("credit", "show", credit_number(a), "--json").json()
    a20 = sum(D(x["amount"]) for x in a["totals"]["tax_breakdown"] if x["name"] == "VAT20")
    paid_a = total_a - D(credit_a["totals"]["total"])  # a paid in full, net of its credit note
    assert D(vat20["invoices_vat"]) == (paid_a * a20 / total_a).quantize(D("0.01")) + paid_in_full["VAT20"]


def credit_number(inv: dict) -> str:
    first = inv["credit_notes"][0]
    return first["number"] if isinstance(first, dict) else first


# ---------------------------------------------------------------- aging


def test_aging_on_a_day_is_the_balances_of_invoice_list_bucketed(book):
    rows = report("aging")
    open_ = defaultdict(lambda: D(0))
    for inv in ok("invoice", "list", "--json").json():
        open_[inv["account"]["name"]] += D(inv["balance"])
    assert {r["account"]["name"]: D(r["total"]) for r in rows} == {k: v for k, v in open_.items() if v != 0}
    # on 2027-01-20, invoice a (due 2026-11-02) is 79 days past due: 61-90; c (due 12-05) 46 days: 31-60
    later = {r["account"]["name"]: r for r in report("aging", "--as-of", "2027-01-20")}
    cafe = later["Café Müller"]
    a_balance = D(ok("invoice", "show", book["a"], "--json").json()["balance"])
    c_balance = D(ok("invoice", "show", book["c"], "--json").json()["balance"])
    assert (D(cafe["days_61_90"]), D(cafe["days_31_60"]), D(cafe["current"])) == (a_balance, c_balance, 0)
    assert cafe["open_invoices"] == 2
    # before anything was issued, nothing is open; on 2026-10-16, only a, less its payment
    assert report("aging", "--as-of", "2026-10-01") == []
    early = report("aging", "--as-of", "2026-10-16")
    assert len(early) == 1 and D(early[0]["current"]) == total_of(book["a"]) - D("50.00")


def test_aging_credit_column_holds_what_is_owed_to_the_customer(book):
    b = book["b"]
    ok("invoice", "credit", b, "--amount", "100", "--date", TODAY)  # b was paid in full: the credit note is owed back
    cn = next(r for r in ok("credit", "list", "--json").json() if r["invoice"] == b)
    row = next(r for r in report("aging") if r["account"]["name"] == "=Bistro")
    assert D(row["credit"]) == -D(cn["total"])
    ok("payment", "add", cn["number"], "--amount", cn["total"], "--date", TODAY)  # refunded
    row = next(r for r in report("aging") if r["account"]["name"] == "=Bistro")
    assert D(row["credit"]) == 0


# ---------------------------------------------------------------- recurring and forecast


def subscription(sku_qty: str, frequency: str, start: str, *opts: str) -> str:
    so = ok("order", "add", "--subject", "Plan", "--account", "Café Müller", "--line", sku_qty, "--json").json()["number"]
    ok("recur", "set", so, "--frequency", frequency, "--start", start, *opts)
    return so


def test_mrr_by_month_new_churn_and_the_identity(isolated):
    catalog()
    subscription("CONSULT:1", "monthly", "2026-07-01", "--end", "2026-09-30")  # 120/month, churns in October
    subscription("CONSULT:2", "quarterly", "2026-08-01")  # 240.00 a quarter: 80.00 a month
    subscription("MUG:10", "monthly", "2026-10-01")  # 89/month from October
    ok("recur", "run", "--date", TODAY)
    rows = {r["month"]: r for r in report("recurring", "--since", "2026-06-01", "--until", "2026-11-30")}
    assert D(rows["2026-07"]["mrr"]) == D("120.00") and D(rows["2026-07"]["new"]) == D("120.00")
    assert D(rows["2026-08"]["mrr"]) == D("200.00") and rows["2026-08"]["active"] == 2
    assert D(rows["2026-09"]["mrr"]) == D("200.00") and D(rows["2026-09"]["new"]) == 0  # the quarter's second month
    assert D(rows["2026-10"]["churned"]) == D("120.00") and D(rows["2026-10"]["new"]) == D("89.00")
    assert D(rows["2026-11"]["mrr"]) == D("169.00") and D(rows["2026-11"]["arr"]) == D("2028.00")
    months = sorted(rows)
    for prev, cur in zip(months, months[1:]):
        r = rows[cur]
        assert D(r["mrr"]) == D(rows[prev]["mrr"]) + D(r["new"]) + D(r["expansion"]) - D(r["contraction"]) - D(r["churned"]), cur


def test_mrr_contraction_when_a_period_is_partly_credited(isolated):
    catalog()
    subscription("CONSULT:1", "monthly", "2026-09-01")
    ok("recur", "run", "--date", TODAY)
    nov = [r for r in ok("invoice", "list", "--json").json() if r["period_start"] == "2026-11-01"][0]
    ok("invoice", "credit", nov["number"], "--amount", "20", "--date", TODAY)
    rows = {r["month"]: r for r in report("recurring", "--period", "2026-Q4")}
    assert D(rows["2026-11"]["contraction"]) == D("20.00") and D(rows["2026-11"]["mrr"]) == D("100.00")


def test_forecast_is_what_recur_run_would_bill_up_to_the_horizon(isolated):
    catalog()
    subscription("CONSULT:1", "monthly", "2026-10-01")  # October billed below, November due and not yet billed
    subscription("MUG:10", "quarterly", "2026-12-15", "--end", "2027-06-30")
    off = subscription("CONSULT:3", "monthly", "2026-12-01")
    ok("recur", "off", off)
    ok("recur", "run", "--date", "2026-11-01", "--max-periods", "1")
    rows = report("forecast", "--months", "4")
    assert [r["month"] for r in rows] == ["2026-11", "2026-12", "2027-01", "2027-02"]
    assert [r["invoices"] for r in rows] == [1, 2, 1, 1]
    dry = ok("recur", "run", "--dry-run", "--date", "2027-02-28", "--allow-future", "--json").json()["invoices"]
    assert sum(r["invoices"] for r in rows) == len(dry)
    assert sum(D(r["gross"]) for r in rows) == sum(D(i["totals"]["total"]) for i in dry)
    assert all(D(r["net"]) + D(r["vat"]) == D(r["gross"]) for r in rows)
    # catch-up latest: of six overdue periods only the latest is billed (by the next run: this month)
    subscription("COFFEE:1", "monthly", "2026-06-01", "--catch-up", "latest")
    again = report("forecast", "--months", "4")
    assert [r["invoices"] for r in again] == [2, 3, 2, 2]


# ---------------------------------------------------------------- empty, refusals, charts


def test_an_empty_span_is_an_empty_list_and_a_note(book):
    assert report("recurring", "--period", "2030-Q1") == []  # no recurring revenue at all
    r = ok("report", "sales", "--period", "2030-01")
    assert "Net" in r.out and "2030" in r.out and "no sales" in r.err  # the table's header, no row
    assert report("sales", "--period", "2030-01") == []
    assert report("vat", "--period", "2030") == []


@pytest.mark.parametrize("args, message", [
    (("sales", "--period", "2026-13"), "no such month"),
    (("sales", "--period", "26"), "expected a month"),
    (("sales", "--period", "2026", "--since", "2026-01-01"), "not both"),
    (("sales", "--since", "2026-12-01", "--until", "2026-11-01"), "after --until"),
    (("sales", "--since", "2026-02-30"), "no such date"),
    (("sales", "--account", "Nobody"), "no account"),
    (("sales", "--by", "colour"), "--by"),
    (("vat", "--basis", "cash"), "--basis"),
    (("aging", "--as-of", "tomorrow"), "--as-of"),
    (("aging", "--account", "Nobody"), "no account"),
    (("forecast", "--months", "0"), "--months"),
    (("recurring", "--since", "2000-01-01", "--until", "2026-11-30"), "at most"),
    (("sales", "--chart", "sales.pdf"), ".svg or a .png"),
    (("sales", "--chart", "/nonexistent/dir/s.svg"), "no folder"),
    (("forecast", "--chart", "f.svg"), "nothing to draw"),  # refused before the (empty) report is printed: one line
    (("sales", "--by", "", "--margin", "--chart", "", "--json"), None),  # '' is the default grouping: not refused
])
def test_refusals_say_one_line_and_change_nothing(book, args, message):
    before = db_content()
    if message is None:
        assert run("report", *args).code == 0
        return
    r = refused("report", *args)
    assert message in r.err and r.err.count("\n") == 1 and "Traceback" not in r.err
    assert db_content() == before


def test_chart_in_the_terminal_and_as_svg_and_png(book, tmp_path):
    r = ok("report", "sales", "--chart")
    assert "2026-10" in r.out and "█" in r.out
    svg = tmp_path / "sales.svg"
    ok("report", "sales", "--by", "account", "--chart", str(svg))
    root = ET.parse(svg).getroot()
    assert root.tag.endswith("svg")
    first = svg.read_bytes()
    ok("report", "sales", "--by", "account", "--chart", str(svg))
    assert svg.read_bytes() == first  # the same book draws the same file
    png = tmp_path / "sales.png"
    ok("report", "sales", "--by", "quarter", "--chart", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


# ---------------------------------------------------------------- random books


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_random_books_reconcile_with_the_documents(isolated, seed):
    rnd = random.Random(seed)
    catalog()
    days = sorted(f"2026-{m:02d}-{d:02d}" for m, d in ((rnd.randint(9, 11), rnd.randint(1, 27)) for _ in range(8)))
    numbers = []
    for day in days:
        lines = [f"{rnd.choice(['MUG', 'COFFEE', 'CONSULT', 'TRAINING'])}:{rnd.randint(1, 7)}" for _ in range(rnd.randint(1, 3))]
        extra = ("--discount", f"{rnd.randint(1, 15)}%") if rnd.random() < 0.4 else ()
        numbers.append(invoice(day, *lines, account=rnd.choice(["Café Müller", "=Bistro"]), extra=extra))
    for number in rnd.sample(numbers, 3):
        if rnd.random() < 0.5:
            ok("invoice", "credit", number, "--amount", f"{rnd.randint(1, 20)}.{rnd.randint(0, 99):02d}", "--date", TODAY)
        else:
            ok("invoice", "credit", number, "--date", TODAY)
    for number in rnd.sample(numbers, 4):
        balance = D(ok("invoice", "show", number, "--json").json()["balance"])
        if balance > 1:
            ok("payment", "add", number, "--amount", f"{(balance / rnd.choice([1, 2, 3])).quantize(D('0.01'))}", "--date", TODAY)
    hand = by_hand(lambda doc: day_of(doc)[:7])
    rows = report("sales")
    assert {r["month"]: amounts(r, "net", "vat", "gross") for r in rows} == {k: v for k, v in hand.items()}
    total_net = sum(v[0] for v in hand.values())
    for by in ("quarter", "account", "product", "vendor"):
        assert sum(D(r["net"]) for r in report("sales", "--by", by)) == total_net, by
    vat = report("vat")
    assert sum(D(r["vat"]) for r in vat) == sum(v[1] for v in hand.values())
    assert sum(D(r["base"]) for r in vat) == total_net
    balances = sum(D(i["balance"]) for i in ok("invoice", "list", "--json").json())
    assert sum(D(r["total"]) for r in report("aging")) == balances
    paid = report("vat", "--basis", "payment")
    assert sum(D(r["vat"]) for r in paid) <= sum(D(r["vat"]) for r in vat) + D("0.05")



def test_share_cents_is_prorate_in_integer_cents():
    from hypothesis import given, settings
    from hypothesis import strategies as st

    from orders_cli.core import pricing

    @settings(max_examples=300, deadline=None)
    @given(st.integers(-10**9, 10**9), st.integers(1, 10**9), st.data())
    def check(amount, whole, data):
        part = data.draw(st.integers(0, whole))
        expected = pricing.prorate(D(amount) / 100, D(part) / 100, D(whole) / 100)
        assert pricing.share_cents(amount, part, whole) == int(expected * 100), (amount, part, whole)

    check()


def test_recurring_at_the_start_of_the_calendar_is_refused_or_empty():
    """Each month is compared with the one before it: a span from January of year 1 is refused
    in one line (it was an internal error, found by the hostile fuzz); one that ends then is empty."""
    refused("report", "recurring", "--since", "0001-01-01", "--until", "0001-03-01")
    assert ok("report", "recurring", "--until", "0001-01-01", "--json").json() == []
