"""Alembic migrations, shipped inside the package and applied on open.

``HEAD`` must name the newest revision: opening a database compares it with the
stored ``alembic_version`` in one cheap query and imports Alembic only when they
differ (a test checks HEAD against the revision files).
"""

HEAD = "0009"
