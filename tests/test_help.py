"""Issue 18, item 10, help that explains: negative numbers are values without ``--``; every
option and argument has a metavar in words (never Typer's ``<str>``) and a description; a
group's listing gives each command's first sentence whole (the whole tree is walked)."""

from __future__ import annotations

import re
from typing import Annotated, Optional

import pytest
import typer
from conftest import ok, refused, run

from orders_cli.cli.app import _command
from orders_cli.cli.commands import Typer, first_sentence

TYPER_WORDS = re.compile(r"<(?:str|int|float|bool|path|file|text|decimal|datetime|list\[|uuid|[a-z]+ range|[a-z]+(?:\|[a-z_]+)+)\b", re.I)


def _tree(cmd, path: tuple[str, ...] = ()):
    """(path, command) of every command and group, the root first."""
    yield path, cmd
    for name in sorted(getattr(cmd, "commands", {})):
        yield from _tree(cmd.commands[name], (*path, name))


TREE = dict(_tree(_command()))
GROUPS = [p for p, c in TREE.items() if hasattr(c, "commands")]


def _shown(param) -> bool:
    return not param.hidden and param.name != "help"


@pytest.mark.parametrize("path", sorted(TREE), ids=lambda p: " ".join(p) or "orders")
def test_every_help_writes_values_in_words_and_describes_every_parameter(path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    r = run(*path, "--help")
    assert r.code == 0, r.err
    assert not TYPER_WORDS.search(r.out), f"orders {' '.join(path)} --help: {TYPER_WORDS.search(r.out).group(0)}\n{r.out}"
    assert "{" not in r.out.splitlines()[0], r.out  # the usage line: KEY VALUE, not {key} {value}
    for param in TREE[path].params:
        if not _shown(param):
            continue
        label = param.opts[0] if param.param_type_name == "option" else param.name
        assert (param.help or "").strip(), f"orders {' '.join(path)} {label} has no description"
        assert "(required)" not in param.help, (label, param.help)  # one way: [required]
        if param.param_type_name == "argument" or not (param.is_flag or param.count):
            assert param.metavar and "<" not in param.metavar and param.metavar in r.out, (label, param.metavar)


def test_the_words_follow_the_name_the_type_and_the_help(monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    add = run("order", "add", "--help").out
    for words in ("--line SKU:QTY[:PRICE[:DISCOUNT]]", "--account ACCOUNT", "--date YYYY-MM-DD", "--adjustment AMOUNT",
                  "--discount PCT%|AMOUNT", "--subject TEXT", "--from-json FILE|-"):
        assert words in add, words
    assert "  --limit N " in run("invoice", "list", "--help").out
    assert "--subject TEXT                  Title  [required]\n" in add
    assert "--status STATUS" in run("invoice", "list", "--help").out  # the help lists the statuses
    assert "--type call|meeting|task" in run("activity", "add", "--help").out
    assert "--due-days N " in run("recur", "set", "--help").out
    assert "--port PORT " in run("portal", "serve", "--help").out
    config_set = run("config", "set", "--help").out  # its text is the settings' (item 12): the frame is pinned
    assert config_set.startswith("Usage: orders config set [OPTIONS] KEY VALUE\n\n")
    assert "\nArguments:\n  KEY    " in config_set and "\n  VALUE  " in config_set
    assert "Usage: orders einvoice check [OPTIONS] FILE...\n" in run("einvoice", "check", "--help").out


@pytest.mark.parametrize("path", GROUPS, ids=lambda p: " ".join(p) or "orders")
def test_group_listings_give_the_first_sentence_whole(path, monkeypatch):
    monkeypatch.setenv("COLUMNS", "80")
    out = run(*path, "--help").out
    listing = "".join(out.split("Commands:\n", 1)[1].split())  # wrapping may break at a hyphen
    for name, cmd in TREE[path].commands.items():
        if cmd.hidden:
            continue
        sentence = first_sentence(cmd.help)
        assert sentence and name + "".join(sentence.split()) in listing, (name, sentence, out)
    assert not any(line.endswith("...") for line in out.split("Commands:\n", 1)[1].splitlines()), out  # never cut


def test_first_sentence():
    assert first_sentence("Sales, e.g. by month. More here.\n\nExample: x") == "Sales, e.g. by month."
    assert first_sentence("No full stop here\n\nExample: orders x") == "No full stop here"
    assert first_sentence("Version 1.5 of it. Then") == "Version 1.5 of it."


def test_negative_values_need_no_double_dash(isolated):
    r = refused("config", "set", "invoice.due_days", "-3")  # reaches the setting's own check
    assert "invoice.due_days" in r.err and "-3" in r.err and "No such option" not in r.err, r.err
    ok("config", "set", "company.name", "-2.50")
    assert ok("config", "get", "company.name").out == "-2.50\n"
    ok("tax", "add", "VAT20", "--rate", "20")
    ok("account", "add", "Acme")
    ok("product", "add", "MUG", "--name", "Mug", "--price", "10.00", "--tax", "VAT20")
    so = ok("order", "add", "--subject", "X", "--account", "Acme", "--line", "MUG:2", "--adjustment", "-1.50", "--json").json()
    assert so["adjustment"] == "-1.50"
    assert ok("order", "edit", so["number"], "--adjustment", "-2", "--json").json()["adjustment"] == "-2.00"
    refused("order", "line", "edit", so["number"], "-1", "--qty", "2")  # a value: "has no line -1"
    assert "no line -1" in run("order", "line", "edit", so["number"], "-1", "--qty", "2").err
    assert "greater than 0" in refused("order", "line", "edit", so["number"], "1", "--qty", "-2").err
    ok("config", "set", "company.name", "-10%")


def test_unknown_options_are_still_refused(isolated):
    for argv in (["config", "set", "--nope", "x"], ["config", "set", "-x", "y"], ["config", "set", "k", "-3x"], ["order", "list", "-1"]):
        r = run(*argv)
        assert r.code == 2 and "No such option" in r.err or "Got unexpected extra argument" in r.err, (argv, r.err)


def test_a_built_app_gets_the_same_words_and_whole_listing(monkeypatch):
    """The classes alone (commands.Typer), on a two-command app, at a pinned width."""
    app = Typer(name="t", help="T.", rich_markup_mode=None)

    @app.command("one")
    def one(
        key: Annotated[str, typer.Argument(help="A key")],
        count: Annotated[Optional[int], typer.Option(min=1, help="How many")] = None,
        since: Annotated[Optional[str], typer.Option(help="From this day")] = None,
        label: Annotated[Optional[str], typer.Option(help="Any text")] = None,
        rows: Annotated[Optional[list[str]], typer.Option("--row", help="N:QTY of a row (repeatable)")] = None,
    ) -> None:
        """Do the first thing, which takes a rather long sentence to say, longer than the listing's width.

        Example: t one KEY"""
        print(key, count, since, label, rows)

    @app.command("two")
    def two(amount: Annotated[str, typer.Argument(help="e.g. -2.50")]) -> None:
        """Take an amount. Then more.

        Example: t two -3"""
        print(amount)

    from typer.testing import CliRunner

    runner = CliRunner()
    monkeypatch.setenv("COLUMNS", "60")
    listing = runner.invoke(app, ["--help"], terminal_width=60).output.split("Commands:\n")[1]
    assert listing == (
        "  one  Do the first thing, which takes a rather long\n"
        "       sentence to say, longer than the listing's width.\n"
        "  two  Take an amount.\n"
    )
    one_help = runner.invoke(app, ["one", "--help"], terminal_width=80).output
    assert "Usage: t one [OPTIONS] KEY\n" in one_help and "  KEY  A key  [required]\n" in one_help
    assert "--count N " in one_help and "--since YYYY-MM-DD " in one_help and "--label TEXT " in one_help
    assert "--row N:QTY " in one_help
    assert runner.invoke(app, ["two", "-3"]).output == "-3\n"
    assert runner.invoke(app, ["one", "-3", "--count", "2", "--row", "-1:2"]).output == "-3 2 None None ['-1:2']\n"
    assert runner.invoke(app, ["two", "-3x"]).exit_code == 2
