"""The words and numbers of a PDF that depend on the document and its language (issue 15):
numbers and dates as the language writes them, the mark of a document that no longer counts,
the footer's lines, and the payment terms of an invoice. Pure functions of the document's data,
its labels and its seller identity: ``pdf.py`` only draws them."""

from __future__ import annotations

import re


class Fmt:
    """Numbers and dates as the document's language writes them (Babel): ``2 490,00`` and
    ``01/12/2026`` in French, ``2,490.00`` and ``2026-12-01`` in English. Amounts keep their two
    places, quantities and prices all theirs: only the separators change."""

    def __init__(self, language: str | None):
        self.locale = (language or "en").replace("-", "_")
        self.french = self.locale.split("_")[0] == "fr"

    def number(self, value) -> str:
        text = "" if value is None else str(value)
        try:
            from decimal import Decimal

            d = Decimal(text)
        except Exception:
            return text
        from babel.numbers import format_decimal

        places = max(0, -d.as_tuple().exponent) if d.as_tuple().exponent < 0 else 0  # type: ignore[operator]
        pattern = "#,##0" + ("." + "0" * places if places else "")
        try:
            return format_decimal(d, format=pattern, locale=self.locale, decimal_quantization=False)
        except Exception:  # an unknown locale: the text as it is
            return text

    def day(self, value) -> str:
        text = "" if value is None else str(value)
        if not self.french or not re.fullmatch(r"\d{4}-\d{2}-\d{2}", text):
            return text
        return f"{text[8:10]}/{text[5:7]}/{text[0:4]}"


def status_mark(kind: str, doc: dict, L: dict[str, str]) -> str:
    """What a document that no longer counts says of itself under its number: a cancelled order
    or quote, an invoice cancelled or wholly credited (with its credit notes)."""
    if kind == "invoice" and (doc.get("status") == "cancelled" or doc.get("payment_state") == "credited"):
        notes = ", ".join(str(n) for n in doc.get("credit_notes") or [])
        return L.get("credited_mark", "CREDITED") + (f" ({notes})" if notes else "") if notes else L.get("cancelled_mark", "CANCELLED")
    if kind in ("order", "quote", "purchase", "delivery") and doc.get("status") == "cancelled":
        return L.get("cancelled_mark", "CANCELLED")
    return ""


def footer_lines(text: str, per_line: int = 120) -> int:
    """How many 4 mm lines a footer text takes at 8 pt across the page (a written ``\\n`` or a
    newline breaks a line; a long line wraps), at most 8."""
    if not text:
        return 0
    return min(8, sum(max(1, -(-len(part) // per_line)) for part in text.split("\n")))


def payment_lines(doc: dict, seller: dict, L: dict[str, str], fmt: Fmt) -> list[str]:
    """An invoice's payment terms (Code de commerce L441-9): the means (with the IBAN and BIC of
    a transfer) and the early payment discount, from the seller's identity at issue."""
    means = seller.get("payment_means") or "transfer"
    text = L.get(f"means_{means}", means)
    if means == "transfer":
        bank = [f"IBAN {seller['iban']}" if seller.get("iban") else "", f"BIC {seller['bic']}" if seller.get("bic") else ""]
        text += "".join(f", {b}" for b in bank if b)
    out = [f"{L.get('payment_means', 'Payment')}: {text}"]
    early = seller.get("early_payment_discount") or "none"
    out.append(f"{L.get('early_payment', 'Early payment discount')}: {L.get('none', 'none') if early == 'none' else early}")
    return out


def late_terms_text(terms: dict, L: dict[str, str], fmt: Fmt, template: str = "") -> dict[str, str]:
    """The ``$rate`` and ``$indemnity`` of the late-payment mention: a rate that is a number
    reads "12.15 % a year" ("12,15 % par an"), a text rate ("three times the legal interest
    rate") as written; the indemnity as the language writes an amount. A template of the older
    form ("$rate % a year", a user's own labels) gets the bare number."""
    from decimal import Decimal, InvalidOperation

    rate = str(terms.get("rate") or "").strip()
    try:
        Decimal(rate)
        rate = fmt.number(rate) if "$rate %" in template else L.get("per_year", "$rate % a year").replace("$rate", fmt.number(rate))
    except (InvalidOperation, ValueError):
        pass
    return {"rate": rate, "indemnity": fmt.number(terms.get("indemnity") or "")}


def late_terms_of(doc: dict, settings) -> dict[str, str]:
    """An invoice's late-payment terms: as at issue (its seller snapshot), else this run's settings
    (an invoice issued before snapshots)."""
    from orders_cli.adapters.settings import late_terms

    snap = doc.get("seller") if isinstance(doc.get("seller"), dict) else {}
    now = late_terms(settings)
    return {"rate": snap.get("late_penalty_rate") or now["rate"], "indemnity": snap.get("recovery_indemnity") or now["indemnity"]}
