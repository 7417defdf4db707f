"""The one way giftflow signs and reads its JWTs (user tokens, room tokens, report
links): HS256 with ``GIFTFLOW_TOKEN_SECRET``, issuer ``giftflow``, the claims each kind
requires present, and an audience for the kinds that name one (a token with an audience
is refused where none is expected, and the other way round). Expiry is left to the
caller, which judges it by the economy's clock, not the host's."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Final

import jwt

from giftflow.http.errors import TokenInvalidError

ALGORITHM: Final = "HS256"
ISSUER: Final = "giftflow"


def sign(claims: dict[str, object], secret: bytes) -> str:
    """The token of ``claims``, issued by giftflow."""
    return jwt.encode({"iss": ISSUER, **claims}, secret, algorithm=ALGORITHM)


def signed_claims(
    token: str,
    secret: bytes,
    *,
    require: Iterable[str],
    refusal: str,
    audience: str | None = None,
) -> dict[str, object]:
    """The claims of a token giftflow signed (for ``audience``, when given);
    ``TokenInvalidError`` saying ``refusal`` for anything else: another algorithm,
    another key, another audience, a claim missing, not a JWT."""
    try:
        claims: dict[str, object] = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            audience=audience,
            options={
                "require": ["iss", *require],
                "verify_exp": False,
                "verify_iat": False,
            },
        )
    except jwt.PyJWTError as error:
        raise TokenInvalidError(refusal) from error
    return claims


def integer(value: object) -> int | None:
    """A claim that must be a whole number (``true`` is not one, though Python says so)."""
    return value if isinstance(value, int) and not isinstance(value, bool) else None
