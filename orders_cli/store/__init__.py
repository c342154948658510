"""The database room: engine and transactions (database.py), a run of short transactions on
one connection (batch.py), the one numbering function (numbering.py), the tables (schema.py),
migrations (migrations/, Alembic), look-ups by reference (refs.py) and which database this run
uses (target.py). Imports only core/.

``from orders_cli import store`` costs nothing at start-up: the engine (SQLAlchemy) loads on
first use of ``store.transaction()`` and the rest of the names below.
"""

from __future__ import annotations

from orders_cli.store.target import db_target, use  # noqa: F401  (light: standard library only)

_LAZY = {
    **dict.fromkeys(
        ("HEAD", "WRITE_LOCK_KEY", "_make_engine", "backup", "check", "current_revision", "dispose_all", "engine", "open_failed",
         "transaction", "upgrade", "url_for", "known_revisions", "refuse_missing"),
        "orders_cli.store.database",
    ),
    **dict.fromkeys(("allocate", "next_number", "issue_number", "latest_issued"), "orders_cli.store.numbering"),
    **dict.fromkeys(("connection", "begin", "prepared"), "orders_cli.store.batch"),
}


def __getattr__(name: str):
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'orders_cli.store' has no attribute {name!r}")
    import importlib

    value = getattr(importlib.import_module(module), name)
    globals()[name] = value
    return value
