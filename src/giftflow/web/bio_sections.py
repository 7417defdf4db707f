"""The link-in-bio page's document (docs/bio.md): one HTML document with inline CSS and
nothing else, no script, font, image or tracker from anywhere, so it works without
JavaScript and tells no third party who looked.

The page is a list of sections (``SECTIONS``): each is one function from a
``SectionSource`` to HTML (``""`` leaves it out), so one more section is one more
function. The built-in ones: the links, the next scheduled LIVEs, the perks of each
supporter level (badges, Q&A priority, downloads, early access), the products on sale,
the lead form. The routes that serve it are ``giftflow.web.bio_page``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.analytics.formats import instant
from giftflow.creator.bio import BioLink, BioPage
from giftflow.creator.leads import EMAIL_MAX, Consent
from giftflow.creator.perks import DeliveringPerk, DeliveryKind
from giftflow.i18n import N_, active_locale, number
from giftflow.i18n import gettext as _
from giftflow.live.levels import Perk, PerkKind
from giftflow.live.schedules import ScheduledLive, ScheduleState, missed_before
from giftflow.render.charts import esc
from giftflow.render.report_page import instant as time_element
from giftflow.service.creator import perks as delivering_perks
from giftflow.service.creator import products
from giftflow.service.creator.bio import Bio
from giftflow.service.creator.products import Listing
from giftflow.service.live import Live, supporters
from giftflow.service.live import schedules as schedule_rows

SCHEDULES_SHOWN: Final = 3
CSS: Final = """
:root { color-scheme: light; --ink: #1f2430; --muted: #5b6272; --line: #e3e6ee;
  --card: #fff; --ground: #f5f6fa; --accent: #2563eb; }
* { box-sizing: border-box; }
body { margin: 0; background: var(--ground); color: var(--ink);
  font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
main { max-width: 560px; margin: 0 auto; padding: 28px 16px 48px; }
h1 { font-size: 1.6rem; margin: 0 0 4px; text-align: center; }
h2 { font-size: 1rem; margin: 28px 0 10px; color: var(--muted); text-transform: uppercase;
  letter-spacing: 0.05em; }
p.about { text-align: center; color: var(--muted); margin: 0 0 12px; }
ul { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
a.link { display: block; padding: 14px 16px; background: var(--card); color: var(--ink);
  border: 1px solid var(--line); border-radius: 12px; text-align: center;
  text-decoration: none; font-weight: 600; overflow-wrap: anywhere; }
a.link:hover, a.link:focus { border-color: var(--accent); }
li.card { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 10px 14px; }
.muted { color: var(--muted); font-size: 0.9rem; }
form.lead { background: var(--card); border: 1px solid var(--line); border-radius: 12px;
  padding: 14px 16px; display: grid; gap: 10px; }
form.lead input[type=email] { font: inherit; padding: 8px 10px; border: 1px solid #c5cad6;
  border-radius: 8px; width: 100%; }
label.consent { display: flex; gap: 8px; align-items: start; font-size: 0.9rem; }
button { font: inherit; padding: 8px 14px; border-radius: 8px; border: 0;
  background: var(--accent); color: #fff; cursor: pointer; }
.problem { color: #b91c1c; font-weight: 600; }
"""


@dataclass(frozen=True, slots=True)
class SectionSource:
    """What a section may draw from: the page, its services, the moment."""

    page: BioPage
    bio: Bio
    live: Live
    now: int


Section = Callable[[SectionSource], str]


def links_section(source: SectionSource) -> str:
    links = source.bio.page_links(source.page.creator_id)
    if not links:
        return ""
    items = "".join(_link_item(source.page, link) for link in links)
    return f'<section class="links"><ul>{items}</ul></section>'


def _link_item(page: BioPage, link: BioLink) -> str:
    href = f"/b/{page.slug}/l/{link.id}"
    return (
        f'<li><a class="link" href="{esc(href)}" data-link-id="{esc(link.id)}"'
        f' rel="nofollow">{esc(link.title)}</a></li>'
    )


def schedules_section(source: SectionSource) -> str:
    """The next scheduled LIVEs (not cancelled, not yet missed), soonest first."""
    grace_s = source.live.context.economy.settings.schedule_grace_s
    after = missed_before(source.now, grace_s=grace_s)
    planned = schedule_rows.of_room(
        source.live.context, source.page.creator_id, state=ScheduleState.SCHEDULED
    )
    upcoming = [s for s in planned if s.starts_at > after][:SCHEDULES_SHOWN]
    if not upcoming:
        return ""
    items = "".join(_schedule_item(s) for s in upcoming)
    return f'<section class="schedules"><h2>{esc(_("Next LIVEs"))}</h2><ul>{items}</ul></section>'


def _schedule_item(schedule: ScheduledLive) -> str:
    return (
        f'<li class="card" data-schedule-id="{esc(schedule.id)}"><strong>{esc(schedule.title)}'
        f'</strong><br><span class="muted">{time_element(instant(schedule.starts_at))}</span></li>'
    )


PERK_LABELS: Final = {PerkKind.BADGE: N_("Badge"), PerkKind.QA_PRIORITY: N_("Priority in Q&A")}
DELIVERY_LABELS: Final = {
    DeliveryKind.FILE: N_("A download"),
    DeliveryKind.EARLY_ACCESS: N_("Early access"),
}


def perks_section(source: SectionSource) -> str:
    """The perks of each supporter level, with the coins that reach it."""
    perks = supporters.perks(source.live.context, source.page.creator_id)
    delivering = delivering_perks.of_creator(source.live.context, source.page.creator_id)
    if not perks and not delivering:
        return ""
    thresholds = source.live.context.settings.level_thresholds_coins
    levels = sorted({perk.level for perk in perks} | {perk.level for perk in delivering})
    items = "".join(
        _level_item(level, thresholds[level - 1], perks, delivering) for level in levels
    )
    return f'<section class="perks"><h2>{esc(_("Supporter perks"))}</h2><ul>{items}</ul></section>'


def _level_item(
    level: int, coins: int, perks: Sequence[Perk], delivering: Sequence[DeliveringPerk]
) -> str:
    heading = _("Level {level}").format(level=level)
    reach = _("from {coins} coins gifted").format(coins=number(coins))
    listed = "".join(
        f"<li>{esc(_(PERK_LABELS[perk.kind]))}{': ' + esc(perk.value) if perk.value else ''}</li>"
        for perk in perks
        if perk.level == level
    ) + "".join(
        f"<li>{esc(_(DELIVERY_LABELS[perk.kind]))}</li>"
        for perk in delivering
        if perk.level == level
    )
    return (
        f'<li class="card" data-level="{level}"><strong>{esc(heading)}</strong>'
        f' <span class="muted">{esc(reach)}</span><ul class="perk-list">{listed}</ul></li>'
    )


def products_section(source: SectionSource) -> str:
    """The creator's products on sale, oldest first: title, price, and when a product in
    early access goes on sale to everyone. They are bought in the platform's app (a
    purchase needs the buyer signed in), so the page names them and links nowhere."""
    listings = products.listed(source.live.context, source.page.creator_id)
    if not listings:
        return ""
    items = "".join(_product_item(listing, source.now) for listing in listings)
    return f'<section class="products"><h2>{esc(_("Products"))}</h2><ul>{items}</ul></section>'


def _product_item(listing: Listing, now: int) -> str:
    price = _("{count} coins").format(count=number(listing.price_coins))
    later = ""
    if listing.opens_at is not None and listing.opens_at > now:
        opens = time_element(instant(listing.opens_at))
        later = f'<br><span class="muted">{esc(_("On sale to everyone from"))} {opens}</span>'
    return (
        f'<li class="card" data-product-id="{esc(listing.product_id)}">'
        f'<strong>{esc(listing.title)}</strong> <span class="muted">{esc(price)}</span>{later}</li>'
    )


def lead_form_section(source: SectionSource) -> str:
    consent = source.bio.consent(source.page)
    if consent is None:
        return ""
    return lead_form(source.page, consent)


def lead_form(page: BioPage, consent: Consent, *, email: str = "", problem: str = "") -> str:
    """The form (a plain POST, no script): the consent text shown as stored, with its
    version, which the form sends back."""
    said = f'<p class="problem" role="alert">{esc(problem)}</p>' if problem else ""
    version = _("Consent text, version {version}").format(version=consent.version)
    return (
        f'<section class="leads"><h2>{esc(_("Stay in touch"))}</h2>'
        f'<form class="lead" method="post" action="/b/{esc(page.slug)}/leads">{said}'
        f'<label>{esc(_("Email address"))}<input type="email" name="email" required'
        f' maxlength="{EMAIL_MAX}" autocomplete="email" value="{esc(email)}"></label>'
        f'<label class="consent"><input type="checkbox" name="consent" value="yes" required>'
        f'<span class="consent-text">{esc(consent.text)}</span></label>'
        f'<input type="hidden" name="consent_version" value="{consent.version}">'
        f'<span class="muted" data-consent-version="{consent.version}">{esc(version)}</span>'
        f'<button type="submit">{esc(_("Sign up"))}</button></form></section>'
    )


SECTIONS: tuple[Section, ...] = (
    links_section,
    schedules_section,
    perks_section,
    products_section,
    lead_form_section,
)
"""The page's sections, in order."""


def document(title: str, body: str) -> str:
    return (
        f'<!DOCTYPE html>\n<html lang="{active_locale()}"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>{esc(title)}</title><style>{CSS}</style></head>"
        f"<body><main>{body}</main></body></html>\n"
    )


def draw(source: SectionSource, sections: Sequence[Section] = SECTIONS) -> str:
    page = source.page
    about = f'<p class="about">{esc(page.about)}</p>' if page.about else ""
    body = f"<header><h1>{esc(page.title)}</h1>{about}</header>"
    return document(page.title, body + "".join(section(source) for section in sections))
