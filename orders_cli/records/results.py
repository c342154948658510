"""What the attachment and activity use cases return: typed results, written out by
``core.results.to_data`` as the JSON of CLI.md (fields in JSON key order).

They can also be read by key (``activity["subject"]``), giving that key's plain data as the
JSON shows it: the order view picks a few keys of each.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Optional, Union

from orders_cli.core.results import OMIT, to_data


class _ByKey:
    """``result["key"]``: the plain data of one field, as ``to_data(result)["key"]``."""

    def __getitem__(self, key: str) -> Any:
        value = getattr(self, key) if key in self.__dataclass_fields__ else OMIT  # type: ignore[attr-defined]
        if value is OMIT:
            raise KeyError(key)
        return to_data(value)

    def keys(self) -> list[str]:
        return list(to_data(self))


@dataclass(frozen=True)
class AttachmentResult(_ByKey):
    """A file attached to an order (its record; the bytes come from ``attachments.fetch``)."""

    id: int
    order: str
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: Union[datetime, str]  # timezone-aware UTC


@dataclass(frozen=True)
class ActivityResult(_ByKey):
    """A call, meeting, task or mail sent, on an order (or one of its invoices)."""

    id: int
    order: Optional[str]
    invoice: Optional[str]
    type: str
    subject: str
    due: Union[date, str, None]
    note: Optional[str]
    done: bool
    overdue: bool  # open and due before today; OMIT when listed without a today
    created_at: Union[datetime, str, None]
