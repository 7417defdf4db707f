"""Errors as RFC 9457 problem details: the one place where an error becomes an HTTP status.

Every deliberate error in giftflow is a ``GiftflowError`` with a stable ``code``;
``STATUS_BY_CODE`` gives each code its status. A code missing from the table falls back
by family (not found: 404; another economy or catalog rule: 422; anything else: 500),
and a test keeps the table complete. The body is ``application/problem+json``::

    {"type": "urn:giftflow:problem:insufficient_funds", "title": "Unprocessable Content",
     "status": 422, "code": "insufficient_funds", "detail": "...", "instance": "/v1/gifts"}

Server errors (5xx) never say more than their code: no message, no trace.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from http import HTTPStatus
from typing import Any, Final

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from giftflow.api.errors import RateLimitedError
from giftflow.api.logs import redact
from giftflow.api.schemas import FieldProblem, Problem
from giftflow.api.schemas.common import BRANCH, at
from giftflow.economy.catalog.errors import CatalogError
from giftflow.economy.errors import EconomyError, LedgerRejectedError, NotFoundError
from giftflow.errors import Fact, GiftflowError

MEDIA_TYPE: Final = "application/problem+json"
TYPE_PREFIX: Final = "urn:giftflow:problem:"
log = logging.getLogger("giftflow.api")

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
_HTTP_CODES: Final = {400: "bad_request", 404: "not_found", 405: "method_not_allowed"}


def status_for(error: GiftflowError) -> int:
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


def problem(
    status: int,
    code: str,
    detail: str,
    *,
    instance: str | None = None,
    errors: list[FieldProblem] | None = None,
    facts: dict[str, Fact] | None = None,
) -> Problem:
    return Problem(
        type=TYPE_PREFIX + code,
        title=HTTPStatus(status).phrase,
        status=status,
        detail=detail,
        code=code,
        instance=instance,
        errors=errors,
        facts=facts or None,
    )


def from_error(error: GiftflowError, *, instance: str | None = None) -> Problem:
    status = status_for(error)
    if status == 503:  # overload or a store away: expected, and never worth a trace each
        log.warning("%s answered 503 %s", instance, error.code)
    elif status >= 500:
        log.error("%s answered %d %s", instance, status, error.code, exc_info=error)
    facts = public_facts(error) if status < 500 else None
    return problem(status, error.code, public_detail(error), instance=instance, facts=facts)


def public_facts(error: GiftflowError) -> dict[str, Fact]:
    """The error's facts, its times (``*_at``, nanoseconds) in the API's format."""
    return {
        name: _rfc3339(value) if name.endswith("_at") and isinstance(value, int) else value
        for name, value in error.facts.items()
    }


def _rfc3339(timestamp_ns: int) -> str:
    return at(timestamp_ns).isoformat().replace("+00:00", "Z")


def public_detail(error: GiftflowError) -> str:
    """The error's message, except for server errors (it may name hosts or internals)."""
    status = status_for(error)
    if status >= 500:
        return _server_detail(status)
    see = SEE_ALSO.get(error.code)
    return error.message if see is None else f"{error.message} (see {see})"


def _server_detail(status: int) -> str:
    if status == 503:
        return "giftflow cannot serve this request now; try again shortly"
    return "giftflow could not answer this request"


def response(problem_: Problem, *, headers: Mapping[str, str] | None = None) -> JSONResponse:
    all_headers = dict(headers or {})
    if problem_.status == 401:
        all_headers["WWW-Authenticate"] = "Bearer"
    if problem_.status == 503:
        all_headers.setdefault("Retry-After", str(RETRY_AFTER_S))
    return JSONResponse(
        problem_.model_dump(mode="json", exclude_none=True),
        status_code=problem_.status,
        media_type=MEDIA_TYPE,
        headers=all_headers,
    )


# --- handlers ------------------------------------------------------------------------


def _instance(request: Request) -> str:
    """The request's path, with any credential in it redacted (a report link's path):
    the problem names it, and so do the log lines about it."""
    return redact(request.url.path)


async def _giftflow_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, GiftflowError)
    return error_response(error, instance=_instance(request))


def error_response(error: GiftflowError, *, instance: str) -> JSONResponse:
    """The answer to ``error`` (a 429 ``rate_limited`` says when to retry)."""
    headers = None
    if isinstance(error, RateLimitedError):
        headers = {"Retry-After": str(error.retry_after_s)}
    return response(from_error(error, instance=instance), headers=headers)


async def _validation_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, RequestValidationError)
    found = from_validation(error.errors(), instance=_instance(request), body=error.body)
    return response(found)


def from_validation(
    errors: Sequence[Any], *, instance: str | None = None, body: object = None
) -> Problem:
    """Malformed JSON: 400 ``json_invalid``; no Idempotency-Key: 400
    ``idempotency_key_missing``; only texts the Unicode policy refuses: 422
    ``text_invalid``; anything else: 422 ``validation_failed``. Both list every field
    that is wrong, by where it is in what the client sent (``body``, as parsed)."""
    fields = [_field(error, body) for error in errors]
    if any(error.get("type") == "json_invalid" for error in errors):
        return problem(400, "json_invalid", "the body is not valid JSON", instance=instance)
    if any(_is_missing_idempotency_key(error) for error in errors):
        detail = "this request moves money: send an Idempotency-Key header"
        return problem(400, "idempotency_key_missing", detail, instance=instance)
    detail = "; ".join(f"{f.location}: {f.message}" for f in fields[:5])
    text_only = bool(fields) and all(f.type == "text_invalid" for f in fields)
    code = "text_invalid" if text_only else "validation_failed"
    return problem(422, code, detail, instance=instance, errors=fields)


def _field(error: Mapping[str, Any], body: object) -> FieldProblem:
    location = ".".join(client_location(tuple(error.get("loc", ())), body))
    return FieldProblem(
        location=location, message=str(error.get("msg", "")), type=str(error.get("type", ""))
    )


def client_location(location: tuple[object, ...], body: object) -> list[str]:
    """An error's location in the client's terms: the parts that name a union's
    alternative (tagged with ``schemas.branch``) dropped, unless the client sent a key
    of that name there itself. ``("body", "branch:event", "quantity")`` is
    ``body.quantity``; a batch's ``body.gifts.3.quantity`` likewise."""
    if location[:1] != ("body",):
        return [str(part) for part in location]
    parts, value = ["body"], body
    for part in location[1:]:
        if _is_branch(part) and not (isinstance(value, dict) and part in value):
            continue
        parts.append(str(part))
        value = _child(value, part)
    return parts


def _is_branch(part: object) -> bool:
    return isinstance(part, str) and part.startswith(BRANCH)


def _child(value: object, part: object) -> object:
    if isinstance(value, dict):
        return value.get(part)
    if isinstance(value, list) and isinstance(part, int) and 0 <= part < len(value):
        return value[part]
    return None


def _is_missing_idempotency_key(error: Mapping[str, Any]) -> bool:
    location = tuple(str(part).lower() for part in error.get("loc", ()))
    return error.get("type") == "missing" and location == ("header", "idempotency-key")


async def _http_error(request: Request, error: Exception) -> JSONResponse:
    assert isinstance(error, HTTPException)
    status = error.status_code
    code = _HTTP_CODES.get(status, "internal_error" if status >= 500 else "bad_request")
    detail = error.detail if status < 500 else _server_detail(status)
    found = problem(status, code, str(detail), instance=_instance(request))
    return response(found, headers=error.headers)


async def _unexpected(request: Request, error: Exception) -> JSONResponse:
    log.error("%s failed", _instance(request), exc_info=error)
    found = problem(500, "internal_error", _server_detail(500), instance=_instance(request))
    return response(found)


class UnexpectedErrorMiddleware:
    """Answers an unexpected exception with a bare 500 problem and keeps it there.

    Starlette's last-resort handler re-raises after answering, and the server then
    drops the client's keep-alive connection; this one logs and answers instead."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def watch(message: Message) -> None:
            nonlocal started
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, receive, watch)
        except Exception as error:
            if started:
                raise
            answer = await _unexpected(Request(scope), error)
            await answer(scope, receive, send)


def install(app: FastAPI) -> None:
    app.add_exception_handler(GiftflowError, _giftflow_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(HTTPException, _http_error)
    app.add_exception_handler(Exception, _unexpected)
    app.add_middleware(UnexpectedErrorMiddleware)


RESPONSES: Final[dict[int | str, dict[str, Any]]] = {
    status: {"model": Problem, "description": description}
    for status, description in (
        (400, "Malformed request (problem+json)"),
        (401, "No or unknown credentials (problem+json)"),
        (403, "Not allowed (problem+json)"),
        (404, "Not found (problem+json)"),
        (409, "Conflict (problem+json)"),
        (413, "Request body over the route's limit (problem+json)"),
        (422, "Breaks a rule (problem+json)"),
        (429, "Too many requests or gift events; Retry-After (problem+json)"),
        (503, "Unavailable (problem+json)"),
    )
}
"""The problems every operation may answer, for the OpenAPI document (``app.py`` files
them under ``application/problem+json``)."""
