"""The overlays (OBS browser sources) as one ASGI mount: ``/overlays/<name>.html``.

The pages are plain HTML, CSS and JavaScript modules (no build step) in ``overlays/``.
Each reads its room token from its own URL and listens to the room's WebSocket; the
pages that show state load it first from ``/v1/rooms/{room_id}/overlay-state`` with the
same token, and the only other thing a page fetches is ``/overlays/gifts.json``, the
gifts' display names (unique in the catalog; public, like any gift panel), because
events carry gift ids.

Every file is served with ``Cache-Control: no-cache`` (a browser source that stays open
for weeks still revalidates, so a new version of an overlay arrives on reload) and each
page with a Content-Security-Policy allowing only this server: its scripts, styles and
images, and its WebSocket.
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

from giftflow.service.economy import Economy

PREFIX: Final = "/overlays"
DIRECTORY: Final = Path(__file__).parent / "overlays"
_HOST: Final = re.compile(r"^[A-Za-z0-9.\-]+(:[0-9]{1,5})?$|^\[[0-9A-Fa-f:.]+\](:[0-9]{1,5})?$")


def overlays(economy: Economy) -> Mount:
    """The mount for ``create_app``: the gift names (of the economy's catalog as it is
    now), then the static files."""

    def gift_names(_: Request) -> JSONResponse:
        names = {str(gift.id): gift.display_name for gift in economy.catalog.gifts}
        return JSONResponse({"gifts": names}, headers={"Cache-Control": "no-cache"})

    files = OverlayFiles(directory=DIRECTORY)
    return Mount(
        PREFIX,
        routes=[Route("/gifts.json", gift_names), Mount("/", app=files)],
        name="overlays",
    )


def content_security_policy(host: str | None) -> str:
    """Only this server; its WebSocket named by host too, since browsers before CSP
    level 3 do not count ``ws:`` as ``'self'``. A host that is not a plain host name
    (or an address) and port gets ``'self'`` alone rather than into the header."""
    sockets = f" ws://{host} wss://{host}" if host and _HOST.match(host) else ""
    return (
        "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:;"
        f" connect-src 'self'{sockets}; base-uri 'none'; form-action 'none'"
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
            response.headers["Content-Security-Policy"] = content_security_policy(host)
        return response
