"""A room's events over a real WebSocket (uvicorn, the ``websockets`` client): read-only
room tokens, refusals by close code before any event, events in order as JSON
envelopes, resuming with ``last_event_id``, and the resync frame when it cannot."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from api.conftest import DAY_S, World, assert_problem, open_world
from giftflow.live.events import Event
from giftflow.service.events import InProcessBus

RECEIVE_TIMEOUT_S = 10
BUFFER = 5
"""The replay buffer of these tests' bus: small, so that a gap is easy to make."""


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    """One backend is enough here: nothing about events touches the database."""
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    with open_world(url, tmp_path / "payouts", bus=InProcessBus(BUFFER)) as opened:
        yield opened


@pytest.fixture
def carol(world: World) -> int:
    creator: int = world.user("carol", creator=True)["id"]
    return creator


def room_token(world: World, room_id: int, credential: str | None = None) -> str:
    response = world.post(f"/v1/rooms/{room_id}/tokens", None, credential or world.admin_key)
    token: str = world.ok(response, 201)["token"]
    return token


def listen(
    world: World, room_id: int, token: str | None, last_event_id: str = ""
) -> ClientConnection:
    base = str(world.client.base_url).replace("http://", "ws://", 1)
    query = [f"token={token}"] if token is not None else []
    query += [f"last_event_id={last_event_id}"] if last_event_id else []
    return connect(f"{base}/v1/rooms/{room_id}/events?{'&'.join(query)}")


def receive(socket: ClientConnection, count: int) -> list[Event]:
    return [Event.from_json(str(socket.recv(RECEIVE_TIMEOUT_S))) for _ in range(count)]


def close_code(socket: ClientConnection) -> int:
    """The code the server closes with, failing if it sends a frame first."""
    with pytest.raises(ConnectionClosed) as closed:
        frame = socket.recv(RECEIVE_TIMEOUT_S)
        pytest.fail(f"the server sent {frame!r} before closing")
    assert closed.value.rcvd is not None
    return closed.value.rcvd.code


def publish(world: World, room_id: int, count: int, *, start: int = 0) -> list[Event]:
    return [
        world.bus.publish(room_id, "gift.sent", {"n": start + n}, at=start + n)
        for n in range(count)
    ]


# --- room tokens ---------------------------------------------------------------------


def test_a_creator_gets_a_read_only_room_token_for_thirty_days(world: World, carol: int) -> None:
    answer = world.ok(
        world.post(f"/v1/rooms/{carol}/tokens", None, world.token(carol, "creator")), 201
    )
    assert answer["room_id"] == carol and answer["scope"] == "room:read"
    expires_at = datetime.fromisoformat(answer["expires_at"].replace("Z", "+00:00"))
    assert int(expires_at.timestamp()) == world.clock.now_ns() // 1_000_000_000 + 30 * DAY_S


def test_room_tokens_go_to_the_creator_an_admin_or_a_rooms_key(world: World, carol: int) -> None:
    alice = world.user("alice")["id"]
    dave = world.user("dave", creator=True)["id"]
    path = f"/v1/rooms/{carol}/tokens"
    for credential in (
        world.token(carol, "creator"),
        world.token(world.user("ops")["id"], "admin"),
    ):
        world.ok(world.post(path, None, credential), 201)
    world.ok(world.post(path, None, world.key("rooms:write")), 201)
    assert_problem(world.post(path, None, world.token(alice)), 403, "forbidden")
    assert_problem(world.post(path, None, world.token(dave, "creator")), 403, "forbidden")
    assert_problem(world.post(path, None, world.token(carol, "viewer")), 403, "forbidden")
    assert_problem(world.post(path, None, world.key("gifts:write")), 403, "scope_missing")
    assert_problem(world.post(path, None), 401, "unauthenticated")
    assert_problem(world.post(f"/v1/rooms/{alice}/tokens", None), 401, "unauthenticated")
    assert_problem(
        world.post(f"/v1/rooms/{alice}/tokens", None, world.admin_key), 422, "not_a_creator"
    )
    assert_problem(
        world.post("/v1/rooms/999999/tokens", None, world.admin_key), 404, "user_not_found"
    )


def test_a_room_token_is_no_credential_for_the_api(world: World, carol: int) -> None:
    token = room_token(world, carol)
    assert_problem(world.get(f"/v1/users/{carol}", token), 401, "token_invalid")


# --- refusals --------------------------------------------------------------------------


def test_the_websocket_refuses_a_missing_or_invalid_token_with_4401(
    world: World, carol: int
) -> None:
    for token in (None, "", "not-a-token", world.token(carol, "creator")):
        with listen(world, carol, token) as socket:
            assert close_code(socket) == 4401, token


def test_the_websocket_refuses_an_expired_token_with_4401(world: World, carol: int) -> None:
    token = room_token(world, carol)
    world.clock.advance(seconds=30 * DAY_S)
    with listen(world, carol, token) as socket:
        assert close_code(socket) == 4401


def test_the_websocket_refuses_another_rooms_token_with_4403(world: World, carol: int) -> None:
    dave = world.user("dave", creator=True)["id"]
    publish(world, carol, 3)
    with listen(world, carol, room_token(world, dave), last_event_id="0" * 20) as socket:
        assert close_code(socket) == 4403


# --- events ----------------------------------------------------------------------------


def test_events_arrive_in_order_as_json_envelopes(world: World, carol: int) -> None:
    first = world.bus.publish(carol, "session.started", {"title": "hello"}, at=1)
    with listen(world, carol, room_token(world, carol), last_event_id=first.id) as socket:
        sent = publish(world, carol, 4)  # the bus holds five: these reach it live or replayed
        frames = [json.loads(socket.recv(RECEIVE_TIMEOUT_S)) for _ in range(4)]
    assert [frame["id"] for frame in frames] == [event.id for event in sent]
    assert frames[0] == {
        "id": sent[0].id,
        "room_id": carol,
        "type": "gift.sent",
        "version": 1,
        "at": 0,
        "data": {"n": 0},
    }


def test_reconnecting_with_the_last_event_id_resumes_without_gap_or_duplicate(
    world: World, carol: int
) -> None:
    token = room_token(world, carol)
    first = world.bus.publish(carol, "session.started", {}, at=0)
    sent = publish(world, carol, 4)
    with listen(world, carol, token, last_event_id=first.id) as socket:
        seen = receive(socket, 2)
    assert seen == sent[:2]
    sent += publish(world, carol, 2, start=4)
    with listen(world, carol, token, last_event_id=seen[-1].id) as socket:
        resumed = receive(socket, 4)
        sent += publish(world, carol, 3, start=6)
        resumed += receive(socket, 3)
    assert seen + resumed == sent


def test_a_gap_sends_one_resync_frame_and_closes_with_4409(world: World, carol: int) -> None:
    first = world.bus.publish(carol, "session.started", {}, at=0)
    publish(world, carol, BUFFER + 1)
    with listen(world, carol, room_token(world, carol), last_event_id=first.id) as socket:
        resync = json.loads(socket.recv(RECEIVE_TIMEOUT_S))
        assert close_code(socket) == 4409
    assert resync["type"] == "resync" and resync["room_id"] == carol
    assert resync["last_event_id"] == first.id and resync["reason"]
