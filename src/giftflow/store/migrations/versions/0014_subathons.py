"""Subathon timers and gift rules: timers, their controls and counted gifts, rules and
their firings.

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from giftflow.store.subathon_tables import SUBATHON_TABLES

revision = "0014"
down_revision = "0013"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in SUBATHON_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(SUBATHON_TABLES):
        table.drop(bind)
