"""Link-in-bio pages: the creator's settings and links, the page's figures, the leads
(list, CSV export, delete on request). None moves money, so none takes an
Idempotency-Key; each is repeatable."""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.client.call import Call, model, nothing, path, text
from giftflow.client.models import BioFiguresPublic, BioPublic, LeadList, LinkList
from giftflow.client.requests import without_none


def save_bio(
    creator_id: int,
    *,
    slug: str,
    title: str,
    about: str = "",
    consent_text: str | None = None,
) -> Call[BioPublic]:
    """``PUT /v1/creators/{id}/bio``: a consent text other than the current one becomes
    its next version; ``None`` keeps the current one."""
    body = without_none(slug=slug, title=title, about=about, consent_text=consent_text)
    url = path("/v1/creators/{}/bio", creator_id)
    return Call("PUT", url, model(BioPublic), body=body, repeatable=True)


def get_bio(creator_id: int) -> Call[BioPublic]:
    return Call("GET", path("/v1/creators/{}/bio", creator_id), model(BioPublic))


def replace_bio_links(creator_id: int, links: Sequence[dict[str, str]]) -> Call[LinkList]:
    """The page's links in order, each ``{"title", "url"}`` and, to keep a link and its
    clicks, its ``"id"``."""
    url = path("/v1/creators/{}/bio/links", creator_id)
    body = {"links": [dict(link) for link in links]}
    return Call("PUT", url, model(LinkList), body=body, repeatable=True)


def list_bio_links(creator_id: int) -> Call[LinkList]:
    return Call("GET", path("/v1/creators/{}/bio/links", creator_id), model(LinkList))


def bio_analytics(creator_id: int) -> Call[BioFiguresPublic]:
    """Views, clicks per link, click-through (basis points), referrers, regions."""
    url = path("/v1/creators/{}/bio/analytics", creator_id)
    return Call("GET", url, model(BioFiguresPublic))


def list_leads(
    creator_id: int, *, limit: int | None = None, offset: int | None = None
) -> Call[LeadList]:
    query = without_none(limit=limit, offset=offset)
    return Call("GET", path("/v1/creators/{}/leads", creator_id), model(LeadList), query=query)


def export_leads(creator_id: int) -> Call[str]:
    """Every lead as CSV text (RFC 4180; formula-like cells start with ``'``)."""
    return Call("GET", path("/v1/creators/{}/leads.csv", creator_id), text)


def delete_lead(creator_id: int, lead_id: str) -> Call[None]:
    url = path("/v1/creators/{}/leads/{}", creator_id, lead_id)
    return Call("DELETE", url, nothing, repeatable=True)
