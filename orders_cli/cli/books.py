"""orders export fec | journal: the books (invoices, credit notes, payments as balanced entries)
for the accountant: the French FEC, or a journal for hledger, beancount or a spreadsheet.

Written as read (constant memory): into a temp file beside the target, moved into place when
complete (nothing is left behind on a refusal), or on stdout with ``-o -``."""

from typing import Annotated, Optional

import typer

from orders_cli.cli.common import group

app = group("export", "The books for your accountant: the French FEC, hledger, beancount or CSV journals.")

Output = Annotated[Optional[str], typer.Option("--output", "-o", metavar="FILE|DIR|-",
                                               help="A file, a folder (the default name inside) or - for stdout")]
Year = Annotated[Optional[str], typer.Option("--year", metavar="YYYY", help="A calendar year, e.g. 2026")]
Period = Annotated[Optional[str], typer.Option("--period", metavar="P", help="A month (2026-11), a quarter (2026-Q4) or a year (2026)")]
Since = Annotated[Optional[str], typer.Option("--since", metavar="YYYY-MM-DD", help="Entries dated on or after this day")]
Until = Annotated[Optional[str], typer.Option("--until", metavar="YYYY-MM-DD", help="Entries dated on or before this day")]
FORMATS = ("hledger", "beancount", "csv")
SUFFIX = {"hledger": "journal", "beancount": "beancount", "csv": "csv"}


def _write(lines, output: str | None, default_name: str, encoding: str) -> None:
    """Stream ``lines`` to stdout (``-``) or to a file (whole or not at all)."""
    import os
    import sys

    from orders_cli.cli import output as out
    from orders_cli.core.errors import Invalid
    from orders_cli.core.text import shown

    if output == "-":
        stream = getattr(sys.stdout, "buffer", None)
        for line in lines:
            if stream is not None:
                stream.write(line.encode(encoding))
            else:  # a text stream (a test's redirect)
                sys.stdout.write(line)
        if stream is not None:
            stream.flush()
        return
    path = out.checked_path(output or default_name)
    if path.is_dir() or (output or "").endswith(("/", os.sep)):
        path = path / default_name
    tmp = path.with_name(f".{path.name}.tmp")
    from orders_cli.cli import progress as bars

    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        with open(tmp, "w", encoding=encoding, newline="") as fh, bars.bar("writing lines", show=bars.wanted()) as update:
            n = 0
            for n, line in enumerate(lines, start=1):  # on a terminal: a bar counts the lines (the total is not known ahead)
                fh.write(line)
                if n % 1000 == 0:
                    update(n)
            update(n)
        os.replace(tmp, path)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise Invalid(f"cannot write {shown(path)}: {exc.strerror or exc}") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    out.note(str(path))


def _span(year, period, since, until):
    from orders_cli.core.spans import span_of

    return span_of(period, since, until, year)


def _run(span, write) -> None:
    """Open a read transaction and hand the entries of ``span`` to ``write(entries, chart)``."""
    from orders_cli import store
    from orders_cli.adapters import settings as config
    from orders_cli.reporting import books

    chart = books.chart_of(config.current())
    with store.transaction(write=False) as s:
        write(books.entries(s, span, chart), chart)


@app.command("fec")
def fec(
    year: Year = None,
    period: Period = None,
    since: Since = None,
    until: Until = None,
    output: Output = None,
    encoding: Annotated[str, typer.Option("--encoding", metavar="utf-8|iso-8859-15",
                                          help="Character set of the file: both are allowed (A47 A-1 XII 1°); default utf-8")] = "utf-8",
) -> None:
    """Write the French FEC of a span: the Fichier des Écritures Comptables of LPF A47 A-1.

    One balanced entry per invoice and credit note (journal VT) and per payment or refund
    (journal BQ), numbered from 1 in date order, 18 tab-separated fields, dates YYYYMMDD,
    comma decimals; customer postings lettered when the invoice is settled by the span's end.
    Default file: SIRENFECYYYYMMDD.txt (company.siren, the span's last day) in the current folder.

    Example: orders export fec --year 2026 ; orders export fec --period 2026-Q4 -o books/
    """
    from orders_cli.adapters import journal
    from orders_cli.adapters import settings as config
    from orders_cli.core.errors import Invalid

    name = (encoding or "").strip().lower().replace("_", "-")
    if name not in ("iso-8859-15", "latin-9", "latin9", "utf-8", "utf8"):
        raise Invalid(f"--encoding is iso-8859-15 or utf-8, not {encoding!r}")
    utf8 = name.startswith("utf")
    span = _span(year, period, since, until)
    default = "FEC.txt"
    if output is None or (output != "-" and _is_dir(output)):  # the default name is needed
        siren = config.current().get("company.siren")
        if not siren:
            raise Invalid("the FEC's file name starts with your SIREN: set it with "
                          "`orders config set company.siren 123456789`, or give a file name with -o FILE (or -o - for stdout)")
        if span.until is None:
            raise Invalid("the FEC's file name carries the last day of the span: give --year, --period or --until, or -o FILE")
        default = f"{siren}FEC{span.until.strftime('%Y%m%d')}.txt"

    def write(entries, chart):
        _write(journal.fec_lines(entries, chart, latin9=not utf8), output, default, "utf-8" if utf8 else "iso-8859-15")

    _run(span, write)


def _is_dir(output: str) -> bool:
    from pathlib import Path

    return output.endswith(("/", "\\")) or Path(output).is_dir()


@app.command("journal")
def journal_(
    fmt: Annotated[str, typer.Option("--format", "-f", metavar="hledger|beancount|csv", help="The journal's format")] = "hledger",
    year: Year = None,
    period: Period = None,
    since: Since = None,
    until: Until = None,
    output: Output = None,
) -> None:
    """Write the books of a span as a plain-text accounting journal (hledger, beancount) or CSV.

    The entries of `orders export fec`: accounts are the PCG numbers, a customer's under the
    collective one (hledger 411000:C00012, beancount Assets:411000:C00012); CSV has one row per
    posting. Default: stdout; -o FILE or DIR (books.journal, books.beancount, books.csv).

    Example: orders export journal --format hledger --year 2026 -o books.journal && hledger -f books.journal balance
    """
    from orders_cli.adapters import journal
    from orders_cli.core.errors import Invalid

    name = (fmt or "").strip().lower()
    if name not in FORMATS:
        raise Invalid(f"--format is hledger, beancount or csv, not {fmt!r}")
    span = _span(year, period, since, until)
    title = f"orders export journal: the books of {span.label()}"

    def write(entries, chart):
        if name == "csv":
            lines = journal.csv_lines(entries, chart)
        else:
            lines = journal.WRITERS[name](entries, chart, title)
        _write(lines, output or "-", f"books.{SUFFIX[name]}", "utf-8")

    _run(span, write)
