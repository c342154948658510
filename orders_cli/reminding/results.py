"""What the reminder use cases return (typed results; ``core.results.to_data`` writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime

from orders_cli.core.money import Money
from orders_cli.core.results import OMIT, internal

# A reminder's status: recorded (without --send: handled by a person), claimed (a --send run
# is mailing it, or was killed while mailing it), sent, failed (certainly not delivered),
# uncertain (the server may have got it). A dry run's entries say what would be: planned.
STATUSES = ("recorded", "claimed", "sent", "failed", "uncertain")


@dataclass
class ReminderDue:
    """One reminder of a run: recorded, mailed (or not), or with --dry-run what would be done."""

    invoice: str
    account: str
    level: int
    due_date: date
    days_late: int
    balance: Money
    currency: str
    status: str  # planned (dry run) | recorded | sent | failed | uncertain
    to: str = OMIT  # --send: the address mailed (empty when the account has none)
    retry: bool = OMIT  # --send: a level that failed before, mailed again
    row_id: int | None = internal()
    invoice_id: int | None = internal()


@dataclass
class ReminderFailed:
    invoice: str
    error: str
    level: int = OMIT
    to: str = OMIT
    uncertain: bool = False  # the message went out but the server never confirmed: it may have been delivered


@dataclass
class Pending:
    """A reminder an earlier run left half done (``claimed``) or ``uncertain``."""

    invoice: str
    level: int


@dataclass
class RemindResult:
    """``remind run``: the reminders of the day, what failed, and (with --send) what is left:
    ``left`` reminders due but not tried because the mail server failed (the next run does
    them), ``stuck`` those an earlier killed run left claimed, ``uncertain`` those that may
    have been delivered (mailed again only with --retry-uncertain)."""

    as_of: date
    dry_run: bool
    send: bool
    levels: list[int]
    reminders: list[ReminderDue] = field(default_factory=list)
    failed: list[ReminderFailed] = field(default_factory=list)
    left: int = 0
    stuck: list[Pending] = field(default_factory=list)
    uncertain: list[Pending] = field(default_factory=list)

    @property
    def complete(self) -> bool:
        return not self.failed


@dataclass
class ReminderRow:
    """``remind list``: one reminder recorded."""

    id: int
    invoice: str
    account: str
    level: int
    reminder_date: date
    balance: Money
    currency: str
    status: str
    to: str
    at: datetime
