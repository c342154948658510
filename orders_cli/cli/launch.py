"""The ``orders`` program's entry point: a shell's completion request is answered from the
cached completion table before Typer and the command modules are imported (complete.py), and
so are ``order show``, ``order list`` and ``invoice show`` with ``--json`` on a SQLite file
(fast.py, through sqlite3); everything else, and whatever those decline, goes to app.main."""

from __future__ import annotations

import os


def main() -> int:
    if os.environ.get("_ORDERS_COMPLETE"):
        from orders_cli.cli import complete

        done = complete.fast()
        if done is not None:
            return done
    else:
        import sys

        from orders_cli.cli import fast

        done = fast.answer(sys.argv[1:])
        if done is not None:
            return done
    from orders_cli.cli.app import main as run

    return run()
