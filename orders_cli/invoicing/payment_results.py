"""What the payment and statement use cases return: typed results, written out by
``core.results.to_data`` (field order = JSON key order)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Optional

from orders_cli.core.money import Money
from orders_cli.core.results import OMIT, Ref


@dataclass(frozen=True)
class PaymentResult:
    """One payment received for an invoice (kind ``payment``) or refunded for a credit note
    (kind ``refund``). ``removed``: taken out of every balance by ``payment remove``."""

    id: int
    date: date
    document: str  # the invoice's or credit note's number
    kind: str  # payment | refund
    account: Ref
    amount: Money
    currency: str
    method: str
    reference: Optional[str]
    removed: bool
    removed_reason: Optional[str] = OMIT  # payment list / remove: why it was removed (None when it is not)
    balance: Money = OMIT  # payment add / remove: the document's balance afterwards
    payment_state: str = OMIT  # payment add / remove of an invoice: its payment state afterwards


@dataclass(frozen=True)
class StatementLine:
    """One line of an account statement: a debit (invoice, refund) or a credit (credit note,
    payment), and the running balance after it. The opening line has neither."""

    date: date
    type: str  # opening | invoice | credit_note | payment | refund
    number: Optional[str]
    description: str
    method: Optional[str]  # a payment's or refund's method (transfer, card, ...); None otherwise
    debit: Optional[Money]
    credit: Optional[Money]
    balance: Money


@dataclass(frozen=True)
class StatementAccount:
    id: int
    name: str
    email: Optional[str]
    language: Optional[str]
    billing_address: dict[str, str]


@dataclass(frozen=True)
class Statement:
    account: StatementAccount
    since: Optional[date]
    until: Optional[date]
    opening_balance: Money
    lines: list[StatementLine]
    closing_balance: Money
    currency: str
