"""cli/tables.py draws a table without Rich where nothing is styled (a pipe, a file): the text
must be Rich's, character for character, for any cells, widths and totals it takes; and what
it does not take (a cell of two lines, wide or combining characters, a space at either end, a
table wider than the console) it leaves to Rich."""

from __future__ import annotations

import io

from hypothesis import given, settings
from hypothesis import strategies as st
from rich.console import Console

from orders_cli.cli import tables
from orders_cli.core.text import terminal

# letters, digits, spaces and punctuation, accents, the ellipsis itself, and the characters
# plain() must leave to Rich: wide (CJK, emoji), combining, a newline
ALPHABET = st.sampled_from(list("abcXYZ019 -.,/'é€…") + ["漢", "🙂", "e\u0301", "\n", "ß", "İ"])
TEXT = st.lists(ALPHABET, max_size=14).map("".join)
KEYS = ["number", "subject", "total", "status", "account.name", "description", "net", "sku"]


def console(width: int) -> Console:
    return Console(file=io.StringIO(), width=width, color_system=None, markup=False, emoji=False, highlight=False, soft_wrap=False)


# what plain() draws itself: one line, single-width characters, no space at either end
PLAIN = st.lists(st.sampled_from(list("abcXYZ019 -.,/'é€…ßİ")), max_size=14).map(lambda c: "".join(c).strip())


@st.composite
def table(draw, text=TEXT):
    n = draw(st.integers(1, 5))
    keys = draw(st.lists(st.sampled_from(KEYS), min_size=n, max_size=n, unique=True))
    columns = [(k, draw(text.filter(lambda t: t.strip() == t and "\n" not in t)) or k.title()) for k in keys]
    body = draw(st.lists(st.lists(text, min_size=n, max_size=n), min_size=0, max_size=6))
    totals = draw(st.lists(st.lists(text, min_size=n, max_size=n), max_size=2))
    title = draw(st.none() | text)
    return columns, body, totals, title, draw(st.integers(8, 90))


def drawn(columns, body, totals, title, width, via_rich: bool) -> str:
    out = console(width)
    styles = [[""] * len(columns) for _ in body]
    if via_rich:  # what draw() does before it draws, then Rich
        headers = [terminal(c[1]) for c in columns]
        kinds = [tables.kind(k) for k, _ in columns]
        extra = [[terminal(c) for c in row] for row in totals]
        widths = tables.fit(headers, kinds, [tables.drop_rank(k) for k, _ in columns], list(body) + extra, width)
        tables.rich(out, headers, kinds, widths, body, styles, extra, title)
    else:
        tables.draw(out, columns, body, styles, title=title, totals=totals)
    return out.file.getvalue()


@settings(max_examples=300, deadline=None)
@given(table())
def test_the_plain_table_is_richs(case):
    columns, body, totals, title, width = case
    assert drawn(*case, via_rich=False) == drawn(*case, via_rich=True)


@settings(max_examples=300, deadline=None)
@given(table(PLAIN))
def test_plain_cells_are_drawn_without_rich_as_rich_draws_them(case):
    columns, body, totals, title, width = case
    headers, kinds = [c[1] for c in columns], [tables.kind(k) for k, _ in columns]
    widths = tables.fit(headers, kinds, [tables.drop_rank(k) for k, _ in columns], list(body) + totals, width)
    fits = sum(widths.values()) + 3 * len(widths) + 1 <= width and min(widths.values()) >= 1
    assert (tables.plain(headers, kinds, widths, body, totals, width) is not None) == (bool(body) and fits)
    assert drawn(*case, via_rich=False) == drawn(*case, via_rich=True)


def test_what_plain_takes_and_what_it_leaves_to_rich():
    headers, kinds = ["Number", "Subject", "Total"], [tables.TOKEN, tables.TEXT, tables.NUMBER]
    widths = {0: 8, 1: 10, 2: 7}
    text = tables.plain(headers, kinds, widths, [["SO-00001", "A long subject", "1408.32"]], [], 80)
    assert text.splitlines() == [
        "┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┓",
        "┃ Number   ┃ Subject    ┃   Total ┃",
        "┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━┩",
        "│ SO-00001 │ A long su… │ 1408.32 │",
        "└──────────┴────────────┴─────────┘",
    ]
    for cell in ("two\nlines", "漢字", "e\u0301", " padded", "tail "):
        assert tables.plain(headers, kinds, widths, [["SO-00001", cell, "1.00"]], [], 80) is None, cell
    assert tables.plain(headers, kinds, widths, [["SO-00001", "x", "1.00"]], [], 30) is None  # wider than the console


def test_ten_thousand_rows_in_a_blink():
    """Not a timing: the plain path is the one taken for a big table in a pipe (Rich's own
    drawing of 10,000 rows takes seconds), and it is Rich's text."""
    rows = [[f"SO-{i:05d}", f"Contract {i}", f"{i}.00"] for i in range(10_000)]
    columns = [("number", "Number"), ("subject", "Subject"), ("total", "Total")]
    out = console(80)
    tables.draw(out, columns, rows, [[""] * 3] * len(rows))
    text = out.file.getvalue()
    assert text.count("\n") == 10_004 and text == drawn(columns, rows[:10_000], [], None, 80, via_rich=True)
