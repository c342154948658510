"""Input that used to end in an internal error or be silently accepted (issue 13, item 6):
duplicate JSON keys, huge JSON integers, lone surrogates, non-ASCII digits, and dates whose
due date, schedule or period leaves the calendar. Each is exit 1, one ``error:`` line naming
the field, and the database exactly as it was (SQLite and PostgreSQL).
"""

from __future__ import annotations

import json

import pytest
from conftest import PG, db_content, ok, run
from test_orders import catalog, catalog_template, fast_cli, refused_unchanged  # noqa: F401  (fixtures)

ORDER = {"subject": "Visible", "account": "Acme", "lines": [{"sku": "MUG", "quantity": "1"}]}


def order_json(**changes) -> str:
    return json.dumps({**ORDER, **changes})


def an_order() -> str:
    return ok("order", "add", "--subject", "Base", "--account", "Acme", "--line", "MUG:2", "--json").json()["number"]


def refused_naming(*args: str, stdin: str | None = None, names: tuple[str, ...] = ()) -> str:
    r = refused_unchanged(*args, stdin=stdin)
    for name in names:
        assert name in r.err, (name, r.err)
    return r.err


# ---------------------------------------------------------------- JSON: duplicate keys


@pytest.mark.parametrize(
    "text, names",
    [
        ('{"subject": "Visible", "subject": "Hidden", "account": "Acme", "lines": [{"sku": "MUG", "quantity": "1"}]}',
         ("line 1", "'subject'")),
        ('{"subject": "x", "account": "Acme", "lines": [{"sku": "MUG", "quantity": "1", "quantity": "500"}]}',
         ("line 1", "lines[1]", "'quantity'")),
        (order_json() + "\n" + '{"subject": "x", "account": "Acme", "lines": [], "recurrence": {"frequency": "monthly", '
         '"start": "2026-01-01", "start": "2026-02-01"}}\n', ("line 2", "recurrence", "'start'")),
        ('[' + order_json() + ', {"subject": "x", "account": {"name": "Acme", "name": "Other"}, "lines": []}]',
         ("account", "'name'")),
    ],
    ids=["top-level", "in-a-line", "second-json-line", "nested-in-an-array"],
)
def test_duplicate_json_keys_are_refused_naming_key_and_record(catalog, text, names):
    refused_naming("order", "add", "--from-json", "-", stdin=text, names=("duplicate key", *names))


# ---------------------------------------------------------------- JSON: huge integers


@pytest.mark.parametrize("where", ["quantity", "account"])
def test_a_5000_digit_json_integer_is_refused_naming_the_field(catalog, where):
    huge = "7" * 5000
    if where == "quantity":
        text = '{"subject": "x", "account": "Acme", "lines": [{"sku": "MUG", "quantity": ' + huge + "}]}"
        names = ("lines[1].quantity",)
    else:
        text = '{"subject": "x", "account": {"id": ' + huge + '}, "lines": []}'
        names = ("account.id",)
    err = refused_naming("order", "add", "--from-json", "-", stdin=text, names=names)
    assert len(err) < 400 and "Exceeds" not in err


# ---------------------------------------------------------------- lone surrogates


@pytest.mark.parametrize(
    "text, name",
    [
        (order_json(subject="\ud800"), "subject"),
        (order_json(lines=[{"sku": "MUG", "quantity": "1", "comment": "a\udfffb"}]), "lines[1].comment"),
        (order_json(lines=[{"sku": "MU\ud800G", "quantity": "1"}]), "lines[1].sku"),
        (order_json(shipping_address={"city": "\udc80"}), "shipping_address.city"),
    ],
    ids=["subject", "comment", "sku", "address"],
)
def test_a_lone_surrogate_in_json_is_refused_naming_the_field(catalog, text, name):
    assert "\\ud" in text or "\\ud" in text.lower()  # json.dumps escapes it: the input is plain ASCII
    refused_naming("order", "add", "--from-json", "-", stdin=text, names=(name, "surrogate"))


def test_a_lone_surrogate_in_a_command_argument_is_refused(catalog):
    # a non-UTF-8 byte in argv arrives as a lone surrogate (surrogateescape)
    refused_naming("order", "add", "--subject", "caf\udce9", "--account", "Acme", "--line", "MUG:1", names=("subject", "surrogate"))
    refused_naming("account", "add", "Bad\udcff", names=("surrogate",))
    refused_naming("config", "set", "company.name", "X\udcff", names=("company.name", "surrogate"))
    so = an_order()
    # look-ups: nothing stored holds a lone surrogate, so nothing is found (not an encoding crash)
    for args, what in [(("order", "show", so + "\udcff"), "no order"), (("account", "show", "Acme\udcff"), "no account"),
                       (("product", "show", "MUG\udcff"), "no product"), (("order", "list", "--account", "A\udcff"), "no account"),
                       (("order", "add", "--subject", "s", "--account", "Acme", "--contact", "C\udcff", "--line", "MUG:1"), "contact"),
                       (("invoice", "show", "INV\udcff"), "no invoice")]:
        assert what in refused_unchanged(*args).err


# ---------------------------------------------------------------- non-ASCII digits


@pytest.mark.parametrize("qty", ["\u0663", "\uff13", "1\u0660", "\u0663.5", "\u09e9"])
def test_non_ascii_digits_are_not_a_quantity(catalog, qty):
    refused_naming("order", "add", "--subject", "x", "--account", "Acme", "--line", f"MUG:{qty}", names=("quantity",))
    refused_naming("order", "add", "--from-json", "-", stdin=order_json(lines=[{"sku": "MUG", "quantity": qty}]), names=("quantity",))


def test_non_ascii_digits_are_refused_everywhere_a_number_is_read(catalog):
    so = an_order()
    refused_naming("order", "add", "--subject", "x", "--account", "Acme", "--line", "MUG:1:\u0663.00", names=("price",))
    refused_naming("order", "convert", "invoice", so, "--line", "\u0661:1", names=("--line",))
    refused_naming("order", "convert", "invoice", so, "--line", "1:\u0661", names=("quantity",))
    refused_naming("order", "convert", "invoice", so, "--date", "\u0662\u0660\u0662\u0666-11-28", names=("--date",))
    refused_unchanged("recur", "set", so, "--frequency", "monthly", "--start", "2026-01-01", "--due-days", "\u0663", code=2)  # Typer's int
    rec = {"frequency": "monthly", "start": "2026-01-01", "due_days": "\u0663"}
    refused_naming("order", "add", "--from-json", "-", stdin=order_json(recurrence=rec), names=("recurrence", "due days"))
    refused_naming("recur", "set", so, "--frequency", "monthly", "--start", "\u0662\u0660\u0662\u0666-01-01", names=("start",))
    refused_naming("product", "import", "-", stdin="sku,name,price\nNEW,New,\u0663.00\n", names=("line 2", "price"))
    refused_naming("usage", "import", "-", stdin=f"order,product,qty\n{so},MUG,\u0663\n", names=("line 2", "qty"))


def test_non_ascii_digits_are_not_a_record_id(catalog):
    an_order()
    r = refused_unchanged("order", "show", "\u0661")  # id 1 exists: Arabic-Indic one must not find it
    assert "no order" in r.err
    r = refused_unchanged("account", "show", "\u0661")
    assert "no account" in r.err


# ---------------------------------------------------------------- dates at the calendar's end


def test_an_invoice_whose_due_date_leaves_the_calendar_is_refused(catalog):
    so = an_order()
    refused_naming("order", "convert", "invoice", so, "--date", "9999-12-31", "--allow-future", names=("--date", "due"))
    ok("order", "convert", "invoice", so, "--date", "9999-12-01", "--allow-future")  # 30 days later is still 9999-12-31


@pytest.mark.parametrize(
    "opts",
    [
        ("--frequency", "monthly", "--start", "9999-12-15"),
        ("--frequency", "annual", "--start", "9999-06-01"),
        ("--frequency", "monthly", "--start", "9999-12-01", "--end", "9999-12-31", "--invoice-date", "end"),
        ("--frequency", "daily", "--start", "9999-12-31"),
    ],
    ids=["monthly", "annual", "arrears-due", "daily-last-day"],
)
def test_a_recurrence_that_leaves_the_calendar_is_refused(catalog, opts):
    so = an_order()
    refused_naming("recur", "set", so, *opts, names=("start",))


def test_an_imported_recurrence_that_leaves_the_calendar_is_refused(catalog):
    text = order_json(recurrence={"frequency": "monthly", "start": "9999-12-15"})
    refused_naming("order", "add", "--from-json", "-", stdin=text, names=("line 1", "recurrence", "start"))


def test_recur_run_at_the_calendars_end_does_not_crash(catalog):
    first, fifteenth = an_order(), an_order()
    ok("recur", "set", first, "--frequency", "monthly", "--start", "9999-10-01")
    ok("recur", "set", fifteenth, "--frequency", "monthly", "--start", "9999-10-15")
    # every invoice is dated the run's day: 9999-12-31 + 30 due days leaves the calendar, each order is named
    before = db_content()
    r = run("recur", "run", "--date", "9999-12-31", "--allow-future", "--json")
    assert r.code == 1 and "Traceback" not in r.err
    out = json.loads(r.out)
    assert out["invoices"] == [] and [f["order"] for f in out["failed"]] == [first, fifteenth]
    assert all("calendar's last day" in f["error"] for f in out["failed"]), out
    assert db_content() == before
    ok("recur", "set", first, "--due-days", "0")
    ok("recur", "set", fifteenth, "--due-days", "0")
    out = ok("recur", "run", "--date", "9999-12-31", "--allow-future", "--json").json()
    billed = [(i["order"], i["period_start"], i["period_end"], i["invoice_date"], i["due_date"]) for i in out["invoices"]]
    # the 1st: 12-01..12-31 ends on the calendar's last day and falls due on it; the 15th: a period
    # from 12-15 would end in year 10000, so the schedule is over after 11-15..12-14
    last = "9999-12-31"
    assert billed == [
        (first, "9999-10-01", "9999-10-31", last, last), (first, "9999-11-01", "9999-11-30", last, last),
        (first, "9999-12-01", "9999-12-31", last, last),
        (fifteenth, "9999-10-15", "9999-11-14", last, last), (fifteenth, "9999-11-15", "9999-12-14", last, last),
    ], out
    assert out["failed"] == []
    ok("recur", "show", first)
    ok("recur", "show", fifteenth)
    ok("recur", "list")
    ok("recur", "run", "--date", "9999-12-31", "--allow-future")


@pytest.mark.skipif(bool(PG), reason="db backup copies SQLite files only (PostgreSQL: pg_dump)")
def test_a_tilde_name_of_no_such_user_is_a_plain_file_name(tmp_path, monkeypatch):
    """`db backup ~0` (found by the hostile-values fuzz): no user "0", so the path stays as
    written, as a shell leaves it; never an internal error."""
    monkeypatch.chdir(tmp_path)
    ok("tax", "add", "VAT20", "--rate", "20")
    assert ok("db", "backup", "~nosuchuser0", "--json").json() == {"backup": "~nosuchuser0"}
    assert (tmp_path / "~nosuchuser0").stat().st_size > 0
