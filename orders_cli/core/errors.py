"""The domain error hierarchy. Raised anywhere, turned into exit codes in app.py only.

It lives in core/ so the pure rules can raise it without importing anything outside
core; ``orders_cli.errors`` re-exports it for the rest of the package.
"""

from __future__ import annotations


class OrdersError(Exception):
    """A refusal: the command stops, nothing is written, exit 1."""

    code = "invalid"
    exit_code = 1

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
