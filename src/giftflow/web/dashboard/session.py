"""Signing in to the dashboard: a user token once in the URL, then a cookie.

A platform hands a person a link ``/dashboard?token=<user token>`` (a JWT from
``POST /v1/tokens``). The server checks the token with the app's ``Authenticator``,
keeps it in the ``giftflow_session`` cookie (HttpOnly: no script reads it; SameSite=
Strict: no other site's page sends it; Max-Age: the token's remaining life) and
redirects to the same URL without it, so the token leaves the address bar and the
history. Every later request is judged by the cookie, exactly as the API judges a
Bearer token: the same signature, expiry (the economy's clock) and role.

Forms post with that cookie. SameSite=Strict already keeps other sites' forms from
carrying it; the ``Origin`` (or ``Referer``) must also name this host, so a browser
that ignores SameSite is covered too.
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import urlsplit

import jwt
from fastapi import Depends, Request
from starlette.responses import RedirectResponse, Response

from giftflow.api.auth import Authenticator, Principal
from giftflow.api.deps import state_of
from giftflow.api.errors import ForbiddenError, TokenInvalidError, UnauthenticatedError

COOKIE: Final = "giftflow_session"
TOKEN_PARAMETER: Final = "token"
_NS_PER_S: Final = 1_000_000_000


def _authenticator(request: Request) -> Authenticator:
    return state_of(request).authenticator


def user_principal(authenticator: Authenticator, token: str | None) -> Principal:
    """The user a token names; API keys are for servers, never for a browser's cookie."""
    if not token:
        raise UnauthenticatedError("open the dashboard with your sign-in link (?token=...)")
    if token.startswith("gf_"):
        raise TokenInvalidError("the dashboard takes a user token, not a platform API key")
    return authenticator.authenticate(token)


def signed_in(request: Request) -> Principal:
    """The dependency of every page: the user of the session cookie."""
    return user_principal(_authenticator(request), request.cookies.get(COOKIE))


SignedInDep = Annotated[Principal, Depends(signed_in)]


def remaining_s(request: Request, token: str) -> int:
    """Seconds until the token expires, by the economy's clock. Read only after the
    authenticator accepted the token, so its signature has been checked already."""
    claims = jwt.decode(token, options={"verify_signature": False})
    now_s = state_of(request).economy.context.clock.now_ns() // _NS_PER_S
    return max(int(claims["exp"]) - now_s, 0)


def sign_in(request: Request) -> Response:
    """Answer ``?token=``: the cookie, and a 303 to the same URL without the token."""
    token = request.query_params[TOKEN_PARAMETER]
    user_principal(_authenticator(request), token)
    target = request.url.remove_query_params(TOKEN_PARAMETER)
    location = target.path + (f"?{target.query}" if target.query else "")
    response = RedirectResponse(location, status_code=303)
    response.headers["Cache-Control"] = "no-store"
    response.headers["Referrer-Policy"] = "no-referrer"  # the URL still holds the token
    response.set_cookie(
        COOKIE,
        token,
        max_age=remaining_s(request, token),
        path="/",
        secure=request.url.scheme == "https",
        httponly=True,
        samesite="strict",
    )
    return response


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
