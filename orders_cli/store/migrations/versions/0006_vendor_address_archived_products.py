"""vendor addresses and archived products

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 08:00:00

Columns added (nothing rebuilt, no lock trigger: neither is part of an issued document):

- ``vendor``: ``street``, ``city``, ``postal_code``, ``state``, ``country``, the supplier's postal
  address printed on its purchase orders (``''`` for every existing vendor, as an account's
  address fields are);
- ``product``: ``archived`` (false for every existing product): an archived product is left out
  of ``product list`` and refused on new order and quote lines, and stays on the documents
  that have it.
"""
import sqlalchemy as sa
from alembic import op

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

VENDOR_ADDRESS = ("street", "city", "postal_code", "state", "country")


def upgrade() -> None:
    for col in VENDOR_ADDRESS:
        op.add_column("vendor", sa.Column(col, sa.String(), nullable=False, server_default=""))
    op.add_column("product", sa.Column("archived", sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    # plain ALTER TABLE DROP COLUMN (SQLite 3.35+), as 0004's downgrade
    op.drop_column("product", "archived")
    for col in reversed(VENDOR_ADDRESS):
        op.drop_column("vendor", col)
