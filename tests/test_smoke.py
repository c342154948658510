import os

from conftest import db_content, ok, refused, sqlite_only


def test_demo_twice_is_refused_and_adds_nothing_with_force():
    ok("demo")
    before = db_content()
    refused("demo", "--json", error_code="conflict")
    r = refused("demo")
    assert r.err == f"error: {os.environ['ORDERS_DB']} already holds records: the demo fills an empty database (--force adds it anyway)\n"
    r = ok("demo", "--force")
    assert "already there" in r.err
    assert db_content() == before


def test_demo_refuses_books_that_hold_records():
    ok("tax", "add", "VAT20", "--rate", "20")
    before = db_content()
    refused("demo", "--json", error_code="conflict")
    assert db_content() == before


@sqlite_only  # the default location is a SQLite file
def test_demo_without_db_writes_demo_db_next_to_the_default(tmp_path, monkeypatch):
    monkeypatch.delenv("ORDERS_DB")
    folder = tmp_path / "xdg-data" / "orders"
    r = ok("demo")
    assert r.err.splitlines()[0] == f"demo database: {folder / 'demo.db'}"
    assert f"  orders --db {folder / 'demo.db'} order list" in r.err
    assert sorted(p.name for p in folder.iterdir() if p.suffix == ".db") == ["demo.db"]  # the real books untouched
    assert ok("demo", "--force", "--json").json()["database"] == str(folder / "demo.db")
    assert ok("--db", folder / "demo.db", "order", "list", "--json").json()


def test_unknown_record_is_not_found(demo):
    r = refused("account", "show", "Nobody", "--json", error_code="not_found")
    assert "Nobody" in r.err


def test_unknown_option_is_a_usage_error():
    refused("account", "list", "--bogus", code=2)
