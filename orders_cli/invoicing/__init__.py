"""Invoices from orders: the conversion (remaining, ``--line N:QTY``, ``--percent P``, planned
by ``core.planner``), show, list and status (invoices.py); results in results.py. Credit notes,
deposits, payments, balances and reminders belong here."""
