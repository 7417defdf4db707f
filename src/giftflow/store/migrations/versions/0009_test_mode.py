"""Test mode and holds: the test clock, payee destinations, each gift's maturity time
(``gifts.matures_at``, fixed at booking), failed payment attempts, and each
payout's payee destination.

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-05
"""

from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from giftflow.store.test_mode_tables import (
    TEST_MODE_TABLES,
    gift_columns,
    payment_columns,
    payout_columns,
    test_clock,
)

revision = "0009"
down_revision = "0008"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in TEST_MODE_TABLES:
        table.create(bind)
    op.bulk_insert(test_clock, [{"id": 1, "offset_ns": 0, "updated_at": 0}])
    with op.batch_alter_table("gifts") as gifts:
        for column in gift_columns():
            gifts.add_column(column)
    with op.batch_alter_table("payments") as payments:
        for column in payment_columns():
            payments.add_column(column)
    with op.batch_alter_table("payouts") as payouts:
        for column in payout_columns():
            payouts.add_column(column)
    # Unmatured gifts by creator and maturity, in place of 0002's by time sent.
    op.drop_index("gifts_unmatured", "gifts")
    _unmatured_index("gifts_maturing", ["creator_id", "matures_at"])


def _unmatured_index(name: str, columns: list[str]) -> None:
    op.create_index(
        name,
        "gifts",
        columns,
        sqlite_where=sa.text("matured_at = 0"),
        postgresql_where=sa.text("matured_at = 0"),
    )


def downgrade() -> None:
    op.drop_index("gifts_maturing", "gifts")
    _unmatured_index("gifts_unmatured", ["sent_at"])
    with op.batch_alter_table("payouts") as payouts:
        for column in reversed(payout_columns()):
            payouts.drop_column(column.name)
    with op.batch_alter_table("payments") as payments:
        for column in reversed(payment_columns()):
            payments.drop_column(column.name)
    with op.batch_alter_table("gifts") as gifts:
        for column in gift_columns():
            gifts.drop_column(column.name)
    bind = op.get_bind()
    for table in reversed(TEST_MODE_TABLES):
        table.drop(bind)
