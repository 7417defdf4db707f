"""A room's events over a real WebSocket (uvicorn, the ``websockets`` client): read-only
room tokens, refusals by close code before any event, events in order as JSON
envelopes, resuming with ``last_event_id``, and the resync frame when it cannot."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from websockets.exceptions import ConnectionClosed
from websockets.sync.client import ClientConnection, connect

from giftflow.ids import UserId
from giftflow.live.events import Event
from giftflow.service.events import InProcessBus
from tests.api.conftest import DAY_S, World, assert_problem, open_world

RECEIVE_TIMEOUT_S = 10
STALLED_RECEIVE_BUFFER = 65_536
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
    return connect(_events_url(world, room_id, token, last_event_id), max_size=None)


def _events_url(world: World, room_id: int, token: str | None, last_event_id: str) -> str:
    base = str(world.client.base_url).replace("http://", "ws://", 1)
    query = [f"token={token}"] if token is not None else []
    query += [f"last_event_id={last_event_id}"] if last_event_id else []
    return f"{base}/v1/rooms/{room_id}/events?{'&'.join(query)}"


def stalled_listener(world: World, room_id: int, token: str, last_event_id: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then reads nothing, on a
    socket with a small receive buffer: the server's sends back up at once."""
    url = urlsplit(_events_url(world, room_id, token, last_event_id))
    raw = socket.socket()
    raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, STALLED_RECEIVE_BUFFER)
    raw.connect((url.hostname, url.port))
    raw.sendall(
        f"GET {url.path}?{url.query} HTTP/1.1\r\nHost: {url.netloc}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n\r\n".encode()
    )
    answer = b""
    while b"\r\n\r\n" not in answer:
        answer += raw.recv(1)
    assert answer.startswith(b"HTTP/1.1 101"), answer
    return raw


def frames_until_closed(raw: socket.socket) -> tuple[list[str], int]:
    """What a stalled listener was sent, once it reads: text frames, then the close code."""
    raw.settimeout(RECEIVE_TIMEOUT_S)
    data = bytearray()
    while chunk := raw.recv(1 << 20):
        data += chunk
    texts: list[str] = []
    at = 0
    while at < len(data):
        opcode, length, at = data[at] & 0x0F, data[at + 1] & 0x7F, at + 2
        if length >= 126:
            size = 2 if length == 126 else 8
            length, at = int.from_bytes(data[at : at + size], "big"), at + size
        payload, at = bytes(data[at : at + length]), at + length
        if opcode == 0x8:  # close: the code first
            return texts, int.from_bytes(payload[:2], "big")
        texts.append(payload.decode())
    raise AssertionError("the connection ended without a close frame")


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
        world.bus.publish(UserId(room_id), "gift.sent", {"n": start + n}, at=start + n)
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


def test_revoking_the_rooms_tokens_closes_open_sockets_and_refuses_reconnection(
    world: World, carol: int
) -> None:
    old = room_token(world, carol)
    first = world.bus.publish(UserId(carol), "session.started", {"title": "hello"}, at=1)
    with listen(world, carol, old, last_event_id=first.id) as open_socket:
        publish(world, carol, 1)  # reaches the socket live or replayed
        assert json.loads(open_socket.recv(RECEIVE_TIMEOUT_S))["type"] == "gift.sent"
        revoked = world.ok(world.post(f"/v1/rooms/{carol}/tokens/revoke", {}, world.admin_key))
        frame = json.loads(open_socket.recv(RECEIVE_TIMEOUT_S))
        assert frame["type"] == "room.tokens_revoked"
        assert frame["data"] == {"generation": revoked["generation"]}
        assert close_code(open_socket) == 4401
    with listen(world, carol, old) as again:
        assert close_code(again) == 4401
    new = room_token(world, carol)
    sent = publish(world, carol, 1)
    with listen(world, carol, new, last_event_id=frame["id"]) as fresh:  # replayed, no race
        assert json.loads(fresh.recv(RECEIVE_TIMEOUT_S))["id"] == sent[0].id


# --- events ----------------------------------------------------------------------------


def test_events_arrive_in_order_as_json_envelopes(world: World, carol: int) -> None:
    first = world.bus.publish(UserId(carol), "session.started", {"title": "hello"}, at=1)
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
    first = world.bus.publish(UserId(carol), "session.started", {}, at=0)
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
    first = world.bus.publish(UserId(carol), "session.started", {}, at=0)
    publish(world, carol, BUFFER + 1)
    with listen(world, carol, room_token(world, carol), last_event_id=first.id) as socket:
        resync = json.loads(socket.recv(RECEIVE_TIMEOUT_S))
        assert close_code(socket) == 4409
    assert resync["type"] == "resync" and resync["room_id"] == carol
    assert resync["last_event_id"] == first.id and resync["reason"]


# --- slow listeners and caps ---------------------------------------------------------

PAD = "x" * 65_536
"""Big frames, so that a client that stops reading fills the socket buffers quickly."""
SEND_TIMEOUT_S = 1.0


def test_a_listener_that_stops_reading_gets_resync_while_a_fast_one_gets_every_frame(
    tmp_path: Path,
) -> None:
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    bus = InProcessBus(1_000)
    with open_world(url, tmp_path / "payouts", bus=bus, ws_send_timeout_s=SEND_TIMEOUT_S) as world:
        carol = world.user("carol", creator=True)["id"]
        token, since = room_token(world, carol), publish(world, carol, 1)[0].id
        with (
            stalled_listener(world, carol, token, since) as stalled,
            listen(world, carol, token, since) as fast,
        ):
            sent = [
                world.bus.publish(carol, "gift.sent", {"n": n, "pad": PAD}, at=n)
                for n in range(400)  # 26 MB: far more than the socket buffers hold
            ]
            assert [event.id for event in receive(fast, 400)] == [event.id for event in sent]
            time.sleep(SEND_TIMEOUT_S)  # the stalled one's frame waits past its time
            texts, code = frames_until_closed(stalled)
    resync, taken = json.loads(texts[-1]), [json.loads(text)["id"] for text in texts[:-1]]
    assert resync["type"] == "resync" and resync["last_event_id"] == taken[-1]
    assert taken == [event.id for event in sent[: len(taken)]] and len(taken) < len(sent)
    assert code == 4409


def test_a_room_token_holds_at_most_its_cap_of_websockets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    with open_world(url, tmp_path / "payouts", ws_connections_per_token_max=2) as world:
        carol = world.user("carol", creator=True)["id"]
        token = room_token(world, carol)
        world.clock.advance(seconds=1)
        other = room_token(world, carol)  # issued later: another token
        since = publish(world, carol, 1)[0].id
        with listen(world, carol, token, since) as first, listen(world, carol, token, since):
            hello = publish(world, carol, 1, start=1)
            assert receive(first, 1) == hello  # listening, and holding their places
            with listen(world, carol, token) as third:
                assert close_code(third) == 1013  # try again later
            with listen(world, carol, other, since) as elsewhere:  # the cap is the token's
                assert receive(elsewhere, 1) == hello
        assert [first_event_once_free(world, carol, token, since)] == hello


def test_a_server_holds_at_most_its_cap_of_websockets(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'economy.db'}"
    with open_world(url, tmp_path / "payouts", ws_connections_max=1) as world:
        carol = world.user("carol", creator=True)["id"]
        since = publish(world, carol, 1)[0].id
        with listen(world, carol, room_token(world, carol), since) as first:
            hello = publish(world, carol, 1, start=1)
            assert receive(first, 1) == hello
            with listen(world, carol, room_token(world, carol)) as second:
                assert close_code(second) == 1013


def first_event_once_free(world: World, room_id: int, token: str, since: str) -> Event:
    """The first event on a socket the server holds, once it has let go of closed ones
    (it notices a close on its own time)."""
    deadline = time.monotonic() + RECEIVE_TIMEOUT_S
    while True:
        with listen(world, room_id, token, since) as socket:
            try:
                return Event.from_json(str(socket.recv(RECEIVE_TIMEOUT_S)))
            except ConnectionClosed:  # refused: the closed ones still hold their places
                pass
        assert time.monotonic() < deadline, "the cap never freed"
        time.sleep(0.05)
