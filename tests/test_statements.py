"""Issue 14, who owes what: `account statement` (running balance to the cent, opening balance,
removed payments left out, JSON / CSV / PDF in English and French) and the `open_balance` of
`order show` and `account show`. Refusals leave the database unchanged."""

from __future__ import annotations

from decimal import Decimal

import pytest
from conftest import db_content, ok, refused
from test_payments import credit_note, invoice, pay

D = Decimal


@pytest.fixture
def catalog():
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT5.5", "--rate", "5.5")
    ok("account", "add", "Café Müller", "--language", "fr", "--billing-street", "12 rue des Orfèvres", "--billing-city", "Strasbourg",
       "--billing-postal-code", "67000", "--billing-country", "FR")
    ok("account", "add", "Acme Ltd", "--language", "en", "--billing-city", "Leeds")
    ok("account", "add", "Other")
    ok("product", "add", "W", "--name", "Widget", "--price", "100", "--tax", "VAT20")
    ok("product", "add", "B", "--name", "Livre", "--price", "19.99", "--tax", "VAT5.5")
    return True


def statement(account: str, *args: str) -> dict:
    return ok("account", "statement", account, *args, "--json").json()


def refused_unchanged(*args: str, says: str = "", code: int = 1):
    before = db_content()
    r = refused(*args, code=code)
    assert db_content() == before
    assert says in r.err, r.err
    return r


def _history() -> dict[str, str]:
    """Invoices, a credit note, payments (one removed) and a refund on Café Müller; one
    invoice of another account that must not show."""
    a = invoice("1", day="2026-10-01")                  # 120.00
    b = invoice("3", day="2026-10-15", sku="B")         # 3 x 19.99 = 59.97 + 5.5 % (3.30) = 63.27
    invoice("1", account="Other", day="2026-10-16")     # not this account's
    pay(a, "50.01", "--date", "2026-10-05")
    wrong = pay(a, "9.99", "--date", "2026-10-06")
    ok("payment", "remove", str(wrong["id"]), "--yes", "--reason", "typo")
    cn = credit_note(b, "21.09", day="2026-10-20")
    pay(b, "63.27", "--date", "2026-11-02", "--allow-overpayment")  # the customer paid it all anyway
    pay(cn, "21.09", "--date", "2026-11-03", "--reference", "RBT-1")  # so the credit note is refunded
    c = invoice("2", day="2026-11-10")                  # 240.00
    return {"a": a, "b": b, "c": c, "cn": cn}


def test_the_running_balance_to_the_cent(catalog):
    n = _history()
    st = statement("Café Müller")
    assert list(st) == ["account", "since", "until", "opening_balance", "lines", "closing_balance", "currency"]
    assert st["account"]["name"] == "Café Müller" and st["currency"] == "EUR"
    assert (st["since"], st["until"], st["opening_balance"]) == (None, None, "0.00")
    got = [(ln["date"], ln["type"], ln["number"], ln["debit"], ln["credit"], ln["balance"]) for ln in st["lines"]]
    assert got == [
        ("2026-10-01", "invoice", n["a"], "120.00", None, "120.00"),
        ("2026-10-05", "payment", n["a"], None, "50.01", "69.99"),
        ("2026-10-15", "invoice", n["b"], "63.27", None, "133.26"),
        ("2026-10-20", "credit_note", n["cn"], None, "21.09", "112.17"),
        ("2026-11-02", "payment", n["b"], None, "63.27", "48.90"),
        ("2026-11-03", "refund", n["cn"], "21.09", None, "69.99"),
        ("2026-11-10", "invoice", n["c"], "240.00", None, "309.99"),
    ]
    assert st["closing_balance"] == "309.99"
    assert list(st["lines"][0]) == ["date", "type", "number", "description", "method", "debit", "credit", "balance"]
    assert st["lines"][3]["description"].startswith(n["b"] + ": ")  # a credit note cites its invoice
    assert (st["lines"][5]["method"], st["lines"][5]["description"]) == ("transfer", "RBT-1")
    # each balance is the previous one plus the debit minus the credit
    running = D("0.00")
    for ln in st["lines"]:
        running += D(ln["debit"] or "0") - D(ln["credit"] or "0")
        assert D(ln["balance"]) == running
    # the open balance says the same as the statement
    acc = ok("account", "show", "Café Müller", "--json").json()
    assert acc["open_balance"] == "309.99" and list(acc)[-1] == "open_balance"
    assert ok("account", "show", "Other", "--json").json()["open_balance"] == "120.00"
    assert ok("account", "show", "Acme Ltd", "--json").json()["open_balance"] == "0.00"
    orders = {o: ok("order", "show", o, "--json").json()["open_balance"] for o in ("SO-00001", "SO-00002", "SO-00003", "SO-00004")}
    assert orders == {"SO-00001": "69.99", "SO-00002": "0.00", "SO-00003": "120.00", "SO-00004": "240.00"}
    assert "open balance 69.99 EUR" in ok("order", "show", "SO-00001").out
    assert "309.99" in ok("account", "show", "Café Müller").out


def test_since_gives_an_opening_balance_and_until_stops(catalog):
    n = _history()
    st = statement("Café Müller", "--since", "2026-10-16", "--until", "2026-11-02")
    assert (st["since"], st["until"], st["opening_balance"]) == ("2026-10-16", "2026-11-02", "133.26")
    assert st["lines"][0] == {"date": "2026-10-16", "type": "opening", "number": None, "description": "", "method": None, "debit": None,
                              "credit": None, "balance": "133.26"}
    assert [(ln["type"], ln["balance"]) for ln in st["lines"][1:]] == [("credit_note", "112.17"), ("payment", "48.90")]
    assert st["closing_balance"] == "48.90"
    assert n
    # a period with nothing in it: the opening line alone
    empty = statement("Café Müller", "--since", "2026-11-20")
    assert [ln["type"] for ln in empty["lines"]] == ["opening"] and empty["closing_balance"] == empty["opening_balance"] == "309.99"
    # no documents at all
    none = statement("Acme Ltd")
    assert (none["lines"], none["closing_balance"], none["currency"]) == ([], "0.00", "EUR")


def test_removed_payments_are_left_out(catalog):
    a = invoice()
    p = pay(a, "100")
    assert statement("Café Müller")["closing_balance"] == "20.00"
    ok("payment", "remove", str(p["id"]), "--yes")
    st = statement("Café Müller")
    assert [ln["type"] for ln in st["lines"]] == ["invoice"] and st["closing_balance"] == "120.00"
    assert ok("account", "show", "Café Müller", "--json").json()["open_balance"] == "120.00"


def test_csv_and_the_table(catalog):
    _history()
    lines = ok("account", "statement", "Café Müller", "--csv").out.splitlines()
    assert lines[0] == "date,type,number,description,method,debit,credit,balance"
    assert len(lines) == 8 and lines[-1].endswith(",240.00,,309.99")
    table = ok("account", "statement", "Café Müller").out
    assert "309.99 EUR" in table and "credit note" in table and "credit_note" not in table  # words for people (issue 18 item 6)


def _pdf_text(path) -> str:
    pypdf = pytest.importorskip("pypdf", reason="pypdf is in the test extra: pip install -e '.[test]'")
    return "\n".join(page.extract_text() for page in pypdf.PdfReader(str(path)).pages)


def test_the_pdf_in_french_and_english(catalog, tmp_path):
    n = _history()
    fr = tmp_path / "fr.pdf"
    r = ok("account", "statement", "Café Müller", "--since", "2026-10-16", "--pdf", "-o", str(fr))
    assert r.err.strip() == str(fr)
    assert fr.read_bytes().startswith(b"%PDF")
    text = _pdf_text(fr)
    for part in ("Relevé de compte", "Solde d'ouverture", "133.26", "Avoir", "Règlement", "Remboursement", "virement", "Solde dû",
                 "309.99 EUR", "Strasbourg", n["cn"], "Débit", "Crédit"):
        assert part in text, part
    assert "Statement of account" not in text
    invoice("1", account="Acme Ltd", day="2026-11-11")
    ok("payment", "add", "INV-00005", "--amount", "20", "--method", "cheque")
    en = tmp_path / "out"
    en.mkdir()
    ok("account", "statement", "Acme Ltd", "--pdf", "-o", str(en))  # a folder: the default name inside it
    (made,) = list(en.iterdir())
    assert made.name == "statement-Acme_Ltd-2026-11-28.pdf"
    text = _pdf_text(made)
    for part in ("Statement of account", "Invoice", "Payment", "cheque", "Balance due", "100.00 EUR", "Leeds"):
        assert part in text, part


def test_several_currencies_need_a_choice(catalog):
    invoice()
    ok("config", "set", "currency", "USD")
    invoice(day="2026-11-02")
    refused_unchanged("account", "statement", "Café Müller", says="EUR and USD: choose one with --currency")
    usd = statement("Café Müller", "--currency", "usd")
    assert usd["currency"] == "USD" and [ln["number"] for ln in usd["lines"]] == ["INV-00002"]
    assert statement("Café Müller", "--currency", "EUR")["closing_balance"] == "120.00"


def test_refusals(catalog, tmp_path):
    invoice()
    refused_unchanged("account", "statement", "Nobody", says="no account")
    refused_unchanged("account", "statement", "Café Müller", "--since", "2026-13-01", says="--since")
    refused_unchanged("account", "statement", "Café Müller", "--since", "2026-11-02", "--until", "2026-11-01", says="before --since")
    refused_unchanged("account", "statement", "Café Müller", "--json", "--csv", says="choose one")
    refused_unchanged("account", "statement", "Café Müller", "-o", str(tmp_path / "x.pdf"), says="--output is for --pdf")
    refused_unchanged("account", "statement", "Café Müller", "--currency", "EURO", says="--currency")
    assert not (tmp_path / "x.pdf").exists()
