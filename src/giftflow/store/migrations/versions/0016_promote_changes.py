"""Promote's change counter: each process reads only the promotions and impressions
that changed since its last read of the candidates (decisions/0123).

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-08
"""

from __future__ import annotations

from alembic import op

from giftflow.store.promote_change_tables import (
    INDEXES,
    PROMOTE_CHANGE_TABLES,
    impression_columns,
    promote_changes,
    promotion_columns,
)

revision = "0016"
down_revision = "0015"
branch_labels = None
depends_on = None


def upgrade() -> None:
    for column in promotion_columns():
        op.add_column("promotions", column)
    for column in impression_columns():
        op.add_column("promotion_impressions", column)
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)
    bind = op.get_bind()
    for changes in PROMOTE_CHANGE_TABLES:
        changes.create(bind)
    op.bulk_insert(promote_changes, [{"id": 1, "seq": 0}])


def downgrade() -> None:
    bind = op.get_bind()
    for changes in reversed(PROMOTE_CHANGE_TABLES):
        changes.drop(bind)
    for name, table, _columns in reversed(INDEXES):
        op.drop_index(name, table_name=table)
    with op.batch_alter_table("promotion_impressions") as batch:
        for column in impression_columns():
            batch.drop_column(column.name)
    with op.batch_alter_table("promotions") as batch:
        for column in promotion_columns():
            batch.drop_column(column.name)
