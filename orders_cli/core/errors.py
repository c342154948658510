"""The one error hierarchy and the exit statuses. Raised anywhere, turned into exit codes
and ``error: ...`` lines in ``cli/app.py`` only.

It lives in core/ so the pure rules can raise it without importing anything outside core.
"""

from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """The process exit statuses (CLI.md): 0 done, 1 refused, 2 usage error."""

    OK = 0
    REFUSED = 1
    USAGE = 2
    INTERRUPTED = 130


class InvoiceCheckFailed(Exception):
    """An invoice about to be written broke a rule every invoice keeps (``core.invoicecheck``):
    a bug, not a refusal. Deliberately not an ``OrdersError``: ``cli/app.py`` reports it as an
    ``internal`` error (exit 1) and the transaction rolls back, so nothing is written."""

    def __init__(self, message: str):
        super().__init__(f"invoice check failed: {message}")


class OrdersError(Exception):
    """A refusal: the command stops, nothing is written, exit 1."""

    code = "invalid"
    exit_code = ExitStatus.REFUSED

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


class NotFound(OrdersError):
    code = "not_found"


class Invalid(OrdersError):
    code = "invalid"


class Locked(OrdersError):
    code = "locked"


class InvalidTransition(OrdersError):
    code = "invalid_transition"


class OverQuantity(OrdersError):
    code = "over_quantity"


class Conflict(OrdersError):
    code = "conflict"


class MailError(OrdersError):
    """The SMTP server could not be reached or refused the message (exit 1)."""

    code = "mail"
