"""What is owed, as pure rules: the payment state of an invoice and the chronology of a series.

- **Balance** of an invoice = its total - its credit notes' totals - the payments received
  for it (a removed payment does not count). Of a credit note: its total - the refunds paid.
- **Payment state** (derived, never typed): ``credited`` when the credit notes cover the whole
  total; ``paid`` when nothing is left to pay; ``partially_paid`` when something was paid;
  ``unpaid`` otherwise; ``overdue`` instead of the last two once the due date has passed with a
  balance. An invoice cancelled before credit notes existed (status ``cancelled``, no credit
  note) is ``cancelled`` with a balance of 0.00.
- **Chronology** (CGI art. 242 nonies A): in each numbered series a document is never dated
  before the latest one already issued, and never after today unless asked explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from .errors import Invalid

ZERO = Decimal("0.00")
PAYMENT_STATES = ("unpaid", "partially_paid", "paid", "credited", "overdue", "cancelled")


@dataclass(frozen=True)
class Standing:
    """An invoice's total, what credit notes and payments took off it, and what is left."""

    total: Decimal
    credited: Decimal
    paid: Decimal
    balance: Decimal
    state: str


def standing(total: Decimal, credited: Decimal, paid: Decimal, due: date | None, as_of: date, status: str = "",
             has_credit_notes: bool | None = None) -> Standing:
    """The balance and payment state of one invoice on ``as_of``."""
    if status == "cancelled" and not (has_credit_notes if has_credit_notes is not None else credited > 0):
        return Standing(total, credited, paid, ZERO, "cancelled")
    balance = total - credited - paid
    if total > 0 and credited >= total:
        state = "credited"
    elif balance <= 0:
        state = "paid"
    elif due is not None and due < as_of:
        state = "overdue"
    elif paid > 0:
        state = "partially_paid"
    else:
        state = "unpaid"
    return Standing(total, credited, paid, balance, state)


def check_date(day: date, latest: date | None, today: date, allow_future: bool, series: str, option: str = "--date",
               latest_number: str | None = None) -> date:
    """Refuse ``day`` for a new document of ``series`` if it breaks the chronology."""
    if latest is not None and day < latest:
        which = f" ({latest_number})" if latest_number else ""
        raise Invalid(
            f"{option} {day.isoformat()} is before the latest {series} already issued{which}, dated {latest.isoformat()}: "
            f"{series}s are numbered in date order; use {latest.isoformat()} or later"
        )
    if day > today and not allow_future:
        raise Invalid(f"{option} {day.isoformat()} is after today ({today.isoformat()}); add --allow-future to date it ahead")
    return day
