"""Recurring invoicing through the CLI (SPEC.md §4, CLI.md recur/usage): the schedule as billed,
in advance / in arrears, end dates, catch-up, subjects, off/on, idempotence, dry runs,
copies of the order at generation time, usage records, dashboard, JSON shapes, one failing
order not stopping the others, and refusals that change nothing."""

from __future__ import annotations

import json
from decimal import Decimal

import pytest
from conftest import clone_db, db_content, ok, refused, run, sql

REC_KEYS = {"enabled", "frequency", "start", "end", "due_days", "invoice_status", "subject", "language",
            "invoice_date", "last_day", "catch_up", "usage", "next_date"}


def build_catalog() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    ok("product", "add", "CPU", "--name", "CPU hours", "--price", "0.50", "--tax", "VAT20", "--service")
    ok("order", "add", "--subject", "Support contract", "--account", "Acme", "--line", "MAINT:1")


@pytest.fixture(scope="session")
def catalog_template(db_template):
    """Built once; each test gets a copy. Tax VAT20; account Acme; services MAINT 100.00 and
    CPU 0.50 (VAT20); order SO-00001 "Support contract" with MAINT:1 (total 120.00)."""
    return db_template("recur-catalog", build_catalog)


@pytest.fixture
def catalog(catalog_template, isolated):
    from orders_cli import store

    clone_db(catalog_template)
    yield "SO-00001"
    store.dispose_all()


# ---------------------------------------------------------------- helpers


def new_order(*lines: str, subject: str = "Support contract") -> str:
    args = [a for ln in (lines or ("MAINT:1",)) for a in ("--line", ln)]
    return ok("order", "add", "--json", "--subject", subject, "--account", "Acme", *args).json()["number"]


def recur(order: str, *opts: str) -> dict:
    return ok("recur", "set", order, "--json", *opts).json()


TODAY = "2026-11-28"  # ORDERS_TODAY in the tests (conftest)


def bill(day: str, *opts: str) -> dict:
    """``recur run --date day``: its invoices are dated ``day`` (with --allow-future after today)."""
    ahead = ("--allow-future",) if day > TODAY else ()
    out = ok("recur", "run", "--date", day, "--json", *ahead, *opts).json()
    assert out["failed"] == []
    return out


def invoices(order: str) -> list[dict]:
    """The order's recurring invoices, oldest period first, as ``invoice show`` prints them."""
    rows = ok("invoice", "list", "--order", order, "--json").json()
    docs = [ok("invoice", "show", r["number"], "--json").json() for r in rows if r["period_start"]]
    return sorted(docs, key=lambda d: d["period_start"])


def periods(order: str) -> list[tuple[str, str, str]]:
    return [(d["invoice_date"], d["period_start"], d["period_end"]) for d in invoices(order)]


def spans(order: str) -> list[tuple[str, str]]:
    return [(d["period_start"], d["period_end"]) for d in invoices(order)]


def all_invoice_numbers() -> list[str]:
    return sorted(r[0] for r in sql("SELECT number FROM invoice"))


# ---------------------------------------------------------------- the schedule as billed


def test_monthly_from_jan_31_bills_month_ends_whatever_days_the_job_ran(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-01-31")
    assert [i["period_start"] for i in bill("2026-02-01")["invoices"]] == ["2026-01-31"]
    assert [i["period_start"] for i in bill("2026-03-15")["invoices"]] == ["2026-02-28"]
    assert [i["period_start"] for i in bill("2026-05-01")["invoices"]] == ["2026-03-31", "2026-04-30"]
    expected = [("2026-01-31", "2026-02-27"), ("2026-02-28", "2026-03-30"), ("2026-03-31", "2026-04-29"), ("2026-04-30", "2026-05-30")]
    # each invoice is dated the day of the run that issued it, its period printed on it
    assert periods(so) == [(day, *span) for day, span in zip(("2026-02-01", "2026-03-15", "2026-05-01", "2026-05-01"), expected)]
    # the same schedule billed by one run on 05-01 gives the same periods, all dated 05-01
    other = new_order()
    recur(other, "--frequency", "monthly", "--start", "2026-01-31")
    made = bill("2026-05-01")["invoices"]
    assert {i["order"] for i in made} == {other}
    assert periods(other) == [("2026-05-01", *span) for span in expected]
    assert all_invoice_numbers() == [f"INV-{n:05d}" for n in range(1, 9)]


def test_annual_from_feb_29_clamps_and_comes_back(catalog):
    so = catalog
    recur(so, "--frequency", "annual", "--start", "2024-02-29")
    bill("2028-03-01")
    assert periods(so) == [
        ("2028-03-01", "2024-02-29", "2025-02-27"),
        ("2028-03-01", "2025-02-28", "2026-02-27"),
        ("2028-03-01", "2026-02-28", "2027-02-27"),
        ("2028-03-01", "2027-02-28", "2028-02-28"),
        ("2028-03-01", "2028-02-29", "2029-02-27"),
    ]


@pytest.mark.parametrize(
    "opts, as_of, expected",
    [
        (("--frequency", "quarterly", "--start", "2025-10-31"), "2026-10-31",
         [("2025-10-31", "2026-01-30"), ("2026-01-31", "2026-04-29"), ("2026-04-30", "2026-07-30"),
          ("2026-07-31", "2026-10-30"), ("2026-10-31", "2027-01-30")]),
        (("--frequency", "semiannual", "--start", "2025-08-31"), "2026-11-28",
         [("2025-08-31", "2026-02-27"), ("2026-02-28", "2026-08-30"), ("2026-08-31", "2027-02-27")]),
        (("--frequency", "weekly", "--start", "2026-11-02"), "2026-11-28",
         [("2026-11-02", "2026-11-08"), ("2026-11-09", "2026-11-15"), ("2026-11-16", "2026-11-22"),
          ("2026-11-23", "2026-11-29")]),
        (("--frequency", "daily", "--start", "2026-11-25"), "2026-11-28",
         [(d, d) for d in ("2026-11-25", "2026-11-26", "2026-11-27", "2026-11-28")]),
        (("--frequency", "monthly", "--start", "2026-01-15", "--last-day"), "2026-04-30",
         [("2026-01-31", "2026-02-27"), ("2026-02-28", "2026-03-30"), ("2026-03-31", "2026-04-29"),
          ("2026-04-30", "2026-05-30")]),
        (("--frequency", "quarterly", "--start", "2026-02-10", "--last-day"), "2026-11-28",
         [("2026-02-28", "2026-05-30"), ("2026-05-31", "2026-08-30"), ("2026-08-31", "2026-11-29")]),
    ],
    ids=["quarterly", "semiannual", "weekly", "daily", "monthly-last-day", "quarterly-last-day"],
)
def test_frequencies(catalog, opts, as_of, expected):
    recur(catalog, *opts)
    made = bill(as_of)["invoices"]
    assert [(i["period_start"], i["period_end"]) for i in made] == expected
    assert spans(catalog) == expected
    assert all(i["invoice_date"] == as_of for i in made)  # the run's day, whatever the period
    assert bill(as_of)["invoices"] == []


def test_in_advance_and_in_arrears_with_due_days(catalog):
    advance = catalog
    arrears = new_order()
    recur(advance, "--frequency", "monthly", "--start", "2026-01-01", "--due-days", "15")
    view = recur(arrears, "--frequency", "monthly", "--start", "2026-01-01", "--invoice-date", "end", "--due-days", "15")
    assert view["invoice_date"] == "end" and view["due_days"] == 15

    made = bill("2026-01-30")["invoices"]  # the period in advance became due on 01-01: dated the run's day
    assert [(i["order"], i["invoice_date"], i["due_date"]) for i in made] == [(advance, "2026-01-30", "2026-02-14")]
    made = bill("2026-01-31")["invoices"]  # the end of the arrears period has come
    assert [(i["order"], i["invoice_date"], i["period_start"], i["period_end"], i["due_date"]) for i in made] == [
        (arrears, "2026-01-31", "2026-01-01", "2026-01-31", "2026-02-15")]
    bill("2026-03-30")
    assert periods(arrears) == [("2026-01-31", "2026-01-01", "2026-01-31"), ("2026-03-30", "2026-02-01", "2026-02-28")]
    assert [d["due_date"] for d in invoices(arrears)] == ["2026-02-15", "2026-04-14"]
    assert periods(advance) == [("2026-01-30", "2026-01-01", "2026-01-31"), ("2026-03-30", "2026-02-01", "2026-02-28"),
                                ("2026-03-30", "2026-03-01", "2026-03-31")]
    assert [d["due_date"] for d in invoices(advance)] == ["2026-02-14", "2026-04-14", "2026-04-14"]  # due = invoice date + 15
    assert all(d["status"] == "auto_created" for d in invoices(advance))


def test_end_date_inclusive_and_already_passed(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-01-10", "--end", "2026-03-10")
    r = ok("recur", "run", "--json")  # default: today (2026-11-28), the end passed long ago
    assert r.json()["as_of"] == "2026-11-28"
    expected = [("2026-01-10", "2026-02-09"), ("2026-02-10", "2026-03-09"), ("2026-03-10", "2026-03-10")]
    assert [(i["period_start"], i["period_end"]) for i in r.json()["invoices"]] == expected
    assert bill("2030-01-01")["invoices"] == []
    assert spans(so) == expected
    info = ok("recur", "show", so, "--json").json()
    assert info["next"] == [] and info["pending"] == 0 and info["recurrence"]["next_date"] is None
    board = ok("recur", "list", "--json").json()
    assert board["orders"][0]["next_date"] is None
    assert board["monthly_recurring_revenue"] == "0.00"  # ended: no recurring revenue


def test_end_date_in_arrears_cuts_the_last_period(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01", "--end", "2026-02-14", "--invoice-date", "end")
    assert bill("2026-02-13")["invoices"][-1]["period_end"] == "2026-01-31"
    made = bill("2026-02-14")["invoices"]
    assert [(i["invoice_date"], i["period_start"], i["period_end"]) for i in made] == [("2026-02-14", "2026-02-01", "2026-02-14")]


# ---------------------------------------------------------------- catch-up


def test_catch_up_latest_records_skipped_periods_all_bills_everything(catalog):
    latest = catalog
    every = new_order()
    recur(latest, "--frequency", "monthly", "--start", "2026-01-01", "--catch-up", "latest")
    recur(every, "--frequency", "monthly", "--start", "2026-01-01")
    out = bill("2026-05-15")
    assert [(i["order"], i["period_start"]) for i in out["invoices"] if i["order"] == latest] == [(latest, "2026-05-01")]
    assert [i["period_start"] for i in out["invoices"] if i["order"] == every] == [
        "2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01", "2026-05-01"]
    assert out["skipped_periods"] == [
        {"order": latest, "period_start": f"2026-0{m}-01", "period_end": end}
        for m, end in ((1, "2026-01-31"), (2, "2026-02-28"), (3, "2026-03-31"), (4, "2026-04-30"))
    ]
    info = ok("recur", "show", latest, "--date", "2026-05-15", "--json").json()
    assert [s["period_start"] for s in info["skipped_periods"]] == ["2026-01-01", "2026-02-01", "2026-03-01", "2026-04-01"]
    assert [i["period_start"] for i in info["invoices"]] == ["2026-05-01"]
    assert info["pending"] == 0
    board = {o["order"]: o for o in ok("recur", "list", "--date", "2026-05-15", "--json").json()["orders"]}
    assert (board[latest]["skipped"], board[latest]["invoices"], board[latest]["pending"]) == (4, 1, 0)
    assert (board[every]["skipped"], board[every]["invoices"]) == (0, 5)

    # the next runs: one period due -> billed, nothing skipped; two due -> the older one skipped
    out = bill("2026-06-01")
    assert [(i["order"], i["period_start"]) for i in out["invoices"]] == [(latest, "2026-06-01"), (every, "2026-06-01")]
    assert out["skipped_periods"] == []
    out = bill("2026-08-02")
    assert [i["period_start"] for i in out["invoices"] if i["order"] == latest] == ["2026-08-01"]
    assert out["skipped_periods"] == [{"order": latest, "period_start": "2026-07-01", "period_end": "2026-07-31"}]
    assert bill("2026-08-02") == {"as_of": "2026-08-02", "dry_run": False, "invoices": [], "skipped_periods": [], "failed": []}
    assert len(ok("recur", "show", latest, "--json").json()["skipped_periods"]) == 5


# ---------------------------------------------------------------- subjects


def test_subject_template_in_two_languages_and_fallback(catalog):
    fr, en, plain = catalog, new_order(), new_order(subject="Plain subject")
    recur(fr, "--frequency", "monthly", "--start", "2026-03-01", "--subject", "Maintenance {MMM} {YYYY}", "--language", "fr")
    recur(en, "--frequency", "monthly", "--start", "2026-03-01", "--subject", "Maintenance {MMM} {YYYY} ({YY}-{MM}-{DD} Q{Q}) {XX}",
          "--language", "en")
    recur(plain, "--frequency", "monthly", "--start", "2026-03-01")
    subjects = {i["order"]: i["subject"] for i in bill("2026-03-01")["invoices"]}
    assert subjects == {fr: "Maintenance mars 2026", en: "Maintenance March 2026 (26-03-01 Q1) {XX}", plain: "Plain subject"}
    assert invoices(fr)[0]["subject"] == "Maintenance mars 2026"
    # an explicitly emptied template falls back to the order's subject too
    recur(fr, "--subject", "")
    assert {i["order"]: i["subject"] for i in bill("2026-04-01")["invoices"]}[fr] == "Support contract"


# ---------------------------------------------------------------- off / on, past start


def test_off_then_on_never_rebills(catalog):
    so = catalog
    r = ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-01-01")
    assert "the next run will bill 11 past periods" in r.err  # 01-01 .. 11-01 with today 2026-11-28
    bill("2026-03-15")
    ok("recur", "off", so)
    assert ok("order", "show", so, "--json").json()["recurrence"]["enabled"] is False
    before = db_content()
    assert bill("2026-06-15")["invoices"] == []
    assert db_content() == before
    board = ok("recur", "list", "--json").json()
    assert board["orders"][0]["enabled"] is False and board["orders"][0]["pending"] == 0
    assert board["monthly_recurring_revenue"] == "0.00"

    r = ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-01-01")
    assert "the next run will bill 8 past periods" in r.err  # 04-01 .. 11-01: the billed ones are not counted
    made = bill("2026-06-15")["invoices"]
    assert [i["period_start"] for i in made] == ["2026-04-01", "2026-05-01", "2026-06-01"]
    starts = [s for s, _ in spans(so)]
    assert starts == sorted(set(starts)) and len(starts) == 6


def test_future_start_announces_nothing(catalog):
    r = ok("recur", "set", catalog, "--frequency", "monthly", "--start", "2026-12-01", "--json")
    assert "past period" not in r.err
    assert r.json()["next_date"] == "2026-12-01"
    r = ok("recur", "set", catalog, "--start", "2026-11-28")
    assert "the next run will bill 1 past period" in r.err


# ---------------------------------------------------------------- idempotence, dry run, max periods


def test_running_twice_creates_nothing_new(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-31")
    assert len(bill("2026-05-01")["invoices"]) == 4
    before = db_content()
    second = ok("recur", "run", "--date", "2026-05-01", "--json")
    assert second.json()["invoices"] == []
    assert "billed 0 invoices" in second.err
    assert db_content() == before


def test_dry_run_prints_and_writes_nothing(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-31", "--due-days", "10")
    before = db_content()
    dry = ok("recur", "run", "--date", "2026-05-01", "--dry-run", "--json").json()
    assert db_content() == before
    assert dry["dry_run"] is True and dry["as_of"] == "2026-05-01"
    assert [i["number"] for i in dry["invoices"]] == [None] * 4
    real = bill("2026-05-01")
    assert real["dry_run"] is False
    assert [i["number"] for i in real["invoices"]] == ["INV-00001", "INV-00002", "INV-00003", "INV-00004"]
    strip = lambda items: [{k: v for k, v in i.items() if k != "number"} for i in items]  # noqa: E731
    assert strip(dry["invoices"]) == strip(real["invoices"])
    for key in ("order", "subject", "invoice_date", "due_date", "period_start", "period_end", "totals"):
        assert key in dry["invoices"][0]
    assert dry["invoices"][0]["totals"]["total"] == "120.00"
    # a human dry run also says what it would do
    r = ok("recur", "run", "--date", "2026-07-01", "--dry-run")
    assert "would bill 2 invoices" in r.err


def test_max_periods_bills_the_oldest_first(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01")
    first = bill("2026-05-01", "--max-periods", "2")
    assert [i["period_start"] for i in first["invoices"]] == ["2026-01-01", "2026-02-01"]
    rest = bill("2026-05-01")
    assert [i["period_start"] for i in rest["invoices"]] == ["2026-03-01", "2026-04-01", "2026-05-01"]
    assert [d["number"] for d in invoices(catalog)] == [f"INV-0000{n}" for n in range(1, 6)]
    refused("recur", "run", "--max-periods", "0", code=2)


# ---------------------------------------------------------------- a copy of the order at generation time


def test_invoice_copies_the_order_as_it_is_then(catalog):
    so = new_order("MAINT:1", "CPU:10")
    recur(so, "--frequency", "monthly", "--start", "2026-01-01")
    bill("2026-02-01")
    ok("order", "line", "edit", so, "1", "--qty", "2")
    bill("2026-03-01")
    docs = invoices(so)
    assert [d["totals"]["total"] for d in docs] == ["126.00", "126.00", "246.00"]
    assert [[(ln["line_no"], ln["sku"], ln["quantity"]) for ln in d["lines"]] for d in docs] == [
        [(1, "MAINT", "1"), (2, "CPU", "10")], [(1, "MAINT", "1"), (2, "CPU", "10")], [(1, "MAINT", "2"), (2, "CPU", "10")]]
    for d in docs:  # printed numbers add up
        assert sum(Decimal(ln["net"]) for ln in d["lines"]) == Decimal(d["totals"]["subtotal"])
        t = d["totals"]
        assert Decimal(t["subtotal"]) - Decimal(t["discount"]) + Decimal(t["shipping"]) + Decimal(t["tax"]) + Decimal(t["adjustment"]) == Decimal(t["total"])
    order = ok("order", "show", so, "--json").json()
    assert [ln["invoiced_quantity"] for ln in order["lines"]] == ["0", "0"]
    assert order["progress"]["invoiced_percent"] == "0"
    assert {i["number"] for i in order["related"]["invoices"]} == {d["number"] for d in docs}
    # the whole order can still be invoiced the ordinary way (dated like the last run: numbers follow dates)
    inv = ok("order", "convert", "invoice", so, "--date", "2026-03-01", "--json").json()
    assert [ln["quantity"] for ln in inv["lines"]] == ["2", "10"]
    # recurrence stays editable after finalize; the lock does not stop billing
    ok("order", "finalize", so, "--yes")
    view = recur(so, "--due-days", "10", "--subject", "Support {MM}/{YYYY}")
    assert view["due_days"] == 10
    made = bill("2026-04-01")["invoices"]
    assert [(i["order"], i["due_date"], i["subject"], i["totals"]["total"]) for i in made] == [(so, "2026-04-11", "Support 04/2026", "246.00")]
    ok("recur", "off", so)
    assert ok("order", "show", so, "--json").json()["recurrence"]["enabled"] is False


def test_invoice_status_and_invoice_list_period(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01", "--invoice-status", "approved")
    bill("2026-01-01")
    assert invoices(catalog)[0]["status"] == "approved"
    assert invoices(catalog)[0]["recurring"] is True


# ---------------------------------------------------------------- usage


def usage(order: str, qty: str, day: str, *extra: str) -> dict:
    return ok("usage", "add", order, "--product", "CPU", "--qty", qty, "--date", day, "--json", *extra).json()


def usage_lines(doc: dict) -> list[tuple[str, str, str]]:
    return [(ln["quantity"], ln["unit_price"], ln["net"]) for ln in doc["lines"] if ln["sku"] == "CPU"]


def test_usage_in_advance_merges_and_bills_late_records_once(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-02-01", "--usage")
    a = usage(so, "10", "2026-01-15")
    assert (a["order"], a["sku"], a["quantity"], a["unit_price"], a["date"], a["invoice"]) == (so, "CPU", "10", None, "2026-01-15", None)
    usage(so, "5", "2026-01-31")
    usage(so, "3", "2026-01-21", "--price", "0.40")
    usage(so, "7", "2026-02-01")  # in the first period itself: billed in advance on the next invoice
    first = bill("2026-02-01")["invoices"][0]
    doc = invoices(so)[0]
    assert usage_lines(doc) == [("15", "0.50", "7.50"), ("3", "0.40", "1.20")]
    assert first["totals"]["subtotal"] == "108.70" and doc["totals"]["total"] == first["totals"]["total"] == "130.44"
    bill("2026-03-01")
    assert usage_lines(invoices(so)[1]) == [("7", "0.50", "3.50")]
    # a late record, dated in an already billed period, goes on the following invoice
    usage(so, "4", "2026-01-25")
    bill("2026-03-31")
    assert len(invoices(so)) == 2
    bill("2026-04-01")
    docs = invoices(so)
    assert usage_lines(docs[2]) == [("4", "0.50", "2.00")]
    bill("2026-05-01")
    assert usage_lines(invoices(so)[3]) == []
    listed = ok("usage", "list", so, "--json").json()
    assert [(u["date"], u["quantity"], u["invoice"]) for u in listed] == [
        ("2026-01-15", "10", "INV-00001"), ("2026-01-21", "3", "INV-00001"), ("2026-01-25", "4", "INV-00003"),
        ("2026-01-31", "5", "INV-00001"), ("2026-02-01", "7", "INV-00002")]
    billed = sum(Decimal(q) for d in invoices(so) for q, _, _ in usage_lines(d))
    assert billed == sum(Decimal(u["quantity"]) for u in listed) == 29


def test_usage_in_arrears_up_to_period_end(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-02-01", "--invoice-date", "end", "--usage")
    usage(so, "2", "2026-01-20")
    usage(so, "4", "2026-02-28")
    usage(so, "6", "2026-03-01")
    bill("2026-02-28")
    assert usage_lines(invoices(so)[0]) == [("6", "0.50", "3.00")]
    bill("2026-03-31")
    assert usage_lines(invoices(so)[1]) == [("6", "0.50", "3.00")]
    assert [u["invoice"] for u in ok("usage", "list", so, "--json").json()] == ["INV-00001", "INV-00001", "INV-00002"]


def test_usage_ignored_without_the_usage_flag(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-02-01")
    usage(catalog, "2", "2026-01-20")
    bill("2026-03-01")
    assert all(usage_lines(d) == [] for d in invoices(catalog))
    assert ok("usage", "list", catalog, "--json").json()[0]["invoice"] is None


def test_usage_import_all_or_nothing(catalog, tmp_path):
    so = catalog
    good = tmp_path / "good.csv"
    good.write_text(f"order,product,qty,date,price\n{so},CPU,1.5,2026-01-10,\n{so},CPU,2,2026-01-11,0.40\n{so},MAINT,1,,\n", encoding="utf-8")
    assert ok("usage", "import", str(good), "--json").json() == {"imported": 3}
    listed = ok("usage", "list", so, "--json").json()
    assert [(u["sku"], u["quantity"], u["unit_price"], u["date"]) for u in listed] == [
        ("CPU", "1.5", None, "2026-01-10"), ("CPU", "2", "0.40", "2026-01-11"), ("MAINT", "1", None, "2026-11-28")]

    before = db_content()
    bad_qty = tmp_path / "bad.csv"
    bad_qty.write_text(f"order,product,qty,date\n{so},CPU,1,2026-01-10\n{so},CPU,0,2026-01-10\n", encoding="utf-8")
    r = refused("usage", "import", str(bad_qty))
    assert "line 3" in r.err
    bad_sku = tmp_path / "bad2.csv"
    bad_sku.write_text(f"order,product,qty\n{so},NOPE,1\n{so},CPU,1\n", encoding="utf-8")
    assert "line 2" in refused("usage", "import", str(bad_sku)).err
    bad_order = tmp_path / "bad3.csv"
    bad_order.write_text(f"order,product,qty\n{so},CPU,1\n{so},CPU,1\nSO-09999,CPU,1\n", encoding="utf-8")
    assert "line 4" in refused("usage", "import", str(bad_order)).err
    bad_col = tmp_path / "bad4.csv"
    bad_col.write_text(f"order,product,quantity\n{so},CPU,1\n", encoding="utf-8")
    refused("usage", "import", str(bad_col))
    refused("usage", "import", str(tmp_path / "missing.csv"))
    assert db_content() == before


# ---------------------------------------------------------------- dashboard and JSON shapes


def test_recur_list_and_show(catalog):
    monthly, annual, off, plain = catalog, new_order(), new_order(), new_order()
    recur(monthly, "--frequency", "monthly", "--start", "2026-09-01")
    recur(annual, "--frequency", "annual", "--start", "2026-01-15")
    recur(off, "--frequency", "weekly", "--start", "2026-01-05")
    ok("recur", "off", off)
    bill("2026-10-15")
    board = ok("recur", "list", "--json").json()
    assert board["as_of"] == "2026-11-28"
    assert board["monthly_recurring_revenue"] == "130.00"  # 120 monthly + 120 / 12 annual; off does not count
    rows = {o["order"]: o for o in board["orders"]}
    assert set(rows) == {monthly, annual, off}  # an order without recurrence is not listed
    assert plain not in rows
    m = rows[monthly]
    assert (m["frequency"], m["next_date"], m["invoices"], m["billed"], m["pending"], m["skipped"]) == (
        "monthly", "2026-11-01", 2, "240.00", 1, 0)
    a = rows[annual]
    assert (a["next_date"], a["invoices"], a["billed"], a["pending"]) == ("2027-01-15", 1, "120.00", 0)
    assert (rows[off]["enabled"], rows[off]["next_date"], rows[off]["pending"], rows[off]["invoices"]) == (False, None, 0, 0)
    # other formats of the list
    assert [o["order"] for o in ok("recur", "list", "--jsonl").jsonl()] == [o["order"] for o in board["orders"]]
    assert ok("recur", "list", "--csv").out.splitlines()[0].startswith("order,")
    assert "monthly recurring revenue: 130.00" in ok("recur", "list").err

    info = ok("recur", "show", monthly, "--json").json()
    assert info["order"] == monthly and info["recurrence"]["frequency"] == "monthly"
    assert [(i["number"], i["period_start"], i["total"]) for i in info["invoices"]] == [
        ("INV-00001", "2026-09-01", "120.00"), ("INV-00002", "2026-10-01", "120.00")]
    assert info["pending"] == 1
    assert info["next"][0] == {"period_start": "2026-11-01", "period_end": "2026-11-30", "invoice_date": "2026-11-01",
                               "amount": "120.00", "overdue": True}
    assert info["next"][1]["overdue"] is False and len(info["next"]) == 5
    assert "INV-00001" in ok("recur", "show", monthly).out


def test_order_json_recurrence_object_and_round_trip(catalog):
    so = catalog
    assert ok("order", "show", so, "--json").json()["recurrence"] is None
    recur(so, "--frequency", "quarterly", "--start", "2026-01-31", "--end", "2027-12-31", "--due-days", "15",
          "--invoice-status", "created", "--subject", "Maint {Q}/{YYYY}", "--language", "fr", "--invoice-date", "end",
          "--last-day", "--catch-up", "latest", "--usage")
    doc = ok("order", "show", so, "--json").json()
    rec = doc["recurrence"]
    assert set(rec) == REC_KEYS
    assert rec == {"enabled": True, "frequency": "quarterly", "start": "2026-01-31", "end": "2027-12-31", "due_days": 15,
                   "invoice_status": "created", "subject": "Maint {Q}/{YYYY}", "language": "fr", "invoice_date": "end",
                   "last_day": True, "catch_up": "latest", "usage": True, "next_date": rec["next_date"]}
    assert rec["next_date"] == "2026-04-29"  # the first period (01-31..04-29) ends, in arrears, on its last day
    new = ok("order", "add", "--from-json", "-", "--json", stdin=json.dumps(doc)).json()
    copy = ok("order", "show", new["last"] if "last" in new else new["number"], "--json").json()
    assert copy["number"] != so
    assert copy["recurrence"] == rec
    # and the copy bills like the original
    made = bill("2026-05-01")["invoices"]
    assert sorted(i["order"] for i in made) == sorted([so, copy["number"]])
    assert {(i["period_start"], i["period_end"], i["subject"], i["status"] if "status" in i else "created") for i in made} == {
        ("2026-01-31", "2026-04-29", "Maint 2/2026", "created")}


def test_recurrence_from_json_refusals_change_nothing(catalog):
    doc = ok("order", "show", catalog, "--json").json()
    before = db_content()
    for bad in ({"frequency": "hourly", "start": "2026-01-01"}, {"frequency": "monthly"},
                {"frequency": "monthly", "start": "2026-01-01", "colour": "red"},
                {"frequency": "monthly", "start": "2026-02-01", "end": "2026-01-01"}):
        refused("order", "add", "--from-json", "-", stdin=json.dumps(dict(doc, recurrence=bad)))
    assert db_content() == before


# ---------------------------------------------------------------- one failing order


def test_one_failing_order_does_not_stop_the_others(catalog):
    first, broken, last = catalog, new_order(), new_order()
    for so in (first, broken, last):
        recur(so, "--frequency", "monthly", "--start", "2026-01-01")
    sql("UPDATE order_line SET taxes = 'not json' WHERE order_id = (SELECT id FROM sales_order WHERE number = ?)", broken)
    ok("order", "finalize", last, "--yes")
    r = run("recur", "run", "--date", "2026-03-01", "--json")
    assert r.code == 1, r.err
    assert "Traceback" not in r.err
    out = r.json()
    assert [f["order"] for f in out["failed"]] == [broken]
    assert sorted({i["order"] for i in out["invoices"]}) == [first, last]
    assert len(out["invoices"]) == 6
    assert f"error: {broken}:" in r.err
    assert len(invoices(first)) == len(invoices(last)) == 3 and invoices(broken) == []
    assert all_invoice_numbers() == [f"INV-0000{n}" for n in range(1, 7)]  # no number lost to the failure
    human = run("recur", "run", "--date", "2026-04-01")
    assert human.code == 1 and f"error: {broken}:" in human.err and "billed 2 invoices" in human.err


# ---------------------------------------------------------------- refusals


@pytest.mark.parametrize(
    "args",
    [
        ("recur", "set", "SO-00001", "--frequency", "hourly", "--start", "2026-01-01"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--end", "2026-01-31"),
        ("recur", "set", "SO-00001", "--frequency", "weekly", "--start", "2026-02-01", "--last-day"),
        ("recur", "set", "SO-00001", "--frequency", "daily", "--start", "2026-02-01", "--last-day"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--language", "xx_nowhere"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--invoice-status", "paid"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--invoice-status", "bogus"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--invoice-date", "middle"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--catch-up", "some"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-30"),
        ("recur", "set", "SO-00001", "--frequency", "monthly", "--start", "2026-02-01", "--due-days", "-1"),
        ("recur", "set", "SO-00001", "--frequency", "monthly"),
        ("recur", "set", "SO-09999", "--frequency", "monthly", "--start", "2026-02-01"),
        ("recur", "off", "SO-00001"),
        ("recur", "show", "SO-00001"),
        ("recur", "run", "--date", "2026-13-01"),
        ("usage", "add", "SO-00001", "--product", "CPU", "--qty", "0"),
        ("usage", "add", "SO-00001", "--product", "CPU", "--qty", "-2"),
        ("usage", "add", "SO-00001", "--product", "CPU", "--qty", "lots"),
        ("usage", "add", "SO-00001", "--product", "NOPE", "--qty", "1"),
        ("usage", "add", "SO-09999", "--product", "CPU", "--qty", "1"),
        ("usage", "add", "SO-00001", "--product", "CPU", "--qty", "1", "--price", "-1"),
        ("usage", "add", "SO-00001", "--product", "CPU", "--qty", "1", "--date", "yesterday"),
        ("usage", "list", "SO-09999"),
    ],
)
def test_refusals_change_nothing(catalog, args):
    before = db_content()
    refused(*args)
    assert db_content() == before


def test_refusals_of_an_existing_recurrence_keep_it(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01")
    before = db_content()
    refused("recur", "set", catalog, "--frequency", "weekly", "--last-day")
    refused("recur", "set", catalog, "--end", "2025-12-31")
    refused("recur", "set", catalog, "--language", "zz-qq")
    refused("recur", "set", catalog, "--invoice-status", "cancelled", "--json", error_code="invalid")
    assert db_content() == before
    ok("order", "status", catalog, "cancelled")
    refused("recur", "set", catalog, "--due-days", "5")
    assert bill("2026-03-01")["invoices"] == []  # a cancelled order bills nothing


def test_error_codes_in_json(catalog):
    refused("recur", "off", catalog, "--json", error_code="not_found")
    refused("usage", "add", "SO-09999", "--product", "CPU", "--qty", "1", "--json", error_code="not_found")
    refused("usage", "add", catalog, "--product", "CPU", "--qty", "0", "--json", error_code="invalid")


# ---------------------------------------------------------------- more edges


def test_cancelled_order_shows_nothing_pending(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-01-01")
    ok("order", "status", so, "cancelled")
    assert bill("2026-11-28")["invoices"] == []
    row = ok("recur", "list", "--json").json()["orders"][0]
    assert (row["next_date"], row["pending"]) == (None, 0)
    info = ok("recur", "show", so, "--json").json()
    assert (info["pending"], info["next"], info["recurrence"]["next_date"]) == (0, [], None)
    assert ok("order", "show", so, "--json").json()["recurrence"]["next_date"] is None


def test_recur_show_as_of_a_date(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01")
    bill("2026-02-01")
    info = ok("recur", "show", catalog, "--date", "2026-02-15", "--json").json()
    assert info["pending"] == 0
    assert info["next"][0]["invoice_date"] == info["recurrence"]["next_date"] == "2026-03-01"
    info = ok("recur", "show", catalog, "--json").json()  # today 2026-11-28: 03-01 .. 11-01 pending
    assert info["pending"] == 9 and info["recurrence"]["next_date"] == "2026-03-01"


def test_past_start_with_catch_up_latest_says_one_period(catalog):
    r = ok("recur", "set", catalog, "--frequency", "monthly", "--start", "2026-01-01", "--catch-up", "latest", "--json")
    assert "the next run will bill 1 past period" in r.err and "10" in r.err
    made = bill("2026-11-28")
    assert len(made["invoices"]) == 1 and len(made["skipped_periods"]) == 10


def test_dry_run_with_catch_up_latest_records_no_skip(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01", "--catch-up", "latest")
    before = db_content()
    dry = ok("recur", "run", "--date", "2026-04-10", "--dry-run", "--json").json()
    assert len(dry["skipped_periods"]) == 3 and [i["period_start"] for i in dry["invoices"]] == ["2026-04-01"]
    assert db_content() == before
    assert ok("recur", "show", catalog, "--json").json()["skipped_periods"] == []


def test_usage_split_across_caught_up_periods(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-01-01", "--usage")
    for qty, day in (("1", "2025-12-31"), ("2", "2026-01-31"), ("3", "2026-02-01"), ("4", "2026-03-31"), ("5", "2026-04-01")):
        usage(so, qty, day)
    bill("2026-04-01")
    assert [usage_lines(d) for d in invoices(so)] == [
        [("1", "0.50", "0.50")], [("2", "0.50", "1.00")], [("3", "0.50", "1.50")], [("4", "0.50", "2.00")]]
    assert [u["invoice"] for u in ok("usage", "list", so, "--json").json()] == [
        "INV-00001", "INV-00002", "INV-00003", "INV-00004", None]


def test_language_from_settings_and_end_cleared(catalog, tmp_path):
    (tmp_path / "tpl").mkdir()  # the language setting needs document labels in it: German ones here
    (tmp_path / "tpl" / "labels.toml").write_text('[de]\ninvoice = "Rechnung"\n', encoding="utf-8")
    ok("config", "set", "templates.dir", str(tmp_path / "tpl"))
    ok("config", "set", "language", "de")
    recur(catalog, "--frequency", "monthly", "--start", "2026-03-01", "--subject", "Wartung {MMM}", "--end", "2026-03-31")
    assert recur(catalog, "--end", "")["end"] is None
    made = bill("2026-04-01")["invoices"]
    assert [i["subject"] for i in made] == ["Wartung März", "Wartung April"]
    recur(catalog, "--language", "fr")
    assert bill("2026-05-01")["invoices"][0]["subject"] == "Wartung mai"


def test_recurrence_disabled_in_json_import(catalog):
    doc = ok("order", "show", catalog, "--json").json()
    doc["recurrence"] = {"enabled": False, "frequency": "weekly", "start": "2026-11-02"}
    new = ok("order", "add", "--from-json", "-", "--json", stdin=json.dumps(doc)).json()
    number = new.get("number") or new.get("last")
    rec = ok("order", "show", number, "--json").json()["recurrence"]
    assert (rec["enabled"], rec["frequency"], rec["catch_up"], rec["invoice_date"], rec["due_days"]) == (False, "weekly", "all", "start", 30)
    assert bill("2026-11-28")["invoices"] == []


def test_next_date_skips_periods_billed_ahead(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-11-01")
    assert len(bill("2027-01-01")["invoices"]) == 3  # billed ahead, up to January
    row = ok("recur", "list", "--json").json()["orders"][0]
    assert (row["next_date"], row["pending"], row["invoices"]) == ("2027-02-01", 0, 3)
    info = ok("recur", "show", catalog, "--json").json()
    assert info["recurrence"]["next_date"] == info["next"][0]["invoice_date"] == "2027-02-01"
    assert ok("order", "show", catalog, "--json").json()["recurrence"]["next_date"] == "2027-02-01"


def test_reanchoring_never_bills_a_day_twice(catalog):
    """Moving a billed schedule's start (or changing its frequency) never bills a day again:
    a period overlapping any billed one is not billed, not pending, not next."""
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-31")
    bill("2026-03-01")  # 01-31..02-27 and 02-28..03-30 invoiced
    view = recur(catalog, "--start", "2026-01-15")
    assert view["pending_periods"] == 8  # as of today (2026-11-28): 04-15 ... 11-15; 01-15 to 03-15 overlap billed days
    made = bill("2026-03-01")["invoices"]
    assert all(i["period_start"] > "2026-03-30" for i in made), made
    # 01-15, 02-15 and 03-15 overlap billed days; the first new period is 04-15..05-14
    show = ok("recur", "show", catalog, "--date", "2026-04-20", "--json").json()
    assert show["recurrence"]["next_date"] is not None
    made = bill("2026-04-20")["invoices"]
    assert [(i["period_start"], i["period_end"]) for i in made] == [("2026-04-15", "2026-05-14")]
    # a frequency change with the same anchor: quarters overlapping billed months are not billed
    recur(catalog, "--frequency", "quarterly")
    made = bill("2026-07-20")["invoices"]
    assert all(i["period_start"] > "2026-05-14" for i in made), made
    spans = sorted(spans_of_all(catalog))
    for (s1, e1), (s2, e2) in zip(spans, spans[1:]):
        assert e1 < s2, f"{s1}..{e1} overlaps {s2}..{e2}"


def spans_of_all(order: str) -> list[tuple[str, str]]:
    return [(i["period_start"], i["period_end"]) for i in invoices(order)]


# ---------------------------------------------------------------- a long catch-up sees changes made while it runs


def change_after_period(monkeypatch, n: int, *args: str) -> None:
    """Between period ``n`` and ``n + 1`` of a running `recur run`, run the CLI command
    ``args`` (as another user would while the catch-up is under way)."""
    from orders_cli.recurring import run as recur_run

    bill_one = recur_run._bill
    calls = []

    def bill_then_change(*a, **kw):
        out = bill_one(*a, **kw)
        calls.append(1)
        if len(calls) == n:
            ok(*args)
        return out

    monkeypatch.setattr(recur_run, "_bill", bill_then_change)


@pytest.mark.parametrize("change", [("recur", "off"), ("order", "status", "@", "cancelled"), ("recur", "set", "@", "--end", "2026-03-15")],
                         ids=["off", "cancelled", "end-moved"])
def test_a_running_catch_up_stops_billing_an_order_changed_meanwhile(catalog, monkeypatch, change):
    so = new_order("MAINT:1")
    recur(so, "--frequency", "monthly", "--start", "2026-01-01")
    other = new_order("CPU:10")
    recur(other, "--frequency", "monthly", "--start", "2026-01-01")
    args = [so if a == "@" else a for a in change] + ([so] if change[0] == "recur" and "@" not in change else [])
    change_after_period(monkeypatch, 2, *args)
    out = bill("2026-11-28")
    billed = [i["period_start"] for i in out["invoices"] if i["order"] == so]
    expected = ["2026-01-01", "2026-02-01", "2026-03-01"] if "--end" in change else ["2026-01-01", "2026-02-01"]
    assert billed == expected
    assert [s for s, _ in spans(so)] == expected
    assert len([i for i in out["invoices"] if i["order"] == other]) == 11  # the other order is billed in full
    assert all_invoice_numbers() == [f"INV-{n:05d}" for n in range(1, len(expected) + 12)]  # no gap


def test_a_running_catch_up_bills_a_line_edited_meanwhile_at_its_new_quantity(catalog, monkeypatch):
    so = new_order("MAINT:1", "CPU:10")
    recur(so, "--frequency", "monthly", "--start", "2026-01-01")
    change_after_period(monkeypatch, 3, "order", "line", "edit", so, "1", "--qty", "2")
    made = bill("2026-06-15")["invoices"]
    assert [i["totals"]["total"] for i in made] == ["126.00"] * 3 + ["246.00"] * 3
    assert [[ln["quantity"] for ln in d["lines"]] for d in invoices(so)] == [["1", "10"]] * 3 + [["2", "10"]] * 3


def test_run_date_and_orders_today_mean_the_same(catalog, monkeypatch):
    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01", "--usage")
    usage(catalog, "2", "2026-02-10")
    by_option = ok("recur", "run", "--date", "2026-04-01", "--dry-run", "--json").json()
    monkeypatch.setenv("ORDERS_TODAY", "2026-04-01")
    assert ok("recur", "run", "--dry-run", "--json").json() == by_option
    assert len(by_option["invoices"]) == 4


def test_use_cases_take_the_context(catalog):
    """Called directly, the use cases read today and the settings from the Context given."""
    from datetime import date

    from orders_cli import store
    from orders_cli.adapters import settings
    from orders_cli.core.context import Context
    from orders_cli.core.results import to_data
    from orders_cli.recurring import run, views
    from orders_cli.recurring import settings as recurrence
    from orders_cli.store import documents

    ctx = Context(today=date(2026, 3, 15), settings=settings.current())
    with store.transaction() as s:
        made = recurrence.set_recurrence(s, ctx, catalog, {"frequency": "monthly", "start": "2026-01-01"})
    assert (made.pending_periods, made.next_date) == (3, date(2026, 1, 1))
    result = run.run(ctx, dry_run=True)
    assert [i.period_start for i in result.invoices] == [date(2026, 1, 1), date(2026, 2, 1), date(2026, 3, 1)]
    assert result.complete and to_data(result)["as_of"] == "2026-03-15"
    with store.transaction(write=False) as s:
        order_id = documents.get(s, documents.ORDER, catalog).id
        assert to_data(views.recurrence_of(s, order_id, ctx.today))["next_date"] == "2026-01-01"


def test_usage_of_a_product_priced_per_base_quantity_bills_per_that_quantity(catalog):
    """A price "0.50 per 1000 requests" (BT-149) bills 2,500 requests 1.25, not 1,250.00; the line
    keeps the product's unit and base quantity, as order lines do."""
    so = catalog
    ok("product", "edit", "CPU", "--unit", "piece", "--base-quantity", "1000")
    recur(so, "--frequency", "monthly", "--start", "2026-02-01", "--usage")
    usage(so, "2500", "2026-01-15")
    usage(so, "1000", "2026-01-16", "--price", "0.40")
    first = bill("2026-02-01")["invoices"][0]
    doc = invoices(so)[0]
    assert usage_lines(doc) == [("2500", "0.50", "1.25"), ("1000", "0.40", "0.40")]
    cpu = [ln for ln in doc["lines"] if ln["sku"] == "CPU"]
    assert [(ln["unit_code"], ln["base_quantity"]) for ln in cpu] == [("C62", "1000"), ("C62", "1000")]
    assert first["totals"]["subtotal"] == doc["totals"]["subtotal"] == "101.65"  # MAINT 100.00 + 1.25 + 0.40
    assert doc["totals"]["total"] == "121.98"
