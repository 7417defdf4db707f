"""Battle invitations: a battle starts once every invited side accepted.

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-28
"""

from __future__ import annotations

from alembic import op

from giftflow.store.live_tables import INVITATION_TABLES

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in INVITATION_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(INVITATION_TABLES):
        table.drop(bind)
