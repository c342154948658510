"""What the mailing use cases return (typed results; ``core.results.to_data`` writes them)."""

from __future__ import annotations

from dataclasses import dataclass, field

from orders_cli.core.results import OMIT


@dataclass
class DocumentSent:
    """``order send`` / ``quote send`` / ``invoice send``: the message, and either what was recorded (sent)
    or where it was written (``--eml``)."""

    kind: str
    number: str
    to: list[str]
    cc: list[str]
    subject: str
    message_id: str
    attachment: str
    activity: int = OMIT  # sent: the ``email`` activity logged
    status: str = OMIT  # sent invoice or quote: its status afterwards
    sent: bool = False
    eml: str = OMIT  # --eml: the file written


@dataclass
class Mailed:
    invoice: str
    to: str


@dataclass
class NotMailed:
    invoice: str
    to: str
    error: str
    uncertain: bool = False  # the message went out but the server never confirmed: it may have been delivered


@dataclass
class MailReport:
    """``recur run --send``: what the queue mailing did. ``error`` is the SMTP failure that
    stopped the batch; ``stuck`` the invoices an earlier killed run left half sent;
    ``uncertain`` those whose connection died after the message went out (may have been
    delivered; mailed again only by ``--retry-uncertain``)."""

    sent: list[Mailed] = field(default_factory=list)
    failed: list[NotMailed] = field(default_factory=list)
    pending: int = 0
    stuck: list[str] = field(default_factory=list)
    uncertain: list[str] = field(default_factory=list)
    error: str | None = None
    no_address: list[str] = field(default_factory=list)  # invoices not queued: their account has no e-mail
