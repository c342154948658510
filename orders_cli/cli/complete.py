"""Shell completion that answers before Typer, the command modules or SQLAlchemy are imported.

The shell asks with ``_ORDERS_COMPLETE`` set: Typer's protocol (``complete_bash``,
``complete_zsh``, ``complete_fish``, ``complete_powershell``: what ``orders
--install-completion`` installs) or click's (``bash_complete``, ``zsh_complete``,
``fish_complete``). The answer comes from a table of the command tree (groups, commands,
options, arguments and the kind of value each takes) that the first completion builds from
Typer's own tree and caches in the user cache dir (``completion.json``), tagged with the size
and time of every module of the package, so an upgrade or an edit rebuilds it. With the table,
a completion reads only it and, for values, the database (``store.quick``: sqlite3, never the
ORM): document numbers, account, vendor, contact, user and tax names, SKUs, statuses, setting
keys, frequencies and every value a help text lists (``call | meeting | task``).

Standard library only at the top (launch.py imports this on every completion).
"""

from __future__ import annotations

import json
import os
import re
import sys
import tempfile
from pathlib import Path

VAR = "_ORDERS_COMPLETE"
FLAG = "-"  # the kind of an option that takes no value
TYPER_SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
CLICK_SHELLS = ("bash", "zsh", "fish")
GLOBAL_DB = "--db"


# ------------------------------------------------------------------ the request


def request() -> tuple[str, str] | None:
    """(style, shell) of the completion the shell asks for: style ``typer`` or ``click``; None
    when ``_ORDERS_COMPLETE`` asks for something else (a ``source`` script: Typer's)."""
    instruction = os.environ.get(VAR, "")
    verb, _, shell = instruction.partition("_")
    if verb == "complete" and shell in TYPER_SHELLS:
        return "typer", shell
    shell, _, verb = instruction.partition("_")
    if verb == "complete" and shell in CLICK_SHELLS:
        return "click", shell
    return None


def split_words(text: str) -> list[str]:
    """Split a command line as the shell would, keeping an unfinished quote's word (click's way)."""
    import shlex

    lex = shlex.shlex(text, posix=True)
    lex.whitespace_split = True
    lex.commenters = ""
    out: list[str] = []
    try:
        out.extend(lex)
    except ValueError:
        out.append(lex.token)
    return out


def _index() -> int:
    try:
        return int(os.environ.get("COMP_CWORD", "0"))
    except ValueError:
        return 0


def words(style: str, shell: str) -> tuple[list[str], str]:
    """(the words before the one completed, without the program's name; the word completed)."""
    if style == "click" and shell == "fish":
        cwords = split_words(os.environ.get("COMP_WORDS", ""))
        typed = os.environ.get("COMP_CWORD", "")
        incomplete = split_words(typed)[0] if typed and split_words(typed) else ""
        args = cwords[1:]
        if incomplete and args and args[-1] == incomplete:
            args.pop()
        return args, incomplete
    if style == "click" or shell == "bash":
        cwords = split_words(os.environ.get("COMP_WORDS", ""))
        index = _index()
        return cwords[1:index], (cwords[index] if 0 <= index < len(cwords) else "")
    line = os.environ.get("_TYPER_COMPLETE_ARGS", "")
    cwords = split_words(line)
    if shell in ("powershell", "pwsh"):
        incomplete = os.environ.get("_TYPER_COMPLETE_WORD_TO_COMPLETE", "")
        return (cwords[1:-1] if incomplete else cwords[1:]), incomplete
    args = cwords[1:]
    if args and not line.endswith(" "):
        return args[:-1], args[-1]
    return args, ""


# ------------------------------------------------------------------ the answer


def resolve(table: dict, args: list[str], incomplete: str) -> tuple[list[tuple[str, str]], str | None]:
    """The proposals (value, help) for ``incomplete`` after ``args``, and the ``--db`` given in
    ``args`` (None: none given)."""
    node, positional, pending, db, only_args = table, 0, None, None, False
    for word in args:
        if pending is not None:
            db = word if pending == GLOBAL_DB else db
            pending = None
        elif word == "--" and not only_args:
            only_args = True
        elif word.startswith("-") and len(word) > 1 and not only_args and not _negative(word):
            name, eq, value = word.partition("=")
            if name == GLOBAL_DB and eq:
                db = value
            if node["o"].get(name, FLAG) != FLAG and not eq:
                pending = name
        elif "c" in node and word in node["c"] and positional == 0:
            node = node["c"][word]
        else:
            positional += 1
    if pending is not None:
        return _values(node["o"].get(pending), incomplete, db), db
    if incomplete.startswith("--") and "=" in incomplete and not only_args:
        name, _, value = incomplete.partition("=")
        return [(f"{name}={v}", h) for v, h in _values(node["o"].get(name), value, db)], db
    if incomplete.startswith("-") and not only_args:
        return [(name, help_) for name, help_ in node["oh"] if name.startswith(incomplete)], db
    if "c" in node:
        return [(name, sub["h"]) for name, sub in node["c"].items() if name.startswith(incomplete) and not sub.get("x")], db
    kinds = node["a"]
    kind = kinds[positional] if positional < len(kinds) else node.get("r")
    return _values(kind, incomplete, db), db


def _negative(word: str) -> bool:
    return re.fullmatch(r"-(?:\d+(?:[.,]\d*)?|[.,]\d+)%?", word) is not None


def _values(kind, incomplete: str, db: str | None) -> list[tuple[str, str]]:
    from orders_cli.store import quick

    if kind is None or kind == FLAG:
        return []
    if isinstance(kind, list):
        return [(v, "") for v in quick.matches(incomplete, kind)]
    return [(v, "") for v in quick.values(quick.database_target(db), kind, incomplete)]


def render(style: str, shell: str, items: list[tuple[str, str]]) -> tuple[str, int]:
    """What the shell script reads, and the exit status."""
    if style == "click":
        if shell == "zsh":
            return "".join(f"plain\n{v}\n{h or '_'}\n" for v, h in items), 0
        return "".join(f"plain,{v}" + (f"\t{h}" if h and shell == "fish" else "") + "\n" for v, h in items), 0
    if shell == "bash":
        return "".join(f"{v}\n" for v, _ in items), 0
    if shell == "zsh":
        if not items:
            return "_files\n", 0
        rows = "\n".join(f'"{_zsh(v)}":"{_zsh(h)}"' if h else f'"{_zsh(v)}"' for v, h in items)
        return f"_arguments '*: :(({rows}))'\n", 0
    if shell == "fish":
        action = os.environ.get("_TYPER_COMPLETE_FISH_ACTION", "")
        if action == "is-args":
            return "", 0 if items else 1
        return "".join(f"{v}\t{' '.join(h.split())}\n" if h else f"{v}\n" for v, h in items), 0
    return "".join(f"{v}:::{h or ' '}\n" for v, h in items), 0  # powershell


def _zsh(text: str) -> str:
    text = " ".join(text.split())
    return text.replace('"', '""').replace("'", "''").replace("$", "\\$").replace("`", "\\`").replace(":", r"\\:")


def _reply(table: dict, style: str, shell: str) -> int:
    args, incomplete = words(style, shell)
    try:
        items, _ = resolve(table, args, incomplete)
    except Exception:  # noqa: BLE001 - a completion proposes nothing rather than print a traceback
        items = []
    text, code = render(style, shell, items)
    sys.stdout.write(text)
    sys.stdout.flush()
    return code


# ------------------------------------------------------------------ the table and its cache


def cache_file() -> Path:
    import platformdirs

    return Path(platformdirs.user_cache_dir("orders", appauthor=False)) / "completion.json"


def fingerprint() -> str:
    """The package's modules, by size and modification time: any change rebuilds the table."""
    root = Path(__file__).resolve().parent.parent
    parts = [str(root), sys.version]
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d != "__pycache__")
        for name in sorted(files):
            if name.endswith(".py"):
                st = os.stat(os.path.join(folder, name))
                parts.append(f"{folder}/{name}:{st.st_size}:{st.st_mtime_ns}")
    return "\n".join(parts)


def cached() -> dict | None:
    try:
        data = json.loads(cache_file().read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return data.get("root") if isinstance(data, dict) and data.get("fingerprint") == fingerprint() else None


def save(table: dict) -> None:
    """Write the table for the next completions (atomically; a read-only cache dir: no cache)."""
    try:
        path = cache_file()
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".completion-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            json.dump({"fingerprint": fingerprint(), "root": table}, out, ensure_ascii=False)
        os.replace(tmp, path)
    except OSError:
        pass


def fast() -> int | None:
    """Answer a completion from the cached table (launch.py, before anything heavy is imported);
    None when there is no table yet or the request is not a completion: the caller goes on."""
    asked = request()
    if asked is None:
        return None
    table = cached()
    if table is None:
        return None
    return _reply(table, *asked)


def answer(build) -> int | None:
    """Answer a completion, building the table with ``build()`` (complete_tree.build of the root
    command: app.py) and caching it when there is none; None when ``_ORDERS_COMPLETE`` asks for
    something else (Typer answers that)."""
    asked = request()
    if asked is None:
        return None
    table = cached()
    if table is None:
        table = build()
        save(table)
    return _reply(table, *asked)
