"""Webhooks out: endpoints, the outbox of deliveries, attempts, the subscription version.

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-02
"""

from __future__ import annotations

from alembic import op

from giftflow.store.webhook_tables import WEBHOOK_TABLES, webhook_state

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in WEBHOOK_TABLES:
        table.create(bind)
    op.bulk_insert(webhook_state, [{"id": 1, "version": 0}])


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(WEBHOOK_TABLES):
        table.drop(bind)
