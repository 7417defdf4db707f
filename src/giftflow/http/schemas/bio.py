"""Link-in-bio pages: the creator's settings and links, the figures, the leads."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, StringConstraints

from giftflow import text as policy
from giftflow.creator.bio import (
    ABOUT_MAX,
    LINK_TITLE_MAX,
    LINKS_MAX,
    TITLE_MAX,
    URL_MAX,
    BioFigures,
    BioLink,
    BioPage,
)
from giftflow.creator.leads import CONSENT_TEXT_MAX, Consent, Lead, LeadState
from giftflow.http.schemas.common import Request, at, at_or_none, policed

Slug = Annotated[str, StringConstraints(min_length=3, max_length=32, pattern=r"^[a-z0-9-]+$")]
Title = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_MAX),
    policed(policy.human, max_length=TITLE_MAX),
]
About = Annotated[
    str, StringConstraints(max_length=ABOUT_MAX), policed(policy.human, max_length=ABOUT_MAX)
]
ConsentText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=CONSENT_TEXT_MAX),
    policed(policy.human, max_length=CONSENT_TEXT_MAX),
]
LinkTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=LINK_TITLE_MAX),
    policed(policy.human, max_length=LINK_TITLE_MAX),
]
Url = Annotated[str, StringConstraints(min_length=1, max_length=URL_MAX)]
LinkId = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^bl_[A-Za-z0-9_-]+$")
]
LeadId = Annotated[
    str, StringConstraints(min_length=1, max_length=40, pattern=r"^ld_[A-Za-z0-9_-]+$")
]


class BioUpdate(Request):
    slug: Slug
    """The page's address: ``/b/<slug>``; 3 to 32 of ``a-z``, ``0-9`` and inner ``-``."""
    title: Title
    about: About = ""
    consent_text: ConsentText | None = None
    """What a visitor agrees to by leaving their address; a text other than the current
    one becomes its next version. Without any, the page shows no lead form."""


class BioPublic(BaseModel):
    creator_id: int
    slug: str
    url: str
    """Where the page is (``GIFTFLOW_PUBLIC_URL`` + ``/b/<slug>``)."""
    title: str
    about: str
    consent_version: int
    """0 before the first consent text."""
    consent_text: str | None
    consent_text_sha256: str | None
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, page: BioPage, consent: Consent | None, *, public_url: str) -> Self:
        return cls(
            creator_id=page.creator_id,
            slug=page.slug,
            url=f"{public_url.rstrip('/')}/b/{page.slug}",
            title=page.title,
            about=page.about,
            consent_version=page.consent_version,
            consent_text=None if consent is None else consent.text,
            consent_text_sha256=None if consent is None else consent.text_sha256,
            created_at=at(page.created_at),
            updated_at=at(page.updated_at),
        )


class BioLinkCreate(Request):
    title: LinkTitle
    url: Url
    """``https://`` or ``http://`` with a host and no credentials."""
    id: LinkId | None = None
    """An existing link's id keeps it (and its clicks); none adds a link."""


class LinksReplace(Request):
    links: Annotated[list[BioLinkCreate], Field(max_length=LINKS_MAX)]
    """The page's links in order; a link left out is taken off the page."""


class LinkPublic(BaseModel):
    id: str
    position: int
    title: str
    url: str
    click_path: str
    """The page's counted link: ``/b/<slug>/l/<id>`` (a 302 to ``url``)."""
    created_at: datetime

    @classmethod
    def of(cls, link: BioLink, slug: str) -> Self:
        return cls(
            id=link.id,
            position=link.position,
            title=link.title,
            url=link.url,
            click_path=f"/b/{slug}/l/{link.id}",
            created_at=at(link.created_at),
        )


class LinkList(BaseModel):
    creator_id: int
    links: list[LinkPublic]


class LinkFiguresPublic(BaseModel):
    link_id: str
    title: str
    url: str
    removed: bool
    clicks: int
    click_through_bps: int


class CountPublic(BaseModel):
    value: str
    """A host, or a region code; ``""`` for none or unknown."""
    views: int


class BioFiguresPublic(BaseModel):
    creator_id: int
    views: int
    clicks: int
    click_through_bps: int
    """Clicks per view in basis points, floored: ``clicks * 10000 // views``."""
    links: list[LinkFiguresPublic]
    referrers: list[CountPublic]
    regions: list[CountPublic]

    @classmethod
    def of(cls, figures: BioFigures) -> Self:
        return cls(
            creator_id=figures.creator_id,
            views=figures.views,
            clicks=figures.clicks,
            click_through_bps=figures.click_through_bps,
            links=[
                LinkFiguresPublic(
                    link_id=f.link_id,
                    title=f.title,
                    url=f.url,
                    removed=f.removed,
                    clicks=f.clicks,
                    click_through_bps=f.click_through_bps,
                )
                for f in figures.links
            ],
            referrers=[CountPublic(value=v, views=n) for v, n in figures.referrers],
            regions=[CountPublic(value=v, views=n) for v, n in figures.regions],
        )


class LeadPublic(BaseModel):
    id: str
    email: str
    state: LeadState
    consent_version: int
    consent_text_sha256: str
    consented_at: datetime
    confirmed_at: datetime | None
    unsubscribed_at: datetime | None

    @classmethod
    def of(cls, lead: Lead) -> Self:
        return cls(
            id=lead.id,
            email=lead.email,
            state=lead.state,
            consent_version=lead.consent_version,
            consent_text_sha256=lead.consent_text_sha256,
            consented_at=at(lead.consented_at),
            confirmed_at=at_or_none(lead.confirmed_at or 0),
            unsubscribed_at=at_or_none(lead.unsubscribed_at or 0),
        )


class LeadList(BaseModel):
    creator_id: int
    leads: list[LeadPublic]
