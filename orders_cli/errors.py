"""The error hierarchy of CLI.md (re-exported from ``core.errors``) and its exit codes."""

from orders_cli.core.errors import (  # noqa: F401  (re-exported)
    Conflict,
    Invalid,
    InvalidTransition,
    Locked,
    NotFound,
    OrdersError,
    OverQuantity,
)

EXIT_OK = 0
EXIT_REFUSED = 1
EXIT_USAGE = 2
