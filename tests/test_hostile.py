"""Hostile input to every command (issue 8): random and malformed values for every
argument and option of every command in the tree, which is read from the Click command
itself so a new command is covered the day it is mounted.

Whatever the input, the outcome is exit 0 (it was valid after all), or exit 1 / 2 with
one line on stderr (a usage error ends with click's ``Error:`` line), never a traceback,
never the "internal error" branch of app.main, and a refusal leaves the database and the
settings file exactly as they were. Input files: tests/test_hostile_files.py.
"""

from __future__ import annotations

import os
import typing
from contextlib import contextmanager
from pathlib import Path

import pytest
import typer.main
from conftest import ok
from hostile import drop, fresh_copy, outcome, seed
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from orders_cli.cli.app import app


def _leaves(cmd, path=()):
    if hasattr(cmd, "commands"):  # a group (click's or the copy Typer vendors)
        for name, sub in sorted(cmd.commands.items()):
            yield from _leaves(sub, (*path, name))
    else:
        yield path, cmd


ROOT = typer.main.get_command(app)
LEAVES = dict(_leaves(ROOT))


@contextmanager
def copy_of(seeded, tmp_path, monkeypatch):
    """A fresh copy of the seeded database and settings file, dropped afterwards: (db, cfg)."""
    db, cfg = fresh_copy(*seeded, tmp_path, monkeypatch)
    try:
        yield db, cfg
    finally:
        drop(db, cfg)


def outcome_on_copy(argv, seeded, tmp_path, monkeypatch, **kw):
    """``outcome(argv, ...)`` on a fresh copy of the seeded database."""
    with copy_of(seeded, tmp_path, monkeypatch) as (db, cfg):
        return outcome(argv, db, cfg, **kw)


def test_the_tree_is_read_from_the_app():
    """The enumeration finds the whole tree (a broken walk would make every test below vacuous)."""
    names = {" ".join(p) for p in LEAVES}
    assert {"order add", "order list", "order line edit", "order convert invoice", "recur run", "usage import", "db backup"} <= names
    assert len(LEAVES) >= 60


# ------------------------------------------------------------------ values

NASTY = [
    "", " ", "0", "-0", "-1", "1", "2", "3", "7", "+5", "1e309", "-1e309", "1e-400", "1E+2", "NaN", "nan", "-NaN", "sNaN",
    "Infinity", "-Infinity", "inf", "9" * 12, "9" * 40, "9" * 400, "0.00000000001", "0.125", "1_000", "12,50", "0x10",
    "١٢", "½", "²", "⑤", "１", "10%", "-10%", "100%", "101%", "1e3%", "NaN%", "%", "5.5.5",
    "'; DROP TABLE sales_order; --", "\" OR 1=1 --", "Robert'); DELETE FROM invoice;--", "%s%s%n", "{0}{1}", "{YYYY}",
    "a\x00b", "\x00", "\u202eevil", "\x1b[2J\x1b[31mred", "line1\nline2", "\r", "\t", "\u200b", "\ufeff", "\x7f",
    "🙂" * 3, "Ω≈ç√∫", "𝔘𝔫𝔦", "x" * 5000,
    "SO-00001", "SO-00002", "SO-00003", "SO-00005", "SO-99999", "so-00001", "QT-00001", "INV-00001", "INV-00002",
    "PO-00001", "DN-00001", "999999999999", "-99999999999999999999",
    "2026-02-30", "2026-13-01", "0001-01-01", "9999-12-31", "2026-11-28", "2026-10-01", "28/11/2026", "2026-11-28T10:00",
    "BOOK:1", "MUG:2::10%", "BOOK:0", "BOOK:-1", "BOOK:NaN", "BOOK:1e309", "BOOK:1:1e309", "BOOK:1::200%", "BOOK:1:2:3:4:5",
    ":::", "1:1", "1:NaN", "1:-1", "9:1", "1:1e309", "BOOK", "MUG", "MAINT", "CONSULT", "VAT20", "VAT5.5",
    "Café Müller", "Boulangerie Dupré", "Papeterie Lefèvre", "Chloé Martin", "Jürgen Müller",
    "company.name", "currency", "smtp.port", "smtp.security", "numbering.order_prefix", "charges.tax", "portal.enabled",
    "monthly", "weekly", "approved", "created", "delivered", "cancelled", "paid", "sent", "auto_created", "start", "end",
    "all", "latest", "en", "fr", "xx", "overseas",
    "-", "--json", "-h", "--", "nested/../../out.pdf", "/nonexistent/dir/file.pdf", "sub/dir/x.pdf", "out.pdf", "backup.db",
]

value = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.integers().map(str),
    st.decimals(allow_nan=True, allow_infinity=True).map(str),
    st.floats().map(repr),  # float-ok: hostile text that looks like a float
    st.builds(lambda a, b: f"{a}:{b}", st.sampled_from(["BOOK", "MUG", "1", "2", "", "²"]), st.sampled_from(NASTY)),
)


def value_for(p) -> st.SearchStrategy[str]:
    """Any hostile value; for an integer or a file parameter, often one aimed at its type."""
    annotation = _base(getattr(getattr(p, "type_descriptor", None), "annotation", None))
    if annotation is int:
        return st.one_of(st.sampled_from(INT_VALUES), st.integers().map(str), value)
    if annotation is Path:
        return st.one_of(st.sampled_from(PATH_VALUES).map(lambda v: v.replace("{tmp}", ".")), value)
    return value


@st.composite
def argv_for(draw, path: tuple[str, ...]) -> tuple[list[str], bool]:
    """(argv, asked for --json) for the command at ``path``: its arguments, a random subset of
    its options with hostile values, and now and then a stray token."""
    cmd = LEAVES[path]
    argv = list(path)
    json_out = False
    for p in cmd.params:
        if p.param_type_name == "argument":
            if p.required or draw(st.booleans()):
                argv.append(draw(value_for(p)))
            continue
        if p.hidden or not (p.required or draw(st.integers(0, 9)) < 4):
            continue
        if p.is_flag:
            flag = draw(st.sampled_from(p.opts + p.secondary_opts))
            argv.append(flag)
            json_out = json_out or flag == "--json"
            continue
        for _ in range(draw(st.integers(1, 3)) if p.multiple else 1):
            opt = draw(st.sampled_from(p.opts))
            v = draw(value_for(p))
            if opt.startswith("--") and draw(st.booleans()):
                argv.append(f"{opt}={v}")
            else:
                argv += [opt, v]
    if draw(st.integers(0, 9)) == 0:
        argv.insert(draw(st.integers(len(path), len(argv))), draw(st.sampled_from(["--bogus", "extra", "-z", "--json=1"])))
        json_out = False
    if path == ("recur", "run"):
        # A far --date is honoured: 95,677 monthly periods of the seed's one recurring order by
        # 9999-12-31, minutes of work. Bound the run here; test_every_integer_param covers --max-periods.
        argv = [a for i, a in enumerate(argv) if not a.startswith("--max-periods") and not (i and argv[i - 1] == "--max-periods")]
        argv.append("--max-periods=12")
    if json_out and "--" in argv:  # after a bare "--", "--json" is a positional value, not the flag
        json_out = False
    return argv, json_out and argv.count("--json") == 1


# ------------------------------------------------------------------ the tests


@pytest.fixture(scope="module")
def seeded(tmp_path_factory):
    return seed(tmp_path_factory.mktemp("hostile-seed"))


SETTINGS = settings(
    max_examples=int(os.environ.get("ORDERS_HOSTILE_EXAMPLES", "12")),  # more for a deeper hunt: ORDERS_HOSTILE_EXAMPLES=200
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest.mark.parametrize("path", sorted(LEAVES), ids=" ".join)
@SETTINGS
@given(data=st.data())
def test_every_command_survives_hostile_values(path, data, seeded, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)  # PDFs and backups land here
    argv, json_out = data.draw(argv_for(path), label="argv")
    outcome_on_copy(argv, seeded, tmp_path, monkeypatch, json_out=json_out)


# The longest value a command line can carry: Linux refuses to exec a program with one argument
# of MAX_ARG_STRLEN (32 pages, 131,072 bytes, its NUL included) or more. Larger values reach
# `orders` only through files and stdin (tests/test_hostile_files.py sends 10 MB there).
LONGEST_ARGUMENT = 32 * 4096 - 1


@pytest.mark.slow  # a command line per command, 100 commands: in the full run (.ci/run), not the quick loop
@pytest.mark.parametrize("path", sorted(LEAVES), ids=" ".join)
def test_the_longest_value_in_every_option(path, seeded, tmp_path, monkeypatch):
    """The longest value a command line can carry (``LONGEST_ARGUMENT``) in every argument and
    every value option at once: refused (or, for a command that ignores it, done), quickly and
    in one line."""
    monkeypatch.chdir(tmp_path)
    big = "7" * LONGEST_ARGUMENT
    cmd = LEAVES[path]
    argv = list(path)
    for p in cmd.params:
        if p.param_type_name == "argument":
            argv.append(big)
        elif not p.is_flag and not p.hidden:
            argv += [p.opts[0], big]
    outcome_on_copy(argv, seeded, tmp_path, monkeypatch)


DB_TARGETS = ["{tmp}", "{tmp}/no/such/dir/../x.db", "sqlite:///{tmp}/no/such/dir/x.db", "nosuchdriver://x/y", "sqlite://",
              "::", "a\x00b", "{tmp}/not-a-db.db", "/proc/1/no/such/x.db", "x" * 300 + ".db", "/proc/new\nline/x.db"]


@pytest.mark.parametrize("target", DB_TARGETS, ids=range(len(DB_TARGETS)))
@pytest.mark.parametrize("command", [["order", "list"], ["db", "upgrade"], ["db", "check"], ["db", "init"], ["db", "backup", "b.db"]], ids=" ".join)
def test_hostile_db_targets(target, command, tmp_path, monkeypatch):
    """--db with a directory, a path in a missing folder, an unknown driver, a NUL, a file that is not SQLite."""
    (tmp_path / "not-a-db.db").write_bytes(b"this is not a database file at all" * 100)
    monkeypatch.chdir(tmp_path)
    db, cfg = tmp_path / "unused.db", tmp_path / "unused.toml"
    monkeypatch.setenv("ORDERS_DB", str(db))
    outcome(["--db", target.format(tmp=tmp_path), *command], db, cfg)
    assert (tmp_path / "not-a-db.db").read_bytes() == b"this is not a database file at all" * 100


PLAUSIBLE = {"order": "SO-00002", "quote": "QT-00001", "invoice": "INV-00001", "purchase": "PO-00001", "delivery": "DN-00001"}
PATH_VALUES = ["a\x00b", "x" * 300, "/proc/no/such/dir/f", "/proc/version", "{tmp}", "{tmp}/missing/deep/f", "-", "/proc/new\nline", "/proc/\r"]
PATH_PARAMS = [
    (path, p.name)
    for path, cmd in sorted(LEAVES.items())
    for p in cmd.params
    if getattr(getattr(p, "type_descriptor", None), "annotation", None) is Path
]


def test_path_params_are_found():
    assert {(("db", "backup"), "path"), (("order", "pdf"), "output"), (("product", "import"), "file"), (("usage", "import"), "file")} <= set(PATH_PARAMS)


@pytest.mark.parametrize("path,param", PATH_PARAMS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
@pytest.mark.parametrize("bad", PATH_VALUES, ids=range(len(PATH_VALUES)))
def test_every_file_param_with_hostile_paths(path, param, bad, seeded, tmp_path, monkeypatch):
    """A NUL, a name too long, a missing or read-only folder, a directory, stdin: for every file a command reads or writes."""
    monkeypatch.chdir(tmp_path)
    bad = bad.format(tmp=tmp_path)
    argv = list(path)
    for p in LEAVES[path].params:
        if p.param_type_name == "argument":
            argv.append(bad if p.name == param else PLAUSIBLE.get(p.name, "1"))
        elif p.name == param:
            argv += [p.opts[0], bad]
    outcome_on_copy(argv, seeded, tmp_path, monkeypatch)


def _base(annotation):
    """int for int, Optional[int] and list[int]."""
    args = [a for a in typing.get_args(annotation) if a is not type(None)]
    return _base(args[0]) if args else annotation


INT_VALUES = ["9" * 23, "-" + "9" * 23, str(2**63), str(2**63 - 1), str(2**31), "0", "-1", "1e3", "NaN", "١٢", "0x10", " 7 "]
INT_PARAMS = [
    (path, p.name)
    for path, cmd in sorted(LEAVES.items())
    for p in cmd.params
    if getattr(getattr(p, "type_descriptor", None), "annotation", None) is not None and _base(p.type_descriptor.annotation) is int
]


def test_int_params_are_found():
    assert {(("order", "list"), "limit"), (("order", "line", "edit"), "line_no"), (("recur", "run"), "max_periods")} <= set(INT_PARAMS)


@pytest.mark.parametrize("path,param", INT_PARAMS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_integer_param_with_hostile_numbers(path, param, seeded, tmp_path, monkeypatch):
    """Numbers past 64 bits, negative, zero, exponent, NaN, other scripts' digits: for every
    integer a command takes (a huge one once reached SQLite as an OverflowError)."""
    monkeypatch.chdir(tmp_path)
    for bad in INT_VALUES:
        argv = list(path)
        for p in LEAVES[path].params:
            if p.param_type_name == "argument":
                argv.append(bad if p.name == param else PLAUSIBLE.get(p.name, "1"))
            elif p.name == param:
                argv.append(f"{p.opts[0]}={bad}")
            elif p.required:
                argv += [p.opts[0], {"--frequency": "monthly", "--start": "2026-01-01"}.get(p.opts[0], "1")]
        if path == ("recur", "set"):
            argv += ["--frequency", "monthly", "--start", "2026-01-01"]
        outcome_on_copy(argv, seeded, tmp_path, monkeypatch)


@pytest.mark.parametrize("today", ["garbage", "2026-02-30", "9" * 40])
def test_a_bad_orders_today_is_a_refusal(today, seeded, tmp_path, monkeypatch):
    with copy_of(seeded, tmp_path, monkeypatch) as (db, cfg):
        monkeypatch.setenv("ORDERS_TODAY", today)
        r = outcome(["order", "add", "--subject", "x", "--account", "Café Müller", "--line", "MUG:1"], db, cfg)
        assert r.code == 1 and "ORDERS_TODAY" in r.err


CONFIG_VALUES = ["", "-1", "65536", "1e309", "NaN", "yes", "x" * 5000, "a\x00b", "line1\nline2", "\x1b[2J", "'; DROP TABLE x; --",
                 "🙂", "none", "NOPE", "eur", "zz-ZZ"]


def test_every_setting_with_hostile_values(seeded, tmp_path, monkeypatch):
    """`config set` for every key the tool knows: a refusal leaves the settings file as it was,
    and what is accepted can be read back by the next command."""
    from orders_cli.adapters.settings import KEYS

    for key in KEYS:
        for bad in CONFIG_VALUES:
            with copy_of(seeded, tmp_path, monkeypatch) as (db, cfg):
                r = outcome(["config", "set", key, bad], db, cfg)
                if r.code == 0:
                    outcome(["config", "get", key, "--json"], db, cfg, json_out=True)


def test_recur_show_as_a_table_stays_bounded_for_a_far_date(seeded, tmp_path, monkeypatch):
    """95,677 periods are due by 9999-12-31: the table shows the first 100 and says how many more
    (it used to render every one: 48 s); --json still lists them all."""
    with copy_of(seeded, tmp_path, monkeypatch) as (db, cfg):
        r = outcome(["recur", "show", "SO-00003", "--date", "9999-12-31"], db, cfg)
        assert r.code == 0
        assert len(r.out.splitlines()) < 150
        assert "and 95577 more periods due by 9999-12-31" in r.err
        info = outcome(["recur", "show", "SO-00003", "--date", "2100-01-01", "--json"], db, cfg, json_out=True).json()
        assert len(info["next"]) == info["pending"] > 100


ODD_DIGITS = ["²", "٣", "⑤", "2²", "１"]  # superscript, Arabic-Indic, circled, mixed, fullwidth: str.isdigit() is not int()
ARGUMENTS = [(path, p.name) for path, cmd in sorted(LEAVES.items()) for p in cmd.params if p.param_type_name == "argument"]


@pytest.mark.parametrize("path,param", ARGUMENTS, ids=lambda v: " ".join(v) if isinstance(v, tuple) else v)
def test_every_argument_with_unicode_digits(path, param, seeded, tmp_path, monkeypatch):
    """A reference that looks like an id to str.isdigit() but not to int() ('²' once reached int())."""
    monkeypatch.chdir(tmp_path)
    for odd in ODD_DIGITS:
        argv = list(path)
        for p in LEAVES[path].params:
            if p.param_type_name == "argument":
                argv.append(odd if p.name == param else PLAUSIBLE.get(p.name, "1"))
        if path[:2] == ("order", "convert"):
            argv += ["--line", f"{odd}:1" if path[-1] != "purchase" else odd]
        outcome_on_copy(argv, seeded, tmp_path, monkeypatch)


@pytest.mark.parametrize("columns", ["²", "٣", "-1", "0", "99999999999", "abc", ""])
def test_hostile_terminal_width_is_ignored(columns, monkeypatch):
    """COLUMNS is the environment's, not ours to trust: a value that is not a plain number
    (Rich would int() a '²' and fail) falls back to the default width."""
    monkeypatch.setenv("COLUMNS", columns)
    monkeypatch.setenv("LINES", columns)
    ok("demo")
    r = ok("order", "list", "--limit", "2")
    assert "SO-0000" in r.out
