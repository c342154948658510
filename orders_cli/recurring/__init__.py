"""Recurring billing: a recurrence on an order (settings.py), its periods (periods.py), the
``recur run`` that bills each due period once in its own transaction (run.py), the dashboard
and ``recur show`` (views.py), usage records (usage.py); results in results.py."""
