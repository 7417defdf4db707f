"""Milestone posts over HTTP: a creator's channels (Discord, Telegram, JSON) get each
milestone once, in their format, from the delivery worker, at a real receiver on
loopback; templates name only their kind's placeholders; both backends."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook

from giftflow.service.economy import Economy
from giftflow.service.webhooks.worker import deliver_due
from tests.api.conftest import DOUGHNUT, HOOKS, ROSE, World, assert_problem, bearer
from tests.api.receiver import Receiver

Json = dict[str, Any]
SETTINGS: Json = HOOKS | {
    "webhooks_retry_schedule_s": (1, 2, 4),
    "webhooks_retry_jitter": 0,
}
BOT_TOKEN = "123456789:AAH-test_token_for_a_bot_0123456789"


@pytest.fixture
def hook_settings() -> Json:
    return SETTINGS


def deliver(economy: Economy) -> int:
    return asyncio.run(deliver_due(economy.ledger, economy.context.settings, passes=50))


def channel(world: World, room: int, body: Json, credential: str) -> Json:
    created: Json = world.ok(
        world.post(f"/v1/rooms/{room}/milestone-channels", body, credential), 201
    )
    return created


def bodies(receiver: Receiver) -> list[Json]:
    return [json.loads(item.body) for item in receiver.ok()]


def posts(world: World, channel_id: str, credential: str) -> list[Json]:
    found: list[Json] = world.ok(
        world.get(f"/v1/milestone-channels/{channel_id}/posts", credential)
    )["posts"]
    return found


def live_session(world: World, creator: int) -> int:
    started = world.post(f"/v1/rooms/{creator}/sessions", {"title": "Art night"}, world.admin_key)
    return int(world.ok(started, 201)["id"])


def test_a_discord_channel_posts_a_completed_goal_once_and_pings_no_one(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    carol = world.user("carol", creator=True)["id"]
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    creator = world.token(carol, "creator")
    template = "@everyone {creator} reached {goal} ({count} coins) thanks to {supporter}! {url}"
    made = channel(
        world,
        carol,
        {
            "format": "discord",
            "url": receiver.url + "/api/webhooks/1234/secret-discord-token",
            "link_url": "https://example.com/carol",
            "rules": [{"kind": "goal_completed", "template": template}],
        },
        creator,
    )
    assert made["signing_secret"] is None and made["url"].endswith("/…oken")
    assert "secret-discord-token" not in json.dumps(made)
    world.buy(alice, 1_000)
    world.buy(bob, 1_000)
    session = live_session(world, carol)
    goal = world.post(
        f"/v1/sessions/{session}/goals", {"target_coins": 50, "promise": "a dance"}, creator
    )
    goal_id = world.ok(goal, 201)["id"]
    world.gift(alice, carol, ROSE, quantity=20, session_id=session)
    completing = world.gift_body(bob, carol, DOUGHNUT, session_id=session)
    key = world.new_key()
    first = world.ok(world.post("/v1/gifts", completing, world.admin_key, key=key), 201)
    retried = world.post("/v1/gifts", completing, world.admin_key, key=key)  # the same request
    assert world.ok(retried, 201)["id"] == first["id"]
    world.gift(alice, carol, DOUGHNUT, session_id=session)  # past the target: no more
    assert deliver(world.economy) == 1
    (received,) = receiver.ok()
    assert received.path == "/hooks/api/webhooks/1234/secret-discord-token"
    assert received.headers["content-type"] == "application/json"
    assert "webhook-signature" not in received.headers and "webhook-id" not in received.headers
    body = json.loads(received.body)
    assert set(body) == {"content", "allowed_mentions"}
    assert body["content"] == (
        "@everyone Carol reached a dance (50 coins) thanks to Bob! https://example.com/carol"
    )
    assert body["allowed_mentions"] == {"parse": []}  # the @everyone pings no one
    (posted,) = posts(world, made["id"], creator)
    assert posted["milestone"] == f"goal:{goal_id}" and posted["kind"] == "goal_completed"
    assert posted["state"] == "delivered" and posted["attempts"] == 1


def test_a_telegram_channel_posts_each_follower_threshold_once(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    carol = world.user("carol", creator=True)["id"]
    fans = [world.user(f"fan{n}")["id"] for n in range(4)]
    creator = world.token(carol, "creator")
    api_url = receiver.url.removesuffix("/hooks")
    made = channel(
        world,
        carol,
        {
            "format": "telegram",
            "bot_token": BOT_TOKEN,
            "chat_id": "-1001234567890",
            "api_url": api_url,
            "rules": [
                {
                    "kind": "followers_reached",
                    "template": "{creator} has {count} followers {{thank you}}",
                    "thresholds": [2, 3],
                }
            ],
        },
        creator,
    )
    assert made["url"] is None
    assert made["telegram"] == {
        "chat_id": "-1001234567890",
        "bot_token": "123456789:…6789",
        "api_url": api_url,
    }
    assert BOT_TOKEN not in json.dumps(
        world.ok(world.get(f"/v1/rooms/{carol}/milestone-channels", creator))
    )

    def follow(user: int) -> None:
        answer = world.post(f"/v1/creators/{carol}/followers", {"user_id": user}, world.admin_key)
        assert answer.status_code in (200, 201), answer.text

    follow(fans[0])
    follow(fans[0])  # a repeat follow counts nothing
    follow(fans[1])  # 2 followers
    follow(fans[1])
    session = live_session(world, carol)
    interaction = {"user_id": fans[2], "kind": "follow"}
    world.ok(world.post(f"/v1/sessions/{session}/interactions", interaction, world.admin_key), 201)
    follow(fans[3])  # 4: no threshold
    assert deliver(world.economy) == 2
    received = receiver.ok()
    assert {item.path for item in received} == {f"/bot{BOT_TOKEN}/sendMessage"}
    assert all("webhook-signature" not in item.headers for item in received)
    assert bodies(receiver) == [
        {
            "chat_id": "-1001234567890",
            "text": "Carol has 2 followers {thank you}",
            "disable_web_page_preview": True,
        },
        {
            "chat_id": "-1001234567890",
            "text": "Carol has 3 followers {thank you}",
            "disable_web_page_preview": True,
        },
    ]
    assert [p["milestone"] for p in posts(world, made["id"], creator)] == [
        "followers:3",
        "followers:2",
    ]


def test_a_json_channel_signs_supporter_levels_and_live_starts(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    carol = world.user("carol", creator=True)["id"]
    alice = world.user("alice")["id"]
    creator = world.token(carol, "creator")
    made = channel(
        world,
        carol,
        {
            "format": "json",
            "url": receiver.url,
            "rules": [
                {"kind": "supporter_level_reached", "thresholds": [2, 3]},
                {"kind": "live_started", "template": "{creator} is live: {title}"},
            ],
        },
        creator,
    )
    secret = made["signing_secret"]
    assert secret.startswith("whsec_")
    assert "signing_secret" not in world.ok(
        world.get(f"/v1/milestone-channels/{made['id']}", creator)
    )
    world.buy(alice, 5_000)
    session = live_session(world, carol)
    world.gift(alice, carol, ROSE, quantity=99, session_id=session)  # 99 coins: level 1
    body = world.gift_body(alice, carol, ROSE, quantity=1, session_id=session)  # 100: level 2
    key = world.new_key()
    world.ok(world.post("/v1/gifts", body, world.admin_key, key=key), 201)
    world.ok(world.post("/v1/gifts", body, world.admin_key, key=key), 201)  # retried
    world.gift(alice, carol, ROSE, quantity=5, session_id=session)  # still level 2
    assert deliver(world.economy) == 2
    payloads = [Webhook(secret).verify(item.body, item.headers) for item in receiver.ok()]
    assert [p["type"] for p in payloads] == [
        "milestone.live_started",
        "milestone.supporter_level_reached",
    ]
    started, level = payloads
    assert started["room_id"] == carol and started["timestamp"].endswith("Z")
    assert started["data"]["text"] == "Carol is live: Art night"
    assert started["data"]["values"] == {"creator": "Carol", "title": "Art night", "url": ""}
    assert started["data"]["milestone"] == f"live:{session}"
    assert level["data"]["milestone"] == f"supporter:{alice}:2"
    assert level["data"]["text"] == "Alice reached level 2 with Carol!"
    assert level["data"]["values"]["level"] == "2" and level["data"]["channel_id"] == made["id"]
    assert {item.headers["webhook-id"] for item in receiver.ok()} == {p["id"] for p in payloads}


def test_templates_name_only_their_kinds_placeholders(hooked: World, receiver: Receiver) -> None:
    world = hooked
    carol = world.user("carol", creator=True)["id"]
    creator = world.token(carol, "creator")

    def refused(template: str, kind: str = "live_started") -> Json:
        body = {
            "format": "discord",
            "url": receiver.url,
            "rules": [{"kind": kind, "template": template}],
        }
        answer: Json = world.post(f"/v1/rooms/{carol}/milestone-channels", body, creator).json()
        return answer

    unknown = refused("{creator} reached level {level}")
    assert unknown["code"] == "milestone_placeholder_unknown" and unknown["status"] == 422
    assert "{level}" in unknown["detail"] and "{title}" in unknown["detail"]
    assert refused("{creator.__class__.__mro__}")["code"] == "milestone_placeholder_unknown"
    assert refused("{0}")["code"] == "milestone_placeholder_unknown"
    assert refused("{creator!r:>10}")["code"] == "milestone_placeholder_unknown"
    assert refused("a lone { brace")["code"] == "milestone_template_invalid"
    bad = refused("{creator}", kind="followers_reached")  # no thresholds
    assert bad["code"] == "milestone_thresholds_invalid"
    listed = world.ok(world.get(f"/v1/rooms/{carol}/milestone-channels", creator))
    assert listed == {"channels": []}
    assert world.count("webhook_endpoints") == 0


def test_a_failed_post_is_retried_and_arrives_once(hooked: World, receiver: Receiver) -> None:
    world = hooked
    carol = world.user("carol", creator=True)["id"]
    creator = world.token(carol, "creator")
    made = channel(
        world,
        carol,
        {"format": "discord", "url": receiver.url, "rules": [{"kind": "live_started"}]},
        creator,
    )
    receiver.status = 503
    live_session(world, carol)
    assert deliver(world.economy) == 1
    (waiting,) = posts(world, made["id"], creator)
    assert waiting["state"] == "pending" and waiting["last_status_code"] == 503
    receiver.status = 204
    world.clock.advance(seconds=1)
    assert deliver(world.economy) == 1
    assert deliver(world.economy) == 0
    assert bodies(receiver) == [
        {"content": "Carol is live: Art night", "allowed_mentions": {"parse": []}}
    ]
    (posted,) = posts(world, made["id"], creator)
    assert posted["state"] == "delivered" and posted["attempts"] == 2


def test_a_test_post_goes_out_and_the_channel_is_its_creators_alone(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    creator = world.token(carol, "creator")
    made = channel(
        world,
        carol,
        {
            "format": "discord",
            "url": receiver.url,
            "link_url": "https://example.com/carol",
            "rules": [{"kind": "followers_reached", "thresholds": [100]}],
        },
        creator,
    )
    sent = world.post(f"/v1/milestone-channels/{made['id']}/test", {}, creator)
    assert world.ok(sent, 202)["kind"] == "test"
    templated = world.post(
        f"/v1/milestone-channels/{made['id']}/test", {"kind": "followers_reached"}, creator
    )
    assert world.ok(templated, 202)["text"] == "Carol has 1000 followers! https://example.com/carol"
    missing = world.post(
        f"/v1/milestone-channels/{made['id']}/test", {"kind": "live_started"}, creator
    )
    assert_problem(missing, 422, "milestone_rule_missing")
    assert deliver(world.economy) == 2
    texts = [body["content"] for body in bodies(receiver)]
    assert texts[0].startswith("A test post from giftflow: Carol's milestones")
    other = world.token(dave, "creator")
    assert_problem(world.get(f"/v1/milestone-channels/{made['id']}", other), 403, "forbidden")
    assert_problem(
        world.post(f"/v1/milestone-channels/{made['id']}/test", {}, other), 403, "forbidden"
    )
    platform = world.ok(world.get("/v1/webhook-endpoints", world.admin_key))
    assert platform["endpoints"] == []  # a creator's channel is not the platform's endpoint
    changed = world.client.patch(
        f"/v1/milestone-channels/{made['id']}",
        json={"enabled": False, "rules": [{"kind": "live_started"}]},
        headers=bearer(creator),
    )
    assert (
        world.ok(changed)["enabled"] is False
        and world.ok(changed)["rules"][0]["kind"] == "live_started"
    )
    live_session(world, carol)
    assert world.count("milestone_posts") == 2  # a disabled channel posts nothing
    deleted = world.client.delete(f"/v1/milestone-channels/{made['id']}", headers=bearer(creator))
    assert deleted.status_code == 204
    assert world.count("milestone_posts") == 0 and world.count("webhook_deliveries") == 0
    assert_problem(
        world.get(f"/v1/milestone-channels/{made['id']}", creator),
        404,
        "milestone_channel_not_found",
    )


def test_a_private_destination_is_refused_unless_settings_allow_it(
    world: World, receiver: Receiver
) -> None:
    carol = world.user("carol", creator=True)["id"]
    body = {"format": "json", "url": receiver.url, "rules": []}
    refused = world.post(
        f"/v1/rooms/{carol}/milestone-channels", body, world.token(carol, "creator")
    )
    assert_problem(refused, 422, "webhook_url_refused")
    telegram = {"format": "telegram", "url": receiver.url, "chat_id": "@carolsfans"}
    wrong = world.post(f"/v1/rooms/{carol}/milestone-channels", telegram, world.admin_key)
    assert_problem(wrong, 422, "milestone_destination_invalid")
    assert world.count("milestone_channels") == 0
