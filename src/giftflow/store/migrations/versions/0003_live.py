"""LIVE: sessions, viewers, chapters, interactions, goals, battles with their sides and
supporters' points, supporter totals per session and per creator, perks.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from giftflow.store.live_tables import LIVE_TABLES

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in LIVE_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(LIVE_TABLES):
        table.drop(bind)
