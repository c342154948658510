"""Issue 18, the daily terminal: what is done of it so far (item 7: a view is one stream, on
stdout, so `| less` keeps all of it; stderr is for notes, progress and errors)."""

from __future__ import annotations

from conftest import ok
from test_reports import book, catalog  # noqa: F401  (the fixture and what it builds)


def test_order_show_says_everything_on_stdout_and_account_edit_no_false_no_orders(book):
    r = ok("order", "show", "SO-00001")
    assert "invoiced 100 %" in r.out and "open balance" in r.out and "invoices: " + book["a"] in r.out
    assert r.err == ""
    edited = ok("account", "edit", "Café Müller", "--phone", "+33 1 00 00 00 00")
    assert "no orders" not in edited.out + edited.err and "+33 1 00 00 00 00" in edited.out
    shown = ok("account", "show", "Café Müller")
    assert "Orders" in shown.out and "SO-00001" in shown.out and shown.err == ""


def test_human_views_show_words_not_json_and_no_trailing_padding(isolated):
    """Item 6: an address as its parts, a record as its name, a mapping as "key: value", a
    timestamp to the second; item 5: key/value panels carry no trailing spaces."""
    ok("account", "add", "Hôtel du Parc", "--billing-street", "1 rue X", "--billing-city", "Lyon")
    added = ok("account", "add", "Other", "--billing-city", "Paris").out
    assert "billing address     Paris\n" in added and "{" not in added
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("tax", "add", "VAT20", "--rate", "8.5", "--region", "overseas")
    assert "regions           overseas: 8.5\n" in ok("tax", "show", "VAT20").out
    assert "│ overseas: 8.5  │" in ok("tax", "list").out
    contact = ok("contact", "add", "Jean", "--account", "Hôtel du Parc").out
    assert contact.splitlines()[2] == "account  Hôtel du Parc"
    for out in (added, contact, ok("tax", "show", "VAT20").out):
        assert all(line == line.rstrip() for line in out.splitlines())
    ok("order", "add", "--subject", "X", "--account", "Other")
    history = ok("order", "history", "SO-00001").out
    import re

    assert re.search(r"│ \d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2} │ status", history)  # no microseconds, no offset


def test_internal_status_names_get_words(isolated):
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    so = ok("order", "add", "--subject", "Support", "--account", "Acme", "--line", "MAINT:1", "--json").json()["number"]
    ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-11-01")
    ok("recur", "run")
    listed = ok("invoice", "list").out
    assert "created automatically" in listed and "auto_created" not in listed
    assert ok("invoice", "list", "--json").json()[0]["status"] == "auto_created"  # JSON keeps the contract
