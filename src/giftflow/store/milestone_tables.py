"""Milestone posts: a creator's channels (each delivered through a webhook endpoint of
its own, which carries its URL, its body format and its delivery state), the rules
saying which milestones each channel posts and how, the posts (one row per milestone
and channel: its unique key is what makes each milestone post once), and the version
that tells every process when its cached rules went stale (decisions/0085)."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.economy_tables import AUTO_ID
from giftflow.store.schema import belongs_to, metadata

milestone_channels = sa.Table(
    "milestone_channels",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("format", sa.String(16), nullable=False),
    sa.Column("name", sa.String(100), nullable=False, server_default=""),
    # Its deliveries go to this endpoint (webhook_endpoints.creator_id says whose).
    belongs_to("endpoint_id", sa.String(40), "webhook_endpoints.id", nullable=False, unique=True),
    # Telegram's: the chat, the Bot API server (the bot's token is in the endpoint's URL).
    sa.Column("telegram_chat_id", sa.String(64)),
    sa.Column("telegram_api_url", sa.String(200)),
    # What {url} says in its posts.
    sa.Column("link_url", sa.String(2048), nullable=False, server_default=""),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint(
        "format IN ('discord', 'telegram', 'json')", name="milestone_channels_format_known"
    ),
    sa.CheckConstraint(
        "(telegram_chat_id IS NOT NULL) = (format = 'telegram')",
        name="milestone_channels_telegram_chat",
    ),
    sa.Index("milestone_channels_creator", "creator_id", "created_at"),
)

milestone_rules = sa.Table(
    "milestone_rules",
    metadata,
    belongs_to("channel_id", sa.String(40), "milestone_channels.id", primary_key=True),
    sa.Column("kind", sa.String(32), primary_key=True),
    sa.Column("template", sa.Text, nullable=False),
    # Space-separated, ascending: follower counts or supporter levels ("" for none).
    sa.Column("thresholds", sa.Text, nullable=False, server_default=""),
    sa.CheckConstraint(
        "kind IN ('goal_completed', 'followers_reached', 'supporter_level_reached',"
        " 'live_started')",
        name="milestone_rules_kind_known",
    ),
)

milestone_posts = sa.Table(
    "milestone_posts",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    belongs_to("channel_id", sa.String(40), "milestone_channels.id", nullable=False),
    # goal:<id>, followers:<count>, supporter:<user>:<level>, live:<session>, test:<hex>
    sa.Column("milestone_key", sa.String(120), nullable=False),
    sa.Column("kind", sa.String(32), nullable=False),
    sa.Column("text", sa.Text, nullable=False),
    sa.Column(
        "delivery_id",
        sa.BigInteger,
        sa.ForeignKey("webhook_deliveries.id", ondelete="SET NULL"),
    ),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("channel_id", "milestone_key", name="milestone_posts_once"),
    sa.Index("milestone_posts_channel", "channel_id", "id"),
)

milestone_state = sa.Table(
    "milestone_state",
    metadata,
    sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
    # Bumped by every change to a channel or its rules, in the change's transaction.
    sa.Column("version", sa.BigInteger, nullable=False),
    sa.CheckConstraint("id = 1", name="milestone_state_one_row"),
)

MILESTONE_TABLES = (milestone_channels, milestone_rules, milestone_posts, milestone_state)


def endpoint_columns() -> tuple[sa.Column[str], sa.Column[int]]:
    """What migration 0013 adds to ``webhook_endpoints`` (fresh objects per call: a
    column belongs to one table): the body format its deliveries go out in
    (``standard``: signed per Standard Webhooks; ``discord``, ``telegram``: that
    service's body, unsigned), and the creator whose milestone channel it is (NULL:
    the platform's own endpoint)."""
    return (
        sa.Column("body_format", sa.String(16), nullable=False, server_default="standard"),
        sa.Column("creator_id", sa.BigInteger),
    )
