"""The economy: users, API keys, idempotency records, payments, gifts, streaks,
payouts and fraud decisions.

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from giftflow.store.economy_tables import ECONOMY_TABLES

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in ECONOMY_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(ECONOMY_TABLES):
        table.drop(bind)
