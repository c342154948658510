"""The standard-library read path (cli/fast.py, issue 19): ``order show``, ``order list`` and
``invoice show`` with ``--json`` answered through sqlite3 before Typer and SQLAlchemy load.
What it prints must be, byte for byte, what the ORM's way prints, for every order and invoice of
books that hold every kind of relation (deliveries, cancelled ones, purchase orders, files,
activities, progress and deposit invoices, credit notes whole, by line and by amount, payments,
a removed one, refunds, a void invoice, allowances and charges); what it cannot answer exactly
(a recurring order, a reference that is not an exact number, other options) it declines, and
the usual way answers with its refusals."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from conftest import PG, clone_db, ok, sql
from test_line_sales import random_book

from orders_cli.cli import fast
from orders_cli.store import quickread

sqlite_only = pytest.mark.skipif(bool(PG), reason="the read path is SQLite's: on PostgreSQL the usual way answers (test_a_server_is_declined)")


def scenario() -> None:
    random_book(7)
    ok("user", "add", "Ana")
    ok("contact", "add", "Nadia", "--account", "North")
    so = ok("order", "add", "--subject", "Everything", "--account", "North", "--contact", "Nadia", "--assigned-to", "Ana",
            "--line", "MUG:10", "--line", "COFFEE:4", "--line", "CONSULT:2", "--charge", "Packing:12.50", "--allowance", "Loyal:5%",
            "--customer-ref", "PO-77", "--json").json()["number"]
    ok("order", "status", so, "approved")
    ok("order", "convert", "delivery", so, "--line", "1:4")
    cancelled = ok("order", "convert", "delivery", so, "--line", "1:2", "--json").json()["number"]
    sql("UPDATE delivery SET status = 'cancelled' WHERE number = ?", cancelled)  # no verb cancels one: a book of an older version
    ok("order", "convert", "purchase", so)
    ok("activity", "add", so, "--type", "call", "--subject", "Ask about the mugs", "--due", "2026-11-01")
    ok("activity", "add", so, "--type", "task", "--subject", "Done already", "--note", "line one\nline two")
    path = Path(os.environ["HOME"]) / "note.txt"  # the template's folder
    path.write_text("a file")
    ok("doc", "attach", so, str(path))
    first = ok("order", "convert", "invoice", so, "--line", "1:5", "--line", "3:1", "--json").json()["number"]
    ok("payment", "add", first, "--amount", "20.00")
    wrong = ok("payment", "add", first, "--amount", "3.00", "--json").json()["id"]
    ok("payment", "remove", str(wrong), "--reason", "twice", "--yes")
    cn = ok("invoice", "credit", first, "--amount", "10.00", "--json").json()["number"]
    ok("payment", "add", cn, "--amount", "4.00")
    ok("order", "convert", "invoice", so)
    quoted = ok("quote", "add", "--subject", "Quoted", "--account", "South", "--line", "TRAINING:1", "--json").json()["number"]
    ok("quote", "status", quoted, "accepted")
    ok("quote", "convert", "order", quoted)
    recurring = {}
    for name, settings in (("Monthly", ()), ("Latest", ("--catch-up", "latest")), ("Rebilled", ()), ("Off", ()), ("Ended", ("--end", "2026-09-30")),
                           ("Gone", ()), ("Arrears", ("--invoice-date", "end", "--last-day")), ("Never run", ())):
        number = ok("order", "add", "--subject", name, "--account", "South", "--line", "CONSULT:1", "--json").json()["number"]
        start = "2026-12-01" if name == "Never run" else "2026-06-01" if name == "Latest" else "2026-09-01"
        ok("recur", "set", number, "--frequency", "monthly", "--start", start, *settings)
        recurring[name] = number
    ok("recur", "run")
    billed = sql("SELECT i.number FROM invoice AS i JOIN sales_order AS o ON o.id = i.order_id WHERE o.number = ? ORDER BY i.id", recurring["Rebilled"])
    ok("invoice", "credit", billed[-1][0], "--rebill")
    ok("recur", "off", recurring["Off"])
    ok("order", "status", recurring["Gone"], "cancelled")


@pytest.fixture
def books(db_template):
    clone_db(db_template("quickread", scenario))
    return sql("SELECT number FROM sales_order WHERE subject = 'Everything'")[0][0]  # the order with every relation


def quick(*args: str) -> str | None:
    """What the read path prints for ``args`` (None: it declined, printing nothing)."""
    out = io.StringIO()
    with redirect_stdout(out):
        done = fast.answer(list(args))
    assert done in (0, None)
    if done is None:
        assert out.getvalue() == ""
        return None
    return out.getvalue()


@sqlite_only
def test_every_order_on_several_days_prints_what_the_orm_prints(books, monkeypatch):
    numbers = [n for (n,) in sql("SELECT number FROM sales_order ORDER BY id")]
    assert len(numbers) >= 20
    next_dates = set()
    for today in ("2026-11-28", "2026-12-15", "2027-03-31"):  # the recurrences' next dates move with the day
        monkeypatch.setenv("ORDERS_TODAY", today)
        for number in numbers:
            mine = quick("order", "show", number, "--json")
            assert mine is not None and mine == ok("order", "show", number, "--json").out, (today, number)
            recurrence = json.loads(mine)["recurrence"]
            if recurrence is not None:
                next_dates.add((recurrence["enabled"], recurrence["next_date"]))
    assert (False, None) in next_dates and (True, None) in next_dates and len(next_dates) >= 5
    assert sql("SELECT count(*) FROM skipped_period")[0][0] > 0 and sql("SELECT count(*) FROM credit_note WHERE rebill = 1")[0][0] == 1
    shown = json.loads(quick("order", "show", books, "--json"))
    related = shown["related"]
    assert [len(related[k]) for k in ("invoices", "purchase_orders", "deliveries", "documents", "credit_notes")] == [2, 2, 2, 1, 1]
    assert {"Ask about the mugs", "Done already"} <= {a["subject"] for a in related["activities"]}
    assert shown["open_balance"] != "0.00" and shown["progress"]["delivered_percent"] != "0"


@sqlite_only
def test_every_invoice_on_several_days_prints_what_the_orm_prints(books):
    numbers = [n for (n,) in sql("SELECT number FROM invoice ORDER BY id")]
    assert len(numbers) >= 15
    states = set()
    for number in numbers:
        for as_of in ((), ("--as-of", "2026-12-31"), ("--as-of", "2027-06-30")):
            mine = quick("invoice", "show", number, *as_of, "--json")
            assert mine is not None and mine == ok("invoice", "show", number, *as_of, "--json").out, (number, as_of)
            states.add(json.loads(mine)["payment_state"])
    assert {"unpaid", "partially_paid", "cancelled", "overdue"} <= states


@sqlite_only
def test_order_list_prints_what_the_orm_prints(books):
    for limit in ((), ("--limit", "1"), ("--limit=3",), ("--limit", "50"), ("--limit", "99999")):
        mine = quick("order", "list", *limit, "--json")
        assert mine is not None and mine == ok("order", "list", *limit, "--json").out, limit
    assert quick("--db", os.environ["ORDERS_DB"], "order", "list", "--json") == ok("order", "list", "--json").out


@sqlite_only
def test_the_peoples_views_are_the_usual_ways(books, monkeypatch):
    """Without --json: the same panels and tables, at any width (cli/people.py prints both)."""
    orders = [n for (n,) in sql("SELECT number FROM sales_order ORDER BY id")]
    invoices = [n for (n,) in sql("SELECT number FROM invoice ORDER BY id")]
    for columns in ("200", "80", "40"):
        monkeypatch.setenv("COLUMNS", columns)
        for args in ([("order", "show", n) for n in orders] + [("invoice", "show", n) for n in invoices]
                     + [("invoice", "show", invoices[0], "--as-of", "2027-06-30"), ("order", "list"), ("order", "list", "--limit", "3")]):
            mine = quick(*args)
            assert mine is not None and mine == ok(*args).out, (columns, args)
    assert quick("order", "list").count("│ SO-") == len(orders)  # every order, its number kept at 40 columns


@sqlite_only
def test_an_empty_list():
    ok("db", "init")
    assert quick("order", "list", "--json") == ok("order", "list", "--json").out == "[]\n"
    assert quick("order", "list") == ok("order", "list").out == ""  # the note is on stderr


@sqlite_only
def test_declined_requests_print_nothing(books, tmp_path):
    declined = [
        ("order", "show", "1", "--json"),  # an id: the ORM resolves it
        ("order", "show", "so-00001", "--json"),  # another case
        ("order", "show", "SO-99999", "--json"),  # a miss: the ORM refuses it, with its near numbers
        ("order", "show", "SO-00001", "--json", "--json"),
        ("order", "show", "SO-00001", "--json", "--traceback"),
        ("order", "show", "--json"),
        ("order", "show", "SO-00001", "SO-00002", "--json"),
        ("order", "list", "--limit", "0", "--json"),
        ("order", "list", "--limit", "x", "--json"),
        ("order", "list", "--json", "--limit"),
        ("order", "list", "--status", "approved", "--json"),
        ("invoice", "show", "INV-00001", "--as-of", "31/12/2026", "--json"),
        ("invoice", "list", "--json"),
        ("--db", "--json"),
        ("--db", str(tmp_path / "missing.db"), "order", "list", "--json"),
        ("--config", "x.toml", "order", "list", "--json"),
    ]
    for args in declined:
        assert quick(*args) is None, args
    assert not (tmp_path / "missing.db").exists()


@sqlite_only
def test_an_older_schema_is_declined_and_upgraded_the_usual_way(books):
    sql("UPDATE alembic_version SET version_num = '0007'")
    assert quick("order", "list", "--json") is None


@sqlite_only
def test_the_program_answers_and_refuses_as_before(books):
    """Whole processes through the entry point: an answer of the read path, and the refusals of
    the usual way for what it declines (one line on stderr, nothing on stdout)."""
    def orders(*args):
        return subprocess.run([sys.executable, "-m", "orders_cli", *args], capture_output=True, text=True, timeout=60)

    done = orders("order", "show", books, "--json")
    assert done.returncode == 0 and done.stdout == ok("order", "show", books, "--json").out and done.stderr == ""
    missing = orders("order", "show", "SO-99999", "--json")
    assert missing.returncode == 1 and missing.stdout == "" and len(missing.stderr.strip().splitlines()) == 1
    assert "SO-99999" in missing.stderr
    bad = orders("order", "list", "--limit", "0", "--json")
    assert bad.returncode == 2 and bad.stdout == ""
    head = subprocess.run(f"{sys.executable} -m orders_cli order list --json | head -c 10", shell=True, capture_output=True, text=True, timeout=60)
    assert head.stdout == ok("order", "list", "--json").out[:10] and head.stderr == ""  # a reader that stops early: no error


@sqlite_only
def test_the_read_path_loads_neither_sqlalchemy_nor_typer(books):
    code = ("import sys, io, contextlib\nfrom orders_cli.cli import fast\nwith contextlib.redirect_stdout(io.StringIO()):\n"
            f"    assert fast.answer(['order', 'show', {books!r}, '--json']) == 0\n"
            "    assert fast.answer(['invoice', 'show', 'INV-00001', '--json']) == 0\n"
            "    assert fast.answer(['order', 'list', '--limit', '5', '--json']) == 0\n"
            "    print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'typer', 'click', 'rich', 'pydantic') if m in sys.modules), file=sys.stderr)\n"
            f"    assert fast.answer(['order', 'show', {books!r}]) == 0\n"
            "    assert fast.answer(['order', 'list']) == 0\n"
            "print(sorted(m for m in ('sqlalchemy', 'sqlmodel', 'typer', 'click', 'pydantic') if m in sys.modules))")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    assert done.stderr.strip() == "[]" and done.stdout.strip() == "[]"  # (the people's views load Rich, and only Rich)


def test_kinds_name_every_column_the_orm_converts():
    import sqlalchemy as sa
    from sqlmodel import SQLModel

    import orders_cli.store.receivables  # noqa: F401 - every table on the metadata
    import orders_cli.store.schema  # noqa: F401

    def kind(column):
        name = type(column.type).__name__
        if name in ("Cents", "DecimalText"):
            return {"Cents": "cents", "DecimalText": "dec"}[name]
        for cls, label in ((sa.DateTime, "datetime"), (sa.Date, "date"), (sa.Boolean, "bool")):
            if isinstance(column.type, cls):
                return label
        return None

    for table, kinds in quickread.KINDS.items():
        columns = SQLModel.metadata.tables[table].columns
        assert kinds == {c.name: kind(c) for c in columns if kind(c)}, table


@sqlite_only
def test_the_row_values_are_the_orms(books):
    """A whole stored row through KINDS equals the ORM's object, attribute by attribute."""
    from orders_cli import store
    from orders_cli.store import schema as m

    con = quickread.connect(os.environ["ORDERS_DB"])
    try:
        with store.transaction(write=False) as s:
            for table, model in (("sales_order", m.SalesOrder), ("order_line", m.OrderLine), ("invoice", m.Invoice), ("invoice_line", m.InvoiceLine),
                                 ("account", m.Account)):
                mine = quickread.rows(con, table, "1 = 1")
                assert mine
                for row in mine:
                    orm = s.get(model, row.id)
                    for name, value in vars(row).items():
                        theirs = getattr(orm, name)
                        if hasattr(theirs, "tzinfo") and theirs.tzinfo is None and hasattr(value, "tzinfo"):
                            value = value.replace(tzinfo=None)
                        assert (type(value), value) == (type(theirs), theirs), (table, row.id, name)
    finally:
        con.close()


def test_a_server_is_declined(tmp_path):
    """A PostgreSQL URL (this run's, on the PostgreSQL pass) is the usual way's: nothing printed here."""
    assert quick("--db=postgresql+psycopg://nobody@127.0.0.1:1/none", "order", "list", "--json") is None
    if PG:
        assert quick("order", "list", "--json") is None and ok("order", "list", "--json").out == "[]\n"
