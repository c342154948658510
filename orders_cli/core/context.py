"""What a use case needs to know about the run, passed in rather than read from globals:
today's date (``--date`` / ``ORDERS_TODAY`` / the clock, decided once by the caller) and the
settings. The CLI builds one per command (``cli.common.context()``); tests build their own.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any, Protocol


class SettingsLike(Protocol):
    """What use cases read of the settings (``adapters.settings.Settings`` is one)."""

    def get(self, key: str) -> Any: ...

    def prefix(self, doc_type: str) -> str: ...


@dataclass(frozen=True)
class Context:
    today: date
    settings: SettingsLike
