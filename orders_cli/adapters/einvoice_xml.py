"""What the CII and UBL writers share: the seller settings an e-invoice falls back on, the model
built and checked (refused with every missing item), number formatting."""

from __future__ import annotations

from decimal import Decimal

from orders_cli.core.einvoice import build, missing
from orders_cli.core.einvoice_model import EInvoice
from orders_cli.core.errors import Invalid

CENT = Decimal("0.01")
FALLBACK_KEYS = (
    "company.name", "company.address", "company.email", "company.legal_form", "company.capital", "company.siren",
    "company.siret", "company.rcs", "company.vat_id", "company.electronic_address", "company.country",
    "company.iban", "company.bic", "invoice.payment_means", "invoice.late_penalty_rate",
    "invoice.recovery_indemnity", "invoice.early_payment_discount", "charges.tax", "currency",
)


class XmlWriter:
    """The elements both writers make: ``el(parent, "prefix:Name", text)`` in the namespace the
    writer's map gives the prefix (lxml imported when a document is written, not before)."""

    def __init__(self, nsmap: dict[str, str]):
        from lxml import etree

        self.etree = etree
        self.nsmap = nsmap

    def el(self, parent, tag: str, text: str | None = None, **attrs):
        ns, _, name = tag.partition(":")
        node = self.etree.SubElement(parent, f"{{{self.nsmap[ns]}}}{name}", **attrs)
        if text is not None:
            node.text = text
        return node


def seller_fallback(settings) -> dict:
    """The company.* / invoice.* settings as a plain dict (what a document issued before seller
    snapshots, or a null field of one, falls back on)."""
    out = {}
    for key in FALLBACK_KEYS:
        try:
            value = settings.get(key) if settings is not None else None
        except Exception:  # an unknown key or a settings stand-in without it
            value = None
        out[key] = value if value not in ("", None) else None
    return out


def model(kind: str, doc: dict, settings) -> EInvoice:
    """The document's EN 16931 model; Invalid naming every missing item (nothing written)."""
    if kind not in ("invoice", "credit"):
        raise Invalid(f"an e-invoice is an invoice or a credit note, not a {kind}")
    einv = build(kind, doc, seller_fallback(settings))
    gaps = missing(einv)
    if gaps:
        raise Invalid(f"{einv.number} cannot be an EN 16931 e-invoice: " + "; ".join(gaps))
    return einv


def amount(value: Decimal) -> str:
    """An amount: exactly two decimals."""
    q = Decimal(value).quantize(CENT)
    return str(q + 0 if q else Decimal("0.00"))


def number(value: Decimal) -> str:
    """A quantity or a rate, as short as exact: 3, 5.5, -1."""
    d = Decimal(value)
    if d == d.to_integral_value():
        return str(int(d))
    return format(d.normalize(), "f")


def price(text: str, value: Decimal) -> str:
    """A price as written in the document (at least its digits), else as short as exact."""
    try:
        if Decimal(text) == value:
            return text
    except Exception:
        pass
    return number(value)


def default_filename(doc: dict) -> str:
    """``<NUMBER>.xml``, with anything unsafe in a file name replaced."""
    text = str(doc.get("number") or doc.get("id") or "document")
    safe = "".join(c if c.isalnum() or c in "-_." else "_" for c in text).strip(".") or "document"
    return f"{safe}.xml"
