"""Rooms: read-only room tokens, the state a room's overlays show, and the WebSocket
that streams a room's events.

The WebSocket protocol (docs/events.md): connect to ``/v1/rooms/{room_id}/events
?token=<room token>[&last_event_id=<id>]``. The token travels in the query string
because an OBS browser source cannot set headers. The server accepts, checks the token
and closes with 4401 (missing, invalid or expired) or 4403 (another room's) before any
event. Otherwise it replays the events after ``last_event_id`` and then streams live
ones, each as one text frame holding the event's JSON envelope. When it cannot resume
without a gap it sends one ``{"type": "resync", ...}`` frame and closes with 4409: the
listener reloads the state it shows from ``GET /v1/rooms/{room_id}/overlay-state
?token=<room token>`` and reconnects with that state's ``last_event_id``.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from collections.abc import AsyncGenerator, AsyncIterator
from dataclasses import dataclass
from typing import Annotated, Final, cast

from fastapi import APIRouter, Path, Query, WebSocket
from starlette.websockets import WebSocketDisconnect

from giftflow.economy.errors import NotACreatorError
from giftflow.http import auth
from giftflow.http.deps import ApiState, EconomyDep, LiveDep, PrincipalDep, StateDep
from giftflow.http.errors import ForbiddenError, UnauthenticatedError
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import USER_ID_MAX, Role, RoomTokenPublic, at
from giftflow.http.schemas.rooms import OverlayStatePublic, RoomTokensRevokedPublic
from giftflow.http.sockets import CLOSE_TRY_AGAIN_LATER, SocketCapError
from giftflow.ids import UserId
from giftflow.live.events import Event
from giftflow.service.economy import Economy
from giftflow.service.events import ReplayGapError

router = APIRouter(prefix="/v1/rooms", tags=["rooms"], responses=RESPONSES)
RoomIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX, description="The creator's user id.")]
RoomTokenQuery = Annotated[
    str | None,
    Query(description="The room token (an OBS browser source cannot send headers)."),
]

CLOSE_UNAUTHENTICATED: Final = 4401
CLOSE_FORBIDDEN: Final = 4403
CLOSE_RESYNC: Final = 4409
CLOSE_GOING_AWAY: Final = 1001
"""The bus was closed: the server is stopping; reconnect with ``last_event_id``."""
TOKENS_REVOKED: Final = "room.tokens_revoked"
"""The room's event when its tokens are revoked: every connection of an older generation,
in every process (the bus carries it), is closed with 4401 after it."""
_REVOKED: Final = "the room's tokens were revoked"
REASON_MAX: Final = 120
"""A close frame's reason fits in 123 bytes."""


def _require_room_owner(principal: Principal, economy: Economy, room_id: UserId) -> None:
    """The room's creator (creator token), an administrator or a ``rooms:write`` key,
    for a room that exists: its id is a creator's user id."""
    auth.require_self_or_scope(principal, room_id, "rooms:write", Role.CREATOR)
    user = economy.user(room_id)
    if not user.is_creator:
        raise NotACreatorError(f"user {user.id} is not a creator and has no room")


@router.post("/{room_id}/tokens", status_code=201, response_model=RoomTokenPublic)
def issue_room_token(
    room_id: RoomIdPath, principal: PrincipalDep, economy: EconomyDep, state: StateDep
) -> RoomTokenPublic:
    """A read-only token for the room's overlays (valid ``GIFTFLOW_ROOM_TOKEN_TTL_S``,
    30 days by default): for the creator themself (creator token), an administrator, or
    a key with ``rooms:write``. The room id is the creator's user id."""
    _require_room_owner(principal, economy, room_id)
    issued = state.room_tokens.issue(room_id)
    return RoomTokenPublic(
        token=issued.token,
        room_id=issued.room_id,
        generation=issued.generation,
        expires_at=at(issued.expires_at_ns),
    )


@router.post("/{room_id}/tokens/revoke", response_model=RoomTokensRevokedPublic)
def revoke_room_tokens(
    room_id: RoomIdPath, principal: PrincipalDep, economy: EconomyDep, state: StateDep
) -> RoomTokensRevokedPublic:
    """Refuse every room token of the room issued so far (a URL pasted where it should
    not be): open WebSockets with them are closed (4401, after a
    ``room.tokens_revoked`` event), reconnections and overlay-state loads are refused,
    and new tokens carry the next generation. Same callers as issuing."""
    _require_room_owner(principal, economy, room_id)
    generation = state.room_tokens.revoke(room_id)
    now_ns = economy.context.clock.now_ns()
    state.bus.publish(room_id, TOKENS_REVOKED, {"generation": generation}, at=now_ns)
    return RoomTokensRevokedPublic(room_id=room_id, generation=generation)


@router.get("/{room_id}/overlay-state", response_model=OverlayStatePublic)
def overlay_state(
    room_id: RoomIdPath, live: LiveDep, state: StateDep, token: RoomTokenQuery = None
) -> OverlayStatePublic:
    """What the room's overlays show now (the live session, its goals and leaderboard,
    the newest battle) and ``last_event_id``, to resume the WebSocket right after it.
    For the room token only, in the query as on the WebSocket: 401 without one, with
    one giftflow did not sign, a user's token or an expired one; 403 for another room's.
    Times are nanoseconds and the shapes are the events' ``data`` (docs/events.md)."""
    state.room_tokens.check(token, room_id)
    return OverlayStatePublic.of(live.overlay_state(room_id))


@router.websocket("/{room_id}/events")
async def room_events(websocket: WebSocket, room_id: UserId) -> None:
    """The room's events, replayed after ``last_event_id`` and then live."""
    state = cast(ApiState, websocket.app.state.giftflow)
    await websocket.accept()
    token = websocket.query_params.get("token")
    generation = await _generation(state, token, room_id)
    if not isinstance(generation, int):
        await websocket.close(generation.code)
        return
    assert token is not None, "a checked room token"
    try:
        with state.sockets.hold(token):
            await _stream(websocket, state, room_id, generation)
    except SocketCapError as refused:
        await websocket.close(CLOSE_TRY_AGAIN_LATER, reason=str(refused)[:REASON_MAX])


async def _stream(websocket: WebSocket, state: ApiState, room_id: UserId, generation: int) -> None:
    after = websocket.query_params.get("last_event_id") or None
    events = state.bus.subscribe(room_id, after=after)
    sending = _Sending(websocket, room_id, after, state.settings.ws_send_timeout_s, generation)
    forward = asyncio.ensure_future(sending.forward(events))
    listen = asyncio.ensure_future(_until_disconnected(websocket))
    try:
        await asyncio.wait({forward, listen}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (forward, listen):
            task.cancel()
        await asyncio.gather(forward, listen, return_exceptions=True)
        if isinstance(events, AsyncGenerator):
            await events.aclose()


@dataclass(frozen=True, slots=True)
class _Refused:
    code: int


async def _generation(state: ApiState, token: str | None, room_id: UserId) -> int | _Refused:
    """The token's generation, or the close code refusing it."""
    try:
        return await state.room_tokens.check_async(token, room_id)
    except UnauthenticatedError:
        return _Refused(CLOSE_UNAUTHENTICATED)
    except ForbiddenError:
        return _Refused(CLOSE_FORBIDDEN)


@dataclass(slots=True)
class _Sending:
    """One connection's frames, each sent within ``timeout_s``: a client that reads
    nothing for longer has fallen behind, like one whose queue filled up."""

    websocket: WebSocket
    room_id: UserId
    last: str | None
    timeout_s: float
    generation: int
    """The connection's room token's generation: a later revocation closes it."""

    async def forward(self, events: AsyncIterator[Event]) -> None:
        try:
            async for event in events:
                async with asyncio.timeout(self.timeout_s):  # a timer, not a task, per frame
                    await self.websocket.send_text(event.to_json())
                self.last = event.id
                if self._revoked_by(event):
                    await self.websocket.close(CLOSE_UNAUTHENTICATED, reason=_REVOKED)
                    return
        except ReplayGapError as gap:
            await self._resync(gap.message)
            return
        except TimeoutError:
            await self._resync(f"a frame waited more than {self.timeout_s:g} s to be sent")
            return
        await self.websocket.close(CLOSE_GOING_AWAY)

    def _revoked_by(self, event: Event) -> bool:
        if event.type != TOKENS_REVOKED:
            return False
        revoked: object = event.data.get("generation")
        return isinstance(revoked, int) and revoked > self.generation

    async def _resync(self, reason: str) -> None:
        """Tell the listener to reload state, then close; a client that reads nothing
        at all is left to the server, which drops the connection."""
        resync = {"type": "resync", "room_id": self.room_id, "last_event_id": self.last}
        frame = json.dumps(resync | {"reason": reason}, separators=(",", ":"))
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(self.timeout_s):
                await self.websocket.send_text(frame)
            async with asyncio.timeout(self.timeout_s):
                await self.websocket.close(CLOSE_RESYNC)


async def _until_disconnected(websocket: WebSocket) -> None:
    """Listeners send nothing; reading is how a closed connection is noticed."""
    try:
        while (await websocket.receive())["type"] != "websocket.disconnect":
            pass
    except WebSocketDisconnect:
        return
