"""LIVE over real HTTP and a real room WebSocket: a creator goes live, gifts sent with
the session's id reach the room as events in order (the streak's deltas, a goal that
completes once, the leaderboard), a battle with a booster ends with its winner, a
quiet streak ends by the app's own sweep; bad input and strangers are refused."""

from __future__ import annotations

from typing import Any

from websockets.sync.client import ClientConnection, connect

from giftflow.live.events import Event
from tests.api.conftest import DOUGHNUT, ROSE, Json, World, assert_problem

RECEIVE_TIMEOUT_S = 10
FIRST_EVENT_ID = f"{1:020d}"
"""A fresh room's first event (``session.started`` here): listening after it replays
everything later, so no event races the connection."""


def listen(world: World, room_id: int, last_event_id: str = FIRST_EVENT_ID) -> ClientConnection:
    response = world.post(f"/v1/rooms/{room_id}/tokens", None, world.admin_key)
    token = world.ok(response, 201)["token"]
    base = str(world.client.base_url).replace("http://", "ws://", 1)
    return connect(f"{base}/v1/rooms/{room_id}/events?token={token}&last_event_id={last_event_id}")


def receive(socket: ClientConnection, count: int) -> list[Event]:
    return [Event.from_json(str(socket.recv(RECEIVE_TIMEOUT_S))) for _ in range(count)]


def types(events: list[Event]) -> list[str]:
    return [event.type for event in events]


def gift(world: World, sender: int, creator: int, gift_id: int, **fields: Any) -> Json:
    return world.gift(sender, creator, gift_id, **fields)


def start(world: World, room_id: int, credential: str, title: str = "") -> Json:
    response = world.post(f"/v1/rooms/{room_id}/sessions", {"title": title}, credential)
    return world.ok(response, 201)


def test_gifts_in_a_session_reach_the_room_with_streaks_goals_and_leaderboard(
    world: World,
) -> None:
    carol = world.user("carol", creator=True)["id"]
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    world.buy(alice, 1_000)
    world.buy(bob, 1_000)
    creator = world.token(carol, "creator")
    session = start(world, carol, creator, "Friday art")
    assert session["state"] == "live" and session["room_id"] == carol
    retried = world.ok(world.post(f"/v1/rooms/{carol}/sessions", {"title": "x"}, creator))
    assert retried["id"] == session["id"]
    sid = session["id"]
    with listen(world, carol) as socket:
        goal = world.ok(
            world.post(
                f"/v1/sessions/{sid}/goals", {"target_coins": 90, "promise": "dance"}, creator
            ),
            201,
        )
        gift(world, alice, carol, ROSE, quantity=5, session_id=sid)
        gift(world, alice, carol, DOUGHNUT, streak={"id": "s1", "repeat_count": 1}, session_id=sid)
        gift(world, alice, carol, DOUGHNUT, streak={"id": "s1", "repeat_count": 3}, session_id=sid)
        gift(world, alice, carol, DOUGHNUT, streak={"id": "s1", "repeat_count": 4}, session_id=sid)
        gift(world, bob, carol, ROSE, session_id=sid)
        events = receive(socket, 12)
        world.clock.advance(seconds=11)  # past the streak timeout: the app's sweep ends it
        ended = receive(socket, 1)[0]
    assert types(events) == [
        "goal.created",
        "gift.sent",
        "goal.progress",
        "leaderboard.changed",
        "gift.sent",
        "goal.progress",
        "gift.sent",
        "goal.progress",
        "goal.completed",
        "gift.sent",
        "gift.sent",
        "leaderboard.changed",
    ]
    sent = [event.data for event in events if event.type == "gift.sent"]
    assert [(g["delta"], g["repeat_count"], g["coins"]) for g in sent] == [
        (5, 5, 5),
        (1, 1, 30),
        (2, 3, 60),
        (1, 4, 30),
        (1, 1, 1),
    ]
    assert [g["streak_id"] for g in sent] == [None, "s1", "s1", "s1", None]
    completed = events[8].data
    assert completed["goal_id"] == goal["id"] and completed["progress"] == 95
    assert completed["completed_by"] == alice and completed["state"] == "completed"
    assert completed["completed_by_name"] == "Alice"
    assert events[2].data["sender_id"] == alice and events[2].data["sender_name"] == "Alice"
    assert events[-1].data["top"] == [
        {"rank": 1, "user_id": alice, "user_name": "Alice", "coins": 125},
        {"rank": 2, "user_id": bob, "user_name": "Bob", "coins": 1},
    ]
    assert ended.type == "streak.ended"
    assert ended.data["streak_id"] == "s1" and ended.data["reason"] == "timeout"
    assert ended.data["repeat_count"] == 4 and ended.data["session_id"] == sid
    goals = world.ok(world.get(f"/v1/sessions/{sid}/goals", creator))["goals"]
    assert [(g["state"], g["progress"]) for g in goals] == [("completed", 95)]
    state = world.ok(world.get(f"/v1/sessions/{sid}", creator))
    assert state["totals"]["gifts"] == 5 and state["totals"]["coins"] == 126
    board = world.ok(world.get(f"/v1/sessions/{sid}/leaderboard", creator, limit=1))
    assert board["top"] == [{"rank": 1, "user_id": alice, "coins": 125}]
    all_time = world.ok(world.get(f"/v1/rooms/{carol}/leaderboard", creator, period="all"))
    assert [s["user_id"] for s in all_time["top"]] == [alice, bob]


def test_a_battle_with_a_booster_ends_with_its_winner(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    world.buy(alice, 1_000)
    world.buy(bob, 1_000)
    carol_token, dave_token = world.token(carol, "creator"), world.token(dave, "creator")
    ours = start(world, carol, carol_token)["id"]
    theirs = start(world, dave, dave_token)["id"]
    with listen(world, carol) as socket:
        invite = {"session_id": ours, "invitee_session_ids": [theirs], "duration_s": 60}
        invitation = world.ok(world.post("/v1/battle-invitations", invite, carol_token), 201)
        answer = f"/v1/battle-invitations/{invitation['id']}/accept"
        accepted = world.ok(world.post(answer, {"session_id": theirs}, dave_token))
        path = f"/v1/battles/{accepted['battle_id']}"
        assert_problem(
            world.post(f"{path}/booster", {"session_id": theirs}, carol_token), 403, "forbidden"
        )
        boosted = world.ok(
            world.post(f"{path}/booster", {"session_id": theirs, "multiplier": 3}, dave_token)
        )
        assert boosted["sides"][1]["booster"]["multiplier"] == 3
        assert_problem(
            world.post(f"{path}/booster", {"session_id": theirs}, dave_token), 409, "booster_used"
        )
        gift(world, alice, carol, DOUGHNUT, quantity=2, session_id=ours)  # 60 points
        gift(world, bob, dave, ROSE, quantity=10, session_id=theirs)  # 10 points, tripled
        world.clock.advance(seconds=61)  # the app's sweep ends it
        events = receive(socket, 9)
    assert types(events) == [
        "battle.invited",
        "battle.accepted",
        "battle.started",
        "battle.booster",
        "gift.sent",
        "battle.score",
        "leaderboard.changed",
        "battle.score",
        "battle.ended",
    ]
    assert [s["score"] for s in events[7].data["sides"]] == [60, 30]
    result = events[-1].data
    assert result["winner_session_id"] == ours and result["winner_creator_id"] == carol
    mvp = {"rank": 1, "user_id": alice, "user_name": "Alice", "points": 60}
    assert result["sides"][0]["mvps"] == [mvp]
    assert [s["creator_name"] for s in result["sides"]] == ["Carol", "Dave"]
    assert events[5].data["sender_name"] == "Alice"
    final = world.ok(world.get(path, dave_token))
    assert final["state"] == "ended" and final["winner_session_id"] == ours
    assert world.ok(world.post(f"{path}/end", None, carol_token)) == final


def test_viewers_interactions_chapters_and_perks(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    alice = world.user("alice")["id"]
    creator = world.token(carol, "creator")
    sid = start(world, carol, creator)["id"]
    viewer = world.token(alice)
    joined = world.ok(world.post(f"/v1/sessions/{sid}/viewers/{alice}/join", None, viewer))
    assert joined["concurrent_viewers"] == 1
    plan = {"chapters": [{"kind": "hook", "planned_s": 60}, {"kind": "value", "planned_s": 600}]}
    assert (
        len(world.ok(world.post(f"/v1/sessions/{sid}/chapters", plan, creator), 201)["chapters"])
        == 2
    )
    current = world.ok(world.post(f"/v1/sessions/{sid}/chapters/advance", None, creator))
    body = {"user_id": alice, "kind": "comment", "text": "hi"}
    said = world.ok(world.post(f"/v1/sessions/{sid}/interactions", body, viewer), 201)
    assert said["chapter_id"] == current["id"]
    perks = {"perks": [{"level": 2, "kind": "badge", "value": "fan"}]}
    for _ in range(2):  # replacing is safe to retry
        answer = world.ok(world.put_json(f"/v1/rooms/{carol}/perks", perks, creator))
    assert [(p["level"], p["value"]) for p in answer["perks"]] == [(2, "fan")]
    assert world.ok(world.get(f"/v1/rooms/{carol}/perks", world.key("live:read")))["perks"]
    left = world.ok(world.post(f"/v1/sessions/{sid}/viewers/{alice}/leave", None, creator))
    assert left["concurrent_viewers"] == 0
    ended = world.ok(world.post(f"/v1/sessions/{sid}/end", None, world.key("live:write")))
    assert ended["state"] == "ended"
    assert_problem(
        world.post(f"/v1/sessions/{sid}/viewers/{alice}/join", None, viewer), 409, "session_ended"
    )


def test_strangers_and_bad_input_are_refused_with_problems(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    alice = world.user("alice")["id"]
    creator = world.token(carol, "creator")
    rooms = f"/v1/rooms/{carol}/sessions"
    assert_problem(world.post(rooms, {}, world.token(alice)), 403, "forbidden")
    assert_problem(world.post(rooms, {}, world.token(dave, "creator")), 403, "forbidden")
    assert_problem(world.post(rooms, {}, world.key("live:read")), 403, "scope_missing")
    assert_problem(world.post(rooms, {}), 401, "unauthenticated")
    assert_problem(
        world.post(f"/v1/rooms/{alice}/sessions", {}, world.admin_key), 422, "not_a_creator"
    )
    sid = start(world, carol, creator)["id"]
    assert_problem(world.get(f"/v1/sessions/{sid}", world.token(alice)), 403, "forbidden")
    assert_problem(world.get("/v1/sessions/999999", creator), 404, "session_not_found")
    goals = f"/v1/sessions/{sid}/goals"
    for body in (
        {},
        {"target_coins": 10, "gift_id": ROSE, "count": 2},
        {"gift_id": ROSE},
        {"target_coins": 0},
        {"target_coins": "10"},
    ):
        assert_problem(world.post(goals, body, creator), 422, "validation_failed")
    assert_problem(world.post(goals, {"gift_id": 1, "count": 2}, creator), 404, "gift_not_found")
    assert_problem(
        world.post("/v1/battles", {"session_ids": [sid]}, world.admin_key), 422, "validation_failed"
    )
    assert_problem(
        world.post("/v1/battles", {"session_ids": [sid, sid]}, world.admin_key),
        422,
        "battle_sides_invalid",
    )
    alone = {"session_id": sid, "invitee_session_ids": [sid]}
    assert_problem(
        world.post("/v1/battle-invitations", alone, creator), 422, "battle_sides_invalid"
    )
    assert_problem(world.post("/v1/battles/999999/end", None, creator), 404, "battle_not_found")
    assert_problem(
        world.post(f"/v1/sessions/{sid}/chapters/advance", None, creator), 409, "chapters_exhausted"
    )
    assert_problem(
        world.get(f"/v1/rooms/{carol}/leaderboard", creator, period="year"),
        422,
        "validation_failed",
    )
    assert_problem(
        world.put_json(
            f"/v1/rooms/{carol}/perks", {"perks": [{"level": 9, "kind": "badge"}]}, creator
        ),
        422,
        "perk_level_invalid",
    )


def test_ending_a_streak_by_hand_tells_the_room_once(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    alice = world.user("alice")["id"]
    world.buy(alice, 100)
    sid = start(world, carol, world.token(carol, "creator"))["id"]
    with listen(world, carol) as socket:
        gift(world, alice, carol, ROSE, streak={"id": "s2", "repeat_count": 2}, session_id=sid)
        for _ in range(2):
            ended = world.post("/v1/streaks/s2/end", {"sender_id": alice}, world.token(alice))
            assert world.ok(ended)["ended_at"]
        world.ok(world.post(f"/v1/sessions/{sid}/viewers/{alice}/join", None, world.token(alice)))
        events = receive(socket, 4)
    assert types(events) == ["gift.sent", "leaderboard.changed", "streak.ended", "viewer.joined"]
    assert events[2].data["reason"] == "ended" and events[2].data["repeat_count"] == 2


def test_a_gift_must_name_its_creators_live_session_or_is_refused_uncharged(
    world: World,
) -> None:
    """A gift to carol naming dave's session, an ended one or none at all would count in
    a session whose creator earned nothing: it is refused and nothing is charged."""
    alice = world.user("alice")["id"]
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    world.buy(alice, 1_000)
    ended = start(world, carol, world.token(carol, "creator"), title="earlier")["id"]
    world.ok(world.post(f"/v1/sessions/{ended}/end", None, world.token(carol, "creator")), 200)
    ours = start(world, carol, world.token(carol, "creator"))["id"]
    theirs = start(world, dave, world.token(dave, "creator"))["id"]
    coins = world.coins(alice)

    def sent(session_id: int) -> Any:
        body = world.gift_body(alice, carol, ROSE) | {"session_id": session_id}
        return world.post("/v1/gifts", body, world.admin_key, key=world.new_key())

    assert_problem(sent(theirs), 422, "session_other_creator")
    assert_problem(sent(ended), 409, "session_ended")
    assert_problem(sent(999_999), 404, "session_not_found")
    assert world.coins(alice) == coins
    assert world.ok(sent(ours), 201)["session_id"] == ours
    assert world.coins(alice) == coins - 1
    assert world.economy.reconcile().ok
