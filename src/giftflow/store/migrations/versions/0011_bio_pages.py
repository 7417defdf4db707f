"""Link-in-bio pages: settings, consent texts, links, leads, views and clicks.

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-06
"""

from __future__ import annotations

from alembic import op

from giftflow.store.bio_tables import BIO_TABLES

revision = "0011"
down_revision = "0014"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in BIO_TABLES:
        table.create(bind)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(BIO_TABLES):
        table.drop(bind)
