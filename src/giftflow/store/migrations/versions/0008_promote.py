"""Promote: campaigns, promotions and their impressions.

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from giftflow.store.promote_tables import PROMOTE_TABLES

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in PROMOTE_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(PROMOTE_TABLES):
        table.drop(bind)
