"""Issue 18 item 5, tables that read at 80 columns (and item 6, words for people): tokens
(numbers, dates, amounts, statuses, SKUs) are never wrapped or cut, free text shrinks with an
ellipsis, columns go in the order cli/tables.py states (and the README says) when even that
does not fit; a pipe gets COLUMNS or 80 columns; statuses are coloured on a terminal only,
never under NO_COLOR. Exact output at a pinned width, on the demo's books."""

from __future__ import annotations

import io
import os
import re
from contextlib import redirect_stderr, redirect_stdout

import pytest
from conftest import ok, spawn

ESC = "\x1b["
COLOUR = re.compile(r"\x1b\[(?:[0-9;]*;)?(?:3[0-7]|9[0-7]|38;[0-9;]+)m")


@pytest.fixture
def books(demo):
    """The demo, and three of its orders invoiced: one paid, one overdue, one partly paid."""
    ok("order", "convert", "invoice", "SO-00002", "--date", "2026-10-06")
    ok("order", "convert", "invoice", "SO-00003", "--date", "2026-10-21")
    ok("order", "convert", "invoice", "SO-00004", "--date", "2026-11-03")
    ok("payment", "add", "INV-00001", "--amount", "185.67", "--date", "2026-10-30")
    ok("payment", "add", "INV-00003", "--amount", "50.00", "--date", "2026-11-20")


def at(width: int, *args: str) -> str:
    os.environ["COLUMNS"] = str(width)  # the isolated fixture restores it
    out = ok(*args).out
    assert all(len(line) <= width and line == line.rstrip() for line in out.splitlines()), out
    return out


class Terminal(io.StringIO):
    """stdout as a terminal has it (isatty), to see what a person sees."""

    def isatty(self) -> bool:
        return True


def on_terminal(*args: str) -> str:
    from orders_cli.cli.app import main

    out = Terminal()
    with redirect_stdout(out), redirect_stderr(io.StringIO()):
        assert main(list(args)) == 0
    return out.getvalue()


ORDERS_80 = """\
┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━┓
┃ Number   ┃ Date       ┃ Account       ┃ Subject        ┃ Status    ┃   Total ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━┩
│ SO-00001 │ 2026-11-28 │ Boulangerie … │ Aménagement d… │ created   │ 1408.32 │
│ SO-00005 │ 2026-11-10 │ Café Müller   │ Commande annu… │ cancelled │   21.36 │
│ SO-00004 │ 2026-11-02 │ Brasserie Lé… │ Affiches pour… │ created   │  157.11 │
│ SO-00003 │ 2026-10-20 │ Łódź Trading… │ Commande Łódź… │ approved  │  745.28 │
│ SO-00002 │ 2026-10-05 │ Café Müller   │ Réassort de p… │ approved  │  185.67 │
└──────────┴────────────┴───────────────┴────────────────┴───────────┴─────────┘
"""

ORDERS_60 = """\
┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━━┓
┃ Number   ┃ Date       ┃ Account    ┃ Status    ┃   Total ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━━┩
│ SO-00001 │ 2026-11-28 │ Boulanger… │ created   │ 1408.32 │
│ SO-00005 │ 2026-11-10 │ Café Müll… │ cancelled │   21.36 │
│ SO-00004 │ 2026-11-02 │ Brasserie… │ created   │  157.11 │
│ SO-00003 │ 2026-10-20 │ Łódź Trad… │ approved  │  745.28 │
│ SO-00002 │ 2026-10-05 │ Café Müll… │ approved  │  185.67 │
└──────────┴────────────┴────────────┴───────────┴─────────┘
"""

ORDERS_120 = """\
┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━┓
┃ Number   ┃ Date       ┃ Account                 ┃ Subject                      ┃ Status    ┃ Final ┃   Total ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━┩
│ SO-00001 │ 2026-11-28 │ Boulangerie Dupré       │ Aménagement de la boutique   │ created   │ no    │ 1408.32 │
│ SO-00005 │ 2026-11-10 │ Café Müller             │ Commande annulée             │ cancelled │ no    │   21.36 │
│ SO-00004 │ 2026-11-02 │ Brasserie Léon          │ Affiches pour la brasserie   │ created   │ no    │  157.11 │
│ SO-00003 │ 2026-10-20 │ Łódź Trading Sp. z o.o. │ Commande Łódź – mugs et café │ approved  │ yes   │  745.28 │
│ SO-00002 │ 2026-10-05 │ Café Müller             │ Réassort de printemps        │ approved  │ no    │  185.67 │
└──────────┴────────────┴─────────────────────────┴──────────────────────────────┴───────────┴───────┴─────────┘
"""

INVOICES_80 = """\
┏━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Number    ┃ Date       ┃ Account         ┃  Total ┃ Balance ┃ Payment        ┃
┡━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ INV-00003 │ 2026-11-03 │ Brasserie Léon  │ 157.11 │  107.11 │ partially paid │
│ INV-00002 │ 2026-10-21 │ Łódź Trading S… │ 745.28 │  745.28 │ overdue        │
│ INV-00001 │ 2026-10-06 │ Café Müller     │ 185.67 │    0.00 │ paid           │
└───────────┴────────────┴─────────────────┴────────┴─────────┴────────────────┘
"""

INVOICES_60 = """\
┏━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Number    ┃  Total ┃ Balance ┃ Payment        ┃
┡━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ INV-00003 │ 157.11 │  107.11 │ partially paid │
│ INV-00002 │ 745.28 │  745.28 │ overdue        │
│ INV-00001 │ 185.67 │    0.00 │ paid           │
└───────────┴────────┴─────────┴────────────────┘
"""

INVOICES_120 = """\
┏━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Number    ┃ Date       ┃ Due        ┃ Account        ┃ Subject         ┃ Status  ┃  Total ┃ Balance ┃ Payment        ┃
┡━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ INV-00003 │ 2026-11-03 │ 2026-12-03 │ Brasserie Léon │ Affiches pour … │ created │ 157.11 │  107.11 │ partially paid │
│ INV-00002 │ 2026-10-21 │ 2026-11-20 │ Łódź Trading … │ Commande Łódź … │ created │ 745.28 │  745.28 │ overdue        │
│ INV-00001 │ 2026-10-06 │ 2026-11-05 │ Café Müller    │ Réassort de pr… │ created │ 185.67 │    0.00 │ paid           │
└───────────┴────────────┴────────────┴────────────────┴─────────────────┴─────────┴────────┴─────────┴────────────────┘
"""

QUOTES_80 = """\
┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━┳━━━━━━━━━┓
┃ Number   ┃ Date       ┃ Valid until ┃ Account           ┃ Status   ┃   Total ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━╇━━━━━━━━━┩
│ QT-00001 │ 2026-09-15 │ 2026-10-15  │ Boulangerie Dupré │ accepted │ 1408.32 │
└──────────┴────────────┴─────────────┴───────────────────┴──────────┴─────────┘
"""

PRODUCTS_80 = """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━┓
┃ SKU        ┃ Name       ┃ Kind    ┃ Unit price ┃  Cost ┃ Vendor     ┃ Taxes  ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━┩
│ BOOK       │ Livre d'o… │ product │      19.99 │  9.50 │ Papeterie… │ VAT5.5 │
│ COFFEE-1KG │ Café en g… │ product │      24.50 │ 13.20 │ Kaffeerös… │ VAT5.5 │
│ CONSULT    │ Conseil e… │ service │     120.00 │       │            │ VAT20  │
│ MAINT      │ Maintenan… │ service │      49.00 │       │            │ VAT20  │
│ MUG        │ Mug émail… │ product │       8.90 │  3.10 │ Kaffeerös… │ VAT20  │
│ POSTER     │ Affiche A… │ product │      12.00 │       │            │ VAT20  │
└────────────┴────────────┴─────────┴────────────┴───────┴────────────┴────────┘
"""

PRODUCTS_60 = """\
┏━━━━━━━━━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ SKU        ┃ Name          ┃ Unit price ┃ Vendor         ┃
┡━━━━━━━━━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│ BOOK       │ Livre d'or r… │      19.99 │ Papeterie Lef… │
│ COFFEE-1KG │ Café en grai… │      24.50 │ Kaffeeröstere… │
│ CONSULT    │ Conseil en a… │     120.00 │                │
│ MAINT      │ Maintenance … │      49.00 │                │
│ MUG        │ Mug émaillé   │       8.90 │ Kaffeeröstere… │
│ POSTER     │ Affiche A2 «… │      12.00 │                │
└────────────┴───────────────┴────────────┴────────────────┘
"""

ACCOUNT_80 = """\
Café Müller
id          1
name        Café Müller
email       hallo@cafe-mueller.example
phone       +33 3 88 00 00 01
tax region
language
billing     12 rue des Orfèvres, Strasbourg, 67000, FR
shipping    12 rue des Orfèvres, Strasbourg, 67000, FR
Contacts
┏━━━━┳━━━━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━┓
┃ Id ┃ Name          ┃ E-mail                         ┃ Phone ┃
┡━━━━╇━━━━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━┩
│  1 │ Jürgen Müller │ j.mueller@cafe-mueller.example │       │
└────┴───────────────┴────────────────────────────────┴───────┘
Orders
┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━━━┳━━━━━━━━┓
┃ Order    ┃ Date       ┃ Subject               ┃ Status    ┃  Total ┃
┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━━━╇━━━━━━━━┩
│ SO-00005 │ 2026-11-10 │ Commande annulée      │ cancelled │  21.36 │
│ SO-00002 │ 2026-10-05 │ Réassort de printemps │ approved  │ 185.67 │
└──────────┴────────────┴───────────────────────┴───────────┴────────┘
open balance  0.00
"""

TAXES_80 = """\
┏━━━━┳━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━━━━━┓
┃ Id ┃ Name   ┃ Rate % ┃ Regional rates ┃
┡━━━━╇━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━━━━━┩
│  3 │ VAT10  │     10 │                │
│  1 │ VAT20  │     20 │ overseas: 8.5  │
│  2 │ VAT5.5 │    5.5 │ overseas: 2.1  │
└────┴────────┴────────┴────────────────┘
"""

CONTACT_ADD = """\
id       3
name     Anna Nowak
account  Łódź Trading Sp. z o.o.
email    anna.nowak@lodz-trading.example
phone    +48 42 000 00 00
"""


LISTS = [
    (80, ("order", "list"), ORDERS_80), (60, ("order", "list"), ORDERS_60), (120, ("order", "list"), ORDERS_120),
    (80, ("invoice", "list"), INVOICES_80), (60, ("invoice", "list"), INVOICES_60), (120, ("invoice", "list"), INVOICES_120),
    (80, ("quote", "list"), QUOTES_80), (80, ("product", "list"), PRODUCTS_80), (60, ("product", "list"), PRODUCTS_60),
    (80, ("account", "show", "Café Müller"), ACCOUNT_80), (80, ("tax", "list"), TAXES_80),
]


def test_lists_fit_their_width_exactly(books):
    """Numbers, dates, amounts, statuses and SKUs whole on one line; names and subjects cut
    with …; at 80 order list leaves out Final, invoice list its Paid, Credited, Order, Due,
    Subject and (with 'partially paid' to show) Status; at 60 fewer still, in the stated order."""
    for width, args, expected in LISTS:
        assert at(width, *args) == expected, (width, args)


def test_tokens_are_never_broken_however_long_the_text(books):
    ok("account", "edit", "Café Müller", "--name", "Café Müller " + "und Söhne " * 15)
    ok("order", "edit", "SO-00002", "--subject", "Réassort " * 30)
    out = at(80, "order", "list")
    for token in ("SO-00002", "2026-10-05", "approved", "185.67", "cancelled", "1408.32"):
        assert token in out
    row = next(line for line in out.splitlines() if "SO-00002" in line)
    assert row == "│ SO-00002 │ 2026-10-05 │ Café Müller … │ Réassort Réas… │ approved  │  185.67 │"
    assert at(80, "invoice", "list").splitlines()[5] == "│ INV-00001 │ 2026-10-06 │ Café Müller un… │ 185.67 │    0.00 │ paid           │"


def test_contact_add_prints_words_not_a_record_repr(books):
    added = at(80, "contact", "add", "Anna Nowak", "--account", "Łódź Trading Sp. z o.o.", "--email", "anna.nowak@lodz-trading.example",
               "--phone", "+48 42 000 00 00")
    assert added == CONTACT_ADD
    assert "{" not in added


def test_internal_names_in_words_in_tables_not_in_json(books):
    ok("invoice", "credit", "INV-00002", "--amount", "10", "--date", "2026-11-25")
    statement = at(80, "account", "statement", "Łódź Trading Sp. z o.o.")
    assert "│ 2026-11-25 │ credit note │ CN-00001  │" in statement and "credit_note" not in statement
    data = ok("account", "statement", "Łódź Trading Sp. z o.o.", "--json").json()
    assert [line["type"] for line in data["lines"]] == ["invoice", "credit_note"]


def test_statuses_are_coloured_on_a_terminal(books, monkeypatch):
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "80")
    invoices = on_terminal("invoice", "list")
    assert f"{ESC}31moverdue" in invoices and f"{ESC}32mpaid" in invoices and f"{ESC}33mpartially paid" in invoices
    orders = on_terminal("order", "list")
    assert f"{ESC}90mcancelled" in orders
    assert not COLOUR.search(next(line for line in orders.splitlines() if "SO-00003" in line))  # approved: no colour
    row = next(line for line in orders.splitlines() if "SO-00005" in line)
    assert re.sub(r"\x1b\[[0-9;]*m", "", row) == "│ SO-00005 │ 2026-11-10 │ Café Müller   │ Commande annu… │ cancelled │   21.36 │"


def test_no_colour_under_no_color_nor_in_a_pipe(books, monkeypatch):
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "80")
    monkeypatch.setenv("NO_COLOR", "1")
    shown = on_terminal("invoice", "list")
    assert "overdue" in shown and not COLOUR.search(shown)
    monkeypatch.delenv("NO_COLOR")
    assert ESC not in ok("invoice", "list").out  # stdout is not a terminal: no escape at all


def test_a_pipe_gets_columns_or_80(books, monkeypatch):
    """Not a terminal: COLUMNS when set, else 80 (it was 120), in a real process with a pipe."""
    monkeypatch.delenv("COLUMNS")
    piped = spawn("invoice", "list")
    assert piped.returncode == 0 and piped.stdout == INVOICES_80
    assert ok("invoice", "list").out == INVOICES_80  # in process too
    monkeypatch.setenv("COLUMNS", "120")
    assert ok("invoice", "list").out == INVOICES_120


def test_fit_keeps_tokens_whole_and_drops_in_order():
    """The rule itself: tokens at their width, text down to its floor, then the lowest rank
    first, right to left, the first column never."""
    from orders_cli.cli import tables

    headers, kinds = ["Number", "Subject", "Final", "Total"], [tables.TOKEN, tables.TEXT, tables.TOKEN, tables.NUMBER]
    ranks = [tables.drop_rank(k) for k in ("number", "subject", "finalized", "total")]
    body = [["SO-00001", "A long subject line", "no", "1408.32"]]
    assert tables.fit(headers, kinds, ranks, body, 80) == {0: 8, 1: 19, 2: 5, 3: 7}
    assert tables.fit(headers, kinds, ranks, body, 45) == {0: 8, 1: 12, 2: 5, 3: 7}  # the subject shrinks
    assert tables.fit(headers, kinds, ranks, body, 40) == {0: 8, 1: 15, 3: 7}  # Final goes first
    assert tables.fit(headers, kinds, ranks, body, 30) == {0: 8, 3: 7}  # then the subject
    assert tables.fit(headers, kinds, ranks, body, 10) == {0: 8}  # the first column stays


def test_an_empty_column_goes_before_any_text_is_cut():
    from orders_cli.cli import tables

    headers, kinds, ranks = ["Id", "Subject", "Due", "Note"], [tables.NUMBER, tables.TEXT, tables.TOKEN, tables.TEXT], [9, 4, 9, 4]
    body = [["2", "Payment received for INV-00002", "", ""]]
    assert tables.fit(headers, kinds, ranks, body, 80) == {0: 2, 1: 30, 2: 3, 3: 4}  # it fits: all stay
    assert tables.fit(headers, kinds, ranks, body, 45) == {0: 2, 1: 30, 2: 3}  # Note goes, the subject stays whole
    assert tables.fit(headers, kinds, ranks, body, 40) == {0: 2, 1: 30}
    assert tables.fit(headers, kinds, ranks, body, 30) == {0: 2, 1: 21}  # then the text is cut


def test_timestamps_to_the_second_in_local_time(books, monkeypatch):
    import time
    from datetime import datetime, timedelta

    monkeypatch.setenv("TZ", "Asia/Kolkata")  # +05:30 all year
    time.tzset()
    try:
        at_utc = datetime.fromisoformat(ok("order", "history", "SO-00001", "--json").json()[0]["at"])
        local = (at_utc + timedelta(hours=5, minutes=30)).strftime("%Y-%m-%d %H:%M:%S")
        assert at(80, "order", "history", "SO-00001").splitlines()[3].startswith(f"│ {local} │ status │")
    finally:
        monkeypatch.delenv("TZ")
        time.tzset()


def test_order_show_keeps_the_description_over_the_per_line_progress(books):
    """The lines of a view follow the same rule: at 80 the delivered and invoiced quantities
    (the progress line says them) go before the description is left out."""
    lines = at(80, "order", "show", "SO-00003").splitlines()
    start = lines.index("┃ # ┃ SKU        ┃ Description ┃ Qty ┃ Unit price ┃ Disc. ┃    Net ┃ Delivered ┃")
    assert lines[start + 2:start + 4] == ["│ 1 │ MUG        │ Mug émaillé │  48 │       8.90 │       │ 427.20 │         0 │",
                                          "│ 2 │ COFFEE-1KG │ Café en gr… │  10 │      24.50 │ 5%    │ 232.75 │         0 │"]
    wide = at(120, "order", "show", "SO-00003")
    assert "┃ # ┃ SKU        ┃ Description          ┃ Qty ┃ Unit price ┃ Disc. ┃    Net ┃ Delivered ┃ Invoiced ┃" in wide


def test_statuses_in_a_panel_are_coloured_on_a_terminal_only(books, monkeypatch):
    """The key/value panel of a view colours its status as the tables do, the rest of the line
    untouched; NO_COLOR and a pipe get the same panel without an escape."""
    monkeypatch.delenv("NO_COLOR")
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLUMNS", "80")
    shown = on_terminal("order", "show", "SO-00005")
    status = next(line for line in shown.splitlines() if line.startswith("status"))
    assert re.fullmatch(r"status +\x1b\[90mcancelled\x1b\[0m", status), repr(status)
    quote = on_terminal("quote", "show", "QT-00001")
    assert f"{ESC}32maccepted{ESC}0m" in quote
    plain = ok("order", "show", "SO-00005").out
    panel = plain.split("┏")[0]  # the header panel (the lines' table follows)
    assert ESC not in plain and re.sub(r"\x1b\[[0-9;]*m", "", shown).split("┏")[0] == panel
    monkeypatch.setenv("NO_COLOR", "1")
    assert on_terminal("order", "show", "SO-00005").split("┏")[0] == panel


def test_the_totals_block_adds_up_with_allowances_and_charges(demo):
    """The people's view of an order and its invoice lists each document allowance and charge,
    so its lines add up to the total (the JSON has them in ``allowances_charges``)."""
    from decimal import Decimal

    number = ok("order", "add", "--subject", "Extras", "--account", "Café Müller", "--line", "MUG:3", "--line", "BOOK:2", "--discount", "5%",
                "--shipping-charge", "9.99", "--allowance", "Loyalty:2.50", "--allowance", "Loyalty:1%", "--charge", "Packing:1.5%:VAT5.5",
                "--json").json()["number"]
    ok("order", "status", number, "approved")
    invoice = ok("order", "convert", "invoice", number, "--json").json()["number"]
    for args in (("order", "show", number), ("invoice", "show", invoice)):
        out = ok(*args).out.splitlines()
        block = out[next(i for i, line in enumerate(out) if line.startswith("subtotal")):]
        total = next(line for line in block if line.startswith("total"))
        parts = [line for line in block[:block.index(total)]]
        assert sum(1 for line in parts if line.startswith(("allowance Loyalty", "charge Packing (1.5%)"))) == 3, parts
        block = block[:block.index(total) + 1]
        value = [re.split(r"\s{2,}", line, maxsplit=1)[1] for line in block]  # the key, two spaces or more, the value
        amounts = [Decimal(v.split()[0]) for v in value[:block.index(total)]]  # "-1.34 (5%)": the amount first
        assert sum(amounts) == Decimal(value[block.index(total)].split()[0]), (args, parts, total)
