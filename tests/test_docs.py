"""The documentation covers every command (sqlite-utils' tests/test_docs.py is the model).

The Click command tree of the real app is walked, so a command is covered the day it is
mounted: every command has a help text with an ``Example:``, every option that is not
hidden says what it does, and every command path (``order line add``) is written in the
documentation: ``shared/CLI.md`` next to the repository when it is there (a clone in CI
has ``shared/`` beside it), else the README alone (the test's id says which one it read).
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from orders_cli.cli.app import _command

REPO = Path(__file__).resolve().parent.parent
CLI_MD = REPO.parent / "shared" / "CLI.md"
DOCS = [REPO / "README.md", *([CLI_MD] if CLI_MD.exists() else [])]
DOCS_USED = "README.md and ../shared/CLI.md" if CLI_MD.exists() else "README.md only (no ../shared/CLI.md)"


def _commands(cmd, path: tuple[str, ...] = ()):
    """(path, command) of every command that runs (the leaves of the tree), in name order."""
    if hasattr(cmd, "commands"):  # a group (click's or the copy Typer vendors)
        for name in sorted(cmd.commands):
            yield from _commands(cmd.commands[name], (*path, name))
    else:
        yield path, cmd


COMMANDS = dict(_commands(_command()))
OPTIONS = [
    (path, param.opts[0])
    for path, cmd in COMMANDS.items()
    for param in cmd.params
    if param.param_type_name == "option" and not param.hidden
]


def _id(value) -> str:
    return " ".join(value) if isinstance(value, tuple) else str(value)


def test_the_tree_is_walked():
    assert {("order", "line", "add"), ("tax", "add"), ("doc", "get"), ("recur", "run")} <= set(COMMANDS)
    assert len(OPTIONS) > 100


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=_id)
def test_every_command_has_help_with_an_example(path):
    help_text = COMMANDS[path].help or ""
    assert help_text.strip(), f"orders {' '.join(path)} has no help text"
    assert "Example:" in help_text or "Examples:" in help_text, f"orders {' '.join(path)}: no 'Example:' in its help"


@pytest.mark.parametrize("path,option", OPTIONS, ids=_id)
def test_every_option_has_help(path, option):
    (param,) = [p for p in COMMANDS[path].params if p.param_type_name == "option" and p.opts[0] == option]
    assert (param.help or "").strip(), f"orders {' '.join(path)} {option} has no help text"


def _resolve(words: list[str], parent: tuple[str, ...]) -> tuple[str, ...] | None:
    """The command path that ``words`` start with, below ``parent``: the longest that is a command."""
    path, found = parent, None
    for word in words:
        path = (*path, word)
        if path in COMMANDS:
            found = path
        elif not any(p[: len(path)] == path for p in COMMANDS):
            break
    return found


def documented(text: str) -> set[tuple[str, ...]]:
    """Every command path the text writes: ``orders order line add ...``, and the shorthand of
    CLI.md for its siblings, ``orders product list | show | edit`` or ``... | line edit ORDER N``."""
    found = set()
    for match in re.finditer(r"(?<![\w-])orders\s+([^\n`]*)", text):
        first, *others = match.group(1).split("|")
        path = _resolve(first.split(), ())
        if path is None:
            continue
        found.add(path)
        for other in others:
            for depth in range(len(path) - 1, -1, -1):  # a sibling, or a cousin (line edit after order line add)
                sibling = _resolve(other.split(), path[:depth])
                if sibling is not None:
                    found.add(sibling)
                    break
    return found


@pytest.fixture(scope="module")
def docs_paths() -> set[tuple[str, ...]]:
    return documented("\n".join(p.read_text(encoding="utf-8") for p in DOCS))


def test_the_shorthand_is_read():
    assert documented("orders product list | show | edit | import FILE.csv") == {("product", n) for n in ("list", "show", "edit", "import")}
    assert documented("orders order line add ORDER --line ... | line edit ORDER N | line remove ORDER N") == {
        ("order", "line", n) for n in ("add", "edit", "remove")
    }
    assert documented("`orders tax list --json | jq .`") == {("tax", "list")}


@pytest.mark.parametrize("path", sorted(COMMANDS), ids=lambda p: f"{_id(p)} in {DOCS_USED}")
def test_every_command_is_documented(path, docs_paths):
    assert path in docs_paths, f"orders {' '.join(path)} is not in {DOCS_USED}"
