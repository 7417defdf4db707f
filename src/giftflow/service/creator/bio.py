"""Link-in-bio pages in the database: the creator's settings and links, the public page's
lookups, the counted views and clicks and the figures from them. The lead form's flows
are ``bio_leads``; the page itself is drawn by ``giftflow.web.bio_page``.

    bio = Bio(live.context, BioSettings(secret=b"...", public_url="https://gift.example"))
    bio.save_page(carol, slug="carol", title="Carol draws", consent_text="I agree ...")
    bio.replace_links(carol, [LinkWanted("Shop", "https://shop.example")])
    bio.count(Visit(carol, at=now, referrer_host="tiktok.com", region="US"))
    bio.figures(carol)  # views, clicks per link, click-through, referrers, regions
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Final

from giftflow.creator.bio import (
    ABOUT_MAX,
    TITLE_MAX,
    BioError,
    BioFigures,
    BioLink,
    BioNotFoundError,
    BioPage,
    LinkWanted,
    Visit,
    check_links,
    check_slug,
    figures,
)
from giftflow.creator.leads import Consent, check_consent_text, text_sha256
from giftflow.ids import UserId
from giftflow.live.errors import LiveError
from giftflow.service.creator.bio_visits import Visits
from giftflow.service.economy import users
from giftflow.service.live.context import LiveContext
from giftflow.store import bio as rows
from giftflow.store.tx import Tx

CONFIRM_TTL_S_DEFAULT: Final = 7 * 86_400


@dataclass(frozen=True, slots=True)
class BioSettings:
    secret: bytes
    """Signs the lead links (confirm, unsubscribe, delete)."""
    public_url: str
    """Where the signed links point (``GIFTFLOW_PUBLIC_URL``)."""
    confirm_ttl_s: int = CONFIRM_TTL_S_DEFAULT
    page_cache_s: float = 1.0
    """How long a process serves a page it drew before drawing it again."""


@dataclass(frozen=True, slots=True)
class PageSettings:
    """What the creator sends; ``consent_text`` ``None`` keeps the current text."""

    slug: str
    title: str
    about: str = ""
    consent_text: str | None = None


@dataclass(slots=True)
class Drawn:
    html: str
    drawn_at_s: float
    creator_id: UserId


@dataclass(slots=True)
class Pages:
    """Pages this process drew, by slug, fresh for ``page_cache_s`` (monotonic seconds).
    Past that, one caller redraws while the others are answered the page as drawn
    (no stampede of redraws); a change through this process drops its creator's page at
    once. Read and changed on the event loop, dropped from request threads."""

    ttl_s: float
    clock: Callable[[], float] = time.monotonic
    by_slug: dict[str, Drawn] = field(default_factory=dict)
    redrawing: set[str] = field(default_factory=set)

    def get(self, slug: str) -> Drawn | None:
        """The page to answer with, or ``None``: the caller draws it (and ``put``s it)."""
        drawn = self.by_slug.get(slug)
        if drawn is None:
            return None
        if self.clock() - drawn.drawn_at_s < self.ttl_s or slug in self.redrawing:
            return drawn
        self.redrawing.add(slug)
        return None

    def put(self, slug: str, creator_id: UserId, html: str) -> None:
        self.redrawing.discard(slug)
        if self.ttl_s > 0:
            self.by_slug[slug] = Drawn(html, self.clock(), creator_id)

    def failed(self, slug: str) -> None:
        """The redraw failed (the page is gone, the database away): the next one tries."""
        self.redrawing.discard(slug)
        self.by_slug.pop(slug, None)

    def drop(self, creator_id: UserId) -> None:
        for slug, drawn in list(self.by_slug.items()):
            if drawn.creator_id == creator_id:
                self.by_slug.pop(slug, None)


class Bio:
    def __init__(self, context: LiveContext, settings: BioSettings) -> None:
        self.context = context
        self.settings = settings
        self.visits = Visits(context.write)
        self.pages = Pages(settings.page_cache_s)
        self.regions = frozenset(region.code for region in context.economy.catalog.regions)
        """The catalog's region codes: a view's region is one of them or unknown."""

    # --- the creator's settings -------------------------------------------------------

    def save_page(self, creator_id: UserId, wanted: PageSettings) -> BioPage:
        """Create or change the page; a consent text other than the current one becomes
        its next version (leads keep the version they agreed to)."""
        check_slug(wanted.slug)
        _check_lengths(wanted)
        text = None if wanted.consent_text is None else check_consent_text(wanted.consent_text)
        now = self.context.now()

        def save(tx: Tx) -> BioPage:
            _require_creator(tx, creator_id)
            owner = rows.slug_owner(tx, wanted.slug)
            if owner is not None and owner != creator_id:
                raise BioError(f"the slug {wanted.slug!r} is taken", code="bio_slug_taken")
            rows.save_page(
                tx, creator_id, slug=wanted.slug, title=wanted.title, about=wanted.about, now=now
            )
            page = _page(tx, creator_id)
            current = rows.consent(tx, creator_id, page.consent_version)
            if text is not None and (current is None or current.text != text):
                rows.add_consent(tx, creator_id, text=text, text_sha256=text_sha256(text), now=now)
            return _page(tx, creator_id)

        page = self.context.write(save)
        self.pages.drop(creator_id)
        return page

    def page(self, creator_id: UserId) -> BioPage:
        """The creator's page; ``BioNotFoundError`` when they have none yet."""
        return self.context.read(lambda tx: _page(tx, creator_id))

    def consent(self, page: BioPage) -> Consent | None:
        """The consent text the page shows now (``None`` before the first)."""
        return self.context.read(lambda tx: rows.consent(tx, page.creator_id, page.consent_version))

    def replace_links(self, creator_id: UserId, wanted: Sequence[LinkWanted]) -> list[BioLink]:
        """The page's links become ``wanted``, in order. A link sent with its ``id``
        keeps it (and its clicks); one left out is taken off the page."""
        check_links(wanted)
        now = self.context.now()

        def replace(tx: Tx) -> list[BioLink]:
            _page(tx, creator_id)
            known = rows.link_ids(tx, creator_id)
            unknown = [link.id for link in wanted if link.id is not None and link.id not in known]
            if unknown:
                raise BioNotFoundError(
                    f"no link {unknown[0]} on this page", code="bio_link_not_found"
                )
            ids = [link.id or self.context.economy.new_id("bl") for link in wanted]
            rows.replace_links(tx, creator_id, list(zip(ids, wanted, strict=True)), now=now)
            return rows.links(tx, creator_id)

        links = self.context.write(replace)
        self.pages.drop(creator_id)
        return links

    def links(self, creator_id: UserId) -> list[BioLink]:
        """The links on the creator's page (``bio_not_found`` without a page)."""

        def read(tx: Tx) -> list[BioLink]:
            _page(tx, creator_id)
            return rows.links(tx, creator_id)

        return self.context.read(read)

    # --- the public page ----------------------------------------------------------------

    def public(self, slug: str) -> BioPage:
        """The page a visitor opens by its slug; ``BioNotFoundError`` when none has it."""
        page = self.context.read(lambda tx: rows.page_by_slug(tx, slug))
        if page is None:
            raise BioNotFoundError(f"no page {slug!r}")
        return page

    def page_links(self, creator_id: UserId) -> list[BioLink]:
        """The creator's links, in the order the page shows them."""
        return self.context.read(lambda tx: rows.links(tx, creator_id))

    def click_target(self, slug: str, link_id: str) -> tuple[BioPage, BioLink]:
        """The link of the page named, on it now: only a creator's stored links are
        redirected to (no address from the request is ever followed)."""

        def find(tx: Tx) -> tuple[BioPage, BioLink]:
            page = rows.page_by_slug(tx, slug)
            found = None if page is None else rows.link(tx, page.creator_id, link_id)
            if page is None or found is None:
                raise BioNotFoundError(
                    f"no link {link_id} on page {slug!r}", code="bio_link_not_found"
                )
            return page, found

        return self.context.read(find)

    def count(self, visit: Visit) -> None:
        """A view or a click, written with the next flush (``bio_visits``)."""
        self.visits.add(visit)

    def flush(self) -> int:
        """Write the views and clicks buffered so far, in one transaction; how many."""
        return self.visits.flush()

    # --- figures ------------------------------------------------------------------------

    def figures_if_any(self, creator_id: UserId) -> BioFigures | None:
        """``figures``, or ``None`` for a creator without a page (the dashboard's case)."""
        has_page = self.context.read(lambda tx: rows.page_of(tx, creator_id)) is not None
        return self.figures(creator_id) if has_page else None

    def figures(self, creator_id: UserId) -> BioFigures:
        """Views, clicks per link, click-through, referrers and regions, from the rows
        (this process's pending visits written first)."""
        self.flush()

        def read(tx: Tx) -> BioFigures:
            _page(tx, creator_id)
            return figures(
                creator_id,
                views=rows.views(tx, creator_id),
                links=rows.links(tx, creator_id, removed=True),
                clicks_by_link=rows.clicks_by_link(tx, creator_id),
                referrers=rows.views_by(tx, creator_id, "referrer_host"),
                regions=rows.views_by(tx, creator_id, "region"),
            )

        return self.context.read(read)


def _page(tx: Tx, creator_id: UserId) -> BioPage:
    page = rows.page_of(tx, creator_id)
    if page is None:
        raise BioNotFoundError(f"creator {creator_id} has no link-in-bio page")
    return page


def _require_creator(tx: Tx, creator_id: UserId) -> None:
    if not users.find(tx, creator_id).is_creator:
        raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")


def _check_lengths(wanted: PageSettings) -> None:
    if not 1 <= len(wanted.title) <= TITLE_MAX or len(wanted.about) > ABOUT_MAX:
        raise BioError(
            f"a page's title is 1 to {TITLE_MAX} characters, its about at most {ABOUT_MAX}",
            code="bio_invalid",
        )
