"""orders einvoice: check e-invoices (CII, UBL, Factur-X PDF) against the official rules, offline."""

import re
import sys
from pathlib import Path
from typing import Annotated

import typer

from orders_cli.cli.common import Json, group
from orders_cli.core.errors import ExitStatus

app = group("einvoice", "E-invoices: check a CII, UBL or Factur-X PDF against EN 16931, Factur-X and the French rules.")


def _unreadable(message: str) -> typer.BadParameter:
    """A FILE that cannot be read is a usage error (exit 2, click's ``Error:`` line), as click's own
    ``exists=True`` check would say: exit 1 stays "checked, and a fatal rule failed"."""
    return typer.BadParameter(message, param_hint="FILE")


def _read(file: str) -> bytes:
    from orders_cli.core.text import shown

    if file == "-":
        stream = getattr(sys.stdin, "buffer", None)
        return stream.read() if stream is not None else sys.stdin.read().encode("utf-8")
    if "\x00" in file:
        raise _unreadable("a file name cannot contain a NUL character")
    try:
        return Path(file).read_bytes()
    except OSError as exc:
        raise _unreadable(f"cannot read {shown(file) if file else repr(file)}: {exc.strerror or exc}") from None
    except ValueError as exc:  # a name the OS cannot take (a lone surrogate, too long a path)
        raise _unreadable(f"cannot read {shown(file)}: {exc}") from None


@app.command("check")
def einvoice_check(
    files: Annotated[list[str], typer.Argument(help="XML files (CII, UBL Invoice / CreditNote) or Factur-X PDFs; - reads stdin", metavar="FILE")],
    fr: Annotated[bool, typer.Option("--fr", help="Also check the French CTC rules (BR-FR-*, e-invoicing reform 2026)")] = False,
    json_: Json = False,
) -> ExitStatus:
    """Check e-invoices against the official rules, offline: the XML syntax, the XSD, the EN 16931
    business rules (BR-*, BR-CO-*, ...), the Factur-X profile rules and, with --fr, the French
    CTC rules. A Factur-X PDF is checked through its embedded factur-x.xml.

    Prints each file's verdict and every failed rule with its id, location and message.
    Exits 1 when any file fails a fatal rule, 0 when all pass (warnings allowed), 2 when a
    file cannot be read (a usage error: nothing was checked).

    Example: orders einvoice check INV-00001.pdf invoice.xml --fr

    Example: orders einvoice check credit.xml --json
    """
    from orders_cli.adapters import einvoice_check

    items = [("stdin" if file == "-" else file, _read(file)) for file in files]  # every file read before any is checked
    reports = einvoice_check.check(items, fr=fr)
    if json_:
        from orders_cli.cli import output

        output.write(output.dumps([r.to_json() for r in reports]) + "\n")
    else:
        for report in reports:
            _print(report)
        if len(reports) > 1:
            bad = sum(r.fatal for r in reports)
            print(f"{len(reports)} files: {len(reports) - bad} valid, {bad} invalid")
    return ExitStatus.REFUSED if any(r.fatal for r in reports) else ExitStatus.OK


def _message(failure) -> str:
    """The rule's message without the ``[BR-CO-10]-`` that repeats its id."""
    return re.sub(r"^\[" + re.escape(failure.rule_id) + r"\]\s*[-:]?\s*", "", failure.message)


def _print(report) -> None:
    from orders_cli.core.text import terminal  # file content is shown, never obeyed (no markup, no escapes)

    fatal = sum(f.flag == "fatal" for f in report.failures)
    warnings = len(report.failures) - fatal
    kind = report.syntax + (f", profile {report.profile}" if report.profile else "")
    verdict = f"INVALID: {fatal} fatal" if fatal else "valid"
    if warnings:
        verdict += f", {warnings} warning{'s' if warnings > 1 else ''}" if fatal else f" ({warnings} warning{'s' if warnings > 1 else ''})"
    print(terminal(f"{report.name}: {verdict} ({kind})"))
    for f in sorted(report.failures, key=lambda f: f.flag != "fatal"):
        print(terminal(f"  {f.flag:<7} {f.layer:<7} {f.rule_id}  at {f.location or '/'}"))
        print(terminal(f"          {_message(f)}"))
