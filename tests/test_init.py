"""orders init: the company's settings, each checked, and the database (issue 18, item 3)."""

from __future__ import annotations

import os
import tomllib
from pathlib import Path

from conftest import db_content, ok, refused, sqlite_only

IBAN = "FR1420041010050500013M02606"


def _settings() -> dict:
    path = Path(os.environ["ORDERS_CONFIG"])
    return tomllib.loads(path.read_text(encoding="utf-8")) if path.exists() else {}


def test_init_yes_writes_the_flags_and_makes_the_database():
    r = ok("init", "--yes", "--name", "Atelier Dupré", "--country", "FR", "--siren", "732829320",
           "--vat-id", "FR44 732 829 320", "--iban", "FR14 2004 1010 0505 0001 3M02 606", "--invoice-prefix", "F-",
           "--currency", "EUR", "--language", "fr", "--json")
    got = r.json()
    assert got["set"] == {"company.name": "Atelier Dupré", "company.country": "FR", "company.siren": "732829320",
                          "company.vat_id": "FR44732829320", "company.iban": IBAN, "currency": "EUR", "language": "fr",
                          "numbering.invoice_prefix": "F-"}
    assert _settings()["company"]["iban"] == IBAN and _settings()["numbering"] == {"invoice_prefix": "F-"}
    assert ok("config", "get", "company.name").out.strip() == "Atelier Dupré"


@sqlite_only  # PostgreSQL: the database is the server's
def test_init_creates_a_missing_database(tmp_path):
    path = tmp_path / "new" / "books.db"
    ok("--db", path, "init", "--yes", "--name", "Atelier")
    assert path.is_file()
    assert ok("--db", path, "invoice", "list", "--json").json() == []


def test_each_answer_is_checked_and_nothing_is_written():
    before = db_content()
    for flag, value, message in (
        ("--siren", "123", "error: company.siren: '123' is not a valid SIREN (9 digits): wrong length"),
        ("--iban", "FR00", "error: company.iban: 'FR00' is not a valid IBAN: wrong check digit"),
        ("--currency", "euro", "error: currency: at most 3 characters"),
    ):
        r = refused("init", "--yes", "--name", "Atelier", flag, value)
        assert r.err == message + "\n"
    r = refused("init", "--yes", "--siren", "732829320", "--vat-id", "FR40303265045")
    assert "does not end with the SIREN" in r.err
    assert _settings() == {} and db_content() == before


def test_init_asks_on_a_terminal_and_asks_again_after_a_bad_answer(monkeypatch):
    from orders_cli.cli import init

    monkeypatch.setattr(init, "_interactive", lambda: True)
    answers = ["Atelier Dupré", "3 rue X\\n69002 Lyon", "FR", "", "12", "732829320", "", "", "fr",
               "", "", "F-", "", "", ""]
    r = ok("init", "--order-prefix", "CMD-", stdin="\n".join(answers) + "\n")
    assert "not a valid SIREN" in r.err  # "12" refused, asked again
    s = _settings()
    assert s["company"] == {"name": "Atelier Dupré", "address": "3 rue X\\n69002 Lyon", "country": "FR", "siren": "732829320"}
    assert s["language"] == "fr" and s["numbering"]["invoice_prefix"] == "F-" and s["numbering"]["order_prefix"] == "CMD-"
