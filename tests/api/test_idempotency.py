"""Every money-moving POST under an Idempotency-Key: the same key and request again get
the first answer and change nothing; the same key for another request is a 409."""

from __future__ import annotations

from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from pydantic import TypeAdapter

from giftflow.http.idempotency import fingerprint
from giftflow.http.schemas import GiftCreate, GiftEventCreate, GiftStreakCreate
from giftflow.ids import UserId
from tests.api.conftest import (
    DAY_S,
    LION,
    ROSE,
    Json,
    World,
    assert_problem,
    bearer,
    open_world,
)


@dataclass
class Call:
    """One money-moving request, and another one to try under the same key."""

    path: str
    body: Json | None
    other_path: str
    other_body: Json | None
    credential: str
    status: int = 200
    csv: str | None = None
    """Upload this as the results file (multipart) instead of a JSON body."""
    other_csv: str | None = None

    def send(self, world: World, key: str | None, *, other: bool = False) -> httpx.Response:
        headers = bearer(self.credential)
        if key is not None:
            headers["Idempotency-Key"] = key
        path = self.other_path if other else self.path
        content = self.other_csv if other else self.csv
        if content is not None:
            files = {"file": ("results.csv", content.encode(), "text/csv")}
            return world.client.post(path, files=files, headers=headers)
        return world.client.post(
            path, json=self.other_body if other else self.body, headers=headers
        )


@dataclass
class Cast:
    viewer: int
    creator: int
    payouts: list[str]


def cast(world: World, *, payouts: int = 0, requested: bool = False) -> Cast:
    """A viewer with coins and a creator with 29,999 available diamonds (and ``payouts``
    payouts of 10,000 each: ``held``, or ``requested`` when a fraud decision is open)."""
    viewer = world.user("viewer")["id"]
    creator = world.user("creator", creator=True)["id"]
    world.buy(viewer, 70_000)
    for _ in range(2):
        world.gift(viewer, creator, LION)
    world.clock.advance(seconds=8 * DAY_S)
    if requested:  # the self-gifting rule logs an open decision about the creator
        refused = world.post(
            "/v1/gifts", world.gift_body(creator, creator), world.admin_key, key="self"
        )
        assert_problem(refused, 422, "self_gifting")
    made = [
        world.ok(
            world.post(
                "/v1/payouts",
                {"creator_id": creator, "diamonds": 10_000},
                world.admin_key,
                key=world.new_key(),
            ),
            201,
        )["id"]
        for _ in range(payouts)
    ]
    return Cast(viewer, creator, made)


def purchase(world: World) -> Call:
    people = cast(world)
    body = {"user_id": people.viewer, "channel": "web", "provider": "sandbox", "coins": 100}
    other = body | {"coins": 200}
    return Call("/v1/purchases", body, "/v1/purchases", other, world.admin_key, 201)


def gift(world: World) -> Call:
    people = cast(world)
    body = world.gift_body(people.viewer, people.creator, ROSE, quantity=3)
    return Call("/v1/gifts", body, "/v1/gifts", body | {"quantity": 4}, world.admin_key, 201)


def gift_batch(world: World) -> Call:
    people = cast(world)
    gifts = [world.gift_body(people.viewer, people.creator) for _ in range(3)]
    gifts.append(
        world.gift_body(people.viewer, people.creator, streak={"id": "s", "repeat_count": 2})
    )
    gifts.append(world.gift_body(people.viewer, 999))  # an error result is kept too
    body = {"gifts": gifts}
    return Call("/v1/gifts/batch", body, "/v1/gifts/batch", {"gifts": gifts[:2]}, world.admin_key)


def payout(world: World) -> Call:
    people = cast(world)
    body = {"creator_id": people.creator, "diamonds": 10_000}
    other = body | {"diamonds": 10_001}
    return Call("/v1/payouts", body, "/v1/payouts", other, world.admin_key, 201)


def hold(world: World) -> Call:
    (payout_id,) = cast(world, payouts=1, requested=True).payouts
    path = f"/v1/payouts/{payout_id}/hold"
    return Call(path, None, f"/v1/payouts/{payout_id}/approve", None, world.admin_key)


def approve(world: World) -> Call:
    first, second = cast(world, payouts=2).payouts
    path = f"/v1/payouts/{first}/approve"
    return Call(path, None, f"/v1/payouts/{second}/approve", None, world.admin_key)


def reject(world: World) -> Call:
    (payout_id,) = cast(world, payouts=1).payouts
    path = f"/v1/payouts/{payout_id}/reject"
    return Call(path, {"reason": "documents"}, path, {"reason": "other"}, world.admin_key)


def results(world: World) -> Call:
    first, second = cast(world, payouts=2).payouts
    for payout_id in (first, second):
        world.economy.approve_payout(payout_id)
    assert world.economy.export_payouts() is not None
    header = "payout_id,status,reference,reason\n"
    path = "/v1/admin/payout-batches/results"
    call = Call(path, None, path, None, world.admin_key)
    call.csv = f"{header}{first},paid,ref-1,\n{second},failed,,closed account\n"
    call.other_csv = f"{header}{first},paid,ref-1,\n"
    return call


def freeze(world: World) -> Call:
    people = cast(world)
    path = f"/v1/admin/users/{people.viewer}/freeze"
    return Call(path, None, f"/v1/admin/users/{people.creator}/freeze", None, world.admin_key)


def unfreeze(world: World) -> Call:
    people = cast(world)
    world.economy.set_wallet_frozen(UserId(people.viewer), frozen=True)
    path = f"/v1/admin/users/{people.viewer}/unfreeze"
    return Call(path, None, f"/v1/admin/users/{people.creator}/unfreeze", None, world.admin_key)


MONEY_MOVING: list[Callable[[World], Call]] = [
    purchase,
    gift,
    gift_batch,
    payout,
    hold,
    approve,
    reject,
    results,
    freeze,
    unfreeze,
]


@pytest.mark.parametrize("prepare", MONEY_MOVING, ids=lambda prepare: prepare.__name__)
def test_a_retry_gets_the_first_answer_and_applies_nothing_twice(
    world: World, prepare: Callable[[World], Call]
) -> None:
    call = prepare(world)
    key = world.new_key()
    first = call.send(world, key)
    assert first.status_code == call.status, first.text
    assert "Idempotent-Replayed" not in first.headers
    after_first = world.snapshot()

    again = call.send(world, key)
    assert (again.status_code, again.json()) == (first.status_code, first.json())
    assert again.headers["Idempotent-Replayed"] == "true"
    assert world.snapshot() == after_first

    reused = call.send(world, key, other=True)
    assert_problem(reused, 409, "idempotency_key_reused")
    assert_problem(call.send(world, None), 400, "idempotency_key_missing")
    assert world.snapshot() == after_first


def test_keys_belong_to_their_caller(world: World) -> None:
    """Two callers may use the same key for their own, different requests."""
    people = cast(world)
    other_caller = world.key("gifts:write")
    key = world.new_key()
    mine = world.post(
        "/v1/gifts", world.gift_body(people.viewer, people.creator), world.admin_key, key=key
    )
    theirs = world.post(
        "/v1/gifts", world.gift_body(people.viewer, people.creator), other_caller, key=key
    )
    assert mine.status_code == theirs.status_code == 201
    assert mine.json()["id"] != theirs.json()["id"]


def test_a_request_still_running_is_not_run_twice(world: World) -> None:
    people = cast(world)
    body = world.gift_body(people.viewer, people.creator)
    path = "/v1/gifts"
    adapter: TypeAdapter[GiftEventCreate | GiftStreakCreate] = TypeAdapter(GiftCreate)
    request = adapter.validate_python(body)
    digest = fingerprint("POST", path, request.model_dump(mode="json"))
    admin_id = world.admin_key.split("_")[1]
    world.economy.ledger.write(
        lambda tx: tx.execute(
            "INSERT INTO idempotency_keys (principal, key, request_sha256, status_code, body,"
            " created_at) VALUES (?, 'busy', ?, 0, '', 0)",
            (f"key:{admin_id}", digest),
        )
    )
    before = world.snapshot()
    assert_problem(
        world.post(path, body, world.admin_key, key="busy"), 409, "idempotency_key_in_use"
    )
    assert world.snapshot() == before


def test_concurrent_retries_book_one_gift(world: World) -> None:
    people = cast(world)
    body = world.gift_body(people.viewer, people.creator, ROSE, quantity=7)
    coins = world.coins(people.viewer)
    with ThreadPoolExecutor(max_workers=8) as pool:
        answers = list(
            pool.map(lambda _: world.post("/v1/gifts", body, world.admin_key, key="same"), range(8))
        )
    statuses = sorted({answer.status_code for answer in answers})
    assert statuses in ([201], [201, 409])
    assert {a.json()["code"] for a in answers if a.status_code == 409} <= {"idempotency_key_in_use"}
    assert len({a.json()["id"] for a in answers if a.status_code == 201}) == 1
    assert world.coins(people.viewer) == coins - 7


def test_a_refusal_is_the_first_answer_too(world: World) -> None:
    """A gift refused for want of coins stays refused under its key: a new attempt
    after buying coins takes a new key."""
    viewer = world.user("poor")["id"]
    creator = world.user("creator", creator=True)["id"]
    body = world.gift_body(viewer, creator)
    assert_problem(
        world.post("/v1/gifts", body, world.admin_key, key="k"), 422, "insufficient_funds"
    )
    world.buy(viewer, 100)
    replay = world.post("/v1/gifts", body, world.admin_key, key="k")
    assert_problem(replay, 422, "insufficient_funds")
    assert replay.headers["Idempotent-Replayed"] == "true"
    world.ok(world.post("/v1/gifts", body, world.admin_key, key="k2"), 201)


def test_a_velocity_limit_does_not_spend_the_key(database_url: str, tmp_path: Path) -> None:
    """Answers that may differ later (a rate limit, a write conflict) give the key back."""
    with open_world(database_url, tmp_path / "payouts", velocity_limit=1) as world:
        viewer = world.user("fast")["id"]
        creator = world.user("creator", creator=True)["id"]
        world.buy(viewer, 100)
        world.gift(viewer, creator)
        body = world.gift_body(viewer, creator)
        limited = world.post("/v1/gifts", body, world.admin_key, key="k")
        assert_problem(limited, 429, "velocity_limited")
        world.clock.advance(seconds=11)
        world.ok(world.post("/v1/gifts", body, world.admin_key, key="k"), 201)
