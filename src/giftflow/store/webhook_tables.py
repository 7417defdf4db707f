"""Webhooks out: the endpoints platforms register, the outbox of deliveries (one row
per event and subscribed endpoint, written in the transaction of the change that caused
it), the log of delivery attempts, and the subscription version that tells every
process when its cached subscriptions went stale (decisions/0035)."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.economy_tables import AUTO_ID
from giftflow.store.schema import belongs_to, metadata

webhook_endpoints = sa.Table(
    "webhook_endpoints",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("url", sa.String(2048), nullable=False),
    sa.Column("description", sa.String(200), nullable=False, server_default=""),
    # Space-separated types, or "*" for every type.
    sa.Column("event_types", sa.Text, nullable=False),
    # whsec_<base64>: giftflow signs with it, so it is kept, not hashed.
    sa.Column("secret", sa.String(128), nullable=False),
    sa.Column("previous_secret", sa.String(128)),
    sa.Column("previous_secret_until", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("enabled", sa.Boolean, nullable=False, server_default=sa.true()),
    sa.Column("disabled_reason", sa.String(255)),
    sa.Column("failing_since", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_by", sa.String(160), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
)

webhook_deliveries = sa.Table(
    "webhook_deliveries",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    belongs_to("endpoint_id", sa.String(40), "webhook_endpoints.id", nullable=False),
    sa.Column("event_id", sa.String(40), nullable=False),
    sa.Column("room_id", sa.BigInteger, nullable=False),
    sa.Column("type", sa.String(64), nullable=False),
    sa.Column("payload", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
    sa.Column("next_attempt_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("claimed_until", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("delivered_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_status_code", sa.Integer),
    sa.Column("last_error", sa.String(500)),
    sa.CheckConstraint(
        "state IN ('pending', 'delivered', 'failed')", name="webhook_deliveries_state_known"
    ),
    # The head of each (endpoint, room) line, and the line behind it.
    sa.Index(
        "webhook_deliveries_pending",
        "endpoint_id",
        "room_id",
        "id",
        sqlite_where=sa.text("state = 'pending'"),
        postgresql_where=sa.text("state = 'pending'"),
    ),
    sa.Index("webhook_deliveries_endpoint", "endpoint_id", "id"),
)

webhook_attempts = sa.Table(
    "webhook_attempts",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    belongs_to("delivery_id", sa.BigInteger, "webhook_deliveries.id", nullable=False),
    sa.Column("attempted_at", sa.BigInteger, nullable=False),
    sa.Column("duration_ms", sa.Integer, nullable=False),
    sa.Column("status_code", sa.Integer),
    sa.Column("error", sa.String(500)),
    sa.Index("webhook_attempts_delivery", "delivery_id", "id"),
)

webhook_state = sa.Table(
    "webhook_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    # Bumped by every change to an endpoint, in the change's transaction.
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.CheckConstraint("id = 1", name="webhook_state_one_row"),
)

WEBHOOK_TABLES = (webhook_endpoints, webhook_deliveries, webhook_attempts, webhook_state)
