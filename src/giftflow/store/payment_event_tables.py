"""The provider events applied to payments (decision 0106).

One row per provider event the recharge flows acted on: its primary key (the provider
and its event id) is what applies an event once, however often or late the provider
delivers it; ``occurred_at_ns`` (the provider's time) orders a payment's failures, so an
older one never overwrites the newer one's state.
"""

from __future__ import annotations

from typing import Final

import sqlalchemy as sa

from giftflow.store.schema import metadata

payment_events = sa.Table(
    "payment_events",
    metadata,
    sa.Column("provider", sa.String(32), primary_key=True),
    sa.Column("event_id", sa.String(255), primary_key=True),
    sa.Column("payment_id", sa.String(40), sa.ForeignKey("payments.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("occurred_at_ns", sa.BigInteger, nullable=False),
    sa.Column("applied_at", sa.BigInteger, nullable=False),
    sa.Index("payment_events_payment", "payment_id", "kind", "occurred_at_ns"),
)

PAYMENT_EVENT_TABLES: Final = (payment_events,)
