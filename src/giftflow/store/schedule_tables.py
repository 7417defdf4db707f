"""Scheduled LIVEs: the schedules, their reminder offsets, the viewers registered, and
the reminders sent (one row per registration and offset: its primary key is what makes
each reminder go out exactly once, whatever the number of processes sweeping)."""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.schema import belongs_to, metadata

scheduled_lives = sa.Table(
    "scheduled_lives",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("title", sa.String(200), nullable=False),
    sa.Column("starts_at", sa.BigInteger, nullable=False),
    # JSON: [[kind, title, planned_s], ...], the plan the linked session starts with.
    sa.Column("chapters", sa.Text, nullable=False),
    # JSON: {"kind", "target", "gift_id", "promise", "deadline_s"} or "null".
    sa.Column("goal", sa.Text, nullable=False),
    sa.Column("state", sa.String(16), nullable=False),
    sa.Column("session_id", sa.BigInteger, sa.ForeignKey("live_sessions.id"), unique=True),
    sa.Column("sequence", sa.Integer, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("updated_at", sa.BigInteger, nullable=False),
    sa.Column("closed_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "state IN ('scheduled', 'live', 'done', 'missed', 'cancelled')",
        name="scheduled_lives_state_known",
    ),
    sa.CheckConstraint(
        "(session_id IS NULL) = (state IN ('scheduled', 'missed', 'cancelled'))",
        name="scheduled_lives_session_when_started",
    ),
    sa.Index("scheduled_lives_creator", "creator_id", "starts_at"),
    sa.Index("scheduled_lives_due", "state", "starts_at"),
)

schedule_offsets = sa.Table(
    "schedule_offsets",
    metadata,
    belongs_to("schedule_id", sa.String(40), "scheduled_lives.id", primary_key=True),
    sa.Column("offset_s", sa.Integer, primary_key=True, autoincrement=False),
    sa.CheckConstraint("offset_s BETWEEN 0 AND 2592000", name="schedule_offsets_range"),
)

schedule_registrations = sa.Table(
    "schedule_registrations",
    metadata,
    belongs_to("schedule_id", sa.String(40), "scheduled_lives.id", primary_key=True),
    sa.Column("user_id", sa.BigInteger, sa.ForeignKey("users.id"), primary_key=True),
    sa.Column("registered_at", sa.BigInteger, nullable=False),
)

schedule_reminders = sa.Table(
    "schedule_reminders",
    metadata,
    belongs_to("schedule_id", sa.String(40), "scheduled_lives.id", primary_key=True),
    sa.Column("user_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("offset_s", sa.Integer, primary_key=True, autoincrement=False),
    sa.Column("sent_at", sa.BigInteger, nullable=False),
)

SCHEDULE_TABLES = (scheduled_lives, schedule_offsets, schedule_registrations, schedule_reminders)
