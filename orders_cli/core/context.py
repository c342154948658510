"""What a use case needs to know about the run, passed in rather than read from globals:
today's date (``--date`` / ``ORDERS_TODAY`` / the clock, decided by the caller) and the
settings. The CLI builds one per command (``cli.common.context()``); tests build their own.

Either may be given as a value or as a function that gives it: the CLI passes functions, so
``ORDERS_TODAY`` and the settings file are read only by a command that needs them, and a
refusal comes in the same order whatever the command asks first. Each is read once.
"""

from __future__ import annotations

from datetime import date
from typing import Any, Callable, Protocol


class SettingsLike(Protocol):
    """What use cases read of the settings (``adapters.settings.Settings`` is one)."""

    def get(self, key: str) -> Any: ...

    def prefix(self, doc_type: str) -> str: ...


class Context:
    __slots__ = ("_today", "_settings")

    def __init__(self, today: date | Callable[[], date], settings: SettingsLike | Callable[[], SettingsLike]):
        self._today = today
        self._settings = settings

    @property
    def today(self) -> date:
        if callable(self._today):
            self._today = self._today()
        return self._today

    @property
    def settings(self) -> SettingsLike:
        if callable(self._settings):
            self._settings = self._settings()
        return self._settings

    def on(self, day: date) -> "Context":
        """The same run, another today (``recur run --date D``)."""
        return Context(day, self._settings)

    def __repr__(self) -> str:
        return f"Context(today={self._today!r}, settings={self._settings!r})"
