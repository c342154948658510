"""orders invoice export / orders credit export: a document as an EN 16931 e-invoice XML file
(CII for Factur-X, or UBL 2.1). Plain functions, mounted as ``export`` sub-commands in app.py."""

from pathlib import Path
from typing import Annotated, Optional

import typer

FORMATS = ("cii", "ubl")

Format = Annotated[str, typer.Option("--format", "-f", metavar="cii|ubl",
                                     help="cii: UN/CEFACT CII D16B, Factur-X EN 16931 profile; ubl: UBL 2.1")]
Output = Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE|DIR|-",
                                               help="A file (default <NUMBER>.xml in the current directory), - for stdout; a folder with --all (default: the current directory)")]
All = Annotated[bool, typer.Option("--all", help="Every document (within --since/--until), one <NUMBER>.xml each in -o DIR")]
Since = Annotated[Optional[str], typer.Option("--since", help="With --all: dated on or after YYYY-MM-DD")]
Until = Annotated[Optional[str], typer.Option("--until", help="With --all: dated on or before YYYY-MM-DD")]


def _renderer(fmt: str):
    from orders_cli.core.errors import Invalid

    name = (fmt or "").strip().lower()
    if name not in FORMATS:
        raise Invalid(f"--format is cii or ubl, not {fmt!r}")
    if name == "cii":
        from orders_cli.adapters import cii as module
    else:
        from orders_cli.adapters import ubl as module
    return module.render


def _docs(kind: str, ref: str | None, all_: bool, since: str | None, until: str | None) -> list[dict]:
    from orders_cli import store
    from orders_cli.core.results import to_data
    from orders_cli.invoicing import credit_views
    from orders_cli.invoicing import invoices as billing

    with store.transaction(write=False) as s:
        if not all_:
            return [to_data(billing.show_invoice(s, ref) if kind == "invoice" else credit_views.show_credit(s, ref))]
        if kind == "invoice":
            numbers = [row.number for row in billing.list_invoices(s, since=since, until=until)]
            return [to_data(billing.show_invoice(s, n)) for n in reversed(numbers)]
        numbers = [row.number for row in credit_views.list_credits(s, since=since, until=until)]
        return [to_data(credit_views.show_credit(s, n)) for n in reversed(numbers)]


def _export(kind: str, ref: str | None, fmt: str, output: str | None, all_: bool, since: str | None, until: str | None) -> None:
    import sys

    from orders_cli.adapters import settings as config
    from orders_cli.adapters.einvoice_xml import default_filename
    from orders_cli.cli import output as out
    from orders_cli.core.errors import Invalid
    from orders_cli.core.text import shown

    what = "invoice" if kind == "invoice" else "credit note"
    if all_ == bool(ref):
        raise Invalid(f"name one {what}, or use --all")
    if (since or until) and not all_:
        raise Invalid("--since and --until go with --all")
    render = _renderer(fmt)
    if all_ and output == "-":
        raise Invalid("--all writes one file per document: give a folder with -o DIR, not -")
    target = out.checked_path(output) if output and output != "-" else None
    if all_ and target is None:
        target = Path(".")
    if all_ and target is not None and target.exists() and not target.is_dir():
        raise Invalid(f"--all writes one file per document: {shown(target)} must be a folder")
    docs = _docs(kind, ref, all_, since, until)
    settings = config.current()
    if not all_:
        data = render(kind, docs[0], settings)  # refused before anything is written
        if output == "-":
            stream = getattr(sys.stdout, "buffer", None)
            if stream is not None:
                sys.stdout.flush()
                stream.write(data)
                stream.flush()
            else:  # a text stream (a test's redirect)
                sys.stdout.write(data.decode("utf-8"))
            return
        path = out.write_file(target or Path(default_filename(docs[0])), data, default_name=default_filename(docs[0]))
        out.note(str(path))
        return
    from orders_cli.cli import progress as bars

    rendered = [(default_filename(doc), render(kind, doc, settings)) for doc in bars.track(docs, f"writing {fmt.lower()} XML", show=bars.wanted())]
    try:
        target.mkdir(parents=True, exist_ok=True)
    except OSError as err:
        raise Invalid(f"cannot write {shown(target)}: {err.strerror or err}") from None
    for name, data in rendered:
        out.write_file(target / name, data)
    if not rendered:
        out.note(f"no {what}s")
    else:
        out.note(f"{len(rendered)} XML file{'s' if len(rendered) != 1 else ''} written to {target}")


def invoice_export(
    invoice: Annotated[Optional[str], typer.Argument(help="Invoice number or id (or --all)")] = None,
    fmt: Format = "cii",
    output: Output = None,
    all_: All = False,
    since: Since = None,
    until: Until = None,
) -> None:
    """Write an invoice as an EN 16931 e-invoice (XML): CII (Factur-X EN 16931) or UBL 2.1.

    Refused, writing nothing, when EN 16931 needs data the invoice or the settings lack (each
    missing item named with the command that sets it).

    Example: orders invoice export INV-00001 --format ubl -o INV-00001.xml ; orders invoice export --all --since 2026-01-01 -o xml/
    """
    _export("invoice", invoice, fmt, output, all_, since, until)


def credit_export(
    credit: Annotated[Optional[str], typer.Argument(help="Credit note number or id (or --all)")] = None,
    fmt: Format = "cii",
    output: Output = None,
    all_: All = False,
    since: Since = None,
    until: Until = None,
) -> None:
    """Write a credit note as an EN 16931 e-invoice (XML, type 381, citing its invoice): CII or UBL 2.1.

    Example: orders credit export CN-00001 --format cii -o CN-00001.xml
    """
    _export("credit", credit, fmt, output, all_, since, until)
