"""Issue 18, items 14 and 16 (sales): ``order delete`` for an order nothing stands on (its
number not reused), ``--search`` on the order, quote, invoice, account and product lists (case
and accents ignored, in SQL on both backends), and the guard rails of ``order status ORDER
delivered`` (goods undelivered) and ``order convert invoice`` (a recurring order).

The demo's orders: SO-00001 (from QT-00001, Boulangerie Dupré: CONSULT, MUG), SO-00002 (Café
Müller, "Réassort de printemps", approved: BOOK x3, CONSULT), SO-00003 (Łódź Trading,
finalized, customer ref PO-ŁT-2026-117: MUG, COFFEE-1KG), SO-00004 (Brasserie Léon, created:
POSTER, MUG), SO-00005 (Café Müller, cancelled: MUG)."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest
import sqlalchemy as sa

from conftest import PG, db_content, ok, refused, run, sql


def numbers(*args: str) -> list[str]:
    return [row["number"] for row in ok(*args, "--json").json()]


def order_rows(order_id: int) -> dict[str, int]:
    """How many rows of each table still name order ``order_id``."""
    out = {}
    for table in ("order_line", "recurrence", "document", "activity", "usage_record", "skipped_period"):
        out[table] = sql(f"SELECT count(*) FROM {table} WHERE order_id = {order_id}")[0][0]
    for table in ("status_history", "change_log"):
        out[table] = sql(f"SELECT count(*) FROM {table} WHERE doc_type = 'order' AND doc_id = {order_id}")[0][0]
    out["sales_order"] = sql(f"SELECT count(*) FROM sales_order WHERE id = {order_id}")[0][0]
    return out


def order_counter() -> int:
    return sql("SELECT last_value FROM sequence WHERE doc_type = 'order'")[0][0]


# ---------------------------------------------------------------- order delete


def test_delete_an_order_with_its_own_rows_and_the_number_is_not_reused(demo, tmp_path):
    note = tmp_path / "plan.txt"
    note.write_text("floor plan")
    ok("order", "edit", "SO-00004", "--subject", "Affiches (brouillon)")
    ok("doc", "attach", "SO-00004", note)
    ok("activity", "add", "SO-00004", "--type", "call", "--subject", "Rappeler Léon")
    ok("recur", "set", "SO-00004", "--frequency", "monthly", "--start", "2026-12-01")
    ok("order", "status", "SO-00004", "approved")
    assert all(order_rows(4)[t] for t in ("order_line", "recurrence", "document", "activity", "status_history", "change_log"))
    counter = order_counter()

    r = ok("order", "delete", "so-4", "--yes")
    assert r.out == ""
    assert r.err == ("deleted SO-00004 (2 lines, 1 attached document, 1 activity, its recurrence settings); "
                     "its number is not reused (order numbers may have gaps)\n")
    assert set(order_rows(4).values()) == {0}
    assert "SO-00004" not in numbers("order", "list")
    refused("order", "show", "SO-00004")
    assert order_counter() == counter  # the counter never goes back
    made = ok("order", "add", "--subject", "Nouvelle", "--account", "Brasserie Léon", "--line", "POSTER:1", "--json").json()
    assert made["number"] == "SO-00006"
    assert "problem" not in ok("db", "check").out.lower()


def test_delete_json_says_what_went(demo):
    r = ok("order", "delete", "SO-00001", "--yes", "--json").json()
    assert r == {"number": "SO-00001", "id": 1, "subject": "Aménagement de la boutique", "deleted": True, "lines": 2,
                 "documents": 0, "activities": 0, "recurrence": False, "number_reused": False}
    # the quote it came from stays as it was (accepted), with no order behind it now
    assert ok("quote", "show", "QT-00001", "--json").json()["status"] == "accepted"


def test_delete_needs_yes_without_a_terminal(demo):
    before = db_content()
    r = refused("order", "delete", "SO-00004")
    assert r.err == "error: deleting SO-00004 cannot be undone: confirm with --yes (no terminal to ask)\n"
    assert db_content() == before


@pytest.mark.parametrize("make,reason", [
    (lambda: ok("order", "convert", "invoice", "SO-00004"), "SO-00004 has invoices (INV-00001)"),
    (lambda: ok("order", "convert", "delivery", "SO-00004", "--line", "1:1"), "SO-00004 has delivery notes (DN-00001)"),
    (lambda: ok("order", "convert", "purchase", "SO-00004", "--line", "2"), "SO-00004 has purchase orders (PO-00001)"),
    (lambda: (ok("recur", "set", "SO-00004", "--frequency", "monthly", "--start", "2026-12-01"),
              ok("usage", "add", "SO-00004", "--product", "MUG", "--qty", "2")), "SO-00004 has 1 usage record(s) to bill"),
], ids=["invoiced", "delivered", "purchased", "usage"])
def test_delete_refused_when_something_stands_on_the_order(demo, make, reason):
    make()
    before = db_content()
    for extra in ((), ("--yes",)):  # the reason comes first, before any question of confirmation
        r = refused("order", "delete", "SO-00004", *extra)
        assert r.err == f"error: {reason}: it cannot be deleted (cancel it instead: orders order status SO-00004 cancelled)\n"
    assert db_content() == before


def test_delete_refused_for_a_finalized_or_unknown_order(demo):
    before = db_content()
    r = refused("order", "delete", "SO-00003", "--yes", "--json", error_code="locked")
    assert "SO-00003 is finalized: a finalized order is never deleted" in r.err
    refused("order", "delete", "SO-00099", "--yes", "--json", error_code="not_found")
    refused("order", "delete", "", "--yes")
    assert db_content() == before


def _on_a_terminal(args: list[str], answer: str) -> subprocess.CompletedProcess:
    """``orders ARGS`` with a pseudo-terminal as stdin (what makes it ask), ``answer`` typed."""
    import pty

    from orders_cli import store

    store.dispose_all()
    master, slave = pty.openpty()
    try:
        os.write(master, answer.encode() + b"\n")
        proc = subprocess.run([sys.executable, "-m", "orders_cli", *args], stdin=slave, capture_output=True, text=True,
                              timeout=120, env={**os.environ, "TERM": "dumb"})
    finally:
        os.close(slave)
        os.close(master)
    return proc


def test_delete_asks_on_a_terminal(demo):
    before = db_content()
    no = _on_a_terminal(["order", "delete", "SO-00004"], "n")
    assert no.returncode == 1
    assert 'Delete SO-00004 "Affiches pour la brasserie" (2 lines)? It cannot be undone; its number is not reused' in no.stderr
    assert no.stderr.rstrip().endswith("error: SO-00004 not deleted (answered no)")
    assert db_content() == before
    yes = _on_a_terminal(["order", "delete", "SO-00004"], "y")
    assert yes.returncode == 0, yes.stderr
    assert "deleted SO-00004 (2 lines)" in yes.stderr
    assert order_rows(4)["sales_order"] == 0


# ---------------------------------------------------------------- order status delivered


def test_delivered_with_goods_undelivered_is_refused_in_a_script(demo):
    before = db_content()
    r = refused("order", "status", "SO-00002", "delivered")
    assert r.err == "error: SO-00002 still has 3 x BOOK undelivered (use --force)\n"  # CONSULT is a service
    assert db_content() == before
    ok("order", "convert", "delivery", "SO-00002", "--line", "1:1")
    before = db_content()
    r = refused("order", "status", "SO-00002", "delivered", "--json", error_code="conflict")
    assert "SO-00002 still has 2 x BOOK undelivered (use --force)" in r.err
    assert db_content() == before


def test_delivered_names_what_remains_per_sku(demo):
    ok("order", "status", "SO-00004", "approved")
    ok("order", "line", "add", "SO-00004", "--line", "MUG:1.5", "--line", "BOOK:2", "--line", "COFFEE-1KG:1")
    ok("order", "convert", "delivery", "SO-00004", "--line", "2:12")
    r = refused("order", "status", "SO-00004", "delivered")
    assert r.err == "error: SO-00004 still has 4 x POSTER, 1.5 x MUG, 2 x BOOK and 1 more SKUs undelivered (use --force)\n"


def test_delivered_when_all_is_delivered_or_forced(demo):
    ok("order", "convert", "delivery", "SO-00002")
    assert ok("order", "status", "SO-00002", "delivered").err == "SO-00002 is now delivered\n"
    ok("order", "status", "SO-00004", "approved")
    r = ok("order", "status", "SO-00004", "delivered", "--force", "--json").json()
    assert r["status"] == "delivered"
    history = ok("order", "history", "SO-00004", "--json").json()
    assert [h["new"] for h in history if h["kind"] == "status"][-1] == "delivered"


def test_a_refused_transition_is_named_before_the_goods(demo):
    r = refused("order", "status", "SO-00004", "delivered")  # created -> delivered is no transition at all
    assert r.err == "error: an order cannot go from created to delivered (allowed: approved, cancelled)\n"


def test_delivered_asks_on_a_terminal(demo):
    before = db_content()
    no = _on_a_terminal(["order", "status", "SO-00002", "delivered"], "n")
    assert no.returncode == 1
    assert "SO-00002 still has 3 x BOOK undelivered. Mark it delivered anyway? [y/N]" in no.stderr
    assert no.stderr.rstrip().endswith("error: SO-00002 not changed (answered no)")
    assert db_content() == before
    yes = _on_a_terminal(["order", "status", "SO-00002", "delivered"], "y")
    assert yes.returncode == 0, yes.stderr
    assert ok("order", "show", "SO-00002", "--json").json()["status"] == "delivered"


# ---------------------------------------------------------------- convert invoice on a recurring order


def test_convert_invoice_on_a_recurring_order_warns(demo):
    ok("recur", "set", "SO-00002", "--frequency", "monthly", "--start", "2026-12-01")
    r = ok("order", "convert", "invoice", "SO-00002", "--percent", "10", "--json")
    assert r.json()["number"] == "INV-00001"
    assert r.err == ("warning: SO-00002 also bills itself monthly (recur run): this invoice is separate from its recurring "
                     "invoices and does not replace any of them\n")
    ok("recur", "off", "SO-00002")
    assert "warning" not in ok("order", "convert", "invoice", "SO-00002", "--percent", "10").err
    assert "warning" not in ok("order", "convert", "invoice", "SO-00004").err


def test_a_refused_convert_of_a_recurring_order_says_one_line(demo):
    ok("recur", "set", "SO-00002", "--frequency", "monthly", "--start", "2026-12-01")
    before = db_content()
    r = refused("order", "convert", "invoice", "SO-00002", "--line", "9:1")
    assert "warning" not in r.err
    assert db_content() == before


# ---------------------------------------------------------------- --search


@pytest.mark.parametrize("text,expected", [
    ("muller reassort", ["SO-00002"]),           # two words, each somewhere: account and subject
    ("MÜLLER", ["SO-00005", "SO-00002"]),
    ("lodz", ["SO-00003"]),                      # Ł has no decomposition: read as l
    ("po-lt-2026", ["SO-00003"]),                # the customer reference
    ("coffee-1kg", ["SO-00003"]),                # a line's SKU
    ("emaille", ["SO-00001", "SO-00005", "SO-00004", "SO-00003"]),  # a line's description (Mug émaillé)
    ("cafe", ["SO-00005", "SO-00004", "SO-00003", "SO-00002"]),     # account, subject, line descriptions
    ("so-3", ["SO-00003"]),                      # a number as look-ups read it
    ("SO-0000", ["SO-00001", "SO-00005", "SO-00004", "SO-00003", "SO-00002"]),
    ("  BOUTIQUE   amenagement ", ["SO-00001"]),
    ("%", []), ("_", []), ("/", []),             # LIKE's wildcards and escape are plain characters
    ("zzz", []),
])
def test_order_search(demo, text, expected):
    assert numbers("order", "list", "--search", text) == expected


def test_order_search_with_the_other_filters_and_limit(demo):
    assert numbers("order", "list", "--search", "cafe", "--status", "cancelled") == ["SO-00005"]
    assert numbers("order", "list", "--search", "cafe", "--limit", "2") == ["SO-00005", "SO-00004"]
    assert numbers("order", "list", "--search", "cafe", "--account", "Café Müller", "--since", "2026-10-06") == ["SO-00005"]
    r = ok("order", "list", "--search", "nothing-like-it")
    assert (r.out, r.err) == ("", "no order matches --search\n")


def test_quote_search(demo):
    ok("quote", "add", "--subject", "Vitrine réfrigérée", "--account", "Café Müller", "--line", "MUG:2")
    assert numbers("quote", "list", "--search", "boutique") == ["QT-00001"]
    assert numbers("quote", "list", "--search", "REFRIGEREE") == ["QT-00002"]
    assert numbers("quote", "list", "--search", "mug") == ["QT-00002", "QT-00001"]  # a line's SKU
    assert numbers("quote", "list", "--search", "qt-2") == ["QT-00002"]


def test_invoice_search(demo):
    ok("order", "convert", "invoice", "SO-00002")
    ok("order", "convert", "invoice", "SO-00004")
    assert numbers("invoice", "list", "--search", "printemps") == ["INV-00001"]
    assert numbers("invoice", "list", "--search", "so-4") == ["INV-00002"]  # its order's number
    assert numbers("invoice", "list", "--search", "inv-1") == ["INV-00001"]
    assert numbers("invoice", "list", "--search", "leon") == ["INV-00002"]  # the account
    assert numbers("invoice", "list", "--search", "book") == ["INV-00001"]  # a line's SKU
    assert numbers("invoice", "list", "--search", "affiche", "--unpaid") == ["INV-00002"]
    assert ok("invoice", "list", "--search", "zzz").err == "no invoice matches --search\n"


def test_account_and_product_search(demo):
    names = [a["name"] for a in ok("account", "list", "--search", "LEON", "--json").json()]
    assert names == ["Brasserie Léon"]
    assert [a["name"] for a in ok("account", "list", "--search", "brasserie.example", "--json").json()] == ["Brasserie Léon"]
    assert [p["sku"] for p in ok("product", "list", "--search", "weiss", "--json").json()] == ["COFFEE-1KG", "MUG"]  # the vendor
    assert [p["sku"] for p in ok("product", "list", "--search", "flore", "--json").json()] == ["POSTER"]
    assert [p["sku"] for p in ok("product", "list", "--search", "cafe grains", "--json").json()] == ["COFFEE-1KG"]
    csv = ok("product", "list", "--search", "poster", "--csv").out.splitlines()
    assert len(csv) == 2 and csv[1].startswith("POSTER,")
    assert ok("product", "list", "--search", "zzz").err == "no product matches --search\n"
    assert ok("account", "list", "--search", "zzz").err == "no account matches --search\n"


@pytest.mark.parametrize("value,message", [
    ("", "--search: give some text to look for"),
    ("   ", "--search: give some text to look for"),
    ("a\x00b", "--search: control characters are not allowed"),
    ("x" * 201, "--search: at most 200 characters (got 201)"),
    (" ".join("abcdefghijklm"), "--search: at most 12 words (got 13)"),
])
@pytest.mark.parametrize("command", [("order", "list"), ("quote", "list"), ("invoice", "list"), ("account", "list"), ("product", "list")],
                         ids=" ".join)
def test_bad_search_is_refused(demo, command, value, message):
    r = refused(*command, "--search", value)
    assert r.err == f"error: {message}\n"


SAMPLES = [
    "Café Müller", "Kaffeerösterei Weiß", "Łódź Trading Sp. z o.o.", "ÉLODIE  DUPRÉ", "Hôtel\u00a0du\u2009Parc",
    "e\u0301cole", "Ǆemal Œuvre Æble Ørsted", "ﬁne ＡＢＣ", "Ελληνικά ᾳ ΆΣ", "Москва Йошкар", "İstanbul", "  trim  ",
    "a\u00a8b", "100 % _x_ /y\\ 'q'", "PO-ŁT-2026-117", "Ärger ÿ Ŕ ǘ ṩ", "Đorđe Ħal", "ᾼδη ῳ α\u0345", "MUG\tÉmaillé\nblanc",
    "ẞtraße ÆSIR", "Ⅻ ½ № ™", "plain ASCII, Upper  Case",
]


def test_the_database_folds_as_python_does(demo):
    """What makes --search the same on both backends: the SQL folding (SQLite: the registered
    function; PostgreSQL: translate/replace written from Python's tables) equals core.text.folded."""
    from orders_cli import store
    from orders_cli.core.text import folded
    from orders_cli.store import search

    with store.transaction(write=False) as s:
        dialect = search.prepare(s)
        assert dialect == ("postgresql" if PG else "sqlite")
        for way in (dialect, "postgresql-legacy") if PG else (dialect,):  # PostgreSQL before 13: no normalize()
            got = [s.execute(sa.select(search.fold(sa.literal(v, sa.String), way))).scalar_one() for v in SAMPLES]
            assert got == [folded(v) for v in SAMPLES], way
            assert s.execute(sa.select(search.fold(sa.null(), way))).scalar_one() is None


def test_the_search_runs_in_sql(demo):
    """The rows are filtered by the query (streamed, limited there), not read whole into Python."""
    from orders_cli import store
    from orders_cli.sales import views
    from orders_cli.store.documents import ORDER

    seen = []

    def capture(conn, cursor, statement, *rest):
        seen.append(statement)

    with store.transaction(write=False) as s:
        engine = s.get_bind()
        sa.event.listen(engine, "before_cursor_execute", capture)
        try:
            rows = list(views.list_docs(s, ORDER, search="lodz"))
        finally:
            sa.event.remove(engine, "before_cursor_execute", capture)
    assert [r.number for r in rows] == ["SO-00003"]
    query = [q for q in seen if "sales_order" in q and "LIKE" in q.upper()]
    assert query and ("orders_fold(" in query[-1] if not PG else "translate(" in query[-1])


def test_search_and_delete_in_help(demo):
    for command in (("order", "list"), ("quote", "list"), ("invoice", "list"), ("account", "list"), ("product", "list")):
        assert "--search TEXT" in run(*command, "--help").out
    text = " ".join(run("order", "delete", "--help").out.split())
    assert "Its number is not reused" in text and "--yes" in text
    assert "--force" in run("order", "status", "--help").out
