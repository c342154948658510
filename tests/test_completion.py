"""Shell completion with values (issue 18, item 9): the real protocol in a real process, as a
shell runs it (``_ORDERS_COMPLETE`` with ``COMP_WORDS`` / ``COMP_CWORD``, or Typer's
``_TYPER_COMPLETE_ARGS``), answered from the cached command table and the database read with
sqlite3 (psycopg on the PostgreSQL pass), never Typer or SQLAlchemy once the table is there."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys

import pytest
from conftest import PG, ok

HEAVY = ("typer", "click", "rich", "sqlalchemy", "sqlmodel", "alembic", "fpdf")


@pytest.fixture(scope="module")
def cache_home(tmp_path_factory):
    """One completion table for the module (the first completion builds it)."""
    return str(tmp_path_factory.mktemp("completion-cache"))


@pytest.fixture
def books(demo, cache_home):
    ok("account", "add", "Hôtel du Parc", "--email", "a@parc.example")
    ok("order", "convert", "invoice", "SO-00001")
    ok("invoice", "credit", "INV-00001")
    return cache_home


def complete(line: str, cache: str, instruction: str = "bash_complete", extra: dict | None = None,
             importtime: bool = False) -> subprocess.CompletedProcess:
    """What ``orders`` answers the shell for the command line ``line`` (the cursor at its end)."""
    words = line.split()
    cword = len(words) if line.endswith(" ") else len(words) - 1
    env = {**os.environ, "_ORDERS_COMPLETE": instruction, "COMP_WORDS": line, "COMP_CWORD": str(cword),
           "_TYPER_COMPLETE_ARGS": line, "XDG_CACHE_HOME": cache, **(extra or {})}
    cmd = [sys.executable, *(["-X", "importtime"] if importtime else []), "-m", "orders_cli"]
    r = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=60)
    assert "Traceback" not in r.stderr, r.stderr
    return r


def proposals(line: str, cache: str, **kw) -> list[str]:
    """The values of click's bash protocol (``plain,VALUE`` lines)."""
    r = complete(line, cache, **kw)
    assert r.returncode == 0, r.stderr
    assert r.stderr == "" or kw.get("importtime"), r.stderr
    lines = r.stdout.splitlines()
    assert all(x.startswith("plain,") for x in lines), r.stdout
    return [x.removeprefix("plain,") for x in lines]


def test_values_with_prefix_filtering_and_case_ignored(books):
    assert proposals("orders order show ", books) == ["SO-00001", "SO-00002", "SO-00003", "SO-00004", "SO-00005"]
    assert proposals("orders order show so-0000", books) == ["SO-00001", "SO-00002", "SO-00003", "SO-00004", "SO-00005"]
    assert proposals("orders invoice show inv", books) == ["INV-00001"]
    assert proposals("orders invoice show SO", books) == []
    assert proposals("orders order convert invoice so-00005", books) == ["SO-00005"]
    assert proposals("orders account show b", books) == ["Boulangerie Dupré", "Brasserie Léon"]
    assert proposals("orders order list --account HOTEL", books) == ["Hôtel du Parc"]  # accents ignored too
    assert proposals("orders order list --account=caf", books) == ["--account=Café Müller"]
    assert proposals("orders product show mu", books) == ["MUG"]
    assert proposals("orders invoice list --status PA", books) == ["paid"]
    assert proposals("orders invoice status INV-00001 ", books) == ["approved", "sent", "paid", "cancelled"]
    assert proposals("orders recur set SO-00001 --frequency ", books) == [
        "daily", "weekly", "monthly", "quarterly", "semiannual", "annual"]
    assert proposals("orders config set company.i", books) == ["company.iban"]
    assert proposals("orders inv", books) == ["invoice"]
    assert "--status" in proposals("orders invoice list --st", books)
    assert proposals("orders invoice show --json ", books) == ["INV-00001"]  # a flag is no option value
    assert proposals("orders payment add ", books) == ["CN-00001", "INV-00001"]  # an invoice or a credit note
    assert proposals("orders credit show c", books) == ["CN-00001"]


def test_the_database_of_the_command_line(books, tmp_path):
    other = tmp_path / "other.db"
    ok("--db", str(other), "db", "init")
    assert proposals(f"orders --db {other} order show ", books) == []
    assert proposals(f"orders --db={other} order show ", books) == []
    assert proposals("orders order show ", books, extra={"ORDERS_DB": str(other)}) == []
    assert proposals(f"orders --db {other} config get company.nam", books) == ["company.name"]  # no database needed


def test_a_missing_database_proposes_nothing_and_is_not_created(books, tmp_path):
    missing = tmp_path / "typo" / "orders.db"
    for line in (f"orders --db {missing} order show ", f"orders --db {missing} order list --account "):
        r = complete(line, books)
        assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    r = complete("orders invoice show ", books, extra={"ORDERS_DB": str(missing)})
    assert (r.returncode, r.stdout, r.stderr) == (0, "", "")
    not_a_db = tmp_path / "notes.txt"
    not_a_db.write_text("hello")
    assert proposals(f"orders --db {not_a_db} order show ", books) == []
    assert not missing.exists() and not missing.parent.exists()


def test_typer_protocols_bash_zsh_fish(books):
    r = complete("orders account show b", books, instruction="complete_bash")
    assert r.stdout == "Boulangerie Dupré\nBrasserie Léon\n"
    r = complete("orders invoice show ", books, instruction="complete_zsh")
    assert r.stdout == "_arguments '*: :((\"INV-00001\"))'\n"
    r = complete("orders invoice show X", books, instruction="complete_zsh")
    assert r.stdout == "_files\n"  # nothing to propose: zsh falls back to files
    r = complete("orders order list --status c", books, instruction="complete_fish",
                 extra={"_TYPER_COMPLETE_FISH_ACTION": "get-args"})
    assert r.stdout == "created\ncancelled\n"
    r = complete("orders order list --status c", books, instruction="complete_fish",
                 extra={"_TYPER_COMPLETE_FISH_ACTION": "is-args"})
    assert r.returncode == 0
    r = complete("orders order show ZZ", books, instruction="complete_fish", extra={"_TYPER_COMPLETE_FISH_ACTION": "is-args"})
    assert r.returncode == 1  # fish then completes files
    r = complete("orders rec", books, instruction="zsh_complete")  # click's zsh: type, value, help
    assert r.stdout.startswith("plain\nrecur\n") and r.stdout.count("\n") == 3


def test_with_the_table_cached_nothing_heavy_is_imported(books):
    proposals("orders order show ", books)  # the table is there
    r = complete("orders order show so-", books, importtime=True)
    imported = {line.split("|")[-1].strip().split(".")[0] for line in r.stderr.splitlines() if line.startswith("import time:")}
    assert imported and not imported & set(HEAVY), sorted(imported & set(HEAVY))
    assert r.stdout.splitlines()[0] == "plain,SO-00001"


def test_the_table_follows_the_code(books):
    """A table of another version (its fingerprint differs) is rebuilt, not trusted."""
    table_file = os.path.join(books, "orders", "completion.json")
    proposals("orders order show ", books)
    data = json.loads(open(table_file, encoding="utf-8").read())
    data["fingerprint"] = "an older orders"
    data["root"]["c"]["order"]["c"]["show"]["a"] = [["stale"]]
    with open(table_file, "w", encoding="utf-8") as out:
        json.dump(data, out)
    assert proposals("orders order show so-00001", books) == ["SO-00001"]
    assert json.loads(open(table_file, encoding="utf-8").read())["fingerprint"] != "an older orders"


def test_the_kinds_come_from_the_command_tree():
    """Every argument named like a record (ORDER, INVOICE, ACCOUNT, SKU, ...) gets its values."""
    import typer

    from orders_cli.cli.app import app
    from orders_cli.cli.complete_tree import build

    table = build(typer.main.get_command(app))
    c = table["c"]
    assert c["invoice"]["c"]["show"]["a"] == ["invoice"]
    assert c["credit"]["c"]["show"]["a"] == ["credit"]
    assert c["delivery"]["c"]["pdf"]["a"][0] == "delivery"
    assert c["purchase"]["c"]["show"]["a"] == ["purchase"]
    assert c["quote"]["c"]["show"]["a"] == ["quote"]
    assert c["order"]["c"]["add"]["o"]["--account"] == "account"
    assert c["tax"]["c"]["show"]["a"] == ["tax"] and c["tax"]["c"]["add"]["a"][0] is None  # a new name
    assert c["product"]["c"]["edit"]["a"] == ["sku"]
    assert c["order"]["c"]["list"]["o"]["--json"] == "-"
    assert "company.name" in c["config"]["c"]["set"]["a"][0] and c["config"]["c"]["set"]["a"][1] is None
    assert c["activity"]["c"]["add"]["o"]["--type"] == ["call", "meeting", "task"]


@pytest.mark.skipif(bool(PG), reason="the SQLite read of completion (PostgreSQL: ILIKE)")
def test_codes_are_read_through_their_index_in_every_spelling(isolated):
    """A code's prefix is walked as index ranges, one per upper/lower-case spelling (up to 16),
    and by LIKE beyond: the same proposals, case ignored, at most LIMIT of them, the highest."""
    from orders_cli.store import quick

    db = os.environ["ORDERS_DB"]
    ok("db", "init")
    con = sqlite3.connect(db)
    con.executemany("INSERT INTO product (sku, name, kind, unit, unit_price, description) VALUES (?, ?, 'product', 'unit', '1', '')",
                    [(f"AbCdE-{i:03d}", f"p{i}") for i in range(300)] + [("ab-1", "x"), ("AB-2", "y"), ("aB-3", "z")])
    con.commit()
    con.close()
    assert quick._spellings("ab-1") == ["ab-1", "Ab-1", "aB-1", "AB-1"]
    assert quick._spellings("abcde") is None  # five letters: LIKE
    assert quick.values(db, "sku", "Ab-") == ["ab-1", "AB-2", "aB-3"]
    assert quick.values(db, "sku", "ABCDE-29") == [f"AbCdE-29{i}" for i in range(10)]  # LIKE, case ignored
    assert quick.values(db, "sku", "abcd") == [f"AbCdE-{i:03d}" for i in range(100, 300)]  # index ranges: the highest 200
    assert quick.values(db, "sku", "zz") == []
