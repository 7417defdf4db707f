"""Analytics: follows (a user's first follow of a creator, in a LIVE or outside one).

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26
"""

from __future__ import annotations

from alembic import op

from giftflow.store.live_tables import ANALYTICS_TABLES

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in ANALYTICS_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(ANALYTICS_TABLES):
        table.drop(bind)
