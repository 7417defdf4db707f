"""The economy's own tables (users, payments, gifts, streaks, payouts, fraud decisions,
API keys, idempotency records). Money itself lives only in the ledger's tables; these
rows say what each transfer was for, and are written in the same transaction as the
transfers they describe."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.schema import metadata

# SQLite only auto-numbers a column declared exactly INTEGER PRIMARY KEY.
AUTO_ID = sa.BigInteger().with_variant(sa.Integer(), "sqlite")

users = sa.Table(
    "users",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("external_id", sa.String(128), nullable=False, unique=True),
    sa.Column("display_name", sa.String(128), nullable=False),
    sa.Column("birth_date", sa.String(10), nullable=False),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("is_creator", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("identity_verified", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint("id BETWEEN 1 AND 4294967295", name="users_id_range"),
)

api_keys = sa.Table(
    "api_keys",
    metadata,
    sa.Column("id", sa.String(32), primary_key=True),
    sa.Column("name", sa.String(128), nullable=False),
    sa.Column("secret_sha256", sa.String(64), nullable=False),
    sa.Column("scopes", sa.String(512), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("revoked_at", sa.BigInteger, nullable=False, server_default="0"),
)

idempotency_keys = sa.Table(
    "idempotency_keys",
    metadata,
    sa.Column("principal", sa.String(160), primary_key=True),
    sa.Column("key", sa.String(255), primary_key=True),
    sa.Column("request_sha256", sa.String(64), nullable=False),
    sa.Column("status_code", sa.Integer, nullable=False, server_default="0"),
    sa.Column("body", sa.Text, nullable=False, server_default=""),
    sa.Column("created_at", sa.BigInteger, nullable=False),
)

payments = sa.Table(
    "payments",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("provider", sa.String(32), nullable=False),
    sa.Column("provider_payment_id", sa.String(255), unique=True),
    sa.Column("provider_reference", sa.String(255)),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("channel", sa.String(16), nullable=False),
    sa.Column("pack_id", sa.String(64)),
    sa.Column("coins", sa.BigInteger, nullable=False),
    sa.Column("amount_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("status", sa.String(24), nullable=False),
    sa.Column("instrument", sa.String(255)),
    sa.Column("refunded_minor", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("coins_clawed_back", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("paid_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("coins > 0 AND amount_minor > 0", name="payments_positive"),
    sa.CheckConstraint(
        "status IN ('created', 'paid', 'refunded', 'disputed')", name="payments_status_known"
    ),
    sa.Index("payments_user", "user_id"),
    sa.Index("payments_instrument", "instrument"),
    sa.Index("payments_reference", "provider_reference"),
)

gifts = sa.Table(
    "gifts",
    metadata,
    sa.Column("id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("sender_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("gift_id", sa.BigInteger, nullable=False),
    sa.Column("quantity", sa.Integer, nullable=False),
    sa.Column("coins", sa.BigInteger, nullable=False),
    sa.Column("share_bps", sa.Integer, nullable=False),
    sa.Column("diamond_units", sa.BigInteger, nullable=False),
    sa.Column("streak_id", sa.String(160)),
    sa.Column("repeat_count", sa.Integer, nullable=False),
    sa.Column("session_id", sa.BigInteger),
    sa.Column("sent_at", sa.BigInteger, nullable=False),
    sa.Column("matured_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("reversed_coins", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("quantity > 0 AND coins > 0", name="gifts_positive"),
    sa.CheckConstraint("diamond_units = coins * share_bps", name="gifts_exact_diamonds"),
    sa.CheckConstraint("reversed_coins BETWEEN 0 AND coins", name="gifts_reversal_bounded"),
    sa.Index("gifts_creator_sent", "creator_id", "sent_at"),
    sa.Index("gifts_sender_sent", "sender_id", "sent_at"),
    sa.Index(
        "gifts_unmatured",
        "sent_at",
        sqlite_where=sa.text("matured_at = 0"),
        postgresql_where=sa.text("matured_at = 0"),
    ),
)

streaks = sa.Table(
    "streaks",
    metadata,
    sa.Column("id", sa.String(200), primary_key=True),
    sa.Column("sender_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("gift_id", sa.BigInteger, nullable=False),
    sa.Column("repeat_count", sa.Integer, nullable=False),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("last_at", sa.BigInteger, nullable=False),
    sa.Column("ended_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("end_reason", sa.String(16)),
    sa.Index(
        "streaks_open",
        "last_at",
        sqlite_where=sa.text("ended_at = 0"),
        postgresql_where=sa.text("ended_at = 0"),
    ),
)

payouts = sa.Table(
    "payouts",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("diamonds", sa.BigInteger, nullable=False),
    sa.Column("gross_minor", sa.BigInteger, nullable=False),
    sa.Column("fee_minor", sa.BigInteger, nullable=False),
    sa.Column("net_minor", sa.BigInteger, nullable=False),
    sa.Column("currency", sa.String(3), nullable=False),
    sa.Column("region", sa.String(8), nullable=False),
    sa.Column("partner", sa.String(32), nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("batch_id", sa.String(40)),
    sa.Column("partner_reference", sa.String(255)),
    sa.Column("failure_reason", sa.String(255)),
    sa.Column("reserve_transfer_id", sa.BigInteger, nullable=False),
    sa.Column("requested_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint("diamonds > 0 AND net_minor > 0", name="payouts_positive"),
    sa.CheckConstraint("gross_minor = net_minor + fee_minor", name="payouts_fee_adds_up"),
    sa.CheckConstraint(
        "state IN ('requested', 'held', 'approved', 'paid', 'failed', 'rejected')",
        name="payouts_state_known",
    ),
    sa.Index("payouts_creator", "creator_id", "requested_at"),
    sa.Index("payouts_state", "state"),
)

fraud_decisions = sa.Table(
    "fraud_decisions",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("rule", sa.String(64), nullable=False),
    sa.Column("action", sa.String(16), nullable=False),
    sa.Column("user_id", sa.BigInteger),
    sa.Column("subject", sa.String(255), nullable=False),
    sa.Column("detail", sa.Text, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("review_state", sa.String(16), nullable=False, server_default="open"),
    sa.Column("reviewed_by", sa.String(128)),
    sa.Column("reviewed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("action IN ('allow', 'block', 'review')", name="fraud_action_known"),
    sa.CheckConstraint(
        "review_state IN ('open', 'upheld', 'overturned')", name="fraud_review_known"
    ),
    sa.Index("fraud_open", "review_state", "created_at"),
)

ECONOMY_TABLES = (
    users,
    api_keys,
    idempotency_keys,
    payments,
    gifts,
    streaks,
    payouts,
    fraud_decisions,
)
