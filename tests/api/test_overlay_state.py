"""The state a room's overlays show, read with the room token (``GET /v1/rooms/{room_id}
/overlay-state``): the live session, its goals and leaderboard, the newest battle, and
the id to resume the WebSocket after, without a gap or a duplicate."""

from __future__ import annotations

from websockets.sync.client import connect

from giftflow.live.events import Event
from tests.api.conftest import DAY_S, DOUGHNUT, ROSE, Json, World, assert_problem, bearer

RECEIVE_TIMEOUT_S = 10


def room_token(world: World, room_id: int) -> str:
    response = world.post(f"/v1/rooms/{room_id}/tokens", None, world.admin_key)
    token: str = world.ok(response, 201)["token"]
    return token


def overlay_state(world: World, room_id: int, token: str) -> Json:
    return world.ok(world.get(f"/v1/rooms/{room_id}/overlay-state", token=token))


def start(world: World, room_id: int) -> int:
    response = world.post(f"/v1/rooms/{room_id}/sessions", {"title": "art"}, world.admin_key)
    session_id: int = world.ok(response, 201)["id"]
    return session_id


def test_an_offline_room_shows_nothing_and_resumes_from_its_newest_event(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    state = overlay_state(world, carol, room_token(world, carol))
    assert state == {
        "room_id": carol,
        "at": world.clock.now_ns(),
        "last_event_id": None,
        "session": None,
        "goals": [],
        "leaderboard": None,
        "battle": None,
    }
    session_id = start(world, carol)
    world.ok(world.post(f"/v1/sessions/{session_id}/end", None, world.admin_key))
    ended = overlay_state(world, carol, room_token(world, carol))
    assert ended["session"] is None and ended["last_event_id"] == world.bus.last_id(carol)
    assert ended["last_event_id"] is not None


def test_a_live_room_shows_its_goal_leaderboard_and_battle_as_the_events_carry_them(
    world: World,
) -> None:
    carol, dave = world.user("carol", creator=True)["id"], world.user("dave", creator=True)["id"]
    alice, bob = world.user("alice")["id"], world.user("bob")["id"]
    world.buy(alice, 1_000)
    world.buy(bob, 1_000)
    ours, theirs = start(world, carol), start(world, dave)
    goal = world.post(
        f"/v1/sessions/{ours}/goals",
        {"target_coins": 75, "promise": "dance"},
        world.admin_key,
    )
    goal_id = world.ok(goal, 201)["id"]
    battle = world.post("/v1/battles", {"session_ids": [ours, theirs]}, world.admin_key)
    battle_id = world.ok(battle, 201)["id"]
    world.gift(alice, carol, DOUGHNUT, session_id=ours)
    world.gift(bob, carol, DOUGHNUT, session_id=ours, quantity=2)
    world.gift(alice, dave, ROSE, session_id=theirs)

    state = overlay_state(world, carol, room_token(world, carol))
    assert state["session"]["session_id"] == ours and state["session"]["title"] == "art"
    assert state["goals"] == [
        {
            "goal_id": goal_id,
            "session_id": ours,
            "kind": "coins",
            "target": 75,
            "gift_id": None,
            "promise": "dance",
            "deadline_at": None,
            "progress": 90,
            "state": "completed",
        }
    ]
    assert state["leaderboard"] == {
        "session_id": ours,
        "scope": "session",
        "top": [
            {"rank": 1, "user_id": bob, "user_name": "Bob", "coins": 60},
            {"rank": 2, "user_id": alice, "user_name": "Alice", "coins": 30},
        ],
    }
    running = state["battle"]
    assert running["battle_id"] == battle_id and running["ended_at"] is None
    assert running["winner_session_id"] is None and running["draw"] is False
    assert running["ends_at"] > state["at"]
    assert [(s["session_id"], s["score"]) for s in running["sides"]] == [(ours, 90), (theirs, 1)]
    assert [s["creator_name"] for s in running["sides"]] == ["Carol", "Dave"]
    assert state["last_event_id"] == world.bus.last_id(carol)


def test_the_last_battle_shows_its_winner_once_it_ended(world: World) -> None:
    carol, dave = world.user("carol", creator=True)["id"], world.user("dave", creator=True)["id"]
    alice = world.user("alice")["id"]
    world.buy(alice, 1_000)
    ours, theirs = start(world, carol), start(world, dave)
    battle = world.ok(
        world.post("/v1/battles", {"session_ids": [ours, theirs]}, world.admin_key), 201
    )
    boost = {"session_id": theirs, "multiplier": 2}
    world.ok(world.post(f"/v1/battles/{battle['id']}/booster", boost, world.admin_key))
    world.gift(alice, dave, DOUGHNUT, session_id=theirs)
    world.ok(world.post(f"/v1/battles/{battle['id']}/end", None, world.admin_key))

    ended = overlay_state(world, carol, room_token(world, carol))["battle"]
    assert ended["battle_id"] == battle["id"] and ended["ended_at"] is not None
    assert ended["winner_session_id"] == theirs and ended["winner_creator_id"] == dave
    assert ended["draw"] is False
    booster = ended["sides"][1]["booster"]
    assert booster["multiplier"] == 2 and booster["ends_at"] > booster["started_at"]
    assert ended["sides"][1]["score"] == 60 and ended["sides"][0]["booster"] is None


def test_the_websocket_resumes_right_after_the_state_without_gap_or_duplicate(
    world: World,
) -> None:
    carol, alice = world.user("carol", creator=True)["id"], world.user("alice")["id"]
    world.buy(alice, 1_000)
    session_id = start(world, carol)
    world.gift(alice, carol, DOUGHNUT, session_id=session_id)
    token = room_token(world, carol)
    state = overlay_state(world, carol, token)
    base = str(world.client.base_url).replace("http://", "ws://", 1)
    url = f"{base}/v1/rooms/{carol}/events?token={token}&last_event_id={state['last_event_id']}"
    with connect(url) as socket:
        world.gift(alice, carol, ROSE, session_id=session_id)
        first = Event.from_json(str(socket.recv(RECEIVE_TIMEOUT_S)))
    assert first.type == "gift.sent" and first.data["gift_id"] == ROSE
    assert int(first.id) == int(state["last_event_id"]) + 1


def test_only_the_rooms_own_token_reads_its_state(world: World) -> None:
    carol, dave = world.user("carol", creator=True)["id"], world.user("dave", creator=True)["id"]
    path = f"/v1/rooms/{carol}/overlay-state"
    assert_problem(world.get(path), 401, "token_invalid")
    for wrong in ("", "not-a-token", world.token(carol, "creator"), world.admin_key):
        assert_problem(world.get(path, token=wrong), 401, "token_invalid")
    # A credential for the HTTP API is no room token, even in the header.
    assert_problem(world.client.get(path, headers=bearer(world.admin_key)), 401, "token_invalid")
    assert_problem(world.get(path, token=room_token(world, dave)), 403, "forbidden")
    token = room_token(world, carol)
    world.clock.advance(seconds=30 * DAY_S)
    assert_problem(world.get(path, token=token), 401, "token_expired")
