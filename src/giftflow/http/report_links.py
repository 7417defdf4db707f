"""Report links: a post-LIVE report that opens in a browser, with no header to send.

``POST /v1/sessions/{session_id}/report-links`` answers a URL, ``/reports/<link>``,
whose last part is a JWT signed like users' tokens (HS256, ``GIFTFLOW_TOKEN_SECRET``)
for one purpose: its audience is ``giftflow:report-link``, which neither the user
tokens' nor the room tokens' decoder accepts, and it names one session (``session``)
and nothing else. It reads that session's report page; it is no credential anywhere
else. Claims: ``iss``, ``aud``, ``session``, ``user`` (the session's creator), ``key``
(the API key behind whoever made it), ``jti`` (the link's id, ``rl_`` and 28 hex
digits), ``iat``, ``exp``.

A link lives ``GIFTFLOW_REPORT_LINK_TTL_S`` (an hour by default, a day at most) on the
economy's clock, and each use reads its standing (one indexed query, the user tokens'
own): refused once revoked (by its id, kept with the revoked tokens until a day has
passed), once the key behind it is revoked, or once its creator signed out everywhere
after it was made. The link is a credential in a URL: the server's log never shows it
(``giftflow.http.logs``), and the page it opens sends no referrer (docs/security.md).
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from typing import Any, Final

from giftflow.http import jwts
from giftflow.http.errors import TokenExpiredError, TokenInvalidError, TokenRevokedError
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, Clock
from giftflow.service.ledger import Ledger
from giftflow.store import credentials
from giftflow.store.credentials import Standing

PATH: Final = "/reports"
AUDIENCE: Final = "giftflow:report-link"
TTL_MAX_S: Final = 86_400
"""The longest a report link may live, and so how long a revocation is kept."""
LINK_ID: Final = re.compile(r"^rl_[0-9a-f]{28}$")
"""A link's id: apart from user tokens' ids (32 hex digits) in the revoked tokens."""
_CLAIMS: Final = ("aud", "session", "user", "key", "jti", "iat", "exp")
"""What a report link must carry (beside ``iss``, which ``giftflow.http.jwts`` adds)."""


@dataclass(frozen=True, slots=True)
class IssuedReportLink:
    link: str
    """The signed part of the URL: a credential, shown once."""
    link_id: str
    session_id: int
    expires_at_ns: int


@dataclass(frozen=True, slots=True)
class ReportGrant:
    """What a valid link reads: one session's report."""

    session_id: int
    link_id: str


class ReportLinks:
    def __init__(self, ledger: Ledger, clock: Clock, *, secret: bytes) -> None:
        self._ledger = ledger
        self._clock = clock
        self._secret = secret

    def issue(
        self, *, session_id: int, creator_id: UserId, key_id: str, ttl_s: int
    ) -> IssuedReportLink:
        """A link to the session's report, made on behalf of the key ``key_id``."""
        now_s = self._clock.now_ns() // NS_PER_S
        expires_s = now_s + min(ttl_s, TTL_MAX_S)
        link_id = "rl_" + secrets.token_hex(14)
        claims: dict[str, object] = {
            "aud": AUDIENCE,
            "session": session_id,
            "user": creator_id,
            "key": key_id,
            "jti": link_id,
            "iat": now_s,
            "exp": expires_s,
        }
        link = jwts.sign(claims, self._secret)
        return IssuedReportLink(link, link_id, session_id, expires_s * NS_PER_S)

    def check(self, link: str) -> ReportGrant:
        """The session a link reads. Raises ``TokenInvalidError`` (not a report link
        giftflow signed), ``TokenExpiredError`` or ``TokenRevokedError``."""
        claims = self._claims(link)
        if claims["exp"] <= self._clock.now_ns() // NS_PER_S:
            raise TokenExpiredError("the report link has expired; ask for a new one")
        read = credentials.standing(claims["user"], claims["key"], claims["jti"])
        refusal = _refusal(self._ledger.read(read), claims, now_ns=self._clock.now_ns())
        if refusal is not None:
            raise TokenRevokedError(refusal)
        return ReportGrant(claims["session"], claims["jti"])

    def revoke(self, link_id: str) -> bool:
        """Refuse the link from now on; False when it was revoked already."""
        if LINK_ID.fullmatch(link_id) is None:
            raise TokenInvalidError("a report link's id is rl_ and 28 hexadecimal digits")
        now_ns = self._clock.now_ns()
        until_ns = now_ns + TTL_MAX_S * NS_PER_S
        return self._ledger.write(
            credentials.revoke_token(link_id, now_ns=now_ns, expires_at_ns=until_ns)
        )

    def _claims(self, link: str) -> dict[str, Any]:
        # Expiry is checked against the economy's clock, not the host's (``check``).
        claims: dict[str, Any] = jwts.signed_claims(
            link,
            self._secret,
            require=_CLAIMS,
            refusal="this is not a report link giftflow signed",
            audience=AUDIENCE,
        )
        integers = ("session", "user", "iat", "exp")
        if not all(jwts.integer(claims[name]) is not None for name in integers):
            raise TokenInvalidError("the report link's claims are not numbers")
        if not isinstance(claims["key"], str) or not isinstance(claims["jti"], str):
            raise TokenInvalidError("the report link names no key or id")
        if LINK_ID.fullmatch(claims["jti"]) is None:
            raise TokenInvalidError("the report link has no link id")
        return claims


def _refusal(standing: Standing, claims: dict[str, Any], *, now_ns: int) -> str | None:
    if standing.key_revoked_at_ns is None or 0 < standing.key_revoked_at_ns <= now_ns:
        return "the API key behind this report link was revoked"
    if standing.token_revoked:
        return "the report link was revoked"
    if claims["iat"] < standing.not_before_s:
        return "the creator signed out everywhere after this link was made"
    return None
