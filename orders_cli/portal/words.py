"""The portal's words: the customer's language (the account's, else the ``language``
setting, else English) with the labels the PDFs print (``templates/labels.toml``, a
``templates.dir`` copy overriding it key by key), numbers and dates as that language writes
them (``adapters.pdf_text.Fmt``), and a document's header rows, addresses, lines columns and
totals made by the very functions that draw them on the PDF (``adapters.pdf``)."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any
from urllib.parse import quote

from orders_cli.adapters import pdf, templating
from orders_cli.adapters.pdf_text import Fmt, status_mark
from orders_cli.core.money import text_of

LINK_OF = {"order_ref": ("order", "/orders/"), "credit_for": ("invoice", "/invoices/")}  # header rows that name a page of ours


@dataclass(frozen=True)
class Words:
    lang: str  # the language the labels are in (the page's lang attribute)
    L: dict[str, str]
    fmt: Fmt
    settings: Any = None

    def amount(self, value) -> str:
        """An amount, quantity or price (a typed Decimal or the text CLI.md writes) as the language writes it."""
        if value is None:
            return ""
        return self.fmt.number(text_of(value) if isinstance(value, Decimal) else str(value))

    def day(self, value) -> str:
        return "" if value is None else self.fmt.day(value)

    def state(self, state: str) -> str:
        """A payment state (``portal.states``) in words."""
        return self.L.get(f"state_{state}") or state.replace("_", " ")

    # ---- a document's page, as its PDF says it

    def meta(self, kind: str, doc: dict) -> list[tuple[str, str, str | None]]:
        """The PDF's header rows (dates, payment term, period, references), each with the
        address of the page it names, if any."""
        keys = {self.L[key]: key for key in LINK_OF}
        rows = []
        for label, value in pdf._meta_rows(kind, doc, self.L, self.fmt):
            field, base = LINK_OF.get(keys.get(label, ""), (None, None))
            rows.append((label, value, f"{base}{quote(str(doc[field]), safe='')}" if field and doc.get(field) else None))
        return rows

    def parties(self, kind: str, doc: dict) -> list[tuple[str, list[str]]]:
        return [(label, [line for line in lines if line]) for label, lines in pdf._parties(kind, doc, self.L)]

    def columns(self, kind: str) -> list[tuple[str, str, bool]]:
        """(field, heading, a number?) of the lines table: the layout's column set of the PDF."""
        look = templating.layout(self.settings, pdf.WIDTH)
        return [(field, heading, align == "RIGHT") for field, heading, _, align in pdf._columns(kind, self.L, look)]

    def cell(self, line: dict, field: str) -> str:
        return pdf._cell_text(line, field, self.fmt)

    def totals(self, kind: str, doc: dict) -> list[tuple[str, str, bool]]:
        return pdf._total_rows(kind, doc, self.L, self.fmt)

    def mark(self, kind: str, doc: dict) -> str:
        """What a document that no longer counts says of itself (the PDF's red mark)."""
        return status_mark(kind, doc, self.L)


def words(language: str | None, settings) -> Words:
    """The words for a customer whose account says ``language`` (None: the setting's)."""
    known = templating.label_languages(settings)
    lang = next((code for code in templating.language_candidates(language, settings) if code in known), "en")
    return Words(lang, templating.labels(lang, settings), Fmt(lang), settings)


def check(settings) -> None:
    """Read every language's labels and the layout once: a broken override is refused (Invalid)."""
    for lang in templating.label_languages(settings):
        templating.labels(lang, settings)
    templating.layout(settings, pdf.WIDTH)
