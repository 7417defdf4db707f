"""The ledger's tables, as SQLAlchemy Core metadata: the one source for migrations.

The rules that protect money are constraints here, so they hold whatever process or
client writes: an amount is positive, both accounts of a transfer have the transfer's
unit (composite foreign keys), a flagged account is never overdrawn (checks on the
balance counters), a transfer id is applied once (primary key) and a pending transfer
is closed at most once (a partial unique index on ``pending_id``).
"""

from __future__ import annotations

from typing import Any

import sqlalchemy as sa

metadata = sa.MetaData()


def belongs_to(
    name: str,
    type_: sa.types.TypeEngine[Any] | type[sa.types.TypeEngine[Any]],
    parent: str,
    **options: Any,
) -> sa.Column[Any]:
    """A column that names the row this one belongs to (``parent``: ``table.column``);
    deleting that row deletes this one."""
    return sa.Column(name, type_, sa.ForeignKey(parent, ondelete="CASCADE"), **options)


NO_OVERDRAFT = "(flags & 1) = 0 OR debits_pending + debits_posted <= credits_posted"
NO_EXCESS_CREDIT = "(flags & 2) = 0 OR credits_pending + credits_posted <= debits_posted"

accounts = sa.Table(
    "accounts",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("code", sa.Integer, nullable=False),
    sa.Column("owner_id", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("flags", sa.Integer, nullable=False),
    sa.Column("debits_pending", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("debits_posted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("credits_pending", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("credits_posted", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    # The target of the same-unit foreign keys of transfers (SQLite only, see there).
    sa.UniqueConstraint("id", "unit", name="accounts_id_unit").ddl_if(dialect="sqlite"),
    sa.CheckConstraint("id > 0", name="accounts_id_positive"),
    sa.CheckConstraint("code BETWEEN 1 AND 65535", name="accounts_code_range"),
    sa.CheckConstraint("(flags & 3) <> 3", name="accounts_one_limit_flag"),
    sa.CheckConstraint(
        "debits_pending >= 0 AND debits_posted >= 0 AND credits_pending >= 0"
        " AND credits_posted >= 0",
        name="accounts_counters_non_negative",
    ),
    sa.CheckConstraint(NO_OVERDRAFT, name="accounts_no_overdraft"),
    sa.CheckConstraint(NO_EXCESS_CREDIT, name="accounts_no_excess_credit"),
    # Room on each page for a new row version: balance updates stay "HOT" (no index
    # writes), which matters for the accounts every batch touches.
    postgresql_with={"fillfactor": 70},
)

transfers = sa.Table(
    "transfers",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("debit_account_id", sa.BigInteger, nullable=False),
    sa.Column("credit_account_id", sa.BigInteger, nullable=False),
    sa.Column("amount", sa.BigInteger, nullable=False),
    sa.Column("unit", sa.String(16), nullable=False),
    sa.Column("code", sa.Integer, nullable=False),
    sa.Column("flags", sa.Integer, nullable=False),
    sa.Column("pending_id", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("timeout_s", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("user_data_1", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("user_data_2", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("user_data_3", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("timestamp", sa.BigInteger, nullable=False),
    sa.CheckConstraint("id > 0", name="transfers_id_positive"),
    sa.CheckConstraint("amount > 0", name="transfers_amount_positive"),
    sa.CheckConstraint("debit_account_id <> credit_account_id", name="transfers_two_accounts"),
    sa.CheckConstraint("code BETWEEN 1 AND 65535", name="transfers_code_range"),
    # SQLite checks these foreign keys cheaply in C; PostgreSQL runs one query per row
    # for each, which more than halves COPY throughput, so there a statement-level
    # trigger (POSTGRES_SAME_UNIT below) checks a whole batch with one join instead.
    sa.ForeignKeyConstraint(
        ["debit_account_id", "unit"],
        ["accounts.id", "accounts.unit"],
        name="transfers_debit_same_unit",
    ).ddl_if(dialect="sqlite"),
    sa.ForeignKeyConstraint(
        ["credit_account_id", "unit"],
        ["accounts.id", "accounts.unit"],
        name="transfers_credit_same_unit",
    ).ddl_if(dialect="sqlite"),
    sa.Index("transfers_debit_account", "debit_account_id", "timestamp"),
    sa.Index("transfers_credit_account", "credit_account_id", "timestamp"),
    sa.Index(
        "transfers_pending_closed_once",
        "pending_id",
        unique=True,
        sqlite_where=sa.text("pending_id <> 0"),
        postgresql_where=sa.text("pending_id <> 0"),
    ),
)

pending_transfers = sa.Table(
    "pending_transfers",
    metadata,
    sa.Column(
        "id",
        sa.BigInteger,
        sa.ForeignKey("transfers.id", name="pending_transfers_transfer"),
        primary_key=True,
        autoincrement=False,
    ),
    sa.Column("status", sa.String(16), nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("closed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "status IN ('pending', 'posted', 'voided', 'expired')", name="pending_status_known"
    ),
    sa.CheckConstraint(
        "(status = 'pending') = (closed_at = 0)", name="pending_closed_at_when_closed"
    ),
    sa.Index(
        "pending_transfers_open_expiring",
        "expires_at",
        sqlite_where=sa.text("status = 'pending' AND expires_at > 0"),
        postgresql_where=sa.text("status = 'pending' AND expires_at > 0"),
    ),
)

ledger_state = sa.Table(
    "ledger_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("last_timestamp", sa.BigInteger, nullable=False),
    sa.CheckConstraint("id = 1", name="ledger_state_single_row"),
)


POSTGRES_SAME_UNIT = (
    """
    CREATE FUNCTION transfers_same_unit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      IF EXISTS (
        SELECT 1 FROM new_transfers t
        LEFT JOIN accounts d ON d.id = t.debit_account_id AND d.unit = t.unit
        LEFT JOIN accounts c ON c.id = t.credit_account_id AND c.unit = t.unit
        WHERE d.id IS NULL OR c.id IS NULL
      ) THEN
        RAISE EXCEPTION 'a transfer names a missing account or one of another unit'
          USING ERRCODE = 'foreign_key_violation';
      END IF;
      RETURN NULL;
    END $$
    """,
    """
    CREATE TRIGGER transfers_same_unit AFTER INSERT ON transfers
    REFERENCING NEW TABLE AS new_transfers
    FOR EACH STATEMENT EXECUTE FUNCTION transfers_same_unit()
    """,
)
"""Both accounts of every inserted transfer exist and have its unit (PostgreSQL)."""

POSTGRES_APPEND_ONLY = (
    """
    CREATE FUNCTION giftflow_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      RAISE EXCEPTION '% on % is not allowed: %', TG_OP, TG_TABLE_NAME, TG_ARGV[0]
        USING ERRCODE = 'integrity_constraint_violation';
    END $$
    """,
    """
    CREATE TRIGGER transfers_append_only BEFORE UPDATE OR DELETE ON transfers
    FOR EACH ROW EXECUTE FUNCTION giftflow_refuse_change('transfers are append-only')
    """,
    """
    CREATE TRIGGER accounts_kept BEFORE DELETE ON accounts
    FOR EACH ROW EXECUTE FUNCTION giftflow_refuse_change('accounts are never deleted')
    """,
    """
    CREATE TRIGGER accounts_identity_fixed BEFORE UPDATE OF id, unit ON accounts
    FOR EACH ROW EXECUTE FUNCTION giftflow_refuse_change('an account keeps its id and unit')
    """,
)

SQLITE_APPEND_ONLY = (
    """
    CREATE TRIGGER transfers_no_update BEFORE UPDATE ON transfers
    BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END
    """,
    """
    CREATE TRIGGER transfers_no_delete BEFORE DELETE ON transfers
    BEGIN SELECT RAISE(ABORT, 'transfers are append-only'); END
    """,
    """
    CREATE TRIGGER accounts_no_delete BEFORE DELETE ON accounts
    BEGIN SELECT RAISE(ABORT, 'accounts are never deleted'); END
    """,
    """
    CREATE TRIGGER accounts_identity_fixed BEFORE UPDATE OF id, unit ON accounts
    BEGIN SELECT RAISE(ABORT, 'an account keeps its id and unit'); END
    """,
)
"""Transfers are never updated or deleted, accounts never deleted nor re-united."""
