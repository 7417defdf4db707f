"""Milestone posts: channels, their rules, the posts, the rules' version; the body
format and the owning creator of a webhook endpoint.

Revision ID: 0013
Revises: 0010
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from giftflow.store.milestone_tables import MILESTONE_TABLES, endpoint_columns, milestone_state

revision = "0013"
down_revision = "0010"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in endpoint_columns():
        op.add_column("webhook_endpoints", column)
    bind = op.get_bind()
    for table in MILESTONE_TABLES:
        table.create(bind)
    op.bulk_insert(milestone_state, [{"id": 1, "version": 0}])


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(MILESTONE_TABLES):
        table.drop(bind)
    with op.batch_alter_table("webhook_endpoints") as batch:
        for column in endpoint_columns():
            batch.drop_column(column.name)
