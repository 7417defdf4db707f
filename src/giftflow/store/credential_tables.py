"""What makes credentials revocable (decision 0026): staff users (the only users who may
hold admin tokens), revoked user tokens (by token id, kept until the token would have
expired anyway), each user's cut-off (tokens issued before it are refused: "sign out
everywhere"), each room's token generation (room tokens of an older one are refused),
one-time dashboard sign-in links, and the last reconcile the admin page shows."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.economy_tables import AUTO_ID
from giftflow.store.schema import metadata

staff_users = sa.Table(
    "staff_users",
    metadata,
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("granted_at", sa.BigInteger, nullable=False),
)

revoked_tokens = sa.Table(
    "revoked_tokens",
    metadata,
    sa.Column("token_id", sa.String(32), primary_key=True),
    sa.Column("revoked_at", sa.BigInteger, nullable=False),
    # When the token would have expired anyway: the row can go after it.
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
)

user_token_cutoffs = sa.Table(
    "user_token_cutoffs",
    metadata,
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    # Unix seconds: a token of this user issued (iat) before it is refused.
    sa.Column("not_before_s", sa.BigInteger, nullable=False),
)

room_token_generations = sa.Table(
    "room_token_generations",
    metadata,
    sa.Column("room_id", sa.BigInteger, primary_key=True),
    sa.Column("generation", sa.BigInteger, nullable=False),
    sa.Column("revoked_at", sa.BigInteger, nullable=False),
)

sign_in_links = sa.Table(
    "sign_in_links",
    metadata,
    # Only the code's SHA-256 is kept, like an API key's secret.
    sa.Column("code_sha256", sa.String(64), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("role", sa.String(16), nullable=False),
    sa.Column("key_id", sa.String(32), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False, index=True),
    sa.Column("used_at", sa.BigInteger, nullable=False, server_default="0"),
)

reconcile_runs = sa.Table(
    "reconcile_runs",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("ran_at", sa.BigInteger, nullable=False),
    sa.Column("ok", sa.Boolean, nullable=False),
    # The report as JSON (giftflow.service.economy's reconcile, as the API answers it).
    sa.Column("report", sa.Text, nullable=False),
)

CREDENTIAL_TABLES = (
    staff_users,
    revoked_tokens,
    user_token_cutoffs,
    room_token_generations,
    sign_in_links,
    reconcile_runs,
)
