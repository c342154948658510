"""The words the product writes into documents it makes itself (deposit, deduction and credit
lines), in the document's language: English, and French for "fr"."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from orders_cli.core.money import plain


def _fr(language: str | None) -> bool:
    return (language or "").lower().split("-")[0].split("_")[0] == "fr"


def deposit(language: str | None, percent: Decimal | None, order: str) -> str:
    if _fr(language):
        return f"Acompte de {plain(percent).replace('.', ',')} % sur la commande {order}" if percent is not None else f"Acompte sur la commande {order}"
    return f"Deposit {plain(percent)} % on order {order}" if percent is not None else f"Deposit on order {order}"


def deduction(language: str | None, number: str, day: date) -> str:
    if _fr(language):
        return f"Déduction de l'acompte {number} du {day.strftime('%d/%m/%Y')}"
    return f"Less deposit {number} of {day.isoformat()}"


def reduction(language: str | None, number: str) -> str:
    if _fr(language):
        return f"Réduction de prix sur la facture {number}"
    return f"Price reduction on invoice {number}"


def reduction_back(language: str | None, number: str) -> str:
    if _fr(language):
        return f"Moins la réduction de prix déjà accordée ({number})"
    return f"Less the price reduction already credited ({number})"
