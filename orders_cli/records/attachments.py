"""Files attached to orders (SPEC.md §5 "Documents"): stored inside the database with
their size, type and SHA-256, and handed back byte-identical.

Attaching and removing never touch the order itself, so both are allowed on a
finalized order. Reading the file happens before the transaction opens: a missing
or unreadable file is refused before anything is written.
"""

from __future__ import annotations

import hashlib
import mimetypes
import stat
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path

import sqlalchemy as sa
from sqlmodel import Session, select

from orders_cli.core import text
from orders_cli.core.errors import Conflict, Invalid, NotFound
from orders_cli.records.results import AttachmentResult
from orders_cli.store import documents
from orders_cli.store import schema as m

MAX_BYTES = 100 * 1024 * 1024  # one attachment; the whole file is held in memory once


@dataclass(frozen=True)
class Upload:
    filename: str
    content_type: str
    data: bytes
    sha256: str


def read_file(path: Path | str, name: str | None = None, content_type: str | None = None) -> Upload:
    """The bytes of FILE, checked: a regular readable file of at most MAX_BYTES."""
    p = Path(path)
    limit = f"the {MAX_BYTES // (1024 * 1024)} MiB limit"
    try:
        info = p.stat()
        if stat.S_ISDIR(info.st_mode):
            raise Invalid(f"cannot attach {text.shown(path)}: it is a directory")
        if not stat.S_ISREG(info.st_mode):
            raise Invalid(f"cannot attach {text.shown(path)}: not a regular file")
        if info.st_size > MAX_BYTES:
            raise Invalid(f"cannot attach {text.shown(path)}: {info.st_size} bytes, more than {limit}")
        with open(p, "rb") as fh:
            data = fh.read(MAX_BYTES + 1)  # bounded: /proc files say size 0, files may grow
    except OSError as exc:
        raise Invalid(f"cannot read {text.shown(path)}: {exc.strerror or exc}") from None
    if len(data) > MAX_BYTES:
        raise Invalid(f"cannot attach {text.shown(path)}: more than {limit}")
    filename = text.clean(name if name is not None else p.name, "file name", max_len=255, required=True)
    if "/" in filename or "\\" in filename or filename in (".", ".."):
        raise Invalid(f"file name: a plain name without folders, got {filename!r}")
    if content_type is None:
        content_type = mimetypes.guess_type(filename)[0] or "application/octet-stream"
    else:
        content_type = text.clean(content_type, "--type", max_len=200, required=True)
        if not _is_media_type(content_type):
            raise Invalid(f"--type: a media type such as application/pdf, got {content_type!r}")
    return Upload(filename, content_type, data, hashlib.sha256(data).hexdigest())


def _is_media_type(value: str) -> bool:
    import re

    return re.fullmatch(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*(\s*;\s*[\w.+-]+=[^;\s]+)*", value) is not None


def _view(doc, order_number: str) -> AttachmentResult:
    """A ``Document`` row, or a selected row of its columns (without the bytes)."""
    return AttachmentResult(
        id=doc.id,
        order=order_number,
        filename=doc.filename,
        content_type=doc.content_type,
        size=doc.size,
        sha256=doc.sha256,
        created_at=_ts(doc.created_at),
    )


def _ts(value) -> datetime | str:
    if not hasattr(value, "isoformat"):
        return str(value)
    if value.tzinfo is None:  # SQLite hands back naive UTC
        value = value.replace(tzinfo=timezone.utc)
    return value


def attach(session: Session, order_ref: str, upload: Upload) -> AttachmentResult:
    order = documents.get(session, documents.ORDER, order_ref)
    doc = m.Document(order_id=order.id, filename=upload.filename, content_type=upload.content_type,
                     size=len(upload.data), sha256=upload.sha256, data=upload.data)
    session.add(doc)
    session.flush()
    return _view(doc, order.number)


def _document_id(ref: str) -> int:
    value = str(ref).strip()
    if not value.isdecimal() or not value.isascii() or len(value) > 18:
        raise NotFound(f"no document {ref!r} (documents are named by their id: orders doc list ORDER)")
    return int(value)


def _row(session: Session, ref: str):
    """(id, order number, ...) without loading the bytes."""
    d = m.Document.__table__
    o = m.SalesOrder.__table__
    row = session.execute(
        sa.select(d.c.id, d.c.filename, d.c.content_type, d.c.size, d.c.sha256, d.c.created_at, o.c.number)
        .join(o, o.c.id == d.c.order_id)
        .where(d.c.id == _document_id(ref))
    ).first()
    if row is None:
        raise NotFound(f"no document {ref!r}")
    return row


def show(session: Session, ref: str) -> AttachmentResult:
    row = _row(session, ref)
    return _view(row, row.number)


def list_for(session: Session, order_ref: str) -> list[AttachmentResult]:
    order = documents.get(session, documents.ORDER, order_ref)
    d = m.Document.__table__
    rows = session.execute(
        sa.select(d.c.id, d.c.filename, d.c.content_type, d.c.size, d.c.sha256, d.c.created_at)
        .where(d.c.order_id == order.id)
        .order_by(d.c.id)
    )
    return [_view(r, order.number) for r in rows]


def fetch(session: Session, ref: str) -> tuple[AttachmentResult, bytes]:
    """The document's record and its bytes, checked against the stored SHA-256."""
    info = show(session, ref)
    data = session.exec(select(m.Document.data).where(m.Document.id == info.id)).one()
    data = bytes(data)
    if len(data) != info.size or hashlib.sha256(data).hexdigest() != info.sha256:
        raise Conflict(f"document {info.id} ({info.filename}) does not match its stored checksum; it was damaged")
    return info, data


def remove(session: Session, ref: str) -> AttachmentResult:
    info = show(session, ref)
    session.execute(sa.delete(m.Document.__table__).where(m.Document.__table__.c.id == info.id))
    return info
