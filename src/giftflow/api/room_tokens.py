"""Read-only room tokens: what an overlay (an OBS browser source) listens with.

A room token is a JWT signed like users' tokens (HS256, ``GIFTFLOW_TOKEN_SECRET``) with
the claims ``room`` (the room id, which is the creator's user id), ``scope`` =
``room:read``, ``iat`` and ``exp``. It is long-lived (``GIFTFLOW_ROOM_TOKEN_TTL_S``,
30 days by default) because it is pasted once into a streaming tool's URL, and it can do
nothing but read one room: its events, and the state its overlays show
(``GET /v1/rooms/{room_id}/overlay-state``). It names no user, so it is never a
credential for the rest of the HTTP API, and a user's token is never a room token.
Time is the economy's clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Final

import jwt

from giftflow.api.errors import ForbiddenError, TokenExpiredError, TokenInvalidError
from giftflow.ledger.clock import Clock

ROOM_READ: Final = "room:read"
_ALGORITHM: Final = "HS256"
_ISSUER: Final = "giftflow"
_NS_PER_S: Final = 1_000_000_000


@dataclass(frozen=True, slots=True)
class IssuedRoomToken:
    token: str
    room_id: int
    expires_at_ns: int


class RoomTokens:
    def __init__(self, clock: Clock, *, secret: bytes, ttl_s: int) -> None:
        self._clock = clock
        self._secret = secret
        self.ttl_s = ttl_s

    def issue(self, room_id: int) -> IssuedRoomToken:
        now_s = self._clock.now_ns() // _NS_PER_S
        expires_s = now_s + self.ttl_s
        claims = {
            "iss": _ISSUER,
            "room": room_id,
            "scope": ROOM_READ,
            "iat": now_s,
            "exp": expires_s,
        }
        token = jwt.encode(claims, self._secret, algorithm=_ALGORITHM)
        return IssuedRoomToken(token, room_id, expires_s * _NS_PER_S)

    def check(self, token: str | None, room_id: int) -> None:
        """Raises ``TokenInvalidError`` (none, not ours, not a room token),
        ``TokenExpiredError``, or ``ForbiddenError`` (another room's token)."""
        claims = self._claims(token)
        if claims["scope"] != ROOM_READ or not _is_int(claims["room"]):
            raise TokenInvalidError("this is not a room token")
        if not _is_int(claims["exp"]):
            raise TokenInvalidError("the token's expiry is not a time")
        if claims["exp"] <= self._clock.now_ns() // _NS_PER_S:
            raise TokenExpiredError("the room token has expired; ask for a new one")
        if claims["room"] != room_id:
            raise ForbiddenError("this token is for another room")

    def _claims(self, token: str | None) -> dict[str, Any]:
        if not token:
            raise TokenInvalidError("send the room token as ?token=")
        try:
            claims: dict[str, Any] = jwt.decode(
                token,
                self._secret,
                algorithms=[_ALGORITHM],
                issuer=_ISSUER,
                # Expiry is checked against the economy's clock, not the host's.
                options={
                    "require": ["exp", "room", "scope", "iss"],
                    "verify_exp": False,
                    "verify_iat": False,
                },
            )
        except jwt.PyJWTError as error:
            raise TokenInvalidError("the token is not a room token giftflow signed") from error
        return claims


def _is_int(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)
