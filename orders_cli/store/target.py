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


_CREATE: list[bool] = [False]  # this command may create a missing database (db init, demo, init)


def may_create(allowed: bool = True) -> None:
    """Let this run create its database if it is missing (``db init``, ``demo``, ``init``)."""
    _CREATE[0] = allowed


def creating() -> bool:
    return _CREATE[0]


def is_default() -> bool:
    """No --db, no ORDERS_DB: the default file in the user data dir."""
    return not (_TARGET[0] or os.environ.get("ORDERS_DB"))


def sqlite_file(target: str) -> Path | None:
    """The file SQLite opens for ``target`` (``--db``): a path, ``~`` expanded; or a
    ``sqlite:///`` URL read as SQLAlchemy reads it, its %-escapes decoded and ``~`` left as
    written. None for an in-memory database, a server URL, or a NUL in it."""
    from urllib.parse import unquote

    if "://" in target:  # a URL (as url_for tells one); anything else, "sqlite:x.db" too, is a path
        if not target.startswith("sqlite:///"):
            return None
        raw = unquote(target.removeprefix("sqlite:///").partition("?")[0])
        if raw in ("", ":memory:") or "\x00" in raw:
            return None
        return Path(raw)
    if target in ("", ":memory:") or "\x00" in target:
        return None
    try:
        return Path(target).expanduser()
    except RuntimeError:  # ~name of no such user: as the shell leaves it (core.text.expand_user)
        return Path(target)


def missing_file(target: str) -> Path | None:
    """The SQLite file of ``target`` when it does not exist yet (None: it exists, or a server URL)."""
    path = sqlite_file(target)
    if path is None:
        return None
    try:
        return None if path.exists() else path
    except (OSError, ValueError):
        return None
