"""orders doc: files attached to an order (stored in the database, checksummed)."""

import sys
from pathlib import Path
from typing import Annotated, Optional

import typer

from orders_cli.cli.common import (
    Json,
    group,
    list_formats,
    record_or_note,
    show_record,
    show_rows,
)

app = group("doc", "Files attached to orders: attach, list, get back byte-identical, remove.")

COLUMNS = [("id", "Id"), ("order", "Order"), ("filename", "File"), ("content_type", "Type"), ("size", "Size"),
           ("sha256", "SHA-256"), ("created_at", "Added")]


def _human(doc: dict) -> None:
    from orders_cli.cli import output

    output.kv({k: doc[k] for k in ("id", "order", "filename", "content_type", "size", "sha256", "created_at")},
              title=f"Document {doc['id']}")


def _short_checksums(session, order: str):
    """The order's documents with a short checksum, for people (machine formats get the whole one)."""
    from dataclasses import replace

    from orders_cli.records import attachments

    return [replace(d, sha256=d.sha256[:12] + "…") for d in attachments.list_for(session, order)]


@app.command("attach")
def doc_attach(
    order: Annotated[str, typer.Argument(help="Order number or id (finalized orders too)")],
    file: Annotated[Path, typer.Argument(help="The file to attach", dir_okay=True, exists=False)],
    name: Annotated[Optional[str], typer.Option("--name", help="Store under this file name (default: the file's own name)")] = None,
    content_type: Annotated[Optional[str], typer.Option("--type", help="Media type (default: guessed from the name, e.g. application/pdf)")] = None,
    json_: Json = False,
) -> None:
    """Attach a file to an order: its bytes, size, type and SHA-256 go into the database.

    Example: orders doc attach SO-00001 signed-order.pdf
    """
    from orders_cli import store
    from orders_cli.records import attachments

    upload = attachments.read_file(file, name, content_type)
    with store.transaction() as s:
        doc = attachments.attach(s, order, upload)
    record_or_note(doc, json_, f"attached {doc.filename} to {doc.order} as document {doc.id} ({doc.size} bytes, sha256 {doc.sha256})")


@app.command("list")
@list_formats
def doc_list(
    order: Annotated[str, typer.Argument(help="Order number or id")],
    fmt: str = "table",
) -> None:
    """List the files attached to an order (no content: use doc get).

    Example: orders doc list SO-00001 --json
    """
    from orders_cli.cli import output
    from orders_cli.records import attachments

    show_rows(_short_checksums if fmt == output.TABLE else attachments.list_for, order,
              fmt=fmt, columns=COLUMNS, empty="no documents (attach one: orders doc attach ORDER FILE)")


@app.command("show")
def doc_show(document: Annotated[str, typer.Argument(help="Document id (see doc list)")], json_: Json = False) -> None:
    """Show a document's record: order, file name, type, size, SHA-256.

    Example: orders doc show 1 --json
    """
    from orders_cli.records import attachments

    show_record(attachments.show, document, json_=json_, human=_human, write=False)


@app.command("get")
def doc_get(
    document: Annotated[str, typer.Argument(help="Document id (see doc list)")],
    output_: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE",
                                                    help="Write here ('-' for stdout; a folder: the stored name inside it; default: the stored name in the current directory)")] = None,
) -> None:
    """Write an attached file back out, byte-identical (its SHA-256 is checked first).

    Example: orders doc get 1 -o copy.pdf
    """
    from orders_cli import store
    from orders_cli.cli import output
    from orders_cli.records import attachments

    with store.transaction(write=False) as s:
        info, data = attachments.fetch(s, document)
    if output_ is not None and str(output_) == "-":
        sys.stdout.flush()
        sys.stdout.buffer.write(data) if hasattr(sys.stdout, "buffer") else sys.stdout.write(data.decode("latin-1"))
        sys.stdout.flush()
        return
    path = output.write_file(output_ if output_ is not None else info.filename, data, default_name=info.filename)
    output.note(f"{path} ({info.size} bytes, sha256 {info.sha256})")


@app.command("remove")
def doc_remove(document: Annotated[str, typer.Argument(help="Document id (see doc list)")], json_: Json = False) -> None:
    """Delete an attached file from its order (the order itself is not changed).

    Example: orders doc remove 1
    """
    from orders_cli import store
    from orders_cli.records import attachments

    with store.transaction() as s:
        info = attachments.remove(s, document)
    record_or_note(info, json_, f"removed document {info.id} ({info.filename}) from {info.order}")
