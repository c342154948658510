"""Issue 17, the books: `orders export fec` (the French FEC) and `orders export journal --format
hledger|beancount|csv`, on small books made through the CLI (two VAT rates, a discount, an
allowance, a charge, shipping, an adjustment, a service line, a deposit invoice and its final
invoice's deduction, credit notes by amount and by lines, partial and full payments, a refund of
a credit note, a removed payment). The journals are read back by the real tools (`hledger`,
`bean-check` and beancount's loader) and their balances compared with ours and main's reports."""

from __future__ import annotations

import csv
import io
import re
import shutil
import subprocess
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import pytest
from conftest import ok, refused, run, sql

D = Decimal
HEADER = ("JournalCode\tJournalLib\tEcritureNum\tEcritureDate\tCompteNum\tCompteLib\tCompAuxNum\tCompAuxLib\tPieceRef\tPieceDate\t"
          "EcritureLib\tDebit\tCredit\tEcritureLet\tDateLet\tValidDate\tMontantdevise\tIdevise")
COLS = HEADER.split("\t")
SIREN = "732829320"


def invoice(lines: list[str], day: str, account: str = "Café Müller", *args: str, deposit: str | None = None) -> str:
    so = ok("order", "add", "--subject", "Fit-out", "--account", account, *[x for ln in lines for x in ("--line", ln)], *args, "--json").json()["number"]
    more = ("--deposit", deposit) if deposit else ()
    return ok("order", "convert", "invoice", so, "--date", day, *more, "--json").json()["number"], so


def build() -> dict:
    """The books of these tests; returns the numbers made."""
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("config", "set", "charges.tax", "VAT20")
    ok("account", "add", "Café Müller")
    ok("account", "add", "Other")
    ok("product", "add", "W", "--name", "Widget", "--price", "100", "--tax", "VAT20")
    ok("product", "add", "B", "--name", "Book", "--price", "20", "--tax", "VAT5.5")
    ok("product", "add", "S", "--name", "Consulting", "--price", "80", "--tax", "VAT20", "--service")
    n = {}
    # October: outside --period 2026-11
    n["october"], _ = invoice(["B:1"], "2026-10-20", "Other")
    # a full invoice, paid in two payments (lettered)
    n["full"], _ = invoice(["W:2", "B:3", "S:1"], "2026-11-02", "Café Müller", "--discount", "5%", "--shipping-charge", "12.00",
                           "--allowance", "Loyalty:10.00", "--charge", "Packing:5.00:VAT20", "--adjustment", "-0.05")
    ok("payment", "add", n["full"], "--amount", "100.00", "--date", "2026-11-05")
    # a deposit invoice, paid whole (lettered), and the final invoice deducting it, paid in part
    n["deposit"], so = invoice(["W:10"], "2026-11-03", deposit="30%")
    ok("payment", "add", n["deposit"], "--amount", "360.00", "--date", "2026-11-06")
    # an invoice paid, then credited by an amount, the credit note refunded: settled (lettered)
    n["refunded"], _ = invoice(["W:1"], "2026-11-04", "Other")
    ok("payment", "add", n["refunded"], "--amount", "120.00", "--date", "2026-11-07")
    n["cn_amount"] = ok("invoice", "credit", n["refunded"], "--amount", "20.00", "--date", "2026-11-12", "--json").json()["number"]
    ok("payment", "add", n["cn_amount"], "--amount", "24.00", "--date", "2026-11-14")
    # an invoice credited by lines, a payment entered by mistake and removed
    n["lines"], _ = invoice(["W:2", "B:1"], "2026-11-08", "Other")
    n["cn_lines"] = ok("invoice", "credit", n["lines"], "--line", "1:1", "--date", "2026-11-13", "--json").json()["number"]
    wrong = ok("payment", "add", n["lines"], "--amount", "99.00", "--date", "2026-11-14", "--json").json()["id"]
    ok("payment", "remove", str(wrong), "--yes")
    n["final"] = ok("order", "convert", "invoice", so, "--date", "2026-11-15", "--json").json()["number"]
    ok("payment", "add", n["final"], "--amount", "100.00", "--date", "2026-11-20")
    ok("payment", "add", n["full"], "--amount", show(n["full"])["balance"], "--date", "2026-11-21")
    return n


def show(number: str) -> dict:
    return ok("credit" if number.startswith("CN") else "invoice", "show", number, "--json").json()


def fec_rows(*args: str) -> list[dict]:
    text = ok("export", "fec", *args, "-o", "-").out
    lines = text.split("\n")
    assert lines[0] == HEADER and lines[-1] == ""
    rows = []
    for line in lines[1:-1]:
        fields = line.split("\t")
        assert len(fields) == 18, line
        rows.append(dict(zip(COLS, fields)))
    return rows


def amount(text: str) -> Decimal:
    assert re.fullmatch(r"\d+,\d\d", text), text
    return D(text.replace(",", "."))


def by_piece(rows: list[dict]) -> dict[tuple[str, str], dict[str, Decimal]]:
    """(journal, piece) -> account -> debit - credit."""
    out: dict = defaultdict(lambda: defaultdict(D))
    for r in rows:
        out[(r["JournalCode"], r["PieceRef"])][r["CompteNum"]] += amount(r["Debit"]) - amount(r["Credit"])
    return out


# ---------------------------------------------------------------- the FEC


def test_fec_every_column_every_entry_balanced(tmp_path):
    n = build()
    ok("config", "set", "company.siren", SIREN)
    r = ok("export", "fec", "--year", "2026", "-o", str(tmp_path))
    path = tmp_path / f"{SIREN}FEC20261231.txt"
    assert r.err.strip() == str(path) and path.exists()
    raw = path.read_bytes()
    text = raw.decode("utf-8")  # A47 A-1 XII 1°: ASCII, ISO 8859-15 or UTF-8
    assert "Café Müller".encode("utf-8") in raw and "\r" not in text
    assert text == ok("export", "fec", "--year", "2026", "-o", "-").out  # the same on stdout
    rows = fec_rows("--year", "2026")
    nums = [int(r["EcritureNum"]) for r in rows]
    assert nums[0] == 1 and all(b - a in (0, 1) for a, b in zip(nums, nums[1:]))  # continuous, each entry's lines together
    dates = [r["EcritureDate"] for r in rows]
    assert dates == sorted(dates) and dates[0] == "20261020"
    entries: dict = defaultdict(lambda: [D(0), D(0)])
    for r in rows:
        assert r["JournalCode"], r["JournalLib"] in (("VT", "Ventes"), ("BQ", "Banque"))
        assert (r["JournalCode"], r["JournalLib"]) in (("VT", "Ventes"), ("BQ", "Banque"))
        for col in ("EcritureDate", "PieceDate", "ValidDate"):
            assert re.fullmatch(r"2026(10|11)\d\d", r[col]), r
        assert r["ValidDate"] == r["EcritureDate"] == r["PieceDate"]
        assert re.fullmatch(r"\d{3,20}", r["CompteNum"]) and r["CompteLib"]
        assert (r["CompAuxNum"] != "") == (r["CompteNum"] == "411000")
        if r["CompAuxNum"]:
            assert re.fullmatch(r"C\d{5}", r["CompAuxNum"]) and r["CompAuxLib"] in ("Café Müller", "Other")
        assert re.fullmatch(r"(INV|CN)-\d{5}", r["PieceRef"]) and r["EcritureLib"]
        debit, credit = amount(r["Debit"]), amount(r["Credit"])
        assert (debit == 0) != (credit == 0), r  # one side, never zero, never negative
        assert r["Montantdevise"] == r["Idevise"] == ""
        assert (r["EcritureLet"] == "") == (r["DateLet"] == "")
        entries[r["EcritureNum"]][0] += debit
        entries[r["EcritureNum"]][1] += credit
    assert all(dc[0] == dc[1] for dc in entries.values()), entries
    pieces = by_piece(rows)
    vt = [k for k in pieces if k[0] == "VT"]
    assert sorted(p for _, p in vt) == sorted(v for k, v in n.items() if k in ("full", "deposit", "refunded", "lines", "final", "october",
                                                                                 "cn_amount", "cn_lines"))
    assert len(entries) == len(vt) + 6  # 6 live payments and refunds; the removed one is not there

    full = show(n["full"])
    t, e = full["totals"], pieces[("VT", n["full"])]
    nets = defaultdict(D)
    for line in full["lines"]:
        nets[line["kind"]] += D(line["net"])
    assert e["411000"] == D(t["total"])
    assert e["707000"] == -nets["product"] and e["706000"] == -nets["service"]
    assert e["709000"] == D(t["discount"]) + D(t["allowances"]) and e["708500"] == -(D(t["shipping"]) + D(t["charges"]))
    assert e["758000"] == D("0.05")  # the adjustment of -0.05 is a debit
    assert e["445710"] == -sum(D(b["amount"]) for b in t["tax_breakdown"])
    vat_lines = [r for r in rows if r["PieceRef"] == n["full"] and r["CompteNum"] == "445710"]
    assert len(vat_lines) == 2 and {r["EcritureLib"].split()[-1] for r in vat_lines} == {"VAT20", "VAT5.5"}
    # the deposit invoice credits 419100, the final invoice's deduction debits it
    assert pieces[("VT", n["deposit"])]["419100"] == D("-300.00") and pieces[("VT", n["deposit"])]["411000"] == D("360.00")
    fin = pieces[("VT", n["final"])]
    assert fin["419100"] == D("300.00") and fin["707000"] == D("-1000.00") and fin["411000"] == D("840.00")
    # credit notes reversed: a price reduction debits 709000, a credited line 707000
    assert pieces[("VT", n["cn_amount"])] == {"411000": D("-24.00"), "709000": D("20.00"), "445710": D("4.00")}
    assert pieces[("VT", n["cn_lines"])] == {"411000": D("-120.00"), "707000": D("100.00"), "445710": D("20.00")}
    # payments: bank debit / customer credit; the refund the other way
    assert pieces[("BQ", n["deposit"])] == {"512000": D("360.00"), "411000": D("-360.00")}
    assert pieces[("BQ", n["cn_amount"])] == {"512000": D("-24.00"), "411000": D("24.00")}
    assert pieces[("BQ", n["lines"])] == {}  # only the removed payment


def test_lettering_of_settled_invoices_only():
    n = build()
    rows = fec_rows("--year", "2026")
    customer = [r for r in rows if r["CompteNum"] == "411000"]

    def letters(*pieces):
        return {(r["JournalCode"], r["PieceRef"]): (r["EcritureLet"], r["DateLet"]) for r in customer if r["PieceRef"] in pieces}

    full = letters(n["full"])  # the invoice and its two payments: one code, the last payment's date
    assert [r["EcritureLet"] for r in customer if r["PieceRef"] == n["full"]] == [full[("VT", n["full"])][0]] * 3
    assert full[("VT", n["full"])][0] and full[("VT", n["full"])][1] == "20261121"
    dep = letters(n["deposit"])
    assert len(dep) == 2 and len(set(dep.values())) == 1 and next(iter(dep.values()))[1] == "20261106"
    assert dep[("VT", n["deposit"])][0] != full[("VT", n["full"])][0]
    ref = [(r["EcritureLet"], r["DateLet"]) for r in customer if r["PieceRef"] in (n["refunded"], n["cn_amount"])]
    assert len(ref) == 4 and len(set(ref)) == 1 and ref[0][0] and ref[0][1] == "20261114"  # invoice, payment, credit note, refund
    for open_ in (n["final"], n["lines"], n["cn_lines"], n["october"]):  # partly paid, unpaid
        assert all(r["EcritureLet"] == r["DateLet"] == "" for r in customer if r["PieceRef"] == open_)
    # lettered as of the export's end: before its last payment, the first invoice is still open
    early = [r for r in fec_rows("--until", "2026-11-20") if r["CompteNum"] == "411000" and r["PieceRef"] == n["full"]]
    assert len(early) == 2 and all(r["EcritureLet"] == "" for r in early)
    # the same code from one export to the next (it is the invoice's)
    nov = [r for r in fec_rows("--period", "2026-11") if r["CompteNum"] == "411000" and r["PieceRef"] == n["full"]]
    assert {r["EcritureLet"] for r in nov} == {full[("VT", n["full"])][0]}


def test_fec_file_names_and_refusals(tmp_path):
    build()
    r = refused("export", "fec", "--year", "2026")
    assert "orders config set company.siren" in r.err
    refused("export", "fec", "--year", "2026", "-o", str(tmp_path))  # a folder needs the default name too
    target = tmp_path / "books.txt"
    ok("export", "fec", "--year", "2026", "-o", str(target))
    assert target.read_text(encoding="utf-8").startswith(HEADER)
    ok("config", "set", "company.siren", SIREN)
    assert "--until" in refused("export", "fec", "--since", "2026-01-01", "-o", str(tmp_path)).err  # no last day for the name
    ok("export", "fec", "--period", "2026-Q4", "-o", str(tmp_path / "sub") + "/")
    assert (tmp_path / "sub" / f"{SIREN}FEC20261231.txt").exists()
    ok("export", "fec", "--period", "2026-11", "-o", str(tmp_path))
    assert (tmp_path / f"{SIREN}FEC20261130.txt").exists()
    for bad in (("--period", "2026-13"), ("--year", "26"), ("--year", "2026", "--period", "2026-11"),
                ("--since", "2026-11-10", "--until", "2026-11-01"), ("--since", "yesterday"), ("--encoding", "utf-16")):
        refused("export", "fec", *bad, "-o", "-")
    for bad in (("--format", "ledger"), ("--period", "2026-Q5")):
        refused("export", "journal", *bad)
    assert not list(tmp_path.glob(".*.tmp"))
    sql("UPDATE account SET name = ? WHERE name = ?", "Łódź Café Müller", "Other")
    ok("export", "fec", "--year", "2026", "--encoding", "iso-8859-15", "-o", str(tmp_path / "l9.txt"))
    latin = (tmp_path / "l9.txt").read_bytes()
    assert "?ódz Café Müller".encode("iso-8859-15") in latin and "Café Müller".encode("utf-8") not in latin


def test_empty_period_is_the_header_only():
    build()
    assert fec_rows("--period", "2025-11") == []
    assert ok("export", "journal", "--format", "csv", "--year", "2025").out.count("\n") == 1
    assert "2025" not in ok("export", "journal", "--format", "hledger", "--year", "2025").out.replace("2025-01-01 to 2025-12-31", "")


def test_stored_text_with_tabs_and_line_breaks_is_cleaned(tmp_path):
    build()
    sql("UPDATE account SET name = ? WHERE name = ?", "=Evil\tCorp\nLtd; (x) \"q\"", "Other")
    rows = fec_rows("--year", "2026")  # still 18 fields a line
    assert {r["CompAuxLib"] for r in rows if r["CompAuxNum"] == "C00002"} == {"=Evil Corp Ltd; (x) \"q\""}
    assert all("\t" not in v and "\n" not in v for r in rows for v in r.values())
    out = ok("export", "journal", "--format", "csv", "--year", "2026").out
    cells = [row for row in csv.DictReader(io.StringIO(out)) if row["customer_account"] == "C00002"]
    assert cells and {c["customer_name"] for c in cells} == {"'=Evil Corp Ltd; (x) \"q\""}  # formula-safe
    _hledger(tmp_path, ok("export", "journal", "--format", "hledger", "--year", "2026").out)
    _beancount(tmp_path, ok("export", "journal", "--format", "beancount", "--year", "2026").out)


# ---------------------------------------------------------------- settings


def test_account_settings_are_validated_and_used(tmp_path):
    build()
    config = tmp_path / "config.toml"
    before = config.read_bytes()
    for key, value, says in (("accounting.bank", "411000", "51"), ("accounting.sales_goods", "70A", "digits"),
                             ("accounting.sales_goods", "601000", "7"), ("accounting.customer", "401000", "411"),
                             ("accounting.vat", "445660", "4457"), ("accounting.deposits", "12", "3 to 20"),
                             ("accounting.adjustment", "512000", "7... or 6"), ("accounting.vat.VAT20", "512000", "4457"),
                             ("accounting.customer_prefix", "CLIENT-LONG", "10 letters"), ("accounting.vat.bad name", "445711", "unknown"),
                             ("accounting.sales_goods", "7" * 21, "3 to 20")):
        r = refused("config", "set", key, value)
        assert key in r.err and says in r.err, r.err
        assert config.read_bytes() == before
    ok("config", "set", "accounting.sales_goods", "707100")
    ok("config", "set", "accounting.adjustment", "658000")
    ok("config", "set", "accounting.vat.VAT5.5", "445712")
    ok("config", "set", "accounting.customer_prefix", "CL")
    assert ok("config", "get", "accounting.vat.VAT5.5").out.strip() == "445712"
    assert "accounting.vat.VAT5.5" in ok("config", "show", "--json").json()
    ok("config", "set", "accounting.vat", "445711")  # a value next to the per-tax keys: the file stays valid TOML
    assert ok("config", "get", "accounting.vat.VAT5.5").out.strip() == "445712"
    rows = fec_rows("--year", "2026")
    accounts = {r["CompteNum"] for r in rows}
    assert {"707100", "445712", "445711", "658000"} <= accounts and not {"707000", "445710"} & accounts
    assert {r["CompAuxNum"] for r in rows if r["CompAuxNum"]} == {"CL00001", "CL00002"}
    assert {r["CompteLib"] for r in rows if r["CompteNum"] in ("445711", "445712")} == {"TVA collectée"}


# ---------------------------------------------------------------- journals read back by the real tools


def _tool(name: str) -> str:
    exe = shutil.which(name)
    if exe is None:
        pytest.skip(f"{name} is not installed (apt-get install hledger / pip install beancount)")
    return exe


def _hledger(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "books.journal"
    path.write_text(text, encoding="utf-8")
    r = subprocess.run([_tool("hledger"), "-f", str(path), "check", "--strict", "ordereddates"], capture_output=True, text=True)
    assert r.returncode == 0, r.stderr + text[:3000]
    return path


def _hledger_balance(path: Path, query: str) -> Decimal:
    r = subprocess.run([_tool("hledger"), "-f", str(path), "balance", query, "--depth", "1", "-N", "-O", "csv"],
                       capture_output=True, text=True, check=True)
    rows = list(csv.reader(io.StringIO(r.stdout)))[1:]
    total = D(0)
    for _, value in rows:
        total += D(value.replace("EUR", "").strip() or "0")
    return total


def _beancount(tmp_path: Path, text: str):
    path = tmp_path / "books.beancount"
    path.write_text(text, encoding="utf-8")
    r = subprocess.run([_tool("bean-check"), str(path)], capture_output=True, text=True)
    assert r.returncode == 0, r.stdout + r.stderr + text[:3000]
    from beancount import loader

    entries, errors, _ = loader.load_file(str(path))
    assert not errors
    return entries


def _expected():
    """Our own figures: the customers' account (the open balances of `invoice list` plus the
    refunds paid out), and the goods sold (product line nets of invoices minus credit notes)."""
    invoices = ok("invoice", "list", "--json").json()
    refunds = sum(D(p["amount"]) for p in ok("payment", "list", "--json").json() if p["kind"] == "refund" and not p.get("removed"))
    receivable = sum(D(i["balance"]) for i in invoices) + refunds
    goods = D(0)
    for i in invoices:
        goods += sum(D(ln["net"]) for ln in show(i["number"])["lines"] if ln["kind"] == "product")
    for c in ok("credit", "list", "--json").json():
        goods -= sum(D(ln["net"]) for ln in show(c["number"])["lines"] if ln["kind"] == "product")
    return receivable, goods


def test_hledger_reads_our_journal_and_agrees(tmp_path):
    build()
    path = tmp_path / "out.journal"
    ok("export", "journal", "--format", "hledger", "--year", "2026", "-o", str(path))
    _hledger(tmp_path, path.read_text(encoding="utf-8"))
    receivable, goods = _expected()
    assert receivable > 0 and goods > 0
    assert _hledger_balance(path, "^411000") == receivable
    assert _hledger_balance(path, "^707000") == -goods
    assert _hledger_balance(path, "^4457") == -sum(D(r["vat"]) for r in ok("report", "vat", "--period", "2026", "--json").json())
    assert _hledger_balance(path, ".") == 0  # every transaction balanced


def test_beancount_reads_our_journal_and_agrees(tmp_path):
    build()
    ok("export", "journal", "--format", "beancount", "--year", "2026", "-o", str(tmp_path))
    entries = _beancount(tmp_path, (tmp_path / "books.beancount").read_text(encoding="utf-8"))
    from beancount.core import data

    sums: dict = defaultdict(D)
    for e in entries:
        if isinstance(e, data.Transaction):
            for p in e.postings:
                sums[p.account] += p.units.number
    receivable, goods = _expected()
    assert sum(v for k, v in sums.items() if k.startswith("Assets:411000:")) == receivable
    assert sums["Income:707000"] == -goods
    assert sums["Liabilities:419100"] == 0  # the deposit deducted in full
    assert sum(sums.values()) == 0


def test_csv_journal_is_the_fec_in_plain_form():
    build()
    out = ok("export", "journal", "--format", "csv", "--year", "2026").out
    rows = list(csv.DictReader(io.StringIO(out)))
    fec = fec_rows("--year", "2026")
    assert len(rows) == len(fec) and list(rows[0]) == ["journal", "journal_name", "entry", "date", "account", "account_name",
                                                        "customer_account", "customer_name", "document", "document_date", "label",
                                                        "debit", "credit", "letter", "letter_date", "validated", "currency_amount",
                                                        "currency"]
    for r, f in zip(rows, fec):
        assert r["date"] == f"{f['EcritureDate'][:4]}-{f['EcritureDate'][4:6]}-{f['EcritureDate'][6:]}"
        assert D(r["debit"]) == amount(f["Debit"]) and D(r["credit"]) == amount(f["Credit"]) and re.fullmatch(r"\d+\.\d\d", r["debit"])
        assert (r["entry"], r["account"], r["document"], r["letter"]) == (f["EcritureNum"], f["CompteNum"], f["PieceRef"], f["EcritureLet"])


# ---------------------------------------------------------------- the same figures as main's reports


@pytest.mark.parametrize("period", ["2026-11", "2026-10", "2026"])
def test_fec_totals_equal_report_sales_and_vat(period):
    pytest.importorskip("orders_cli.reporting.sales")
    build()
    rows = fec_rows("--period", period)
    vat = sum(amount(r["Credit"]) - amount(r["Debit"]) for r in rows if r["CompteNum"].startswith("4457"))
    gross = sum(amount(r["Debit"]) - amount(r["Credit"]) for r in rows if r["JournalCode"] == "VT" and r["CompteNum"] == "411000")
    report_vat = sum(D(r["vat"]) for r in ok("report", "vat", "--period", period, "--json").json())
    report_gross = sum(D(r["gross"]) for r in ok("report", "sales", "--period", period, "--json").json())
    assert vat == report_vat and gross == report_gross and gross > 0


# ---------------------------------------------------------------- the pure rules


def test_an_entry_that_does_not_balance_cannot_exist():
    from datetime import date

    from orders_cli.core import ledger
    from orders_cli.core.errors import Invalid

    chart = ledger.Chart()
    facts = ledger.DocFacts("invoice", "INV-1", date(2026, 1, 1), 1, "A", "EUR", {"product": D("100.00")}, D(0), D(0), D(0), D(0), D(0),
                            (("VAT20", D("20.00")),), D("120.00"))
    e = ledger.document_entry(facts, chart)
    assert [(p.account, p.debit, p.credit) for p in e.postings] == [("411000", D("120.00"), D(0)), ("707000", D(0), D("100.00")),
                                                                     ("445710", D(0), D("20.00"))]
    with pytest.raises(Invalid, match="does not balance"):
        ledger.document_entry(ledger.DocFacts(**{**facts.__dict__, "total": D("120.01")}), chart)
    assert [ledger.letter_code(i) for i in (1, 2, 26, 27, 676, 677)] == ["AA", "AB", "AZ", "BA", "ZZ", "AAA"]
    assert ledger.fec_amount(D("1234.5")) == "1234,50" and ledger.fec_amount(D("0")) == "0,00"
    assert ledger.field_text("a\tb\r\nc\u2028d") == "a b c d" and ledger.latin9("Œuvre € ą 😀") == "Œuvre € a ?"


def test_a_document_in_another_currency_gives_its_amount_and_code(tmp_path):
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme Inc")
    ok("product", "add", "W", "--name", "Widget", "--price", "100", "--tax", "VAT20")
    ok("config", "set", "currency", "USD")
    number, _ = invoice(["W:1"], "2026-11-02", "Acme Inc")
    ok("payment", "add", number, "--amount", "120.00", "--date", "2026-11-03")
    rows = fec_rows("--period", "2026-11")
    assert {(r["Montantdevise"], r["Idevise"]) for r in rows if r["CompteNum"] == "411000"} == {("120,00", "USD")}
    assert all(r["Idevise"] == "USD" and amount(r["Montantdevise"]) == amount(r["Debit"]) + amount(r["Credit"]) for r in rows)
    assert {r["EcritureLet"] for r in rows if r["CompteNum"] == "411000"} == {"AA"}  # invoice id 1, paid in full
    path = _hledger(tmp_path, ok("export", "journal", "--format", "hledger", "--period", "2026-11").out)
    assert "120.00 USD" in path.read_text(encoding="utf-8")
    _beancount(tmp_path, ok("export", "journal", "--format", "beancount", "--period", "2026-11").out)
