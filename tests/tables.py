"""The session PostgreSQL database's tables as the fixtures empty them between tests,
named once: the ledger's, the economy's, LIVE's, and every table (a served API's), with
the one way to empty them and the statements that reset the state rows."""

from __future__ import annotations

from collections.abc import Sequence

import psycopg

LEDGER_TABLES = ("accounts", "transfers", "pending_transfers")
ECONOMY_TABLES = (
    "users",
    "api_keys",
    "idempotency_keys",
    "payment_events",
    "payments",
    "gifts",
    "streaks",
    "payouts",
    "fraud_decisions",
    "payee_destinations",
)
LIVE_TABLES = (
    "live_sessions",
    "session_viewers",
    "chapters",
    "interactions",
    "goals",
    "battles",
    "battle_sides",
    "battle_supporters",
    "battle_invitations",
    "battle_invitees",
    "session_supporters",
    "creator_supporters",
    "perks",
)
ALL_TABLES = (
    *LEDGER_TABLES,
    *ECONOMY_TABLES,
    *LIVE_TABLES,
    "follows",
    "milestone_posts",
    "milestone_rules",
    "milestone_channels",
    "schedule_reminders",
    "schedule_registrations",
    "schedule_offsets",
    "scheduled_lives",
    "subathon_gifts",
    "subathon_controls",
    "subathons",
    "gift_rule_firings",
    "gift_rules",
    "bio_visits",
    "bio_leads",
    "bio_links",
    "bio_consents",
    "bio_pages",
    "questions",
    "product_purchases",
    "delivering_perks",
    "product_files",
    "products",
    "creator_files",
    "promotion_impressions",
    "promotions",
    "campaigns",
    "webhook_attempts",
    "webhook_deliveries",
    "webhook_endpoints",
    "staff_users",
    "revoked_tokens",
    "user_token_cutoffs",
    "room_token_generations",
    "sign_in_links",
    "reconcile_runs",
)
"""Every table but the one-row state tables (reset by the statements below)."""
RESET_LEDGER_CLOCK = "UPDATE ledger_state SET last_timestamp = 0"
RESET_TEST_CLOCK = "UPDATE test_clock SET offset_ns = 0"
BUMP_WEBHOOK_STATE = "UPDATE webhook_state SET version = version + 1"
"""Tells every open economy that the webhook endpoints it cached are gone."""


def empty_tables(url: str, tables: Sequence[str], *resets: str) -> None:
    """Empty ``tables`` (their ids restarted, rows that point at them too), then run
    ``resets``."""
    with psycopg.connect(url, autocommit=True) as connection:
        connection.execute(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE")
        for statement in resets:
            connection.execute(statement)
