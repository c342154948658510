"""The run's environment: where the settings are, what "today" is, whether we talk to a
terminal (the database's location is the store's: ``store.target``). One object, so tests can pretend (httpie's idea).

Imports only the standard library: it is on every command's start-up path.
"""

from __future__ import annotations

import os
import sys
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from orders_cli.core.text import expand_user
from orders_cli.core.errors import Invalid

APP_NAME = "orders"


@dataclass
class Env:
    config: str | None = None  # --config, else ORDERS_CONFIG, else the user config dir
    traceback: bool = False
    json_errors: bool = False
    extra: dict = field(default_factory=dict)

    def config_path(self) -> Path:
        value = self.config or os.environ.get("ORDERS_CONFIG")
        if value:
            return expand_user(Path(value))
        return user_config_dir() / "config.toml"


def user_config_dir() -> Path:
    import platformdirs

    return Path(platformdirs.user_config_dir(APP_NAME, appauthor=False))


ENV = Env()


def today() -> date:
    """Today's date: the one place the clock is read. ``ORDERS_TODAY`` overrides it (tests, demos)."""
    fixed = os.environ.get("ORDERS_TODAY")
    if fixed:
        try:
            return date.fromisoformat(fixed)
        except ValueError:
            raise Invalid(f"ORDERS_TODAY: expected a date YYYY-MM-DD, got {fixed[:30]!r}") from None
    return date.today()


def stdin_is_tty() -> bool:
    try:
        return sys.stdin is not None and sys.stdin.isatty()
    except (ValueError, OSError):
        return False


def stderr_is_tty() -> bool:
    try:
        return sys.stderr.isatty()
    except (ValueError, OSError):
        return False


def stdout_is_tty() -> bool:
    try:
        return sys.stdout.isatty()
    except (ValueError, OSError):
        return False
