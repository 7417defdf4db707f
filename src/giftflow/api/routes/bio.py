"""Link-in-bio pages over HTTP (docs/bio.md): the creator's page settings and links, the
page's figures, and the leads of its form (list, CSV export, delete on request). The
page itself, its counted links and the lead form are ``giftflow.web.bio_page``.

Writes are for the creator (their token), an administrator, or a key with
``live:write``; reads for the creator, an administrator, or a key with ``live:read``.
Nothing here moves money, so nothing takes an Idempotency-Key.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query, Response

from giftflow.api.routes.analytics import CreatorIdPath
from giftflow.api.routes.live import may_read, may_write
from giftflow.creator.bio import LinkWanted
from giftflow.http.deps import BioDep, PrincipalDep, StateDep
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas.bio import (
    BioFiguresPublic,
    BioPublic,
    BioUpdate,
    LeadId,
    LeadList,
    LeadPublic,
    LinkList,
    LinkPublic,
    LinksReplace,
)
from giftflow.ids import UserId
from giftflow.service.creator import bio_leads
from giftflow.service.creator.bio import Bio, PageSettings

router = APIRouter(prefix="/v1", tags=["bio"], responses=RESPONSES)
LeadIdPath = Annotated[LeadId, Path(description="A lead's id (`ld_…`).")]
LimitQuery = Annotated[int, Query(ge=1, le=1_000, description="100 by default.")]
OffsetQuery = Annotated[int, Query(ge=0, le=2**31 - 1)]
CSV_MEDIA_TYPE = "text/csv; charset=utf-8"


def _public(bio: Bio, creator_id: UserId, public_url: str) -> BioPublic:
    page = bio.page(creator_id)
    return BioPublic.of(page, bio.consent(page), public_url=public_url)


@router.put("/creators/{creator_id}/bio", response_model=BioPublic)
def save_bio(
    creator_id: CreatorIdPath,
    body: BioUpdate,
    principal: PrincipalDep,
    bio: BioDep,
    state: StateDep,
) -> BioPublic:
    """Create or change the creator's page: slug (409 ``bio_slug_taken``), title, about,
    consent text (a new text is its next version; ``null`` keeps the current one)."""
    may_write(principal, creator_id)
    wanted = PageSettings(body.slug, body.title, body.about, body.consent_text)
    bio.save_page(creator_id, wanted)
    return _public(bio, creator_id, state.settings.public_url)


@router.get("/creators/{creator_id}/bio", response_model=BioPublic)
def get_bio(
    creator_id: CreatorIdPath, principal: PrincipalDep, bio: BioDep, state: StateDep
) -> BioPublic:
    """The creator's page settings and its current consent text."""
    may_read(principal, creator_id)
    return _public(bio, creator_id, state.settings.public_url)


@router.put("/creators/{creator_id}/bio/links", response_model=LinkList)
def replace_links(
    creator_id: CreatorIdPath, body: LinksReplace, principal: PrincipalDep, bio: BioDep
) -> LinkList:
    """The page's links become these, in order (``id`` keeps a link and its clicks)."""
    may_write(principal, creator_id)
    wanted = [LinkWanted(link.title, link.url, link.id) for link in body.links]
    links = bio.replace_links(creator_id, wanted)
    slug = bio.page(creator_id).slug
    return LinkList(creator_id=creator_id, links=[LinkPublic.of(link, slug) for link in links])


@router.get("/creators/{creator_id}/bio/links", response_model=LinkList)
def list_links(creator_id: CreatorIdPath, principal: PrincipalDep, bio: BioDep) -> LinkList:
    may_read(principal, creator_id)
    slug = bio.page(creator_id).slug
    links = bio.links(creator_id)
    return LinkList(creator_id=creator_id, links=[LinkPublic.of(link, slug) for link in links])


@router.get("/creators/{creator_id}/bio/analytics", response_model=BioFiguresPublic)
def bio_analytics(
    creator_id: CreatorIdPath, principal: PrincipalDep, bio: BioDep
) -> BioFiguresPublic:
    """Views, clicks per link (removed links too), click-through, referring hosts and
    regions, from the counted rows (this server process's pending ones written first)."""
    may_read(principal, creator_id)
    return BioFiguresPublic.of(bio.figures(creator_id))


@router.get("/creators/{creator_id}/leads", response_model=LeadList)
def list_leads(
    creator_id: CreatorIdPath,
    principal: PrincipalDep,
    bio: BioDep,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> LeadList:
    """The page's leads, first left first, each with its consent's version and
    fingerprint."""
    may_read(principal, creator_id)
    leads = bio_leads.leads(bio, creator_id, limit=limit, offset=offset)
    return LeadList(creator_id=creator_id, leads=[LeadPublic.of(lead) for lead in leads])


@router.get(
    "/creators/{creator_id}/leads.csv",
    response_class=Response,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def export_leads(creator_id: CreatorIdPath, principal: PrincipalDep, bio: BioDep) -> Response:
    """Every lead as CSV (RFC 4180; a cell that would start a formula starts with ``'``)."""
    may_read(principal, creator_id)
    headers = {"Content-Disposition": f'attachment; filename="leads-{creator_id}.csv"'}
    return Response(
        bio_leads.export_csv(bio, creator_id), media_type=CSV_MEDIA_TYPE, headers=headers
    )


@router.delete("/creators/{creator_id}/leads/{lead_id}", status_code=204)
def delete_lead(
    creator_id: CreatorIdPath, lead_id: LeadIdPath, principal: PrincipalDep, bio: BioDep
) -> Response:
    """Delete a lead on its owner's request (``lead.deleted``): the row is gone. 204
    either way."""
    may_write(principal, creator_id)
    bio.page(creator_id)
    bio_leads.delete(bio, creator_id, lead_id)
    return Response(status_code=204)
