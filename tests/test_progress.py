"""Progress bars that count (issue 18, item 11): ``43/210``, the rate and the time left, on
stderr and only on a terminal (never in a pipe or with --json); ``recur run`` on a terminal
lists the first and last invoices it made (--verbose: all). A terminal here is a stream that
says it is one (``isatty``), at a pinned width of 80 columns, as Rich sees a real one."""

from __future__ import annotations

import io
import re
import sys
from contextlib import contextmanager

import pytest
from conftest import clone_db, ok

ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")


class Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


@contextmanager
def terminal(stdout: bool = True):
    """stderr (and stdout unless told) are an 80-column terminal while the block runs."""
    old = sys.stdout, sys.stderr
    sys.stderr = Tty()
    if stdout:
        sys.stdout = Tty()
    try:
        yield sys.stdout, sys.stderr
    finally:
        sys.stdout, sys.stderr = old


def on_terminal(*args: str, stdout: bool = True) -> tuple[int, str, str]:
    from orders_cli.cli.app import main

    with terminal(stdout) as (out, err):
        code = main(list(args))
        return code, out.getvalue(), err.getvalue()


def test_the_bar_counts_with_rate_and_time_left_at_80_columns():
    from rich.console import Console

    from orders_cli.cli import progress

    now = [100.0]
    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80, color_system="standard", _environ={})
    bar = progress.make(console=console, get_time=lambda: now[0], auto_refresh=False)
    task = bar.add_task("billing orders", total=210)
    for done in range(1, 44):
        now[0] += 0.5
        bar.update(task, completed=done)
    console.print(bar.get_renderable())
    line = ANSI.sub("", screen.getvalue()).rstrip("\n")
    assert line == "billing orders ━━━━━━╺━━━━━━━━━━━━━━━━━━━━━━━  43/210 2.0/s 0:01:24"
    screen.truncate(0)
    screen.seek(0)
    unknown = bar.add_task("imported orders", total=None)
    bar.update(unknown, completed=7)
    console.print(bar.get_renderable())
    assert ANSI.sub("", screen.getvalue()).splitlines()[-1].startswith("imported orders ")
    assert "7/?" in screen.getvalue()


def test_a_new_phase_gets_a_bar_of_its_own():
    """recur run --send: billing orders, then mailing invoices (0/? until the queue is read)."""
    from rich.console import Console

    from orders_cli.cli import progress

    screen = io.StringIO()
    console = Console(file=screen, force_terminal=True, width=80, color_system="standard", _environ={})
    with progress.bar("billing orders", 14, console=console) as update:
        update(14)
        update(0, None, "mailing invoices")
        console.print("|")
        update(3, 9, "mailing invoices")
    frames = ANSI.sub("", screen.getvalue())
    before, after = frames.split("|", 1)
    assert before.rsplit("\r", 2)[-2].split() == ["mailing", "invoices", "━" * 30, "0/?"]  # the total not known yet, not 0/14
    assert "3/9" in after and "billing orders" not in after


def build_many() -> None:
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "MAINT", "--name", "Maintenance", "--price", "100.00", "--tax", "VAT20", "--service")
    for i in range(14):
        so = ok("order", "add", "--subject", f"Support {i + 1}", "--account", "Acme", "--line", "MAINT:1", "--json").json()["number"]
        ok("recur", "set", so, "--frequency", "monthly", "--start", "2026-11-01")


@pytest.fixture(scope="session")
def many_template(db_template):
    return db_template("progress-many", build_many)


@pytest.fixture
def many(many_template, isolated):
    """14 monthly orders started in November: recur run on 2026-11-28 bills 14 invoices."""
    from orders_cli import store

    clone_db(many_template)
    yield
    store.dispose_all()


def test_recur_run_on_a_terminal_counts_and_shows_a_short_table(many, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    code, out, err = on_terminal("recur", "run")
    assert code == 0
    lines = out.splitlines()
    numbers = [m.group(1) for m in re.finditer(r"│ (INV-\d+|\.\.\.) ", out)]
    assert numbers == ["INV-00001", "INV-00002", "INV-00003", "INV-00004", "INV-00005", "...",
                       "INV-00010", "INV-00011", "INV-00012", "INV-00013", "INV-00014"]
    assert "4 more" in out
    assert all(len(ANSI.sub("", line)) <= 80 for line in lines)
    shown = ANSI.sub("", err)
    assert "billing orders" in shown and "14/14" in shown  # the bar counted the orders
    assert shown.rstrip().splitlines()[-1] == "recur run 2026-11-28: billed 14 invoices for 14 orders, 0 periods skipped, 0 failed"


def test_recur_run_piped_and_verbose_list_every_invoice(many, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    piped = ok("recur", "run", "--dry-run")  # stdout and stderr are pipes: every row, no bar
    assert len(re.findall(r"│ SO-\d+ ", piped.out)) == 14 and "more" not in piped.out
    assert "billing orders" not in piped.err and "\x1b" not in piped.err
    assert piped.err == "recur run 2026-11-28: would bill 14 invoices for 14 orders, 0 periods skipped, 0 failed\n"
    code, out, err = on_terminal("recur", "run", "--verbose")
    assert code == 0 and len(re.findall(r"│ INV-\d+ ", out)) == 14 and "more" not in out


def test_json_never_gets_a_bar_even_on_a_terminal(many):
    code, out, err = on_terminal("recur", "run", "--json")
    assert code == 0 and out.lstrip().startswith("{") and "billing orders" not in err and "\x1b" not in err
    import json

    assert len(json.loads(out)["invoices"]) == 14


def test_invoice_pdf_all_counts_on_a_terminal(many, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    ok("recur", "run")
    ok("config", "set", "company.name", "Atelier")
    code, out, err = on_terminal("invoice", "pdf", "--all", "--plain", "-o", str(tmp_path / "pdfs"))
    assert code == 0, err
    shown = ANSI.sub("", err)
    assert "writing PDFs" in shown and "14/14" in shown
    assert len(list((tmp_path / "pdfs").glob("*.pdf"))) == 14
    assert shown.rstrip().splitlines()[-2] == f"14 PDFs written to {tmp_path / 'pdfs'}"


def test_order_import_counts_on_a_terminal(isolated, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    ok("account", "add", "Acme")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "5")
    lines = "".join('{"subject": "S%d", "account": "Acme", "lines": [{"sku": "MUG", "quantity": "1"}]}\n' % i for i in range(3))
    src = tmp_path / "orders.jsonl"
    src.write_text(lines)
    code, out, err = on_terminal("order", "add", "--from-json", str(src))
    assert code == 0, err
    shown = ANSI.sub("", err)
    assert "importing orders" in shown and "3/?" in shown  # a stream: the total is not known ahead
    assert shown.rstrip().splitlines()[-1] == "imported 3 orders (SO-00001 to SO-00003)"


def test_book_exports_count_their_lines_on_a_terminal(many, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    ok("recur", "run")
    code, out, err = on_terminal("export", "journal", "--format", "csv", "--year", "2026", "-o", str(tmp_path / "j.csv"))
    assert code == 0, err
    written = (tmp_path / "j.csv").read_text(encoding="utf-8").count("\n")
    shown = ANSI.sub("", err)
    assert "writing lines" in shown and f" {written}/?" in shown
    assert shown.rstrip().splitlines()[-1] == str(tmp_path / "j.csv")
    piped = ok("export", "journal", "--format", "csv", "--year", "2026", "-o", str(tmp_path / "k.csv"))
    assert piped.err == f"{tmp_path / 'k.csv'}\n"


def test_csv_imports_count_lines_on_a_terminal(isolated, tmp_path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    src = tmp_path / "catalog.csv"
    src.write_text("sku,name,price\n" + "".join(f"SKU-{i},Thing {i},{i}.50\n" for i in range(250)), encoding="utf-8")
    code, out, err = on_terminal("product", "import", str(src))
    assert code == 0, err
    shown = ANSI.sub("", err)
    assert "reading lines" in shown and "251/251" in shown  # the header and 250 rows
    assert shown.rstrip().splitlines()[-1] == f"imported 250 products from {src}"
    people = tmp_path / "accounts.csv"
    people.write_text("name\nAcme\nBeta\n", encoding="utf-8")
    code, out, err = on_terminal("account", "import", str(people))
    assert code == 0 and "3/3" in ANSI.sub("", err)
    bad = tmp_path / "bad.csv"
    bad.write_bytes(b"sku,name,price\nA,\xff,1\n")
    code, out, err = on_terminal("product", "import", str(bad))
    assert code == 1 and ANSI.sub("", err).rstrip().splitlines()[-1] == f"error: {bad}: not UTF-8 text"
