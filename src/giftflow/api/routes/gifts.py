"""Sending gifts: one event, a gateway's batch, and the end of a streak."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path
from fastapi.responses import Response

from giftflow.errors import GiftflowError
from giftflow.http import auth
from giftflow.http.deps import EconomyDep, IdempotentDep, PrincipalDep
from giftflow.http.metrics import ApiMetrics
from giftflow.http.problems import RESPONSES, public_detail
from giftflow.http.schemas import (
    PRINTABLE,
    GiftBatchCreate,
    GiftBatchError,
    GiftBatchOk,
    GiftBatchPublic,
    GiftCreate,
    GiftEventCreate,
    GiftSentPublic,
    GiftStreakCreate,
    StreakEnd,
    StreakPublic,
)
from giftflow.ids import GiftId, UserId
from giftflow.service.economy import GiftRequest, GiftSent
from giftflow.service.once import Once

router = APIRouter(prefix="/v1", tags=["gifts"], responses=RESPONSES)
StreakIdPath = Annotated[str, Path(min_length=1, max_length=128, pattern=PRINTABLE)]


def gift_request(body: GiftEventCreate | GiftStreakCreate) -> GiftRequest:
    if isinstance(body, GiftStreakCreate):
        return GiftRequest(
            sender_id=UserId(body.sender_id),
            creator_id=UserId(body.creator_id),
            gift_id=GiftId(body.gift_id),
            streak_id=body.streak.id,
            repeat_count=body.streak.repeat_count,
            session_id=body.session_id,
        )
    return GiftRequest(
        sender_id=UserId(body.sender_id),
        creator_id=UserId(body.creator_id),
        gift_id=GiftId(body.gift_id),
        quantity=body.quantity,
        event_id=body.event_id,
        session_id=body.session_id,
    )


@router.post("/gifts", status_code=201, response_model=GiftSentPublic)
async def send_gift(body: GiftCreate, once: IdempotentDep) -> Response:
    """Send one gift event: the sender's own token, or a key with ``gifts:write``. The
    coins leave the wallet and the creator's diamonds arrive together, or neither."""
    # The hot path takes everything from its one dependency: FastAPI's work per request
    # grows with the dependencies a route declares.
    auth.require_self_or_scope(once.principal, body.sender_id, "gifts:write", admin=False)
    economy, metrics = once.state.economy, once.state.metrics
    request = gift_request(body)

    async def send(key: Once) -> list[GiftSent | GiftflowError]:
        return _counted(await economy.send_gifts_async([request], once=key), metrics)

    return await once.run_async(body.model_dump(mode="json"), 201, _one, send)


def _one(outcomes: list[GiftSent | GiftflowError]) -> GiftSentPublic | GiftflowError:
    (outcome,) = outcomes
    return outcome if isinstance(outcome, GiftflowError) else GiftSentPublic.of(outcome)


@router.post("/gifts/batch", response_model=GiftBatchPublic)
async def send_gift_batch(body: GiftBatchCreate, once: IdempotentDep) -> Response:
    """Up to 1,000 gift events from a platform gateway (``gifts:write`` keys only), booked
    together; one result per event, in order, each ``ok`` or ``error`` with its code. A
    body that does not match the schema is refused whole (422)."""
    auth.require_scope(once.principal, "gifts:write")
    economy, metrics = once.state.economy, once.state.metrics
    requests = [gift_request(gift) for gift in body.gifts]

    async def send(key: Once) -> list[GiftSent | GiftflowError]:
        return _counted(await economy.send_gifts_async(requests, once=key), metrics)

    return await once.run_async(body.model_dump(mode="json"), 200, _all, send)


def _counted(
    outcomes: list[GiftSent | GiftflowError], metrics: ApiMetrics
) -> list[GiftSent | GiftflowError]:
    for outcome in outcomes:
        if isinstance(outcome, GiftSent):
            metrics.booked(outcome)
    return outcomes


def _all(outcomes: list[GiftSent | GiftflowError]) -> GiftBatchPublic:
    # Our own values, typed already: constructed without validation.
    return GiftBatchPublic.model_construct(results=[_item(outcome) for outcome in outcomes])


def _item(outcome: GiftSent | GiftflowError) -> GiftBatchOk | GiftBatchError:
    if isinstance(outcome, GiftflowError):
        return GiftBatchError.model_construct(code=outcome.code, detail=public_detail(outcome))
    return GiftBatchOk.model_construct(gift=GiftSentPublic.of(outcome))


@router.post("/streaks/{streak_id}/end", response_model=StreakPublic)
def end_streak(
    streak_id: StreakIdPath, body: StreakEnd, principal: PrincipalDep, economy: EconomyDep
) -> StreakPublic:
    """End the sender's streak now (the sender's token, or ``gifts:write``); ending an
    ended streak changes nothing. Streaks also end after a quiet timeout."""
    auth.require_self_or_scope(principal, body.sender_id, "gifts:write", admin=False)
    return StreakPublic.of(economy.end_streak(UserId(body.sender_id), streak_id))
