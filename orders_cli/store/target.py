"""Which database this run uses. Standard library only: the CLI's root option sets it on
every call, before anything knows whether the database is needed."""

from __future__ import annotations

import os
from pathlib import Path

APP_NAME = "orders"
_TARGET: list[str | None] = [None]  # --db of this run


def use(target: str | None) -> None:
    """Point this run at a database (``--db``); ``None``: ORDERS_DB, else the default file."""
    _TARGET[0] = target


def db_target() -> str:
    """The database of this run: ``--db``, else ``ORDERS_DB``, else orders.db in the user data dir."""
    value = _TARGET[0] or os.environ.get("ORDERS_DB")
    if value:
        return value
    import platformdirs

    return str(Path(platformdirs.user_data_dir(APP_NAME, appauthor=False)) / "orders.db")
