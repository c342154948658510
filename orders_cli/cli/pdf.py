"""orders order|quote|invoice|purchase|delivery pdf: a document as a PDF file.

Plain functions, mounted as ``pdf`` sub-commands of each document group in app.py.
"""

from pathlib import Path
from typing import Annotated, Optional

import typer

Output = Annotated[Optional[Path], typer.Option("--output", "-o", metavar="FILE", help="Write here (default: <NUMBER>.pdf in the current directory)")]


Plain = Annotated[bool, typer.Option("--plain", help="A plain PDF, not a Factur-X e-invoice (default: the invoice.format setting)")]


def _write(kind: str, doc: dict, output: Optional[Path], settings, quiet: bool = False, plain: bool = False,
           data: Optional[bytes] = None) -> Path:
    from orders_cli.adapters import invoice_file, pdf
    from orders_cli.cli import output as out

    target = out.checked_path(output or pdf.default_filename(doc))  # refuse a bad name before drawing
    if data is None:  # (--all draws them beforehand, pdf_pool.py)
        data = invoice_file.render(kind, doc, settings, plain)  # a Factur-X that cannot be valid is refused here, before any file
    path = out.write_file(target, data, default_name=pdf.default_filename(doc))
    if not quiet:
        out.note(str(path))
    return path


def _one(kind: str, ref: str, output: Optional[Path], plain: bool = False) -> Path:
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.cli.common import context
    from orders_cli.core.results import to_data
    from orders_cli.fulfilment import notes as fulfilment
    from orders_cli.invoicing import invoices as billing
    from orders_cli.sales import views as sales
    from orders_cli.store.documents import ORDER, QUOTE

    with store.transaction(write=False) as s:
        if kind == "order":
            doc = to_data(sales.show(s, ORDER, ref, context().today))
        elif kind == "quote":
            doc = to_data(sales.show(s, QUOTE, ref, context().today))
        elif kind == "invoice":
            doc = to_data(billing.show_invoice(s, ref))
        elif kind == "purchase":
            doc = to_data(fulfilment.show_purchase(s, ref))
        elif kind == "credit":
            from orders_cli.invoicing import credit_views

            doc = to_data(credit_views.show_credit(s, ref))
        else:
            doc = to_data(fulfilment.show_delivery(s, ref))
    return _write(kind, doc, output, config.current(), plain=plain)


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
    plain: Plain = False,
) -> None:
    """Write an invoice as a PDF (dates, due date, payment term, period of a recurring invoice), or every invoice with --all.

    By default a Factur-X e-invoice: a PDF/A-3 carrying its EN 16931 XML (CII), refused when
    the invoice lacks what EN 16931 requires (the error names what to set); --plain for a plain PDF.

    Example: orders invoice pdf INV-00001 ; orders invoice pdf --all --since 2026-01-01 -o invoices/
    """
    from orders_cli.cli.config import seller_warning
    from orders_cli.core.errors import Invalid

    if all_ == bool(invoice):
        raise Invalid("name one invoice, or use --all")
    if since and not all_:
        raise Invalid("--since goes with --all")
    if not all_:
        _one("invoice", invoice, output, plain)
        _warn(seller_warning())
        return
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.cli import output as out
    from orders_cli.core.results import to_data
    from orders_cli.core.text import shown
    from orders_cli.invoicing import invoices as billing

    folder = out.checked_path(output or ".")
    try:
        if folder.exists() and not folder.is_dir():
            raise Invalid(f"--all writes one file per invoice: {shown(folder)} must be a folder")
        folder.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise Invalid(f"cannot write {shown(folder)}: {err.strerror or err}") from None
    with store.transaction(write=False) as s:
        numbers = [row.number for row in billing.list_invoices(s, since=since)]
        docs = [to_data(billing.show_invoice(s, n)) for n in reversed(numbers)]
    settings = config.current()
    from orders_cli.adapters import invoice_file, pdf_pool
    from orders_cli.cli import progress as bars

    xmls = None
    if invoice_file.wants_facturx("invoice", settings, plain):
        # every invoice can be a valid Factur-X, or no file is written at all
        xmls = [invoice_file.facturx_xml("invoice", doc, settings) for doc in docs]

    with pdf_pool.rendered("invoice", docs, settings, plain, xmls) as pdfs:  # drawn by one worker per CPU, in order
        if bars.wanted() and docs:  # a terminal: a bar counts the PDFs (43/210, rate, time left), then one line
            for doc, data in bars.track(zip(docs, pdfs), "writing PDFs", total=len(docs)):
                _write("invoice", doc, folder, settings, quiet=True, plain=plain, data=data)
            out.note(f"{len(docs)} PDF{'s' if len(docs) != 1 else ''} written to {folder}")
        else:
            for doc, data in zip(docs, pdfs):
                _write("invoice", doc, folder, settings, plain=plain, data=data)
    if not docs:
        out.note("no invoices")
    else:
        _warn(seller_warning())


def _warn(line: str | None) -> None:
    from orders_cli.cli import output as out

    if line:
        out.note(line)


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


def credit_pdf(credit: Annotated[str, typer.Argument(help="Credit note number or id")], output: Output = None, plain: Plain = False) -> None:
    """Write a credit note as a PDF ("Credit note" / "Avoir"), citing its invoice.

    By default a Factur-X e-invoice (PDF/A-3 with its EN 16931 XML), like invoice pdf; --plain for a plain PDF.

    Example: orders credit pdf CN-00001 -o CN-00001.pdf
    """
    _one("credit", credit, output, plain)
