"""Chronological numbering on the recurring side (issue 14, item 6; SPEC.md §3 "Chronology",
§4 "Invoice date"): `recur run` dates each invoice the day it issues it, keeps the period it
bills on the invoice (JSON, `invoice show`, the PDF), takes the subject's tokens and the usage
from the period, bills a gap oldest first with numbers in date order, and refuses a run dated
before the latest invoice or (without --allow-future) after today, before writing anything."""

from __future__ import annotations

import pytest
import test_recurring
from conftest import db_content, ok, refused, run, sql


@pytest.fixture(autouse=True)
def _plain_pdfs(isolated):
    """Invoices here carry no complete EN 16931 identity (no SIREN, no customer country): these tests
    are about what a PDF draws and how mail goes out, so invoices are plain PDFs (invoice.format
    plain). The default, Factur-X, is held to by test_facturx_out.py and test_facturx_pdf.py."""
    from conftest import ok as _ok

    _ok("config", "set", "invoice.format", "plain")


# the fixtures: order SO-00001 (MAINT 100.00 + VAT20 = 120.00) for account Acme, product CPU 0.50
catalog_template, catalog = test_recurring.catalog_template, test_recurring.catalog

TODAY = "2026-11-28"  # ORDERS_TODAY (conftest)


def recur(order: str, *opts: str) -> dict:
    return ok("recur", "set", order, "--json", *opts).json()


def run_on(day: str, *opts: str) -> dict:
    out = ok("recur", "run", "--date", day, "--json", *opts).json()
    assert out["failed"] == [], out
    return out


def listed(order: str) -> list[dict]:
    return sorted(ok("invoice", "list", "--order", order, "--json").json(), key=lambda r: r["number"])


# ---------------------------------------------------------------- a run after a gap


def test_a_run_after_a_three_month_gap_bills_each_period_once_dated_the_run_day(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-08-01", "--due-days", "30", "--subject", "Maintenance {MMM} {YYYY}")
    first = run_on("2026-08-03")["invoices"]  # cron ran two days late: dated the day it ran
    assert [(i["number"], i["invoice_date"], i["due_date"], i["period_start"], i["period_end"], i["subject"]) for i in first] == [
        ("INV-00001", "2026-08-03", "2026-09-02", "2026-08-01", "2026-08-31", "Maintenance August 2026")]
    # cron was down for three months: the run of 11-28 bills September, October and November
    made = run_on(TODAY)["invoices"]
    assert [(i["number"], i["invoice_date"], i["due_date"], i["period_start"], i["period_end"], i["subject"]) for i in made] == [
        ("INV-00002", TODAY, "2026-12-28", "2026-09-01", "2026-09-30", "Maintenance September 2026"),
        ("INV-00003", TODAY, "2026-12-28", "2026-10-01", "2026-10-31", "Maintenance October 2026"),
        ("INV-00004", TODAY, "2026-12-28", "2026-11-01", "2026-11-30", "Maintenance November 2026"),
    ]
    # as stored, and as `invoice list --json` and `invoice show --json` give them back
    rows = listed(so)
    assert [(r["number"], r["invoice_date"], r["period_start"], r["period_end"]) for r in rows] == [
        ("INV-00001", "2026-08-03", "2026-08-01", "2026-08-31"),
        ("INV-00002", TODAY, "2026-09-01", "2026-09-30"),
        ("INV-00003", TODAY, "2026-10-01", "2026-10-31"),
        ("INV-00004", TODAY, "2026-11-01", "2026-11-30"),
    ]
    doc = ok("invoice", "show", "INV-00003", "--json").json()
    assert (doc["invoice_date"], doc["due_date"], doc["period_start"], doc["period_end"]) == (TODAY, "2026-12-28", "2026-10-01", "2026-10-31")
    # numbers follow dates in the whole series
    dated = sql("SELECT number, invoice_date FROM invoice ORDER BY number")
    assert [str(d)[:10] for _, d in dated] == sorted(str(d)[:10] for _, d in dated)
    # a second run makes nothing and changes nothing
    before = db_content()
    again = ok("recur", "run", "--json")
    assert again.json()["invoices"] == [] and "billed 0 invoices" in again.err
    assert db_content() == before


def test_in_arrears_the_subject_takes_the_period_end_and_usage_follows_the_period(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-08-01", "--invoice-date", "end", "--due-days", "10", "--usage",
          "--subject", "Usage {MM}/{YYYY} ({DD})")
    ok("usage", "add", so, "--product", "CPU", "--qty", "2", "--date", "2026-08-20")
    ok("usage", "add", so, "--product", "CPU", "--qty", "4", "--date", "2026-09-15")
    ok("usage", "add", so, "--product", "CPU", "--qty", "8", "--date", "2026-10-05")
    made = run_on("2026-10-20")["invoices"]  # 08 and 09 ended; October is not due yet
    assert [(i["invoice_date"], i["due_date"], i["period_start"], i["period_end"], i["subject"]) for i in made] == [
        ("2026-10-20", "2026-10-30", "2026-08-01", "2026-08-31", "Usage 08/2026 (31)"),
        ("2026-10-20", "2026-10-30", "2026-09-01", "2026-09-30", "Usage 09/2026 (30)"),
    ]
    usage = {u["date"]: u["invoice"] for u in ok("usage", "list", so, "--json").json()}
    assert usage == {"2026-08-20": made[0]["number"], "2026-09-15": made[1]["number"], "2026-10-05": None}


def test_catch_up_latest_bills_the_newest_dated_the_run_day(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-08-01", "--catch-up", "latest")
    out = run_on(TODAY)
    assert [(i["invoice_date"], i["period_start"]) for i in out["invoices"]] == [(TODAY, "2026-11-01")]
    assert [p["period_start"] for p in out["skipped_periods"]] == ["2026-08-01", "2026-09-01", "2026-10-01"]


def test_dry_run_shows_the_dates_the_run_uses(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-09-01", "--due-days", "15")
    before = db_content()
    dry = run_on(TODAY, "--dry-run")["invoices"]
    assert db_content() == before
    real = run_on(TODAY)["invoices"]
    keys = ("invoice_date", "due_date", "period_start", "period_end", "subject")
    assert [{k: i[k] for k in keys} for i in dry] == [{k: i[k] for k in keys} for i in real]
    assert {i["invoice_date"] for i in real} == {TODAY} and {i["due_date"] for i in real} == {"2026-12-13"}


# ---------------------------------------------------------------- the future


def test_a_run_dated_after_today_needs_allow_future(catalog):
    recur(catalog, "--frequency", "monthly", "--start", "2026-12-01")
    before = db_content()
    for extra in ((), ("--dry-run",), ("--json",)):
        r = refused("recur", "run", "--date", "2026-12-01", *extra)
        assert "2026-12-01" in r.err and TODAY in r.err and "--allow-future" in r.err
        assert len(r.err.strip().splitlines()) == 1
        assert db_content() == before
    made = run_on("2026-12-01", "--allow-future")["invoices"]
    assert [(i["number"], i["invoice_date"], i["period_start"]) for i in made] == [("INV-00001", "2026-12-01", "2026-12-01")]
    assert "--allow-future" in ok("recur", "run", "--help").out


# ---------------------------------------------------------------- before the latest invoice


def test_a_run_dated_before_the_latest_invoice_is_refused_and_writes_nothing(catalog):
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-01-01")
    run_on("2026-10-15")
    other = ok("order", "add", "--json", "--subject", "Other", "--account", "Acme", "--line", "MAINT:1").json()["number"]
    recur(other, "--frequency", "monthly", "--start", "2026-01-01", "--catch-up", "latest")  # a refused run records no skip
    latest = sql("SELECT number FROM invoice ORDER BY id DESC LIMIT 1")[0][0]
    before = db_content()
    for extra in ((), ("--dry-run",), ("--max-periods", "1")):
        r = refused("recur", "run", "--date", "2026-10-14", *extra)
        assert len(r.err.strip().splitlines()) == 1, r.err
        assert latest in r.err and "2026-10-15" in r.err and "2026-10-14" in r.err
        assert db_content() == before
    # the same day as the latest invoice is fine
    assert [i["order"] for i in run_on("2026-10-15")["invoices"]] == [other]


def test_a_normal_run_after_an_invoice_dated_ahead_is_refused(catalog):
    """Someone dated an invoice tomorrow (--allow-future): today's cron run refuses, clearly,
    rather than number today's invoices after tomorrow's."""
    so = catalog
    recur(so, "--frequency", "monthly", "--start", "2026-11-01")
    run_on("2026-11-30", "--allow-future")
    other = ok("order", "add", "--json", "--subject", "Other", "--account", "Acme", "--line", "MAINT:1").json()["number"]
    recur(other, "--frequency", "monthly", "--start", "2026-11-01")
    before = db_content()
    r = run("recur", "run")
    assert r.code == 1 and r.out == ""
    assert r.err.strip() == (
        "error: recur run 2026-11-28: the latest invoice already issued, INV-00001, is dated 2026-11-30, and invoices are "
        "numbered in date order: nothing billed; run on 2026-11-30 or later (--date 2026-11-30, with --allow-future if "
        "that is after today)")
    assert db_content() == before
    made = run_on("2026-11-30", "--allow-future")["invoices"]
    assert [(i["order"], i["invoice_date"]) for i in made] == [(other, "2026-11-30")]


def test_each_invoice_still_goes_through_issue_number(catalog, monkeypatch):
    """Without the up-front check (an invoice dated later written between it and the billing),
    store.issue_number refuses the period: the order is named as failed, nothing written."""
    from orders_cli.recurring import run as recurring_run

    recur(catalog, "--frequency", "monthly", "--start", "2026-01-01")
    run_on("2026-10-15")
    other = ok("order", "add", "--json", "--subject", "Other", "--account", "Acme", "--line", "MAINT:1").json()["number"]
    recur(other, "--frequency", "monthly", "--start", "2026-01-01")
    monkeypatch.setattr(recurring_run, "check_run_date", lambda *a: None)
    before = db_content()
    r = run("recur", "run", "--date", "2026-10-14", "--json")
    assert r.code == 1
    failed = r.json()["failed"]
    assert [f["order"] for f in failed] == [other] and "2026-10-15" in failed[0]["error"], failed
    assert r.json()["invoices"] == []
    assert db_content() == before


# ---------------------------------------------------------------- the period on the documents


pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra")


def pdf_text(path) -> str:
    return "\n".join(page.extract_text() or "" for page in pypdf.PdfReader(str(path)).pages)


@pytest.mark.parametrize("language, dated, period", [
    ("en", "Invoice date: 2026-11-28", "Period: 2026-09-01 to 2026-09-30"),
    ("fr", "Date de facture: 28/11/2026", "Période: du 01/09/2026 au 30/09/2026"),  # dates as French writes them (Babel, issue 15)
])
def test_the_period_is_on_the_pdf_and_in_invoice_show(catalog, tmp_path, language, dated, period):
    recur(catalog, "--frequency", "monthly", "--start", "2026-09-01", "--language", language)
    number = run_on(TODAY)["invoices"][0]["number"]
    out = tmp_path / "inv.pdf"
    ok("invoice", "pdf", number, "-o", str(out))
    text = pdf_text(out)
    assert dated in text and period in text, text
    shown = ok("invoice", "show", number).out
    assert "2026-09-01 to 2026-09-30" in shown and "2026-11-28" in shown
