"""Subathon timers and gift rules over real HTTP, on SQLite and PostgreSQL: a timer
that gifts (streaks included) extend, paused and resumed, equal to an independent
recount from the gifts table; its overlay state with a room token; gift rules that
fire once per qualifying gift event, to the room's WebSocket and to a loopback
webhook receiver; two economies on one PostgreSQL never fire a rule twice within its
cooldown; bad input refused with its code, changing nothing."""

from __future__ import annotations

import asyncio
import json
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pytest
from websockets.sync.client import connect

from giftflow.ids import UserId
from giftflow.service.economy import Economy, GiftRequest
from giftflow.service.live import Live
from giftflow.service.webhooks.worker import deliver_due
from tests.api.conftest import DOUGHNUT, LION, ROSE, World, assert_problem, bearer, open_world
from tests.api.receiver import Receiver
from tests.api.recount import NS_PER_S, recount

Json = dict[str, Any]
TIERS = [{"min_coins": 1, "add_s": 10}, {"min_coins": 30, "add_s": 60}]
RULES = (((1, 10), (30, 60)), 200)
SWEEP_WAIT_S = 10


def rows(world: World, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    return world.economy.ledger.read(lambda tx: tx.execute(sql, parameters).fetchall())


def room(world: World) -> tuple[int, int, int]:
    """Carol live, and a fan with coins: ``(carol, session, fan)``."""
    carol = world.user("carol", creator=True)["id"]
    fan = world.user("fan")["id"]
    world.buy(fan, 100_000)
    session = world.ok(world.post(f"/v1/rooms/{carol}/sessions", {}, world.admin_key), 201)
    return carol, session["id"], fan


def start(world: World, carol: int, **fields: Any) -> Json:
    body = {"initial_s": 600, "cap_s": 3_600, "tiers": TIERS, "ms_per_coin": 200} | fields
    return world.ok(world.post(f"/v1/rooms/{carol}/subathons", body, world.admin_key), 201)


def streak(world: World, fan: int, carol: int, session: int, name: str, count: int) -> Json:
    fields = {"streak": {"id": name, "repeat_count": count}, "session_id": session}
    return world.gift(fan, carol, ROSE, **fields)


def recounted(world: World, subathon: Json, carol: int) -> Any:
    """The timer recounted from the gifts table and the recorded controls."""
    gifts = rows(
        world,
        "SELECT sent_at, coins FROM gifts WHERE creator_id = ? AND session_id IS NOT NULL",
        carol,
    )
    controls = [
        (at, kind, None if text == "null" else _rules(json.loads(text)))
        for at, kind, text in rows(
            world,
            "SELECT at, kind, rules FROM subathon_controls WHERE subathon_id = ? ORDER BY seq",
            subathon["id"],
        )
    ]
    started_at = rows(world, "SELECT started_at FROM subathons WHERE id = ?", subathon["id"])
    return recount(
        started_at=started_at[0][0],
        initial_s=subathon["initial_s"],
        cap_s=subathon["cap_s"],
        rules=RULES,
        controls=controls,
        gifts=[(at, coins) for at, coins in gifts],
    )


def _rules(raw: Json) -> Any:
    return tuple(tuple(t) for t in raw["tiers"]), raw["ms_per_coin"]


def test_gifts_extend_the_timer_and_it_equals_a_recount_from_the_gifts(world: World) -> None:
    carol, session, fan = room(world)
    started = start(world, carol)
    assert started["state"] == "running" and started["remaining_ms"] == 600_000
    world.clock.advance(seconds=30)
    world.gift(fan, carol, DOUGHNUT, session_id=session)  # 60 s + 6 s
    for count in (1, 2, 4, 4):  # a streak: 1, 1, 2 roses; the last a retry
        streak(world, fan, carol, session, "roses", count)
    world.clock.advance(seconds=20)
    paused = world.ok(world.post(f"/v1/subathons/{started['id']}/pause", None, world.admin_key))
    assert paused["state"] == "paused" and paused["ends_at"] is None
    world.clock.advance(seconds=3_000)  # paused: the time does not run
    world.gift(fan, carol, DOUGHNUT, session_id=session)  # ... and gifts still add
    world.clock.advance(seconds=5)
    path = f"/v1/subathons/{started['id']}"
    changed = world.patch_json(path, {"tiers": [{"min_coins": 1, "add_s": 1}]}, world.admin_key)
    assert world.ok(changed)["tiers"] == [{"min_coins": 1, "add_s": 1}]
    world.clock.advance(seconds=5)
    resumed = world.ok(world.post(f"{path}/resume", None, world.admin_key))
    world.gift(fan, carol, DOUGHNUT, session_id=session)  # 1 s by the new rules
    now = world.ok(world.get(path, world.admin_key))
    assert now["gifts"] == 6 and now["coins"] == 30 + 1 + 1 + 2 + 30 + 30
    assert now["added_ns"] == (66 + 3 * 10 + 66 + 1) * NS_PER_S + 4 * 200_000_000
    again = recounted(world, now, carol)
    assert (again.gifts, again.coins, again.granted_ns) == (6, now["coins"], now["granted_ns"])
    ends_at = rows(world, "SELECT toggled_at + granted_ns - run_ns FROM subathons")[0][0]
    assert again.ends_at == ends_at
    assert resumed["state"] == "running"
    # The end is 600 s plus what gifts added after the 50 s it ran before the pause.
    assert now["remaining_ns"] == (600 - 50) * NS_PER_S + now["added_ns"]


def test_the_timer_ends_when_its_time_is_used_up_and_a_new_one_may_start(world: World) -> None:
    carol, session, fan = room(world)
    first = start(world, carol, initial_s=60, cap_s=70)
    again = world.post(
        f"/v1/rooms/{carol}/subathons", {"initial_s": 5, "cap_s": 5}, world.admin_key
    )
    assert_problem(again, 409, "subathon_running")
    world.gift(fan, carol, LION, session_id=session)  # capped: 10 s more only
    world.clock.advance(seconds=70)
    over = world.ok(world.get(f"/v1/subathons/{first['id']}", world.admin_key))
    assert (over["state"], over["remaining_ns"], over["added_ns"]) == ("ended", 0, 10 * NS_PER_S)
    # The app's sweep (every second) records the end, at exactly the moment it came.
    deadline = time.monotonic() + SWEEP_WAIT_S
    while world.ok(world.get(f"/v1/subathons/{first['id']}", world.admin_key))["ended_at"] is None:
        assert time.monotonic() < deadline, "the sweep never recorded the end"
        time.sleep(0.05)
    [(kind, at)] = rows(world, "SELECT kind, at FROM subathon_controls")
    started_at = rows(world, "SELECT started_at FROM subathons")[0][0]
    assert (kind, at) == ("expire", started_at + 70 * NS_PER_S)
    late = world.gift(fan, carol, DOUGHNUT, session_id=session)
    assert late["coins"] == 30  # booked, and not counted
    assert world.ok(world.get(f"/v1/subathons/{first['id']}", world.admin_key))["gifts"] == 1
    refused = world.post(f"/v1/subathons/{first['id']}/pause", None, world.admin_key)
    assert_problem(refused, 409, "subathon_ended")
    second = start(world, carol)
    listed = world.ok(world.get(f"/v1/rooms/{carol}/subathons", world.admin_key))["subathons"]
    assert [s["number"] for s in listed] == [2, 1] and listed[0]["id"] == second["id"]
    ended = world.ok(world.post(f"/v1/subathons/{second['id']}/end", None, world.admin_key))
    assert ended["state"] == "ended" and ended["ended_at"] is not None


def test_the_overlay_state_reads_with_a_room_token_only(world: World) -> None:
    carol, _, _ = room(world)
    dave = world.user("dave", creator=True)["id"]
    token = world.ok(world.post(f"/v1/rooms/{carol}/tokens", None, world.admin_key), 201)["token"]
    empty = world.ok(world.get(f"/v1/rooms/{carol}/subathon-state", token=token))
    assert empty["subathon"] is None and empty["room_id"] == carol
    started = start(world, carol)
    state = world.ok(world.get(f"/v1/rooms/{carol}/subathon-state", token=token))
    assert state["subathon"]["subathon_id"] == started["id"]
    assert state["subathon"]["ends_at"] == state["at"] + state["subathon"]["remaining_ns"]
    assert state["last_event_id"] is not None
    wrong = world.get(f"/v1/rooms/{carol}/subathon-state", world.admin_key)
    assert_problem(wrong, 401, "token_invalid")
    other = world.get(f"/v1/rooms/{dave}/subathon-state", token=token)
    assert_problem(other, 403, "forbidden")


def test_gift_rules_fire_once_per_qualifying_gift_to_the_room_and_webhooks(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    carol, session, fan = room(world)
    hook = {"url": receiver.url, "event_types": ["gift_rule.fired", "subathon.started"]}
    endpoint = world.ok(world.post("/v1/webhook-endpoints", hook, world.admin_key), 201)
    roses = world.ok(
        world.post(
            f"/v1/rooms/{carol}/gift-rules",
            {"action": "confetti", "payload": "pink", "gift_id": ROSE},
            world.admin_key,
        ),
        201,
    )
    big = {"action": "horn", "min_coins": 30, "cooldown_s": 60}
    horn = world.ok(world.post(f"/v1/rooms/{carol}/gift-rules", big, world.admin_key), 201)
    start(world, carol)
    heard = _listen(world, carol, ["gift_rule.fired"] * 4)
    for count in (1, 2, 5, 5):  # increments 1, 1, 3; then a retry
        streak(world, fan, carol, session, "combo", count)
    world.gift(fan, carol, DOUGHNUT, session_id=session)  # horn fires
    world.gift(fan, carol, DOUGHNUT, session_id=session)  # within the cooldown
    fired = heard()
    assert [(e["data"]["action"], e["data"]["coins"]) for e in fired] == [
        ("confetti", 1),
        ("confetti", 1),
        ("confetti", 3),
        ("horn", 30),
    ]
    firings = world.ok(world.get(f"/v1/gift-rules/{roses['id']}/firings", world.admin_key))
    assert len(firings["firings"]) == 3
    assert world.ok(world.get(f"/v1/gift-rules/{horn['id']}", world.admin_key))["fired"] == 1
    asyncio.run(deliver_due(world.economy.ledger, world.economy.context.settings, passes=50))
    delivered = [e for e in receiver.events(endpoint["secret"]) if e["type"] == "gift_rule.fired"]
    assert [e["data"]["rule_id"] for e in delivered] == [roses["id"]] * 3 + [horn["id"]]
    assert delivered[0]["data"]["payload"] == "pink"
    started = [e for e in receiver.events(endpoint["secret"]) if e["type"] == "subathon.started"]
    assert len(started) == 1 and started[0]["data"]["initial_s"] == 600
    deleted = world.client.delete(f"/v1/gift-rules/{horn['id']}", headers=bearer(world.admin_key))
    assert deleted.status_code == 204
    assert_problem(
        world.get(f"/v1/gift-rules/{horn['id']}", world.admin_key), 404, "gift_rule_not_found"
    )


def _listen(world: World, room_id: int, types: list[str]) -> Any:
    """The room's events after the newest one now; the returned call reads them until
    it has seen ``len(types)`` events of those types (in order)."""
    token = world.ok(world.post(f"/v1/rooms/{room_id}/tokens", None, world.admin_key), 201)
    after = world.bus.last_id(UserId(room_id)) or "00000000000000000000"
    base = str(world.client.base_url).replace("http", "ws", 1)
    url = f"{base}/v1/rooms/{room_id}/events?token={token['token']}&last_event_id={after}"

    def wait() -> list[Json]:
        wanted: list[Json] = []
        with connect(url, max_size=None) as socket:
            while len(wanted) < len(types):
                event = json.loads(socket.recv(timeout=10))
                if event["type"] in types:
                    wanted.append(event)
        return wanted

    return wait


@pytest.mark.postgres
def test_two_economies_on_one_database_fire_a_rule_once_per_cooldown(
    postgres_url: str, tmp_path: Path
) -> None:
    """Two server processes' worth of economies on one PostgreSQL, eight threads
    sending qualifying gifts at one instant: the rule fires once; its cooldown then
    over, once more; the timer counts every gift once."""
    with open_world(postgres_url, tmp_path / "payouts") as world:
        carol, session, _ = room(world)
        fans = [world.user(f"fan{n}")["id"] for n in range(8)]
        for fan in fans:
            world.buy(fan, 1_000)
        rule = {"action": "horn", "min_coins": 1, "cooldown_s": 60}
        created = world.ok(world.post(f"/v1/rooms/{carol}/gift-rules", rule, world.admin_key), 201)
        subathon = start(world, carol)
        other = Economy.open(world.economy.context.settings, clock=world.clock)
        try:
            Live.open(other, world.bus)
            economies = [world.economy, other]

            def send(n: int) -> None:
                request = world.gift_body(fans[n % 8], carol, DOUGHNUT, session_id=session)
                economies[n % 2].send_gift(_request(request))

            with ThreadPoolExecutor(8) as pool:
                list(pool.map(send, range(16)))
            world.clock.advance(seconds=61)  # past the cooldown (it runs from the firing)
            with ThreadPoolExecutor(8) as pool:
                list(pool.map(send, range(16, 32)))
        finally:
            other.close()
        assert world.ok(world.get(f"/v1/gift-rules/{created['id']}", world.admin_key))["fired"] == 2
        assert world.count("gift_rule_firings") == 2
        timer = world.ok(world.get(f"/v1/subathons/{subathon['id']}", world.admin_key))
        assert timer["gifts"] == 32 == world.count("subathon_gifts")
        assert recounted(world, timer, carol).granted_ns == timer["granted_ns"]


def _request(body: Json) -> GiftRequest:
    return GiftRequest(
        sender_id=body["sender_id"],
        creator_id=body["creator_id"],
        gift_id=body["gift_id"],
        event_id=body["event_id"],
        session_id=body["session_id"],
    )


@pytest.mark.parametrize(
    ("path", "body", "code"),
    [
        ("subathons", {"initial_s": 0, "cap_s": 10}, "validation_failed"),
        ("subathons", {"initial_s": 20, "cap_s": 10}, "subathon_duration_invalid"),
        (
            "subathons",
            {"initial_s": 10, "cap_s": 10, "tiers": [{"min_coins": 5, "add_s": 1}] * 2},
            "subathon_rules_invalid",
        ),
        ("subathons", {"initial_s": 10, "cap_s": 10, "ms_per_coin": 1.5}, "validation_failed"),
        ("gift-rules", {"action": "x"}, "gift_rule_invalid"),
        ("gift-rules", {"action": "bad name", "min_coins": 1}, "validation_failed"),
        ("gift-rules", {"action": "x", "gift_id": 1}, "gift_not_found"),
        ("gift-rules", {"action": "x", "min_coins": 1, "cooldown_s": 86_401}, "validation_failed"),
    ],
)
def test_bad_input_is_refused_with_its_code_and_changes_nothing(
    world: World, path: str, body: Json, code: str
) -> None:
    carol = world.user("carol", creator=True)["id"]
    before = world.snapshot()
    answer = world.post(f"/v1/rooms/{carol}/{path}", body, world.admin_key)
    status = 404 if code == "gift_not_found" else 422
    assert_problem(answer, status, code)
    assert world.snapshot() == before
