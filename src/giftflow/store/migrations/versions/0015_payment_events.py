"""Payment events: each provider event applied to a payment once, by its id.

Revision ID: 0015
Revises: 0012
Create Date: 2026-12-07
"""

from __future__ import annotations

from alembic import op

from giftflow.store.payment_event_tables import PAYMENT_EVENT_TABLES

revision = "0015"
down_revision = "0012"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in PAYMENT_EVENT_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(PAYMENT_EVENT_TABLES):
        table.drop(bind)
