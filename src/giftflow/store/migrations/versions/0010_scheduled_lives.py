"""Scheduled LIVEs: schedules, reminder offsets, registrations, reminders sent.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-05
"""

from __future__ import annotations

from alembic import op

from giftflow.store.schedule_tables import SCHEDULE_TABLES

revision = "0010"
down_revision = "0009"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in SCHEDULE_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(SCHEDULE_TABLES):
        table.drop(bind)
