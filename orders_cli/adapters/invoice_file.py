"""The file an invoice or a credit note is handed over as (issue 16): a Factur-X PDF by default
(PDF/A-3B with its CII XML embedded, ``invoice.format = facturx``), or today's plain PDF
(``invoice.format = plain``, or ``--plain``). Every other document is a plain PDF.

A Factur-X file is made only when the invoice holds what EN 16931 requires: otherwise
``Invalid`` names what to set (the seller's SIREN, the customer's VAT number, ...) and how to
write a plain PDF instead, before anything is written."""

from __future__ import annotations

from orders_cli.core.errors import Invalid

E_INVOICE_KINDS = ("invoice", "credit")
PLAIN_HINT = "or write a plain PDF: --plain, or orders config set invoice.format plain"


def wants_facturx(kind: str, settings, plain: bool = False) -> bool:
    return kind in E_INVOICE_KINDS and not plain and str(settings.get("invoice.format") or "facturx") == "facturx"


def facturx_xml(kind: str, doc: dict, settings) -> bytes:
    """The CII XML a Factur-X file of this invoice embeds; ``Invalid`` when it cannot be valid."""
    from orders_cli.adapters import cii

    try:
        return cii.render(kind, doc, settings)
    except Invalid as exc:
        raise Invalid(f"{exc.message} ({PLAIN_HINT})") from None


def render(kind: str, doc: dict, settings, plain: bool = False) -> bytes:
    """The PDF of a document: Factur-X for an invoice or credit note unless plain is asked for."""
    from orders_cli.adapters import pdf

    if wants_facturx(kind, settings, plain):
        return pdf.render(kind, doc, settings, facturx_xml=facturx_xml(kind, doc, settings))
    return pdf.render(kind, doc, settings)


def render_or_plain(kind: str, doc: dict, settings) -> bytes:
    """For a reader who only looks (the portal): Factur-X when the invoice can be one, else plain."""
    try:
        return render(kind, doc, settings)
    except Invalid:
        return render(kind, doc, settings, plain=True)
