"""orders order|quote|invoice|purchase|delivery pdf: a document as a PDF file.

Plain functions, mounted as ``pdf`` sub-commands of each document group in app.py.
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

Output = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write here (default: <NUMBER>.pdf in the current directory)")]


def _write(kind: str, doc: dict, output: Optional[Path], settings, quiet: bool = False) -> Path:
    from orders_cli import output as out
    from orders_cli import pdf

    path = _checked(Path(output) if output else Path(pdf.default_filename(doc)))
    data = pdf.render(kind, doc, settings)
    tmp: Optional[Path] = None
    try:
        if path.is_dir():
            path = path / pdf.default_filename(doc)
        tmp = path.with_name(f".{path.name}.tmp")
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_bytes(data)
        tmp.replace(path)
    except OSError as err:
        _cleanup(tmp)
        raise _cannot_write(path, err) from None
    if not quiet:
        out.note(str(path))
    return path


def _checked(path: Path) -> Path:
    from orders_cli.errors import Invalid

    if "\x00" in str(path):
        raise Invalid("--output: a file name cannot contain a NUL character")
    return path


def _cleanup(tmp: Optional[Path]) -> None:
    if tmp is None:
        return
    try:
        tmp.unlink(missing_ok=True)
    except OSError:
        pass


def _cannot_write(path: Path, err: OSError):
    from orders_cli.core.text import shown
    from orders_cli.errors import Invalid

    return Invalid(f"cannot write {shown(path)}: {err.strerror or err}")


def _one(kind: str, ref: str, output: Optional[Path]) -> Path:
    from orders_cli import billing, config, fulfilment, sales, store

    with store.transaction(write=False) as s:
        if kind == "order":
            doc = sales.show(s, sales.ORDER, ref)
        elif kind == "quote":
            doc = sales.show(s, sales.QUOTE, ref)
        elif kind == "invoice":
            doc = billing.show_invoice(s, ref)
        elif kind == "purchase":
            doc = fulfilment.show_purchase(s, ref)
        else:
            doc = fulfilment.show_delivery(s, ref)
    return _write(kind, doc, output, config.current())


def order_pdf(order: Annotated[str, typer.Argument(help="Order number or id")], output: Output = None) -> None:
    """Write an order as a PDF: company, addresses, lines, tax breakdown, totals.

    Example: orders order pdf SO-00001 -o SO-00001.pdf
    """
    _one("order", order, output)


def quote_pdf(quote: Annotated[str, typer.Argument(help="Quote number or id")], output: Output = None) -> None:
    """Write a quote as a PDF.

    Example: orders quote pdf QT-00001
    """
    _one("quote", quote, output)


def invoice_pdf(
    invoice: Annotated[Optional[str], typer.Argument(help="Invoice number or id (or --all)")] = None,
    all_: Annotated[bool, typer.Option("--all", help="Every invoice (with --since: from that invoice date on), one file each")] = False,
    since: Annotated[Optional[str], typer.Option("--since", help="With --all: invoice date on or after YYYY-MM-DD")] = None,
    output: Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE|DIR",
                                                   help="A file for one invoice; a folder with --all (default: current directory)")] = None,
) -> None:
    """Write an invoice as a PDF (dates, due date, payment term, period of a recurring invoice), or every invoice with --all.

    Example: orders invoice pdf INV-00001 ; orders invoice pdf --all --since 2026-01-01 -o invoices/
    """
    from orders_cli.errors import Invalid

    if all_ == bool(invoice):
        raise Invalid("name one invoice, or use --all")
    if since and not all_:
        raise Invalid("--since goes with --all")
    if not all_:
        _one("invoice", invoice, output)
        return
    from orders_cli import billing, config, store
    from orders_cli.core.text import shown

    folder = _checked(Path(output) if output else Path("."))
    try:
        if folder.exists() and not folder.is_dir():
            raise Invalid(f"--all writes one file per invoice: {shown(folder)} must be a folder")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise _cannot_write(folder, err) from None
    with store.transaction(write=False) as s:
        numbers = [row["number"] for row in billing.list_invoices(s, since=since)]
        docs = [billing.show_invoice(s, n) for n in reversed(numbers)]
    settings = config.current()
    from orders_cli.env import stderr_is_tty

    if stderr_is_tty() and docs:
        from rich.progress import Progress

        from orders_cli import output as out

        with Progress(console=out.console(stderr=True), transient=True) as bar:
            for doc in bar.track(docs, description="writing PDFs"):
                _write("invoice", doc, folder, settings, quiet=True)
        out.note(f"{len(docs)} PDF{'s' if len(docs) != 1 else ''} written to {folder}")
    else:
        for doc in docs:
            _write("invoice", doc, folder, settings)
    if not docs:
        from orders_cli import output as out

        out.note("no invoices")


def purchase_pdf(purchase: Annotated[str, typer.Argument(help="Purchase order number or id")], output: Output = None) -> None:
    """Write a purchase order as a PDF: vendor, ship-to address, lines at cost, totals.

    Example: orders purchase pdf PO-00001
    """
    _one("purchase", purchase, output)


def delivery_pdf(delivery: Annotated[str, typer.Argument(help="Delivery note number or id")], output: Output = None) -> None:
    """Write a delivery note as a PDF: customer, ship-to address, lines and quantities.

    Example: orders delivery pdf DN-00001 -o note.pdf
    """
    _one("delivery", delivery, output)
