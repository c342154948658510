"""The identities an invoice or a credit note is issued with (issue 15; EN 16931 BG-4/BG-7):
the seller's settings and the customer's identity numbers, copied as JSON text into
``invoice.seller`` / ``invoice.buyer`` (and the credit note's) when the document is written,
so a later change of settings or account never rewrites an issued document."""

from __future__ import annotations

import json
from typing import Any

# settings key -> snapshot key
SELLER_SETTINGS = {
    "company.name": "name",
    "company.address": "address",
    "company.email": "email",
    "company.legal_form": "legal_form",
    "company.capital": "capital",
    "company.siren": "siren",
    "company.siret": "siret",
    "company.rcs": "rcs",
    "company.vat_id": "vat_id",
    "company.electronic_address": "electronic_address",
    "company.country": "country",
    "company.iban": "iban",
    "company.bic": "bic",
    "invoice.payment_means": "payment_means",
    "invoice.late_penalty_rate": "late_penalty_rate",
    "invoice.recovery_indemnity": "recovery_indemnity",
    "invoice.early_payment_discount": "early_payment_discount",
}
BUYER_FIELDS = ("vat_id", "siren", "siret", "electronic_address", "country")


def seller(settings: Any) -> str:
    """The seller snapshot (JSON text) from the settings of this run; empty settings are null."""
    from orders_cli.adapters.settings import late_terms

    snap = {name: (str(settings.get(key)) or None) for key, name in SELLER_SETTINGS.items()}
    terms = late_terms(settings) if hasattr(settings, "values") else {}
    snap.update({k: v for k, v in (("late_penalty_rate", terms.get("rate")), ("recovery_indemnity", terms.get("indemnity"))) if v})
    return json.dumps(snap, ensure_ascii=False)


def buyer(account: Any) -> str:
    """The customer snapshot (JSON text): the account's identity numbers, null when not set."""
    return json.dumps({f: getattr(account, f, None) or None for f in BUYER_FIELDS}, ensure_ascii=False)


def read(text: str | None) -> dict | None:
    """A stored snapshot as a dict; None for a document issued before snapshots existed."""
    if not text:
        return None
    value = json.loads(text)
    return value if isinstance(value, dict) else None
