"""Perks that deliver and digital products: files, delivering perks, products, their
files, purchases, the priority Q&A queue.

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from giftflow.store.products_tables import PRODUCT_TABLES

revision = "0012"
down_revision = "0011"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in PRODUCT_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(PRODUCT_TABLES):
        table.drop(bind)
