"""Files and the perks that deliver them over HTTP (docs/products.md).

- Files: the room's creator (a creator token), an administrator or a key with
  ``live:write`` uploads the raw bytes (``Content-Type`` is the file's type,
  ``filename`` in the query); readers (``live:read``) list them.
- Delivering perks: written like files; any authenticated caller reads a room's (what a
  supporter may unlock is no secret).
- Download links: for the user themself, a key with ``live:write`` or an administrator,
  and only while the user is entitled; ``GET /v1/downloads/{link}`` needs no header
  (the link is the credential) and checks the entitlement again. A product's buyer
  gets links of its files through ``giftflow.api.routes.products``.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from giftflow.api.routes.live import WRITE, RoomIdPath, may_read, may_write
from giftflow.creator.perks_links import Grant
from giftflow.http import auth
from giftflow.http.deps import LiveDep, PrincipalDep, StateDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas.common import PRINTABLE
from giftflow.http.schemas.products import (
    DeliveringPerkCreate,
    DeliveringPerkList,
    DeliveringPerkPublic,
    DownloadLinkCreate,
    DownloadLinkPublic,
    FileList,
    FilePublic,
    PerkId,
)
from giftflow.ids import UserId
from giftflow.service.creator import perks

router = APIRouter(prefix="/v1", tags=["products"], responses=RESPONSES)
PerkIdPath = Annotated[PerkId, Path(description="A delivering perk's id (`pk_…`).")]
LinkPath = Annotated[str, Path(min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_.-]+$")]
FilenameQuery = Annotated[
    str, Query(min_length=1, max_length=120, pattern=PRINTABLE, description="The file's name.")
]
_RAW_FILE: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes; ``Content-Type`` is the file's type.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_BYTES: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
}


def link_secret(state: StateDep) -> bytes:
    """The key download links are signed with (the API's token secret)."""
    secret = state.settings.token_secret
    assert secret is not None, "create_app refuses to start without a token secret"
    return secret.get_secret_value().encode()


async def raw_body(request: Request) -> bytes:
    """The request's body as it came: an uploaded file's bytes."""
    return await request.body()


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


@router.post(
    "/creators/{creator_id}/files",
    status_code=201,
    response_model=FilePublic,
    openapi_extra=_RAW_FILE,
)
def upload_file(
    creator_id: RoomIdPath,
    filename: FilenameQuery,
    request: Request,
    principal: PrincipalDep,
    live: LiveDep,
    state: StateDep,
    content: Annotated[bytes, Depends(raw_body)],
) -> FilePublic:
    """Upload a file for perks and products (at most ``GIFTFLOW_FILE_MAX_BYTES``): 422
    ``file_size_invalid``, ``filename_invalid``, ``file_type_refused``."""
    may_write(principal, creator_id)
    stored = perks.upload(
        live.context,
        creator_id,
        filename=filename,
        content_type=_content_type(request),
        content=content,
        max_bytes=state.settings.file_max_bytes,
    )
    return FilePublic.of(stored)


@router.get("/creators/{creator_id}/files", response_model=FileList)
def list_files(creator_id: RoomIdPath, principal: PrincipalDep, live: LiveDep) -> FileList:
    """The creator's files, oldest first (500 at most)."""
    may_read(principal, creator_id)
    return FileList(files=[FilePublic.of(f) for f in perks.files_of(live.context, creator_id)])


# --- delivering perks -----------------------------------------------------------------


@router.post(
    "/rooms/{room_id}/delivering-perks", status_code=201, response_model=DeliveringPerkPublic
)
def add_perk(
    room_id: RoomIdPath, body: DeliveringPerkCreate, principal: PrincipalDep, live: LiveDep
) -> DeliveringPerkPublic:
    """A ``file`` perk (``level``, ``file_id``), or ``early_access`` to a scheduled
    LIVE's registration (``schedule_id``, ``early_access``). 422 ``perk_invalid``,
    ``perk_level_invalid``, ``early_access_invalid``, ``perk_target_invalid``."""
    may_write(principal, room_id)
    perk = perks.add(
        live.context,
        room_id,
        level=body.level if body.early_access is None else body.early_access.level,
        kind=body.kind,
        file_id=body.file_id,
        schedule_id=body.schedule_id,
        early=None if body.early_access is None else body.early_access.value(),
    )
    return DeliveringPerkPublic.of(perk)


@router.get("/rooms/{room_id}/delivering-perks", response_model=DeliveringPerkList)
def list_perks(room_id: RoomIdPath, _: PrincipalDep, live: LiveDep) -> DeliveringPerkList:
    """The room's delivering perks, by level (a product's early access included)."""
    found = perks.of_creator(live.context, room_id)
    return DeliveringPerkList(perks=[DeliveringPerkPublic.of(p) for p in found])


@router.delete("/delivering-perks/{perk_id}", status_code=204)
def remove_perk(perk_id: PerkIdPath, principal: PrincipalDep, live: LiveDep) -> Response:
    """Its links stop working at once. 204 either way once found."""
    may_write(principal, perks.get(live.context, perk_id).creator_id)
    perks.remove(live.context, perk_id)
    return Response(status_code=204)


@router.post(
    "/delivering-perks/{perk_id}/links", status_code=201, response_model=DownloadLinkPublic
)
def perk_link(
    perk_id: PerkIdPath,
    body: DownloadLinkCreate,
    principal: PrincipalDep,
    live: LiveDep,
    state: StateDep,
) -> DownloadLinkPublic:
    """A download link for a supporter the perk entitles now (403 ``not_entitled``)."""
    auth.require_self_or_scope(principal, body.user_id, WRITE)
    issued = perks.issue(
        live.context,
        link_secret(state),
        grant=Grant.PERK,
        grant_id=perk_id,
        file_id=body.file_id,
        user_id=UserId(body.user_id),
        ttl_s=body.ttl_s or state.settings.file_link_ttl_s,
    )
    return DownloadLinkPublic.of(issued)


@router.get("/downloads/{link}", response_class=Response, responses=_BYTES)
def download(link: LinkPath, live: LiveDep, state: StateDep) -> Response:
    """The file, for a link not expired whose user is still entitled: 403
    ``download_link_invalid`` or ``not_entitled``, 410 ``download_link_expired``."""
    stored, content = perks.download(live.context, link_secret(state), link)
    headers = {
        "Content-Disposition": f'attachment; filename="{stored.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-SHA256": stored.sha256,
    }
    return Response(content, media_type=stored.content_type, headers=headers)
