"""Stored text is data, never markup or control (issue 13, items 7 and 8).

Terminal: names, subjects and descriptions holding Rich markup (``[red]x[/red]``, ``[/]``,
``[link=...]``), emoji codes (``:warning:``), ESC sequences and bidirectional overrides
(U+202E) print as typed, the control characters escaped, at the pinned width (COLUMNS=200,
NO_COLOR=1); ``--json`` keeps the exact text. CSV: ``--csv`` makes formula cells inert with a
leading ``'`` (the OWASP rule) and leaves numbers alone; ``--csv-raw`` gives the bytes as stored.
"""

from __future__ import annotations

import csv
import io

import pytest
from conftest import clone_db, ok, run, sql

RED = "[red]Evil[/red] Corp"
WARN = ":warning: Pay now"
LINK = "[link=https://evil.example/pay]Pay here[/link]"
CLOSE = "[/]"
RLO = "Rev\u202eerse"
ESC = "\x1b[31mRed\x1b[0m"
SUBJECT = "[/] :warning: [bold]x"


def build_hostile() -> None:
    """Accounts named like markup, an emoji code, a link, a closing tag, U+202E and (through SQL:
    the CLI refuses control characters) an ESC sequence; products whose SKU / name are
    formulas; order SO-00001 for ``[/]`` with subject SUBJECT, 2 x P2 and adjustment -12.50."""
    ok("tax", "add", "VAT20", "--rate", "20")
    for name in (RED, WARN, LINK, CLOSE, RLO, "Escaped"):
        ok("account", "add", name)
    sql("UPDATE account SET name = ? WHERE name = ?", ESC, "Escaped")
    ok("product", "add", '=HYPERLINK("evil.example","x")', "--name", "+SUM(1,2)", "--price", "10.00", "--tax", "VAT20", "--service")
    ok("product", "add", "P2", "--name", "@SUM(A1)", "--price", "5.00", "--tax", "VAT20")
    ok("order", "add", "--subject", SUBJECT, "--account", CLOSE, "--line", "P2:2", "--adjustment", "-12.50")


@pytest.fixture
def hostile(db_template, isolated):
    """A copy of the ``build_hostile`` database (made once per session): order SO-00001."""
    from orders_cli import store

    clone_db(db_template("output-safety", build_hostile))
    yield "SO-00001"
    store.dispose_all()


# ---------------------------------------------------------------- the terminal


def test_account_list_prints_every_name_as_typed(hostile):
    r = ok("account", "list")
    assert r.out == (
        "┏━━━━┳━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━┳━━━━━━━━━┓\n"
        "┃ Id ┃ Name                                           ┃ E-mail ┃ Tax region ┃ City ┃ Country ┃\n"
        "┡━━━━╇━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━╇━━━━━━━━━┩\n"
        "│  6 │ \\x1b[31mRed\\x1b[0m                             │        │            │      │         │\n"
        "│  2 │ :warning: Pay now                              │        │            │      │         │\n"
        "│  5 │ Rev\\u202eerse                                  │        │            │      │         │\n"
        "│  4 │ [/]                                            │        │            │      │         │\n"
        "│  3 │ [link=https://evil.example/pay]Pay here[/link] │        │            │      │         │\n"
        "│  1 │ [red]Evil[/red] Corp                           │        │            │      │         │\n"
        "└────┴────────────────────────────────────────────────┴────────┴────────────┴──────┴─────────┘\n"
    )
    assert "\x1b" not in r.out and "\u202e" not in r.out and "\x1b]8;" not in r.out  # no colour, no hyperlink


@pytest.mark.parametrize("name, shown", [(RED, RED), (WARN, WARN), (LINK, LINK), (CLOSE, CLOSE), (RLO, "Rev\\u202eerse"),
                                         (ESC, "\\x1b[31mRed\\x1b[0m")])
def test_account_show_title_and_name_as_typed(hostile, name, shown):
    out = ok("account", "show", name).out
    lines = out.splitlines()
    assert lines[0].rstrip() == shown  # the title
    assert lines[2].rstrip() == "name        " + shown
    assert "\x1b" not in out and "\u202e" not in out
    assert ok("account", "show", name, "--json").json()["name"] == name  # JSON: the exact text


def test_order_show_and_list(hostile):
    out = ok("order", "show", hostile).out
    assert [ln.rstrip() for ln in out.splitlines()[:6]] == [
        "SO-00001  [/] :warning: [bold]x",  # the title, on one line (issue 18: panels are not padded nor wrapped)
        "number   SO-00001",
        "subject  [/] :warning: [bold]x",
        "status   created",
        "date     2026-11-28",
        "account  [/]",
    ]
    assert "│ 1 │ P2  │ @SUM(A1)    │   2 │       5.00 │       │ 10.00 │         0 │        0 │\n" in out
    assert "adjustment           -12.50" in out
    assert ok("order", "list").out == (
        "┏━━━━━━━━━━┳━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━━━━━━━━━━━━━━━━━┳━━━━━━━━━┳━━━━━━━┳━━━━━━━┓\n"
        "┃ Number   ┃ Date       ┃ Account ┃ Subject               ┃ Status  ┃ Final ┃ Total ┃\n"
        "┡━━━━━━━━━━╇━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━━━━━━━━━━━━━━━━━╇━━━━━━━━━╇━━━━━━━╇━━━━━━━┩\n"
        "│ SO-00001 │ 2026-11-28 │ [/]     │ [/] :warning: [bold]x │ created │ no    │ -0.50 │\n"
        "└──────────┴────────────┴─────────┴───────────────────────┴─────────┴───────┴───────┘\n"
    )
    doc = ok("order", "show", hostile, "--json").json()
    assert (doc["subject"], doc["account"]["name"]) == (SUBJECT, CLOSE)


def test_escape_sequences_and_overrides_in_an_order_are_shown_escaped(hostile):
    sql("UPDATE sales_order SET subject = ?", "Pay\x1b]8;;https://evil.example\x1b\\now\u202e")
    out = ok("order", "show", hostile).out
    assert "subject  Pay\\x1b]8;;https://evil.example\\x1b\\now\\u202e" in out
    assert "\x1b" not in out and "\u202e" not in out
    assert ok("order", "list", "--json").json()[0]["subject"] == "Pay\x1b]8;;https://evil.example\x1b\\now\u202e"


def test_invoice_show(hostile):
    sql("UPDATE account SET name = ? WHERE name = ?", LINK + "\u202e", CLOSE)
    ok("order", "convert", "invoice", hostile)
    out = ok("invoice", "show", "INV-00001").out
    lines = [ln.rstrip() for ln in out.splitlines()]
    assert lines[:5] == ["Invoice INV-00001", "number        INV-00001", "order         SO-00001",
                         "account       [link=https://evil.example/pay]Pay here[/link]\\u202e",
                         "subject       [/] :warning: [bold]x"]
    assert "\x1b" not in out and "\u202e" not in out
    doc = ok("invoice", "show", "INV-00001", "--json").json()
    assert (doc["subject"], doc["account"]["name"]) == (SUBJECT, LINK + "\u202e")


def test_recur_run_with_a_closing_tag_in_the_subject_bills_and_reports(hostile):
    """A subject template holding "[/]" once made the table raise after billing: exit 1, no summary."""
    ok("recur", "set", hostile, "--frequency", "monthly", "--start", "2026-10-01", "--subject", "Maint [/] {MMM} :warning:")
    r = run("recur", "run")
    assert r.code == 0, r.err
    assert r.out.splitlines()[3:5] == ["│ SO-00001 │ INV-00001 │ Maint [/] October :warning:  │ 2026-11-28 │ 2026-10-01   │ 2026-10-31 │ -0.50 │",
                                       "│ SO-00001 │ INV-00002 │ Maint [/] November :warning: │ 2026-11-28 │ 2026-11-01   │ 2026-11-30 │ -0.50 │"]
    assert r.err.splitlines()[-1] == "recur run 2026-11-28: billed 2 invoices for 1 order, 0 periods skipped, 0 failed"
    assert [s for (s,) in sql("SELECT subject FROM invoice ORDER BY number")] == ["Maint [/] October :warning:", "Maint [/] November :warning:"]


def test_notes_and_errors_show_control_characters_escaped(hostile):
    """A note (stderr) that names stored text, and the one error line, escape ESC and U+202E."""
    r = run("account", "show", "\x1b[2Jgone\u202e")
    assert r.code == 1 and "\x1b" not in r.err and "\u202e" not in r.err
    assert len(r.err.splitlines()) == 1
    import contextlib

    from orders_cli.cli import output

    err = io.StringIO()
    with contextlib.redirect_stderr(err):
        output.note(f"imported 2 orders for {ESC}\u202e\nsecond line")
    assert err.getvalue() == "imported 2 orders for \\x1b[31mRed\\x1b[0m\\u202e\nsecond line\n"


# ---------------------------------------------------------------- CSV


def _csv(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def test_csv_neutralises_formulas_and_keeps_numbers(hostile):
    rows = _csv(ok("product", "list", "--csv").out)
    assert rows == [["sku", "name", "kind", "unit_price", "cost", "vendor", "taxes", "unit", "description", "base_quantity"],
                    ['\'=HYPERLINK("evil.example","x")', "'+SUM(1,2)", "service", "10.00", "", "", "VAT20", "", "", "1"],
                    ["P2", "'@SUM(A1)", "product", "5.00", "", "", "VAT20", "", "", "1"]]
    orders = _csv(ok("order", "list", "--csv").out)
    assert orders[1] == ["SO-00001", "2026-11-28", "[/]", SUBJECT, "created", "no", "-0.50"]  # a negative total stays a number
    sql("UPDATE sales_order SET subject = ?", "-2+3")
    sql("UPDATE account SET name = ? WHERE name = ?", "\tcmd", CLOSE)
    assert _csv(ok("order", "list", "--csv").out)[1][2:4] == ["'\tcmd", "'-2+3"]
    ok("order", "convert", "invoice", hostile)
    invoices = _csv(ok("invoice", "list", "--csv").out)
    assert invoices[1][invoices[0].index("total")] == "-0.50"
    assert invoices[1][invoices[0].index("balance")] == "-0.50"
    ok("recur", "set", hostile, "--frequency", "monthly", "--start", "2026-11-01", "--usage")
    ok("usage", "add", hostile, "--product", "P2", "--qty", "1.5", "--date", "2026-11-02")
    usage = _csv(ok("usage", "list", hostile, "--csv").out)
    assert usage[1][2:4] == ["P2", "1.5"]


def test_csv_cell_rule():
    from orders_cli.cli.output import spreadsheet_cell

    for text in ("=1+1", "+SUM(1,2)", "-2+3", "@SUM(A1)", "\t=1", "\r=1", "=", "-", "+", "@", "-12.50x", "--1"):
        assert spreadsheet_cell(text) == "'" + text
    for text in ("-12.50", "+3", "-0.5", "12.50", "0", "-7", "", "plain", "a=b", " =1", "'=1", "[/]"):
        assert spreadsheet_cell(text) == text


def test_csv_raw_keeps_the_bytes(hostile):
    raw = ok("product", "list", "--csv-raw").out
    assert raw == ("sku,name,kind,unit_price,cost,vendor,taxes,unit,description,base_quantity\n"
                   '"=HYPERLINK(""evil.example"",""x"")","+SUM(1,2)",service,10.00,,,VAT20,,,1\n'
                   "P2,@SUM(A1),product,5.00,,,VAT20,,,1\n")
    assert _csv(ok("order", "list", "--csv-raw").out)[1] == ["SO-00001", "2026-11-28", "[/]", SUBJECT, "created", "no", "-0.50"]
    assert run("product", "list", "--csv", "--csv-raw").code == 2  # one format at a time


def test_every_list_with_csv_takes_csv_raw():
    from orders_cli.cli.app import _command as command

    def walk(cmd, path=()):
        if hasattr(cmd, "commands"):  # a group (click's or the copy Typer vendors)
            for name, sub in cmd.commands.items():
                yield from walk(sub, path + (name,))
        else:
            yield path, cmd

    with_csv = []
    for path, cmd in walk(command()):
        names = {o for p in cmd.params for o in getattr(p, "opts", [])}
        if "--csv" in names:
            with_csv.append(" ".join(path))
            assert "--csv-raw" in names, " ".join(path)
            helps = {o: p.help for p in cmd.params for o in getattr(p, "opts", [])}
            assert "'" in helps["--csv"] and helps["--csv-raw"]
    assert {"account list", "product list", "order list", "invoice list", "recur list", "usage list", "order history"} <= set(with_csv)
