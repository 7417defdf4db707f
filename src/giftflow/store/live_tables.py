"""LIVE's tables: sessions, viewers, interactions, chapters, goals, battles, supporter
totals and perks; and follows, which analytics counts. What gifts change here (goal
progress, battle scores, supporter totals) is written in the gift's own transaction, so
it is exact across processes."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.economy_tables import AUTO_ID
from giftflow.store.schema import metadata

OPEN = sa.text("ended_at = 0")

live_sessions = sa.Table(
    "live_sessions",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False, server_default=""),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("ended_at", sa.BigInteger, nullable=False, server_default="0"),
    # A creator's room shows one LIVE at a time.
    sa.Index(
        "live_sessions_one_open",
        "creator_id",
        unique=True,
        sqlite_where=OPEN,
        postgresql_where=OPEN,
    ),
    sa.Index("live_sessions_creator", "creator_id", "started_at"),
)

session_viewers = sa.Table(
    "session_viewers",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("viewer_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("joined_at", sa.BigInteger, nullable=False),
    sa.Column("left_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("left_at = 0 OR left_at >= joined_at", name="session_viewers_ordered"),
    sa.Index("session_viewers_session", "session_id", "joined_at"),
)

chapters = sa.Table(
    "chapters",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("position", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("planned_s", sa.Integer, nullable=False),
    sa.Column("started_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("ended_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.UniqueConstraint("session_id", "position", name="chapters_position_unique"),
    sa.CheckConstraint("planned_s > 0", name="chapters_planned_positive"),
)

interactions = sa.Table(
    "interactions",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("chapter_id", sa.BigInteger, sa.ForeignKey("chapters.id")),
    sa.Column("text", sa.String(500), nullable=False, server_default=""),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.CheckConstraint(
        "kind IN ('follow', 'like', 'comment', 'share')", name="interactions_kind_known"
    ),
    sa.Index("interactions_session", "session_id", "at"),
)

goals = sa.Table(
    "goals",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("target", sa.BigInteger, nullable=False),
    sa.Column("gift_id", sa.BigInteger),
    sa.Column("promise", sa.String(500), nullable=False, server_default=""),
    sa.Column("deadline_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("progress", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("state", sa.String(16), nullable=False, server_default="open"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("completed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("target > 0 AND progress >= 0", name="goals_positive"),
    sa.CheckConstraint("kind IN ('coins', 'gift_count')", name="goals_kind_known"),
    sa.CheckConstraint("state IN ('open', 'completed', 'expired')", name="goals_state_known"),
    sa.CheckConstraint("(state = 'completed') = (completed_at > 0)", name="goals_completed_once"),
    sa.Index("goals_session", "session_id", "state"),
)

battles = sa.Table(
    "battles",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("ends_at", sa.BigInteger, nullable=False),
    sa.Column("ended_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("winner_session_id", sa.BigInteger),
    sa.CheckConstraint("ends_at > started_at", name="battles_window_positive"),
    sa.Index("battles_due", "ends_at", sqlite_where=OPEN, postgresql_where=OPEN),
)

battle_sides = sa.Table(
    "battle_sides",
    metadata,
    sa.Column("battle_id", sa.BigInteger, sa.ForeignKey("battles.id"), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("score", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("booster_multiplier", sa.Integer, nullable=False, server_default="0"),
    sa.Column("booster_started_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("booster_ends_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("ended_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint("score >= 0", name="battle_sides_score_non_negative"),
    # A session is in one running battle at a time.
    sa.Index(
        "battle_sides_one_open", "session_id", unique=True, sqlite_where=OPEN, postgresql_where=OPEN
    ),
)

battle_supporters = sa.Table(
    "battle_supporters",
    metadata,
    sa.Column("battle_id", sa.BigInteger, sa.ForeignKey("battles.id"), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("points", sa.BigInteger, nullable=False),
    sa.Column("last_at", sa.BigInteger, nullable=False),
)

session_supporters = sa.Table(
    "session_supporters",
    metadata,
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("coins", sa.BigInteger, nullable=False),
    sa.Column("last_at", sa.BigInteger, nullable=False),
    sa.Index("session_supporters_rank", "session_id", "coins"),
)

creator_supporters = sa.Table(
    "creator_supporters",
    metadata,
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("coins", sa.BigInteger, nullable=False),
    sa.Column("last_at", sa.BigInteger, nullable=False),
    sa.Index("creator_supporters_rank", "creator_id", "coins"),
)

perks = sa.Table(
    "perks",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("level", sa.Integer, nullable=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("value", sa.String(200), nullable=False, server_default=""),
    sa.CheckConstraint("level >= 1", name="perks_level_positive"),
    sa.CheckConstraint("kind IN ('badge', 'qa_priority')", name="perks_kind_known"),
    sa.Index("perks_creator", "creator_id", "level"),
)

LIVE_TABLES = (
    live_sessions,
    session_viewers,
    chapters,
    interactions,
    goals,
    battles,
    battle_sides,
    battle_supporters,
    session_supporters,
    creator_supporters,
    perks,
)

follows = sa.Table(
    "follows",
    metadata,
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("followed_at", sa.BigInteger, nullable=False),
    # The LIVE the follow came from; None for a follow outside one.
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id")),
    sa.CheckConstraint("creator_id <> user_id", name="follows_not_self"),
    sa.Index("follows_creator_followed", "creator_id", "followed_at"),
)
"""A user's first follow of a creator (the primary key keeps only the first): what
follower growth is counted from."""

ANALYTICS_TABLES = (follows,)
"""Added by migration 0004 (``LIVE_TABLES`` is migration 0003's, fixed)."""

battle_invitations = sa.Table(
    "battle_invitations",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), nullable=False),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("duration_s", sa.Integer, nullable=False),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("expires_at", sa.BigInteger, nullable=False),
    sa.Column("state", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("decided_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("battle_id", sa.BigInteger, sa.ForeignKey("battles.id")),
    sa.CheckConstraint("duration_s > 0", name="battle_invitations_duration_positive"),
    sa.CheckConstraint("expires_at > created_at", name="battle_invitations_expiry_after"),
    sa.CheckConstraint(
        "state IN ('pending', 'accepted', 'declined', 'cancelled')",
        name="battle_invitations_state_known",
    ),
    sa.CheckConstraint(
        "(state = 'accepted') = (battle_id IS NOT NULL)", name="battle_invitations_battle_once"
    ),
    sa.Index("battle_invitations_sent", "session_id", "state"),
    sa.Index("battle_invitations_creator", "creator_id", "state"),
)
"""An invitation to battle (``giftflow.live.invitations``): the inviter's side."""

battle_invitees = sa.Table(
    "battle_invitees",
    metadata,
    sa.Column(
        "invitation_id", sa.BigInteger, sa.ForeignKey("battle_invitations.id"), primary_key=True
    ),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("answer", sa.String(16), nullable=False, server_default="pending"),
    sa.Column("answered_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "answer IN ('pending', 'accepted', 'declined')", name="battle_invitees_answer_known"
    ),
    sa.Index("battle_invitees_session", "session_id"),
    sa.Index("battle_invitees_creator", "creator_id"),
)

INVITATION_TABLES = (battle_invitations, battle_invitees)
"""Added by migration 0005."""
