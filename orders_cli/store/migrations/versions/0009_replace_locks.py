"""replace locks: INSERT OR REPLACE cannot rewrite a locked row (SQLite)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-07 16:00:00

SQLite deletes the rows a REPLACE conflicts with without firing their DELETE triggers, so
``INSERT OR REPLACE`` of an issued invoice's (or a finalized order's, a payment's, a counter's)
key rewrote it past the locks, and the summary triggers even kept ``db check`` quiet. Each
locked table gets a BEFORE INSERT guard (``store/replace_locks.py``): a row that would replace
a row its delete lock keeps is refused with that lock's message. Nothing on PostgreSQL, which
has no REPLACE (``ON CONFLICT DO UPDATE`` fires the UPDATE locks).
"""
from alembic import op

from orders_cli.store.replace_locks import GUARDS, create

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in GUARDS:
            op.execute(create(name))


def downgrade() -> None:
    if op.get_bind().dialect.name == "sqlite":
        for name in GUARDS:
            op.execute(f"DROP TRIGGER IF EXISTS {name}")
