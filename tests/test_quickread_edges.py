"""The read path (cli/fast.py) at its edges, next to the usual way in whole processes: which
file a ``--db`` names, a stdout that cannot take the answer (a full disk, a closed stream, an
encoding without the letters, a reader that stops early), Ctrl-C, the files it leaves behind,
and dates it must not read more loosely than the ORM does. In each, the program ends as the
usual way ends: the same stdout, stderr and exit status."""

from __future__ import annotations

import io
import json
import os
import shutil
import sqlite3
import subprocess
import sys
from contextlib import redirect_stdout
from pathlib import Path

import pytest
from conftest import PG, ok, refused, sql
from test_quickread import quick

from orders_cli.cli import fast
from orders_cli.store import quick as completion
from orders_cli.store import quickread

pytestmark = pytest.mark.skipif(bool(PG), reason="the read path is SQLite's (test_quickread.test_a_server_is_declined)")

ROOT = Path(__file__).resolve().parent.parent
# the usual way, whole: the program's main without the read path before it
SLOW = "import sys; from orders_cli.cli.app import main; sys.exit(main(sys.argv[1:]))"


def both(shell_tail: str, *args: str, env: dict | None = None) -> tuple[tuple, tuple]:
    """(returncode, stdout, stderr) of ``orders ARGS SHELL_TAIL`` through the entry point (the
    read path first) and through the usual way alone."""
    quoted = " ".join(f"'{a}'" for a in args)
    env = {**os.environ, "PYTHONPATH": str(ROOT), **(env or {})}
    out = []
    for program in (f"{sys.executable} -m orders_cli", f'{sys.executable} -c "{SLOW}"'):
        r = subprocess.run(f"set -o pipefail; {program} {quoted} {shell_tail}", shell=True, executable="/bin/bash", env=env,
                           capture_output=True, text=True, timeout=120)
        out.append((r.returncode, r.stdout, r.stderr))
    return out[0], out[1]


def on_a_terminal(program: list[str], env: dict | None = None) -> tuple[int, bytes]:
    """(returncode, what it wrote) of ``program`` with its stdout on a pseudo-terminal."""
    import pty

    main, other = pty.openpty()
    proc = subprocess.Popen(program, stdout=other, stderr=subprocess.DEVNULL, env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})
    os.close(other)
    chunks = []
    while True:
        try:
            chunk = os.read(main, 65536)
        except OSError:  # EIO: the other side is closed
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(main)
    return proc.wait(timeout=60), b"".join(chunks)


def test_on_a_terminal_the_answer_is_the_usual_ways(demo):
    """On a terminal JSON is indented and the people's views have colours: the read path's
    answers too."""
    number = sql("SELECT number FROM sales_order WHERE id = 1")[0][0]
    ok("order", "status", number, "approved")
    invoice = ok("order", "convert", "invoice", number, "--json").json()["number"]
    colour = {"NO_COLOR": "", "TERM": "xterm-256color", "COLUMNS": "100"}
    for args in (("order", "show", number, "--json"), ("order", "list", "--json"), ("invoice", "show", invoice, "--json"),
                 ("order", "show", number), ("order", "list"), ("invoice", "show", invoice)):
        mine = on_a_terminal([sys.executable, "-m", "orders_cli", *args], env=colour)
        usual = on_a_terminal([sys.executable, "-c", SLOW, *args], env=colour)
        assert mine == usual and mine[0] == 0, args
        if "--json" in args:
            assert mine[1].startswith(b'{\r\n  "') or mine[1].startswith(b'[\r\n{'), args  # indented (a terminal writes \n as \r\n)
        else:
            assert b"\x1b[" in mine[1], args  # in colour


def test_a_file_name_with_a_percent_sign_is_that_file(demo, tmp_path):
    odd = tmp_path / "my%20db.db"
    shutil.copy(os.environ["ORDERS_DB"], odd)
    sql("UPDATE sales_order SET subject = 'the copy' WHERE id = 1", target=odd)
    number = sql("SELECT number FROM sales_order WHERE id = 1")[0][0]
    mine = quick("--db", str(odd), "order", "show", number, "--json")
    assert json.loads(mine)["subject"] == "the copy"
    assert mine == ok("--db", str(odd), "order", "show", number, "--json").out  # the usual way: that file too
    as_url = "sqlite:///" + str(odd).replace("%", "%25")  # a URL: its %-escapes decoded, as SQLAlchemy reads it
    assert quick("--db", as_url, "order", "show", number, "--json") == mine == ok("--db", as_url, "order", "show", number, "--json").out
    assert not (tmp_path / "my db.db").exists()
    # the URL of a file that is not there: refused, and nothing is made
    refused("--db", "sqlite:///" + str(odd), "order", "show", number, "--json", error_code="not_found")
    assert not (tmp_path / "my db.db").exists()


def test_a_question_mark_in_a_file_name(tmp_path):
    odd = tmp_path / "a?b.db"
    ok("--db", str(odd), "db", "init")
    assert odd.is_file() and not (tmp_path / "a").exists()
    assert quick("--db", str(odd), "order", "list", "--json") is None  # declined: the usual way answers
    assert ok("--db", str(odd), "order", "list", "--json").out == "[]\n"


def test_a_path_that_starts_like_a_url_is_a_path(tmp_path, monkeypatch):
    """``sqlite:new.db`` (no ``//``) is a file of that name, as the engine opens it: missing, it
    is refused like any missing file, and nothing is made."""
    monkeypatch.chdir(tmp_path)
    before = sorted(tmp_path.iterdir())
    for target in ("sqlite:new.db", "sqlite:/books.db", "sqlite:"):
        refused("--db", target, "order", "list", "--json", error_code="not_found")
        refused("--db", target, "account", "add", "X", "--json", error_code="not_found")
        assert quick("--db", target, "order", "list", "--json") is None
    assert sorted(tmp_path.iterdir()) == before


def test_a_tilde_in_a_url_is_not_the_home_folder(demo):
    home = Path(os.environ["HOME"])
    home.mkdir(exist_ok=True)
    shutil.copy(os.environ["ORDERS_DB"], home / "x.db")
    number = sql("SELECT number FROM sales_order WHERE id = 1")[0][0]
    assert quick("--db", "~/x.db", "order", "show", number, "--json") == ok("--db", "~/x.db", "order", "show", number, "--json").out
    assert quick("--db", "sqlite:///~/x.db", "order", "show", number, "--json") is None  # SQLAlchemy opens ./~/x.db
    refused("--db", "sqlite:///~/x.db", "order", "show", number, "--json", error_code="not_found")


@pytest.mark.parametrize("tail, env", [
    ("> /dev/full", None),  # a full disk
    (">&-", None),  # no stdout at all
    ("", {"PYTHONIOENCODING": "ascii"}),  # a stdout that cannot write "é"
])
def test_a_stdout_that_cannot_take_the_answer_ends_as_the_usual_way(demo, tail, env):
    number = sql("SELECT number FROM sales_order WHERE subject LIKE '%é%' ORDER BY id")[0][0]
    for args in (("order", "show", number, "--json"), ("order", "list", "--json"), ("order", "show", number), ("order", "list")):
        mine, usual = both(tail, *args, env=env)
        assert mine == usual, args
        code, out, err = mine
        assert code == 1 and "Traceback" not in err and len(err.strip().splitlines()) == 1, (args, mine)
        assert json.loads(err)["error"]["code"] == "internal" if "--json" in args else err.startswith("error: "), args


def test_a_reader_that_stops_early(tmp_path):
    feed = tmp_path / "orders.jsonl"
    ok("demo")
    feed.write_text("".join(json.dumps({"subject": f"Order {i}", "account": "Café Müller", "lines": [{"sku": "MUG", "quantity": "1"}]}) + "\n"
                            for i in range(1000)))
    ok("order", "add", "--from-json", str(feed))
    whole = ok("order", "list", "--limit", "2000", "--json").out
    assert len(whole) > 3 * 65536  # more than a pipe holds
    mine, usual = both("| head -c 10", "order", "list", "--limit", "2000", "--json")
    assert mine == usual == (1, whole[:10], "")  # exit 1 and no message, as Click's programs do under pipefail
    table = ok("order", "list", "--limit", "2000").out
    mine, usual = both("| head -c 12", "order", "list", "--limit", "2000")  # (12 bytes: 4 whole box characters)
    # Rich writes a table in one write, which the reader may leave half way: either status, the same both ways
    assert len(table.encode()) > 65536 and mine == usual and mine[1:] == (table.encode()[:12].decode(), "")
    mine, usual = both("| head -c 100000000", "order", "list", "--limit", "2000", "--json")
    assert mine == usual == (0, whole, "")


def test_ctrl_c_while_reading_exits_130_with_nothing_printed(demo, monkeypatch):
    number = sql("SELECT number FROM sales_order WHERE id = 1")[0][0]

    def interrupted(*_):
        raise KeyboardInterrupt

    monkeypatch.setattr(fast, "_read", interrupted)  # the signal, arriving while the book is read
    out = io.StringIO()
    with redirect_stdout(out):
        assert fast.answer(["order", "show", number, "--json"]) == 130
    assert out.getvalue() == ""


def test_a_read_leaves_no_wal_or_shm_file_behind(demo, tmp_path):
    book = tmp_path / "book.db"
    with sqlite3.connect(os.environ["ORDERS_DB"]) as src, sqlite3.connect(book) as dst:
        src.backup(dst)
    dst.close()
    con = sqlite3.connect(book)
    assert con.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    con.close()
    side = [Path(f"{book}-wal"), Path(f"{book}-shm")]
    assert not any(p.exists() for p in side)
    number = sql("SELECT number FROM sales_order WHERE id = 1")[0][0]
    mine, usual = both("", "--db", str(book), "order", "show", number, "--json")
    assert mine == usual and mine[0] == 0
    assert not any(p.exists() for p in side)
    before = book.read_bytes()
    assert quick("--db", str(book), "order", "list", "--json") is not None
    assert number in completion._sqlite(str(book), "order", number[:4])  # a Tab reads the same way
    assert book.read_bytes() == before and not any(p.exists() for p in side)
    con = completion.reader(book, 0.1)
    with pytest.raises(sqlite3.OperationalError, match="readonly"):
        con.execute("DELETE FROM sales_order")
    con.close()


def test_dates_are_read_as_strictly_as_the_orm_reads_them():
    read = quickread.CONVERT["date"]
    assert str(read("2026-11-28")) == "2026-11-28"
    for loose in ("20261128", "2026-W48-6", "2026-11-28T00:00:00", "2026-11-2"):
        with pytest.raises(quickread.Decline):
            read(loose)
