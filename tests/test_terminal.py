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
