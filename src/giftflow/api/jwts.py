"""The one way giftflow reads the JWTs it signs (user tokens, room tokens): HS256 with
``GIFTFLOW_TOKEN_SECRET``, issuer ``giftflow``, the claims each kind requires present.
Expiry is left to the caller, which judges it by the economy's clock, not the host's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import jwt

from giftflow.api.errors import TokenInvalidError

ALGORITHM: Final = "HS256"
ISSUER: Final = "giftflow"


def sign(claims: dict[str, object], secret: bytes) -> str:
    return jwt.encode({"iss": ISSUER, **claims}, secret, algorithm=ALGORITHM)


def signed_claims(
    token: str, secret: bytes, *, require: Iterable[str], what: str
) -> dict[str, object]:
    """The claims of a token giftflow signed; ``TokenInvalidError`` naming ``what`` for
    anything else (another algorithm, another key, a claim missing, not a JWT)."""
    try:
        claims: dict[str, object] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={
                "require": ["iss", *require],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise TokenInvalidError(f"the token is not {what} giftflow signed") from error
    return claims


def integer(value: object) -> int | None:
    """A claim that must be a whole number (``true`` is not one, though Python says so)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
