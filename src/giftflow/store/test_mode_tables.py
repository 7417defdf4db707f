"""What migration 0009 adds: the test clock's offset, creators' payee destinations,
and the columns added to ``gifts`` (each gift's maturity time, fixed when it is booked)
``payments`` (the last failed attempt) and ``payouts`` (where the cash goes).

The columns are kept here rather than in ``economy_tables`` because that module's
tables are what migration 0002 creates: a column declared there would be created twice.
"""

from __future__ import annotations

from typing import Any, Final

import sqlalchemy as sa

from giftflow.store.schema import metadata

test_clock = sa.Table(
    "test_clock",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    # How far the economy's clock runs ahead of the host's: only ever grows.
    sa.Column("offset_ns", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("id = 1", name="test_clock_one_row"),
    sa.CheckConstraint("offset_ns >= 0", name="test_clock_forward_only"),
)

payee_destinations = sa.Table(
    "payee_destinations",
    metadata,
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("kind", sa.String(16), nullable=False),
    # In full, for the partner's batch file; the API shows it masked.
    sa.Column("destination", sa.String(128), nullable=False),
    sa.Column("holder_name", sa.String(128), nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint(
        "kind IN ('iban', 'bank_account', 'paypal', 'other')", name="payee_kind_known"
    ),
)

TEST_MODE_TABLES: Final = (test_clock, payee_destinations)


def gift_columns() -> list[sa.Column[Any]]:
    """0 on the rows booked before 0009 until the economy pins them (``Economy.open``:
    the holding period in force then); every gift booked since has its own."""
    return [sa.Column("matures_at", sa.BigInteger, nullable=False, server_default="0")]


def payout_columns() -> list[sa.Column[Any]]:
    """Where the payout goes, copied from the creator's destination when requested
    (null on payouts requested before 0009)."""
    return [
        sa.Column("payee_kind", sa.String(16)),
        sa.Column("payee_destination", sa.String(128)),
        sa.Column("payee_holder_name", sa.String(128)),
    ]


def payment_columns() -> list[sa.Column[Any]]:
    return [
        sa.Column("failure_code", sa.String(64)),
        sa.Column("failure_message", sa.String(255)),
        sa.Column("failure_event_id", sa.String(255)),
        sa.Column("failed_attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("failed_at", sa.BigInteger, nullable=False, server_default="0"),
    ]
