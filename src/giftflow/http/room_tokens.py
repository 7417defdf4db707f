"""Read-only room tokens: what an overlay (an OBS browser source) listens with.

A room token is a JWT signed like users' tokens (HS256, ``GIFTFLOW_TOKEN_SECRET``) with
the claims ``room`` (the room id, which is the creator's user id), ``scope`` =
``room:read``, ``iat`` and ``exp``. It is long-lived (``GIFTFLOW_ROOM_TOKEN_TTL_S``,
30 days by default) because it is pasted once into a streaming tool's URL, and it can do
nothing but read one room: its events, and the state its overlays show
(``GET /v1/rooms/{room_id}/overlay-state``). It names no user, so it is never a
credential for the rest of the HTTP API, and a user's token is never a room token.
Time is the economy's clock.

A room token also carries its room's generation (``gen``). Revoking a room's tokens
(``POST /v1/rooms/{room_id}/tokens/revoke``) starts the next generation, and a token of
an older one is refused from then on, by every server process (each check reads the
room's generation from the store: one indexed read per WebSocket connection or
overlay-state load).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.http import jwts
from giftflow.http.errors import (
    ForbiddenError,
    TokenExpiredError,
    TokenInvalidError,
    TokenRevokedError,
)
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, Clock
from giftflow.service.ledger import Ledger
from giftflow.store import credentials

ROOM_READ: Final = "room:read"
_ROOM_CLAIMS: Final = ("exp", "room", "scope", "gen")
_NOT_A_ROOM_TOKEN: Final = "the token is not a room token giftflow signed"


@dataclass(frozen=True, slots=True)
class IssuedRoomToken:
    token: str
    room_id: UserId
    generation: int
    expires_at_ns: int


class RoomTokens:
    def __init__(self, ledger: Ledger, clock: Clock, *, secret: bytes, ttl_s: int) -> None:
        self._ledger = ledger
        self._clock = clock
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, room_id: UserId) -> IssuedRoomToken:
        generation = self._ledger.read(credentials.room_generation(room_id))
        now_s = self._clock.now_ns() // NS_PER_S
        expires_s = now_s + self.ttl_s
        claims: dict[str, object] = {
            "room": room_id,
            "scope": ROOM_READ,
            "gen": generation,
            "iat": now_s,
            "exp": expires_s,
        }
        token = jwts.sign(claims, self._secret)
        return IssuedRoomToken(token, room_id, generation, expires_s * NS_PER_S)

    def revoke(self, room_id: UserId) -> int:
        """Refuse every room token of the room issued so far; the new generation."""
        bump = credentials.next_room_generation(room_id, now_ns=self._clock.now_ns())
        return self._ledger.write(bump)

    def check(self, token: str | None, room_id: UserId) -> int:
        """The token's generation, the room's current one. Raises ``TokenInvalidError``
        (none, not ours, not a room token), ``TokenExpiredError``, ``ForbiddenError``
        (another room's token) or ``TokenRevokedError`` (an older generation's)."""
        generation = self._checked(token, room_id)
        self._current(generation, self._ledger.read(credentials.room_generation(room_id)))
        return generation

    async def check_async(self, token: str | None, room_id: UserId) -> int:
        """``check`` from an event loop (the store read off the loop where it is a server)."""
        generation = self._checked(token, room_id)
        read = credentials.room_generation(room_id)
        self._current(generation, await self._ledger.read_async(read))
        return generation

    def _checked(self, token: str | None, room_id: UserId) -> int:
        if not token:
            raise TokenInvalidError("send the room token as ?token=")
        claims = jwts.signed_claims(
            token, self._secret, require=_ROOM_CLAIMS, refusal=_NOT_A_ROOM_TOKEN
        )
        room, expires, generation = (jwts.integer(claims[k]) for k in ("room", "exp", "gen"))
        if claims["scope"] != ROOM_READ or room is None:
            raise TokenInvalidError("this is not a room token")
        if expires is None or generation is None:
            raise TokenInvalidError("the token's expiry or generation is not a number")
        if expires <= self._clock.now_ns() // NS_PER_S:
            raise TokenExpiredError("the room token has expired; ask for a new one")
        if room != room_id:
            raise ForbiddenError("this token is for another room")
        return generation

    @staticmethod
    def _current(generation: int, current: int) -> None:
        if generation != current:
            raise TokenRevokedError("the room's tokens were revoked; ask for a new one")
