"""Subathon timers and gift rules (docs/subathon.md).

``subathons`` keeps each timer's folded state, moved in the transaction of every
change; ``subathon_controls`` (the creator's moves) and ``subathon_gifts`` (the gifts
that counted, one row per gift event: its primary key is what counts a gift once) are
the history that state is recomputed from, in the order of ``seq``. ``gift_rules`` are
a room's rules, ``gift_rule_firings`` one row per rule and gift event that fired it.
"""

from __future__ import annotations

import sqlalchemy as sa

from giftflow.store.economy_tables import AUTO_ID
from giftflow.store.schema import belongs_to, metadata

subathons = sa.Table(
    "subathons",
    metadata,
    sa.Column("id", sa.String(40), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    # The room's subathons are numbered 1, 2, …: one runs at a time.
    sa.Column("number", sa.Integer, nullable=False),
    sa.Column("started_at", sa.BigInteger, nullable=False),
    sa.Column("initial_s", sa.Integer, nullable=False),
    sa.Column("cap_s", sa.Integer, nullable=False),
    # JSON: {"tiers": [[min_coins, add_s], ...], "ms_per_coin": n}: the rules it
    # started with (kept, for the history's fold), and the rules in force.
    sa.Column("start_rules", sa.Text, nullable=False),
    sa.Column("rules", sa.Text, nullable=False),
    sa.Column("granted_ns", sa.BigInteger, nullable=False),
    sa.Column("run_ns", sa.BigInteger, nullable=False),
    sa.Column("toggled_at", sa.BigInteger, nullable=False),
    sa.Column("paused", sa.Boolean, nullable=False, server_default=sa.false()),
    sa.Column("ended_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("as_of", sa.BigInteger, nullable=False),
    sa.Column("gifts", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("coins", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("added_ns", sa.BigInteger, nullable=False, server_default="0"),
    # The last history entry's sequence number.
    sa.Column("seq", sa.BigInteger, nullable=False, server_default="0"),
    sa.UniqueConstraint("creator_id", "number", name="subathons_room_number"),
    # The sweep's search for running timers whose time ran out.
    sa.Index("subathons_open", "ended_at", "paused"),
    sa.CheckConstraint(
        "initial_s >= 1 AND cap_s >= initial_s AND granted_ns <= CAST(cap_s AS BIGINT) * 1000000000"
        " AND run_ns >= 0 AND added_ns >= 0",
        name="subathons_within_cap",
    ),
)

subathon_controls = sa.Table(
    "subathon_controls",
    metadata,
    belongs_to("subathon_id", sa.String(40), "subathons.id", primary_key=True),
    sa.Column("seq", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("kind", sa.String(16), nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    # JSON rules for a change, else "null".
    sa.Column("rules", sa.Text, nullable=False, server_default="null"),
    sa.CheckConstraint(
        "kind IN ('pause', 'resume', 'change', 'end', 'expire')",
        name="subathon_controls_kind_known",
    ),
)

subathon_gifts = sa.Table(
    "subathon_gifts",
    metadata,
    belongs_to("subathon_id", sa.String(40), "subathons.id", primary_key=True),
    sa.Column("gift_event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("seq", sa.BigInteger, nullable=False),
    sa.Column("at", sa.BigInteger, nullable=False),
    sa.Column("coins", sa.BigInteger, nullable=False),
    sa.Column("added_ns", sa.BigInteger, nullable=False),
    sa.UniqueConstraint("subathon_id", "seq", name="subathon_gifts_seq"),
)

gift_rules = sa.Table(
    "gift_rules",
    metadata,
    sa.Column("id", AUTO_ID, sa.Identity(start=1), primary_key=True),
    sa.Column("creator_id", sa.BigInteger, sa.ForeignKey("users.id"), nullable=False),
    sa.Column("action", sa.String(64), nullable=False),
    sa.Column("payload", sa.String(500), nullable=False, server_default=""),
    sa.Column("min_coins", sa.BigInteger),
    sa.Column("gift_id", sa.BigInteger),
    sa.Column("cooldown_s", sa.Integer, nullable=False),
    sa.Column("fired", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("last_fired_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.Column("created_at", sa.BigInteger, nullable=False),
    sa.Column("deleted_at", sa.BigInteger, nullable=False, server_default="0"),
    sa.CheckConstraint(
        "(min_coins IS NOT NULL OR gift_id IS NOT NULL) AND cooldown_s >= 0",
        name="gift_rules_condition",
    ),
    sa.Index("gift_rules_room", "creator_id", "deleted_at"),
)

gift_rule_firings = sa.Table(
    "gift_rule_firings",
    metadata,
    belongs_to("rule_id", sa.BigInteger, "gift_rules.id", primary_key=True, autoincrement=False),
    sa.Column("gift_event_id", sa.BigInteger, primary_key=True, autoincrement=False),
    sa.Column("fired_at", sa.BigInteger, nullable=False),
)

SUBATHON_TABLES = (subathons, subathon_controls, subathon_gifts, gift_rules, gift_rule_firings)
