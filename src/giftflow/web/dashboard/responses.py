"""How the dashboard answers: whole HTML documents with strict headers, and every error
as an HTML page rather than problem+json. Statuses come from the API's one table
(``problem_codes.status_for``), so a page and the API never disagree on what an error is.

``PageRoute`` is the route class of the dashboard's router: it turns errors into pages,
and refuses a token in the address (the dashboard's old sign-in) without reading it.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Any, Final

from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response

from giftflow.errors import GiftflowError
from giftflow.http import problem_codes, problems
from giftflow.i18n import N_, activate
from giftflow.i18n import gettext as _
from giftflow.render.charts import esc
from giftflow.render.report_page import page
from giftflow.web.dashboard import session

HEADERS: Final = {
    "Cache-Control": "no-store",
    # Inline style only (PAGE_CSS and the heatmap's cells); no scripts, no frames.
    "Content-Security-Policy": (
        "default-src 'none'; style-src 'unsafe-inline'; img-src data:;"
        " form-action 'self'; base-uri 'none'; frame-ancestors 'none'"
    ),
    "Referrer-Policy": "same-origin",
    "X-Content-Type-Options": "nosniff",
}
DASHBOARD_CSS: Final = """
<style>
nav.top { display: flex; gap: 16px; align-items: center; margin-bottom: 16px;
  font-size: 0.9rem; }
nav.top form { margin-left: auto; }
.actions form { display: inline-flex; gap: 6px; margin: 0 4px; }
.actions input[type=text] { width: 12em; }
button { font: inherit; padding: 3px 10px; border-radius: 6px; border: 1px solid #c5cad6;
  background: #fff; cursor: pointer; }
button.primary { background: var(--accent); color: #fff; border-color: var(--accent); }
.status-ok { color: #059669; font-weight: 650; }
.status-bad { color: #dc2626; font-weight: 650; }
form.period { display: flex; gap: 10px; align-items: end; margin: 0 0 12px; }
form.period label { display: grid; font-size: 0.8rem; color: var(--muted); }
</style>
"""
SIGN_IN_HELP: Final = (
    "<p>The dashboard opens from a one-time sign-in link,"
    " <code>/dashboard/sign-in/&lt;code&gt;</code>, that your platform makes with"
    " <code>POST /v1/tokens/sign-in-links</code> (for a creator's own pages, or for a"
    " staff user's <code>/admin</code>). Ask your platform for a new link; each works once,"
    " for a few minutes.</p>"
)
TOKEN_IN_ADDRESS: Final = "token"
"""The old sign-in's parameter: refused, so a link that carries it fails loudly (400:
the cookie, if any, is left alone, so such a link cannot sign anyone out either)."""


class TokenInAddressError(GiftflowError):
    code = "token_in_address"


def html(title: str, body_html: str, *, status: int = 200) -> HTMLResponse:
    """A complete page in the report's style, with the dashboard's headers."""
    document = page(title, DASHBOARD_CSS + body_html)
    return HTMLResponse(document, status_code=status, headers=HEADERS)


def see_other(location: str) -> RedirectResponse:
    return RedirectResponse(location, status_code=303, headers={"Cache-Control": "no-store"})


def error_page(status: int, heading: str, detail: str, *, extra: str = "") -> HTMLResponse:
    body = (
        f'<section class="error" data-status="{status}"><p class="eyebrow">{status}</p>'
        f"<h1>{esc(heading)}</h1><p>{esc(detail)}</p>{extra}</section>"
    )
    return html(heading, body, status=status)


HEADINGS: Final = {
    400: N_("That request is not right"),
    401: N_("Please sign in"),
    403: N_("Not yours to see"),
    404: N_("Not found"),
    409: N_("That was already done"),
}


def heading_of(status: int) -> str:
    fallback = N_("That did not work") if status < 500 else N_("Something went wrong")
    return _(HEADINGS.get(status, fallback))


def page_for(error: GiftflowError, *, had_cookie: bool) -> Response:
    status = problem_codes.status_for(error)
    detail = problems.public_detail(error)
    heading = heading_of(status)
    if status == 401:
        answer = error_page(status, heading, detail, extra=SIGN_IN_HELP)
        return session.forget(answer) if had_cookie else answer
    back = f'<p><a href="/dashboard">{esc(_("Back to the dashboard"))}</a></p>'
    return error_page(status, heading, detail, extra=back)


def invalid_page(error: RequestValidationError) -> Response:
    """A path that names nothing (``/creators/abc``) is 404; a bad query 400."""
    locations = [str(part) for item in error.errors() for part in item.get("loc", ())[:1]]
    if "path" in locations:
        return error_page(404, heading_of(404), _("there is no such page"))
    return error_page(400, heading_of(400), _("the address holds a value this page cannot use"))


Endpoint = Callable[[Request], Coroutine[Any, Any, Response]]


class PageRoute(APIRoute):
    """A dashboard route: in the server's locale (``GIFTFLOW_LOCALE``); errors become
    HTML pages; ``?token=`` is refused."""

    def get_route_handler(self) -> Endpoint:
        handler = super().get_route_handler()

        async def answer(request: Request) -> Response:
            with activate(request.app.state.giftflow.settings.locale):
                return await localised(request)

        async def localised(request: Request) -> Response:
            try:
                if TOKEN_IN_ADDRESS in request.query_params:
                    raise TokenInAddressError(
                        "the dashboard takes no token in its address (it would stay in"
                        " logs and histories); use a sign-in link"
                    )
                return await handler(request)
            except GiftflowError as error:
                return page_for(error, had_cookie=session.COOKIE in request.cookies)
            except RequestValidationError as error:
                return invalid_page(error)

        return answer
