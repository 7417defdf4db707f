"""Promote's tables: campaigns, promotions (with their money counters, each a check the
database keeps) and impressions (one row per served slot, with what became of it).

A promotion's row is the database's truth of its spend: ``billed_millicoins`` only
grows by a conditional update that keeps it within the budget and the pacing plan's
cap, in the billing transaction; ``posted_coins`` only grows by a compare-and-set in the
transaction that posts those coins in the ledger (decisions/0040)."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.schema import metadata

campaigns = sa.Table(
    "campaigns",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("name", sa.String(200), nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Index("campaigns_creator", "creator_id", "created_at"),
)

promotions = sa.Table(
    "promotions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("campaign_id", sa.String(40), sa.ForeignKey("campaigns.id")),
    sa.Column("content_kind", sa.String(16), nullable=False),
    sa.Column("content_id", sa.String(200), nullable=False),
    sa.Column("goal", sa.String(32), nullable=False),
    # JSON: {"regions": [...], "age_bands": [...], "interests": [...]}; all empty: automatic.
    sa.Column("audience", sa.Text, nullable=False),
    # JSON: [[starts_at, ends_at, share_bps], ...]; empty: even over the whole time.
    sa.Column("bursts", sa.Text, nullable=False),
    sa.Column("budget_coins", sa.BigInteger, nullable=False),
    sa.Column("price_per_1000_coins", sa.BigInteger, nullable=False),
    sa.Column("starts_at", sa.BigInteger, nullable=False),
    sa.Column("ends_at", sa.BigInteger, nullable=False),
    sa.Column("frequency_cap", sa.Integer, nullable=False),
    sa.Column("frequency_window_s", sa.Integer, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("reason", sa.String(500)),
    # The open reservation: its number in the promotion's chain, its transfer id, what
    # it holds. Each settlement posts part and reserves the rest anew (decisions/0040).
    sa.Column("reserve_seq", sa.Integer, nullable=False, server_default="0"),
    sa.Column("reserve_transfer_id", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("reserved_coins", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("billed_millicoins", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("posted_coins", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("released_coins", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("submitted_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("closed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.CheckConstraint(
        "state IN ('draft', 'in_review', 'active', 'paused', 'completed', 'cancelled', 'rejected')",
        name="promotions_state_known",
    ),
    sa.CheckConstraint(
        "budget_coins > 0 AND price_per_1000_coins > 0 AND ends_at > starts_at",
        name="promotions_plan_valid",
    ),
    sa.CheckConstraint(
        "billed_millicoins >= 0 AND billed_millicoins <= budget_coins * 1000",
        name="promotions_billed_within_budget",
    ),
    sa.CheckConstraint(
        "posted_coins >= 0 AND posted_coins * 1000 <= billed_millicoins",
        name="promotions_posted_within_billed",
    ),
    sa.CheckConstraint(
        "reserved_coins >= 0 AND released_coins >= 0"
        " AND posted_coins + reserved_coins + released_coins <= budget_coins",
        name="promotions_money_adds_up",
    ),
    sa.Index("promotions_creator", "creator_id", "created_at"),
    sa.Index("promotions_state", "state", "ends_at"),
    sa.Index("promotions_campaign", "campaign_id"),
)

promotion_impressions = sa.Table(
    "promotion_impressions",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("promotion_id", sa.String(40), sa.ForeignKey("promotions.id"), nullable=False),
    # The platform's viewer (a giftflow user id when the viewer is one: attribution
    # joins it to follows); not a foreign key, the feed serves viewers giftflow never saw.
    sa.Column("viewer_id", sa.BigInteger, nullable=False),
    sa.Column("slot", sa.Integer, nullable=False),
    sa.Column("region", sa.String(8)),
    sa.Column("age_band", sa.String(8)),
    sa.Column("served_at", sa.BigInteger, nullable=False),
    # served, billed, invalid or unbilled (viewable but past a cap: never charged).
    sa.Column("state", sa.String(16), nullable=False, server_default="served"),
    sa.Column("reason", sa.String(32)),
    sa.Column("billed_millicoins", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("viewable_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("clicked_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("entered_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("visited_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "state IN ('served', 'billed', 'invalid', 'unbilled')",
        name="promotion_impressions_state_known",
    ),
    sa.CheckConstraint(
        "billed_millicoins >= 0 AND (state = 'billed' OR billed_millicoins = 0)",
        name="promotion_impressions_billed_only_when_billed",
    ),
    sa.Index("promotion_impressions_viewer", "viewer_id", "served_at"),
    sa.Index("promotion_impressions_promotion", "promotion_id", "served_at"),
)

PROMOTE_TABLES = (campaigns, promotions, promotion_impressions)
