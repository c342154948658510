"""What the recurring use cases return: typed results, written out by ``core.results.to_data``
(field order = JSON key order, CLI.md)."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from orders_cli.core.money import Money, Price, Quantity
from orders_cli.core.pricing import Totals
from orders_cli.core.results import OMIT, internal

# ---------------------------------------------------------------- settings


@dataclass
class RecurrenceView:
    """An order's recurrence settings and its next invoice date (``order show``'s ``recurrence``)."""

    enabled: bool
    frequency: str
    start: date
    end: date | None
    due_days: int
    invoice_status: str
    subject: str | None
    language: str | None
    invoice_date: str  # start (in advance) | end (in arrears)
    last_day: bool
    catch_up: str
    usage: bool
    next_date: date | None


@dataclass
class DaySpan:
    """Days from ``start`` to ``end``, both included."""

    start: date
    end: date


@dataclass
class RecurrenceSet(RecurrenceView):
    """``recur set``: the settings, how many past periods the next run will bill, and the days
    its schedule now leaves unbilled for good (``recurring.dates.left_unbilled``)."""

    pending_periods: int = 0
    left_unbilled: list[DaySpan] = field(default_factory=list)


# ---------------------------------------------------------------- the billing run


@dataclass
class InvoiceMade:
    """One period billed (or, in a dry run, that would be: no number)."""

    number: str | None
    order: str
    subject: str
    invoice_date: date
    due_date: date
    period_start: date
    period_end: date
    status: str
    totals: Totals


@dataclass
class SkippedPeriod:
    order: str
    period_start: date
    period_end: date


@dataclass
class FailedOrder:
    """An order the run could not bill (the others were billed)."""

    order: str
    error: str


@dataclass
class RunResult:
    """``recur run``: what was billed, skipped and what failed; ``mail`` only with --send
    (``sending.results.MailReport``)."""

    as_of: date
    dry_run: bool
    invoices: list[InvoiceMade] = field(default_factory=list)
    skipped_periods: list[SkippedPeriod] = field(default_factory=list)
    failed: list[FailedOrder] = field(default_factory=list)
    mail: Any = OMIT
    no_address: list[str] = internal(dataclasses.MISSING, default_factory=list)  # with --send: invoices whose account has no e-mail

    @property
    def complete(self) -> bool:
        """Nothing failed: no order, and no mail (a mail report says so itself)."""
        return not self.failed and not getattr(self.mail, "failed", None)


# ---------------------------------------------------------------- dashboard and show


@dataclass
class DashboardRow:
    order: str
    account: str
    subject: str | None
    enabled: bool
    frequency: str
    start: date
    end: date | None
    next_date: date | None
    invoices: int
    billed: Money
    pending: int
    skipped: int
    amount: Money


@dataclass
class Dashboard:
    as_of: date
    monthly_recurring_revenue: Money
    orders: list[DashboardRow]


@dataclass
class BilledInvoice:
    number: str
    period_start: date
    period_end: date
    invoice_date: date
    status: str
    total: Money


@dataclass
class Span:
    period_start: date
    period_end: date


@dataclass
class NextPeriod:
    period_start: date
    period_end: date
    invoice_date: date
    amount: Money
    overdue: bool


@dataclass
class RecurrenceShow:
    """``recur show``: one recurring order, its invoices, skipped periods and the next dates."""

    order: str
    subject: str | None
    recurrence: RecurrenceView | None
    invoices: list[BilledInvoice]
    skipped_periods: list[Span]
    pending: int
    next: list[NextPeriod]


# ---------------------------------------------------------------- usage


@dataclass
class UsageRow:
    id: int
    order: str
    sku: str
    quantity: Quantity
    unit_price: Price | None
    date: date
    invoice: str | None


@dataclass
class UsageImport:
    imported: int
