"""The ledger: accounts, transfers, pending transfers and the ledger clock.

Revision ID: 0001
Revises:
Create Date: 2026-11-25
"""

from __future__ import annotations

from alembic import op

from giftflow.store.schema import (
    POSTGRES_APPEND_ONLY,
    POSTGRES_SAME_UNIT,
    SQLITE_APPEND_ONLY,
    accounts,
    ledger_state,
    pending_transfers,
    transfers,
)

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

_TABLES = (accounts, transfers, pending_transfers, ledger_state)


def upgrade() -> None:
    bind = op.get_bind()
    for table in _TABLES:
        table.create(bind)
    op.execute("INSERT INTO ledger_state (id, last_timestamp) VALUES (1, 0)")
    statements: tuple[str, ...]
    if bind.dialect.name == "postgresql":
        statements = POSTGRES_SAME_UNIT + POSTGRES_APPEND_ONLY
    else:
        statements = SQLITE_APPEND_ONLY
    for statement in statements:
        op.execute(statement)


def downgrade() -> None:
    bind = op.get_bind()
    for table in reversed(_TABLES):
        table.drop(bind)
    if bind.dialect.name == "postgresql":
        op.execute("DROP FUNCTION transfers_same_unit()")
        op.execute("DROP FUNCTION giftflow_refuse_change()")
