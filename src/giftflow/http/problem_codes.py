"""Which HTTP status each error code answers: the one place where an error becomes a
status (``STATUS_BY_CODE``), the family fallback for a code missing from it
(``status_for``), and what a client may retry.

Every deliberate error in giftflow is a ``GiftflowError`` with a stable ``code``. A code
missing from the table falls back by family (not found: 404; another economy or catalog
rule: 422; anything else: 500), and a test keeps the table complete. The table is one
registry, read best whole, by status; the answers built from it (problem+json bodies,
the exception handlers) are ``giftflow.http.problems``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from giftflow.economy.catalog.errors import CatalogError
from giftflow.economy.errors import EconomyError, LedgerRejectedError, NotFoundError
from giftflow.errors import GiftflowError
from giftflow.http.schemas import Problem

STATUS_BY_CODE: Final[Mapping[str, int]] = {
    # 400: the request itself is malformed
    "json_invalid": 400,
    "bad_request": 400,
    "idempotency_key_missing": 400,
    "token_in_address": 400,
    "webhook_signature_invalid": 400,
    "webhook_payload_invalid": 400,
    # 401: who is asking is unknown
    "unauthenticated": 401,
    "token_invalid": 401,
    "token_expired": 401,
    "token_revoked": 401,
    # 403: known, but not allowed; a frozen account may not move money until reviewed
    "forbidden": 403,
    "scope_missing": 403,
    "account_frozen": 403,
    "booster_forbidden": 403,
    "not_entitled": 403,
    "early_access_only": 403,
    "download_link_invalid": 403,
    # 404: something named does not exist (in the path or in the body)
    "not_found": 404,
    "sign_in_link_invalid": 404,
    "user_not_found": 404,
    "payment_not_found": 404,
    "payout_not_found": 404,
    "decision_not_found": 404,
    "streak_not_found": 404,
    "gift_not_found": 404,
    "pack_not_found": 404,
    "region_not_found": 404,
    "provider_unknown": 404,
    "partner_unknown": 404,
    "batch_not_found": 404,
    "account_not_found": 404,
    "live_not_found": 404,
    "session_not_found": 404,
    "scheduled_live_not_found": 404,
    "subathon_not_found": 404,
    "gift_rule_not_found": 404,
    "bio_not_found": 404,
    "bio_link_not_found": 404,
    "lead_not_found": 404,
    "lead_link_invalid": 404,
    "goal_not_found": 404,
    "battle_not_found": 404,
    "battle_side_not_found": 404,
    "battle_invitation_not_found": 404,
    "battle_invitee_not_found": 404,
    "webhook_endpoint_not_found": 404,
    "webhook_delivery_not_found": 404,
    "milestone_channel_not_found": 404,
    "promotion_not_found": 404,
    "campaign_not_found": 404,
    "payee_destination_not_found": 404,
    "file_not_found": 404,
    "product_not_found": 404,
    "product_purchase_not_found": 404,
    "perk_not_found": 404,
    "question_not_found": 404,
    "test_mode_unavailable": 404,  # development only: absent elsewhere
    "method_not_allowed": 405,
    # 409: it clashes with what exists or with a request in flight
    "user_exists": 409,
    "idempotency_key_reused": 409,
    "idempotency_key_in_use": 409,
    "idempotency_replayed": 409,
    "idempotency_conflict": 409,
    "exists_with_different_fields": 409,
    "already_reviewed": 409,
    "payout_state_invalid": 409,
    "payment_not_paid": 409,
    "streak_ended": 409,
    "streak_mismatch": 409,
    "streak_count_not_rising": 409,
    "conflict": 409,
    "streak_conflict": 409,
    "maturation_conflict": 409,
    "batch_conflict": 409,
    "live_state_invalid": 409,
    "session_live": 409,
    "session_ended": 409,
    "scheduled_live_state_invalid": 409,
    "subathon_running": 409,
    "subathon_ended": 409,
    "subathon_paused": 409,
    "subathon_not_paused": 409,
    "gift_rules_full": 409,
    "bio_slug_taken": 409,
    "lead_consent_outdated": 409,
    "lead_link_expired": 410,
    "battle_running": 409,
    "battle_not_running": 409,
    "battle_invitation_pending": 409,
    "battle_invitation_expired": 409,
    "battle_invitation_closed": 409,
    "booster_used": 409,
    "promotion_state_invalid": 409,
    "promotion_conflict": 409,
    "chapters_exhausted": 409,
    "chapters_recorded": 409,
    "payment_closed": 409,
    "product_owned": 409,
    "product_archived": 409,
    "product_changed": 409,
    "not_open_yet": 409,
    "product_purchase_refunded": 409,
    "product_purchase_conflict": 409,
    "question_closed": 409,
    "download_link_expired": 410,
    "replay_gap": 409,  # a room's WebSocket says it as close code 4409, after a resync frame
    "request_too_large": 413,
    "body_too_large": 413,
    # 422: well-formed, but against a rule of the economy
    "validation_failed": 422,
    "text_invalid": 422,
    "role_not_allowed": 422,
    "economy_error": 422,
    "catalog_error": 422,
    "insufficient_funds": 422,
    "age_restricted": 422,
    "self_gifting": 422,
    "not_a_creator": 422,
    "quantity_invalid": 422,
    "sent_at_invalid": 422,
    "replay_input_invalid": 422,
    "replay_failed": 422,
    "replay_database_exists": 409,
    "event_id_missing": 422,
    "gift_not_streakable": 422,
    "streak_invalid": 422,
    "streak_count_invalid": 422,
    "pack_or_coins": 422,
    "pack_not_available": 422,
    "custom_amount_out_of_bounds": 422,
    "amount_invalid": 422,
    "payout_invalid": 422,
    "payout_below_minimum": 422,
    "payout_below_fee": 422,
    "payout_above_daily_maximum": 422,
    "identity_not_verified": 422,
    "payment_mismatch": 422,
    "partner_file_invalid": 422,
    "live_error": 422,
    "session_other_creator": 422,
    "scheduled_live_start_invalid": 422,
    "scheduled_live_other_creator": 422,
    "reminder_offsets_invalid": 422,
    "subathon_duration_invalid": 422,
    "subathon_rules_invalid": 422,
    "gift_rule_invalid": 422,
    "self_registration": 422,
    "bio_invalid": 422,
    "bio_slug_invalid": 422,
    "bio_link_invalid": 422,
    "bio_consent_invalid": 422,
    "lead_email_invalid": 422,
    "lead_consent_missing": 422,
    "battle_sides_invalid": 422,
    "battle_duration_invalid": 422,
    "battle_invitation_ttl_invalid": 422,
    "booster_invalid": 422,
    "goal_target_invalid": 422,
    "goal_gift_invalid": 422,
    "chapter_invalid": 422,
    "perk_level_invalid": 422,
    "self_follow": 422,
    "analytics_error": 422,
    "period_invalid": 422,
    "webhook_url_refused": 422,
    "webhook_event_type_unknown": 422,
    "promote_error": 422,
    "budget_invalid": 422,
    "schedule_invalid": 422,
    "frequency_cap_invalid": 422,
    "audience_invalid": 422,
    "bursts_invalid": 422,
    "campaign_other_creator": 422,
    "payee_destination_missing": 422,
    "payee_destination_invalid": 422,
    "payment_not_sandbox": 422,
    "test_card_unknown": 422,
    "refund_amount_invalid": 422,
    "test_clock_invalid": 422,
    "milestone_invalid": 422,
    "milestone_template_invalid": 422,
    "milestone_placeholder_unknown": 422,
    "milestone_thresholds_invalid": 422,
    "milestone_rules_invalid": 422,
    "milestone_destination_invalid": 422,
    "milestone_channels_too_many": 422,
    "milestone_rule_missing": 422,
    "product_error": 422,
    "product_invalid": 422,
    "product_price_invalid": 422,
    "product_files_invalid": 422,
    "self_purchase": 422,
    "file_size_invalid": 422,
    "filename_invalid": 422,
    "file_type_refused": 422,
    "perk_error": 422,
    "perk_invalid": 422,
    "perk_target_invalid": 422,
    "early_access_invalid": 422,
    "question_invalid": 422,
    "self_question": 422,
    # 429: too many gift events from one wallet (a fraud rule), or too many requests
    # from one caller (its rate limit, with Retry-After): try again later
    "velocity_limited": 429,
    "rate_limited": 429,
    # 5xx: ours, or a service we depend on
    "internal_error": 500,
    "giftflow_error": 500,
    "api_error": 500,
    "ledger_rejected": 500,
    "configuration_invalid": 500,
    "catalog_invalid": 500,
    "levels_invalid": 500,
    "live_open": 500,
    "payment_provider_error": 502,
    "store_unavailable": 503,
    "engine_overloaded": 503,
    "engine_closed": 503,
    "not_ready": 503,
}

SEE_ALSO: Final[Mapping[str, str]] = {
    "region_not_found": "GET /v1/catalog/regions",
    "pack_not_found": "GET /v1/catalog/packs?region=",
    "gift_not_found": "GET /v1/catalog/gifts",
}
"""Where a client finds what exists, for the codes that say something does not: added
to the problem's ``detail``."""

RETRYABLE_CODES: Final = frozenset(
    {
        "conflict",
        "streak_conflict",
        "maturation_conflict",
        "batch_conflict",
        "promotion_conflict",
        "product_purchase_conflict",
        "velocity_limited",
        "rate_limited",
    }
)
"""Answers that may differ on a retry: an idempotency key is not spent on them."""
RETRY_AFTER_S: Final = 1
"""What a 503 (the engine's queue full, the store away) asks the client to wait."""


def status_for(error: GiftflowError) -> int:
    """The status ``error`` answers: its code's in the table, else its family's."""
    status = STATUS_BY_CODE.get(error.code)
    if status is not None:
        return status
    if isinstance(error, NotFoundError):
        return 404
    if isinstance(error, (EconomyError, CatalogError)) and not isinstance(
        error, LedgerRejectedError
    ):
        return 422
    return 500


def is_final(problem: Problem) -> bool:
    """Whether a retry with the same idempotency key should get this answer again."""
    return problem.status < 500 and problem.code not in RETRYABLE_CODES
