"""Revocable credentials: staff users, revoked tokens, users' token cut-offs, room token
generations, dashboard sign-in links; the reconcile runs the admin page shows; an index
for the sweep of old idempotency records.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-04
"""

from __future__ import annotations

from alembic import op

from giftflow.store.credential_tables import CREDENTIAL_TABLES

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    bind = op.get_bind()
    for table in CREDENTIAL_TABLES:
        table.create(bind)
    op.create_index("idempotency_keys_created_at", "idempotency_keys", ["created_at"])


def downgrade() -> None:
    op.drop_index("idempotency_keys_created_at", "idempotency_keys")
    bind = op.get_bind()
    for table in reversed(CREDENTIAL_TABLES):
        table.drop(bind)
