"""Signing in to the dashboard: a one-time sign-in link, a confirmation, then a cookie
(decision 0026).

A platform asks ``POST /v1/tokens/sign-in-links`` for a link ``/dashboard/sign-in/
<code>`` and hands it to the person. The link holds a one-time code, never a token:
opening it (GET) changes nothing and shows who it signs in as, with a button; the
button posts back (same origin only), the code is used up, and the server issues a
dashboard session token for that user and role, on behalf of the key that made the
link. The token is kept in the ``giftflow_session`` cookie (HttpOnly: no script reads
it; SameSite=Strict: no other site's page sends it; ``Secure`` behind HTTPS;
Max-Age: the session's life). So no credential is ever in an address a log, a history
or a referrer keeps, and another site cannot sign a visitor in as someone else without
their click on a page that names that someone.

Every later request is judged by the cookie exactly as the API judges a Bearer token:
signature, expiry (the economy's clock) and standing (revoked, its key revoked, its
user no longer in its role). Signing out revokes the token, not only the cookie.

Forms post with that cookie. SameSite=Strict already keeps other sites' forms from
carrying it; the ``Origin`` (or ``Referer``) must also name this host, so a browser
that ignores SameSite is covered too.
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlsplit

from fastapi import Depends, Request
from starlette.responses import Response

from giftflow.errors import GiftflowError
from giftflow.http.auth import Authenticator
from giftflow.http.deps import state_of
from giftflow.http.errors import (
    ForbiddenError,
    TokenInvalidError,
    UnauthenticatedError,
)
from giftflow.http.principals import Principal
from giftflow.http.schemas import Role
from giftflow.ledger.clock import NS_PER_S
from giftflow.store import credentials
from giftflow.store.credentials import SignInGrant

COOKIE: Final = "giftflow_session"


class SignInLinkInvalidError(GiftflowError):
    """The sign-in link is unknown, expired or used already."""

    code = "sign_in_link_invalid"


def _authenticator(request: Request) -> Authenticator:
    return state_of(request).authenticator


def user_principal(authenticator: Authenticator, token: str | None) -> Principal:
    """The user a token names; API keys are for servers, never for a browser's cookie."""
    if not token:
        raise UnauthenticatedError("open the dashboard with a sign-in link from your platform")
    if token.startswith("gf_"):
        raise TokenInvalidError("the dashboard takes a user token, not a platform API key")
    return authenticator.authenticate(token)


def signed_in(request: Request) -> Principal:
    """The dependency of every page: the user of the session cookie."""
    return user_principal(_authenticator(request), request.cookies.get(COOKIE))


SignedInDep = Annotated[Principal, Depends(signed_in)]


def pending_grant(request: Request, code: str) -> SignInGrant:
    """What an unused link would sign in as (the link stays unused)."""
    state = state_of(request)
    now_ns = state.economy.context.clock.now_ns()
    grant = state.economy.ledger.read(credentials.sign_in_link(code, now_ns=now_ns))
    if grant is None:
        raise SignInLinkInvalidError(_LINK_INVALID)
    return grant


def sign_in(request: Request, code: str, response: Response) -> Principal:
    """Use the link up and set the session cookie on ``response``; the new session's
    principal. Its token passes the same checks as any token before the cookie is set
    (the link's key still in force, its user still in the role)."""
    require_same_origin(request)
    state = state_of(request)
    now_ns = state.economy.context.clock.now_ns()
    grant = state.economy.ledger.write(credentials.use_sign_in_link(code, now_ns=now_ns))
    if grant is None:
        raise SignInLinkInvalidError(_LINK_INVALID)
    issued = state.authenticator.issue(
        grant.user_id,
        Role(grant.role),
        key_id=grant.key_id,
        ttl_s=state.settings.dashboard_session_ttl_s,
    )
    principal = state.authenticator.authenticate(issued.token)
    response.set_cookie(
        COOKIE,
        issued.token,
        max_age=(issued.expires_at_ns - now_ns) // NS_PER_S,
        path="/",
        secure=state.settings.https or request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return principal


def sign_out(request: Request, response: Response) -> None:
    """Revoke the session's token (when it still serves) and clear the cookie."""
    require_same_origin(request)
    token = request.cookies.get(COOKIE)
    authenticator = _authenticator(request)
    try:
        principal = user_principal(authenticator, token)
    except UnauthenticatedError:
        pass  # expired or revoked already: nothing left to revoke
    else:
        authenticator.revoke(principal)
    forget(response)


def forget(response: Response) -> Response:
    """Clear the cookie (signing out, or a cookie whose token no longer serves)."""
    response.delete_cookie(COOKIE, path="/", httponly=True, samesite="strict")
    return response


def require_same_origin(request: Request) -> None:
    """A form post must come from a page of this host (``Origin``, else ``Referer``)."""
    source = request.headers.get("origin") or request.headers.get("referer") or ""
    host = request.headers.get("host", "")
    if not host or urlsplit(source).netloc.lower() != host.lower():
        raise ForbiddenError("a dashboard form must be sent from a dashboard page")


_LINK_INVALID: Final = (
    "this sign-in link is unknown, expired or used already; ask your platform for a new one"
)
