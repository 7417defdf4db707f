"""An idempotency key kept in the work's own transaction, raced by two servers.

Two economies on one database stand for two server processes. Requests under a few keys
(some with another body under a key already used) go to either, at once. Whatever the
interleaving: every key has one answer, given to every request of that body; a request
with another body under a used key is refused; the wallet paid exactly the answered
gifts; nothing is left half-done."""

from __future__ import annotations

import hashlib
import itertools
import json
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.errors import GiftflowError
from giftflow.ids import GiftId
from giftflow.service.economy import Economy, GiftRequest, GiftSent
from giftflow.service.once import (
    Answer,
    AnsweredError,
    IdempotencyKeyInUseError,
    IdempotencyKeyReusedError,
    Once,
)
from tests.economy.conftest import HAND_HEARTS, OpenMarket

KEYS = 3
"""Keys per example: few, so that they collide."""


@dataclass(frozen=True, slots=True)
class Call:
    key: int
    variant: int
    """0 or 1: the same key with another body (another event) when they differ."""
    server: int


calls = st.lists(
    st.builds(Call, st.integers(0, KEYS - 1), st.integers(0, 1), st.integers(0, 1)),
    min_size=1,
    max_size=10,
)


def render(outcome: object) -> Answer | None:
    assert isinstance(outcome, list), "send_gifts keeps its list of outcomes"
    (gift,) = outcome
    if isinstance(gift, GiftflowError):
        return Answer(422, json.dumps({"code": gift.code}))
    assert isinstance(gift, GiftSent)
    return Answer(201, json.dumps({"id": gift.id, "coins": gift.coins}))


def send(economy: Economy, request: GiftRequest, once: Once) -> Answer | str:
    try:
        try:
            economy.send_gifts([request], once=once)
        except AnsweredError as replay:
            answer = replay.answer if replay.committed else economy.ledger.read(once.answered)
            return Answer(answer.status_code, answer.body)
    except IdempotencyKeyReusedError:
        return "reused"
    except IdempotencyKeyInUseError:
        return "in use"  # the answer it saw was undone with its batch: the caller retries
    assert once.kept is not None, "an answered gift keeps its answer"
    return once.kept


def test_a_key_raced_by_two_servers_has_one_answer_and_charges_once(
    open_market: OpenMarket,
) -> None:
    first, second = open_market(), open_market()
    servers = (first.economy, second.economy)
    viewer, creator = first.viewer(), first.creator()
    first.buy(viewer, coins=100_000)
    examples = itertools.count()
    pool = ThreadPoolExecutor(max_workers=10)  # threads (and their connections) reused

    @settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
    @given(calls)
    def race(plan: list[Call]) -> None:
        example = next(examples)
        before = first.coins(viewer)

        def request(call: Call) -> tuple[GiftRequest, Once]:
            event = f"{example}-{call.key}-{call.variant}"
            gift = GiftRequest(
                sender_id=viewer.id,
                creator_id=creator.id,
                gift_id=GiftId(HAND_HEARTS),
                event_id=event,
            )
            digest = hashlib.sha256(event.encode()).hexdigest()
            return gift, Once("tester", f"{example}-{call.key}", digest, render)

        with ThreadPoolExecutor(max_workers=len(plan)) as pool:
            answers = list(pool.map(lambda call: send(servers[call.server], *request(call)), plan))

        by_key: dict[int, set[tuple[int, str]]] = {}
        variants: dict[int, set[int]] = {}
        for call, answer in zip(plan, answers, strict=True):
            if isinstance(answer, Answer):
                by_key.setdefault(call.key, set()).add((answer.status_code, answer.body))
                variants.setdefault(call.key, set()).add(call.variant)
            else:
                assert answer in {"reused", "in use"}
        for key, answered in by_key.items():
            assert len(answered) == 1, f"key {key} answered {answered}"
            assert len(variants[key]) == 1, "a key answered two different bodies"
        charged = sum(
            json.loads(body)["coins"]
            for answered in by_key.values()
            for status, body in answered
            if status == 201
        )
        assert before - first.coins(viewer) == charged

    try:
        race()
    finally:
        pool.shutdown()
    first.assert_reconciled()
