"""The overlays (OBS browser sources) as one ASGI mount: ``/overlays/<name>.html``.

The pages are plain HTML, CSS and JavaScript modules (no build step) in ``overlays/``.
Each reads its room token from its own URL and listens to the room's WebSocket; the
pages that show state load it first from ``/v1/rooms/{room_id}/overlay-state`` with the
same token. Besides, a page fetches only from this mount: ``gifts.json``, the gifts'
display names (unique in the catalog; public, like any gift panel), because events carry
gift ids; ``texts.json``, its fixed texts in the page's language (``lang``, else the server's
``GIFTFLOW_LOCALE``); and ``sounds/chime.wav``, the alerts' sound (made by giftflow).

Every file is served with ``Cache-Control: no-cache`` (a browser source that stays open
for weeks still revalidates, so a new version of an overlay arrives on reload) and each
page with a Content-Security-Policy allowing only this server: its scripts, styles and
images, and its WebSocket. ``builder.html``, the URL builder (docs/overlays.md), may
frame this server's pages besides: its preview is the overlay itself.
"""

from __future__ import annotations

import os
import re
from pathlib import Path
from typing import Final

from starlette.datastructures import Headers
from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import Scope

from giftflow.i18n import DEFAULT_LOCALE, LOCALES
from giftflow.service.economy import Economy
from giftflow.web.overlay_texts import texts_for
from giftflow.web.sound import chime_wav

PREFIX: Final = "/overlays"
DIRECTORY: Final = Path(__file__).parent / "overlays"
NO_CACHE: Final = {"Cache-Control": "no-cache"}
BUILDER: Final = "builder.html"
_HOST: Final = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def overlays(economy: Economy, *, locale: str = DEFAULT_LOCALE) -> Mount:
    """The mount for ``create_app``: the gift names (of the economy's catalog as it is
    now), the texts, the sound, then the static files. ``locale``: the texts of a page
    that names no ``lang``."""

    def gift_names(_: Request) -> JSONResponse:
        names = {str(gift.id): gift.display_name for gift in economy.catalog.gifts}
        return JSONResponse({"gifts": names}, headers=NO_CACHE)

    def texts(request: Request) -> JSONResponse:
        """The texts in ``lang`` if giftflow has them, else in the server's locale (the
        page compares ``locale`` with what it asked for: a 404 would be a console error
        in every browser source)."""
        wanted = request.query_params.get("lang") or locale
        answer = texts_for(wanted if wanted in LOCALES else locale)
        return JSONResponse(answer | {"requested": wanted}, headers=NO_CACHE)

    def chime(_: Request) -> Response:
        return Response(chime_wav(), media_type="audio/wav", headers=NO_CACHE)

    files = OverlayFiles(directory=DIRECTORY)
    routes = [
        Route("/gifts.json", gift_names),
        Route("/texts.json", texts),
        Route("/sounds/chime.wav", chime),
        Mount("/", app=files),
    ]
    return Mount(PREFIX, routes=routes, name="overlays")


def content_security_policy(host: str | None, *, frames: bool = False) -> str:
    """Only this server; its WebSocket named by host too, since browsers before CSP
    level 3 do not count ``ws:`` as ``'self'``. A host that is not a plain host name
    (or an address) and port gets ``'self'`` alone rather than into the header.
    ``frames``: the page may show this server's pages in frames (the builder)."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        f" media-src 'self'; connect-src 'self'{sockets}; base-uri 'none';"
        " form-action 'none'" + ("; frame-src 'self'" if frames else "")
    )


class OverlayFiles(StaticFiles):
    """Starlette's static files, with the headers the module's docstring names."""

    def file_response(
        self,
        full_path: str | os.PathLike[str],
        stat_result: os.stat_result,
        scope: Scope,
        status_code: int = 200,
    ) -> Response:
        response = super().file_response(full_path, stat_result, scope, status_code)
        response.headers["Cache-Control"] = "no-cache"
        response.headers["X-Content-Type-Options"] = "nosniff"
        if str(full_path).endswith(".html"):
            host = Headers(scope=scope).get("host")
            frames = Path(full_path).name == BUILDER
            policy = content_security_policy(host, frames=frames)
            response.headers["Content-Security-Policy"] = policy
        return response
