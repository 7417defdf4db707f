"""The link-in-bio page: a creator's handle (the page's slug), its title and words
about the creator, the links in their order, and the page's figures (views, clicks per
link, click-through, referrers, regions). Pure rules only: what a slug, a link and a
referrer may be, and the figures from the counted rows (docs/bio.md).

Nothing here identifies a visitor: a view or a click is a moment, the host of the
page that sent the visitor (never the whole address) and a region code the platform's
edge named; no address, no cookie, no fingerprint.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Final
from urllib.parse import urlsplit

from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs

SLUG_PATTERN: Final = re.compile(r"[a-z0-9](?:[a-z0-9-]{1,30})[a-z0-9]")
"""3 to 32 lower-case letters, digits and inner hyphens: ``carol-draws``."""
TITLE_MAX: Final = 100
ABOUT_MAX: Final = 500
LINKS_MAX: Final = 50
LINK_TITLE_MAX: Final = 100
URL_MAX: Final = 2_048
HOST_MAX: Final = 253
REGION_MAX: Final = 8
BPS: Final = 10_000
"""Click-through in basis points: 1 % is 100."""


class BioError(GiftflowError):
    code = "bio_invalid"


class BioNotFoundError(BioError):
    code = "bio_not_found"


@dataclass(frozen=True, slots=True)
class BioPage:
    creator_id: UserId
    slug: str
    title: str
    about: str
    consent_version: int
    """The consent text the lead form shows now (0: no text yet, so no form)."""
    created_at: UnixNs
    updated_at: UnixNs


@dataclass(frozen=True, slots=True)
class BioLink:
    id: str
    creator_id: UserId
    position: int
    """0 first; the page shows links by position."""
    title: str
    url: str
    created_at: UnixNs
    removed_at: UnixNs | None = None
    """Taken off the page (its clicks stay counted); a removed link no longer redirects."""


@dataclass(frozen=True, slots=True)
class LinkWanted:
    """A link as the creator sends it: ``id`` keeps an existing link (and its clicks)."""

    title: str
    url: str
    id: str | None = None


@dataclass(frozen=True, slots=True)
class Visit:
    """A view of the page or a click on one of its links, as counted."""

    creator_id: UserId
    at: int
    referrer_host: str = ""
    region: str = ""
    link_id: str | None = None
    """The link clicked; ``None`` for a view of the page."""


@dataclass(frozen=True, slots=True)
class LinkFigures:
    link_id: str
    title: str
    url: str
    removed: bool
    clicks: int
    click_through_bps: int


@dataclass(frozen=True, slots=True)
class BioFigures:
    creator_id: UserId
    views: int
    clicks: int
    click_through_bps: int
    """``clicks * 10,000 // views`` (0 without a view): clicks per view, floored."""
    links: tuple[LinkFigures, ...]
    referrers: tuple[tuple[str, int], ...]
    """Views per referring host, most first (``""``: none or unusable)."""
    regions: tuple[tuple[str, int], ...]
    """Views per region, most first (``""``: unknown)."""


def check_slug(slug: str) -> str:
    if not SLUG_PATTERN.fullmatch(slug):
        raise BioError(
            "a page's slug is 3 to 32 lower-case letters, digits and inner hyphens",
            code="bio_slug_invalid",
        )
    return slug


def check_url(url: str) -> str:
    """An absolute ``https`` or ``http`` address with a host and no credentials: what a
    visitor's browser may be sent to."""
    try:
        parts = urlsplit(url)
        host = parts.hostname
    except ValueError:  # a malformed IPv6 host ("https://[x")
        host = None
    if (
        host is None
        or len(url) > URL_MAX
        or parts.scheme not in ("https", "http")
        or not host
        or parts.username is not None
        or any(c.isspace() or ord(c) < 0x20 or ord(c) == 0x7F for c in url)
    ):
        raise BioError(
            f"a link is an http(s) address with a host, no credentials, at most {URL_MAX}"
            " characters",
            code="bio_link_invalid",
        )
    return url


def check_links(links: Sequence[LinkWanted]) -> None:
    if len(links) > LINKS_MAX:
        raise BioError(f"at most {LINKS_MAX} links", code="bio_link_invalid")
    for link in links:
        check_url(link.url)
        if not 1 <= len(link.title) <= LINK_TITLE_MAX:
            raise BioError(
                f"a link's title is 1 to {LINK_TITLE_MAX} characters", code="bio_link_invalid"
            )
    kept = [link.id for link in links if link.id is not None]
    if len(set(kept)) != len(kept):
        raise BioError("a link is listed once", code="bio_link_invalid")


def referrer_host(referer: str | None) -> str:
    """The host of a ``Referer`` (lower case, no port, no path), or ``""``."""
    if not referer or len(referer) > URL_MAX:
        return ""
    try:
        parts = urlsplit(referer)
        host = parts.hostname or ""
    except ValueError:
        return ""
    if parts.scheme not in ("https", "http") or len(host) > HOST_MAX:
        return ""
    if not all(c.isascii() and (c.isalnum() or c in "-.") for c in host):
        return ""
    return host


def region_of(value: str | None, known: frozenset[str]) -> str:
    """The region the edge named, if it is one of the catalog's; else ``""``."""
    if not value:
        return ""
    code = value.strip().upper()
    return code if code in known else ""


def click_through_bps(clicks: int, views: int) -> int:
    return clicks * BPS // views if views else 0


def _ranked(counts: Mapping[str, int]) -> tuple[tuple[str, int], ...]:
    return tuple(sorted(counts.items(), key=lambda item: (-item[1], item[0])))


def figures(
    creator_id: UserId,
    *,
    views: int,
    links: Iterable[BioLink],
    clicks_by_link: Mapping[str, int],
    referrers: Mapping[str, int],
    regions: Mapping[str, int],
) -> BioFigures:
    """The page's figures from its counted rows: links by position, removed ones last."""
    ordered = sorted(links, key=lambda link: (link.removed_at is not None, link.position, link.id))
    per_link = tuple(
        LinkFigures(
            link.id,
            link.title,
            link.url,
            link.removed_at is not None,
            clicks_by_link.get(link.id, 0),
            click_through_bps(clicks_by_link.get(link.id, 0), views),
        )
        for link in ordered
    )
    clicks = sum(clicks_by_link.values())
    return BioFigures(
        creator_id,
        views,
        clicks,
        click_through_bps(clicks, views),
        per_link,
        _ranked(referrers),
        _ranked(regions),
    )
