"""Files written for the user (PDFs, attached documents, .eml messages): whole or not at all."""

from __future__ import annotations

from pathlib import Path

from orders_cli.core.errors import Invalid
from orders_cli.core.text import shown


def checked_path(path, option: str = "--output"):
    """``path`` as a Path, refusing a NUL (the OS would raise a ValueError on it)."""
    if "\x00" in str(path):
        raise Invalid(f"{option}: a file name cannot contain a NUL character")
    return Path(path)


def write_file(path, data: bytes, option: str = "--output", default_name: str | None = None):
    """Write ``data`` to ``path`` whole or not at all (a temp file moved into place), creating
    its folder. A folder for ``path`` means ``default_name`` inside it (refused when there is
    none). Any failure is one refusal naming the file; no temp file is left behind.
    Returns the path written."""
    path = checked_path(path, option)
    tmp = None
    try:
        if path.is_dir():
            if default_name is None:
                raise Invalid(f"{option} {shown(path)} is a folder; give a file name")
            path = path / default_name
        tmp = path.with_name(f".{path.name}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as exc:
        if tmp is not None:
            try:
                tmp.unlink(missing_ok=True)
            except OSError:  # the folder itself is the trouble; nothing was written
                pass
        raise Invalid(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
    return path
