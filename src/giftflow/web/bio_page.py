"""The link-in-bio page (docs/bio.md): one server-rendered HTML document per creator,
with inline CSS and nothing else, no script, font, image or tracker from anywhere, so
it works without JavaScript and tells no third party who looked.

The page is a list of sections (``SECTIONS``): each is one function from a
``SectionSource`` to HTML (``""`` leaves it out), so one more section is one more
function. The built-in ones: the links, the next scheduled LIVEs, the perks of each
supporter level, the lead form.

Routes (outside the API's document): ``GET /b/{slug}`` (counts a view), ``GET
/b/{slug}/l/{link_id}`` (counts a click, then 302 to the creator's stored link, never to
an address from the request), ``POST /b/{slug}/leads`` (the form), and the signed lead
links ``/bio-leads/{lead_id}/{confirm|unsubscribe|delete}?sig=…`` (a page with one
button on GET, the action on POST: a mail scanner that opens links changes nothing).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Annotated, Final
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from giftflow.analytics.formats import instant
from giftflow.api import problems
from giftflow.api.deps import ApiState, state_of
from giftflow.creator.bio import BioError, BioLink, BioPage, Visit, referrer_host, region_of
from giftflow.creator.leads import EMAIL_MAX, Consent, Lead, LeadState, Purpose
from giftflow.errors import GiftflowError
from giftflow.i18n import N_, activate, active_locale, number
from giftflow.i18n import gettext as _
from giftflow.live.levels import Perk, PerkKind
from giftflow.live.schedules import ScheduledLive, ScheduleState, missed_before
from giftflow.service.creator import bio_leads
from giftflow.service.creator.bio import Bio
from giftflow.service.live import Live, supporters
from giftflow.service.live import schedules as schedule_rows
from giftflow.web.charts import esc
from giftflow.web.report_page import instant as time_element

router = APIRouter(include_in_schema=False)
SlugPath = Annotated[str, Path(min_length=1, max_length=64)]
LinkIdPath = Annotated[str, Path(min_length=1, max_length=40)]
LeadIdPath = Annotated[str, Path(min_length=1, max_length=40)]
SigQuery = Annotated[str, Query(min_length=1, max_length=64)]
POLICY: Final = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none';"
    " form-action 'self'; frame-ancestors 'none'"
)
HEADERS: Final = {
    "Cache-Control": "no-store",
    "Content-Security-Policy": POLICY,
    # The form's post names its origin; no other site learns the page's address.
    "Referrer-Policy": "same-origin",
}
FORM_MEDIA_TYPE: Final = "application/x-www-form-urlencoded"
FORM_BYTES_MAX: Final = 4_096
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


def perks_section(source: SectionSource) -> str:
    """The perks of each supporter level, with the coins that reach it."""
    perks = supporters.perks(source.live.context, source.page.creator_id)
    if not perks:
        return ""
    thresholds = source.live.context.settings.level_thresholds_coins
    levels = sorted({perk.level for perk in perks})
    items = "".join(_level_item(level, thresholds[level - 1], perks) for level in levels)
    return f'<section class="perks"><h2>{esc(_("Supporter perks"))}</h2><ul>{items}</ul></section>'


def _level_item(level: int, coins: int, perks: Sequence[Perk]) -> str:
    heading = _("Level {level}").format(level=level)
    reach = _("from {coins} coins gifted").format(coins=number(coins))
    listed = "".join(
        f"<li>{esc(_(PERK_LABELS[perk.kind]))}{': ' + esc(perk.value) if perk.value else ''}</li>"
        for perk in perks
        if perk.level == level
    )
    return (
        f'<li class="card" data-level="{level}"><strong>{esc(heading)}</strong>'
        f' <span class="muted">{esc(reach)}</span><ul class="perk-list">{listed}</ul></li>'
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


SECTIONS: tuple[Section, ...] = (links_section, schedules_section, perks_section, lead_form_section)
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


def _html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=HEADERS)


def _message(title: str, text: str, *, status: int = 200, extra: str = "") -> HTMLResponse:
    body = f'<section class="message" data-status="{status}"><h1>{esc(title)}</h1>'
    return _html(document(title, f"{body}<p>{esc(text)}</p>{extra}</section>"), status)


def _error(error: GiftflowError) -> HTMLResponse:
    status = problems.status_for(error)
    heading = _("Not found") if status == 404 else _("That did not work")
    extra = f'<p class="muted" data-code="{esc(error.code)}">{esc(error.code)}</p>'
    return _message(heading, problems.public_detail(error), status=status, extra=extra)


def _visit(state: ApiState, request: Request, page: BioPage, link_id: str | None) -> Visit:
    header = state.settings.region_header
    region = region_of(request.headers.get(header) if header else None, state.bio.regions)
    host = "" if link_id else referrer_host(request.headers.get("referer"))
    return Visit(page.creator_id, state.bio.context.now(), host, region, link_id)


# --- routes ---------------------------------------------------------------------------


@router.get("/b/{slug}", response_class=HTMLResponse)
async def bio_page(slug: SlugPath, request: Request) -> Response:
    """The page, drawn at most every ``bio_page_cache_s`` per process; each answer a view."""
    state = state_of(request)
    with activate(state.settings.locale):
        drawn = state.bio.pages.get(slug)
        if drawn is not None:
            creator_id, content = drawn.creator_id, drawn.html
        else:
            try:
                creator_id, content = await run_in_threadpool(_draw, state, slug)
            except BaseException as error:
                state.bio.pages.failed(slug)
                if isinstance(error, GiftflowError):
                    return _error(error)
                raise
            state.bio.pages.put(slug, creator_id, content)
        state.bio.count(_visit(state, request, _stub(creator_id, slug), None))
        return _html(content)


def _stub(creator_id: int, slug: str) -> BioPage:
    return BioPage(creator_id, slug, "", "", 0, 0, 0)


def _draw(state: ApiState, slug: str) -> tuple[int, str]:
    with activate(state.settings.locale):
        page = state.bio.public(slug)
        source = SectionSource(page, state.bio, state.live, state.bio.context.now())
        return page.creator_id, draw(source)


@router.get("/b/{slug}/l/{link_id}")
def bio_click(slug: SlugPath, link_id: LinkIdPath, request: Request) -> Response:
    """A click: counted, then 302 to the link the creator stored (and nowhere else)."""
    state = state_of(request)
    with activate(state.settings.locale):
        try:
            page, link = state.bio.click_target(slug, link_id)
        except GiftflowError as error:
            return _error(error)
        state.bio.count(_visit(state, request, page, link.id))
        return RedirectResponse(link.url, status_code=302, headers={"Cache-Control": "no-store"})


@router.post("/b/{slug}/leads")
async def leave_lead(slug: SlugPath, request: Request) -> Response:
    """The lead form: a plain form post (no cookie, no session: nothing for a forged
    request to ride on; a cross-origin ``Origin`` is refused all the same)."""
    state = state_of(request)
    with activate(state.settings.locale):
        if not _same_origin(request, state.settings.public_url):
            return _message(
                _("That did not work"), _("this form is sent from its own page"), status=403
            )
        fields = await _form(request)
        if fields is None:
            return _message(_("That did not work"), _("the form could not be read"), status=400)
        return await run_in_threadpool(_leave, state, slug, fields)


def _leave(state: ApiState, slug: str, fields: dict[str, str]) -> Response:
    with activate(state.settings.locale):
        email = fields.get("email", "")
        version = fields.get("consent_version", "")
        try:
            lead = bio_leads.leave(
                state.bio,
                slug,
                email=email,
                consent_version=_version(version),
                consented=fields.get("consent") == "yes",
            )
        except GiftflowError as error:
            return _refused(state, slug, email, error)
        text = _("A link to confirm {email} is on its way: open it to finish.").format(
            email=lead.email
        )
        return _message(_("Almost done"), text, extra=_lead_marker(lead))


def _version(sent: str) -> int:
    """The form's ``consent_version``; -1 (no version) for anything but a small number."""
    return int(sent) if sent.isascii() and sent.isdigit() and len(sent) < 10 else -1


def _lead_marker(lead: Lead) -> str:
    return f'<p hidden data-lead-id="{esc(lead.id)}" data-lead-state="{esc(lead.state)}"></p>'


REFUSALS: Final = {
    "lead_consent_missing": N_("Tick the box to agree, or nothing is sent."),
    "lead_email_invalid": N_("That is not an email address."),
    "lead_consent_outdated": N_("The text changed: please read it again."),
}


def _refused(state: ApiState, slug: str, email: str, error: GiftflowError) -> Response:
    """The form again, with what was wrong, and nothing stored."""
    if error.code not in REFUSALS:
        return _error(error)
    try:
        page = state.bio.public(slug)
        consent = state.bio.consent(page)
    except GiftflowError as missing:
        return _error(missing)
    if consent is None:
        return _error(error)
    form = lead_form(page, consent, email=email[:EMAIL_MAX], problem=_(REFUSALS[error.code]))
    status = problems.status_for(error)
    header = f"<header><h1>{esc(page.title)}</h1></header>"
    body = f'{header}<div data-code="{esc(error.code)}">{form}</div>'
    return _html(document(page.title, body), status)


def _same_origin(request: Request, public_url: str) -> bool:
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return True  # no origin named (an old browser, a privacy setting): nothing to check
    public = urlsplit(public_url)
    allowed = {f"{public.scheme}://{public.netloc}", f"{request.url.scheme}://{request.url.netloc}"}
    return origin in allowed


async def _form(request: Request) -> dict[str, str] | None:
    media = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != FORM_MEDIA_TYPE:
        return None
    body = await request.body()
    if len(body) > FORM_BYTES_MAX:
        return None
    try:
        parsed = parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=8)
    except (UnicodeDecodeError, ValueError):
        return None
    return {name: values[0] for name, values in parsed.items()}


# --- the signed lead links -------------------------------------------------------------

ACTIONS: Final = {
    Purpose.CONFIRM: (N_("Confirm your address"), N_("Confirm")),
    Purpose.UNSUBSCRIBE: (N_("Unsubscribe"), N_("Unsubscribe")),
    Purpose.DELETE: (N_("Delete your address"), N_("Delete it")),
}
DONE: Final = {
    Purpose.CONFIRM: N_("Your address is confirmed. Thank you!"),
    Purpose.UNSUBSCRIBE: N_("You are unsubscribed: no more emails."),
    Purpose.DELETE: N_("Your address is deleted."),
}


@router.get("/bio-leads/{lead_id}/{purpose}")
def lead_link_page(
    lead_id: LeadIdPath, purpose: Purpose, sig: SigQuery, request: Request
) -> Response:
    """A signed link opened: one button that does it (POST to the same address)."""
    state = state_of(request)
    with activate(state.settings.locale):
        try:
            lead = bio_leads.check_link(state.bio, lead_id, purpose, sig)
        except GiftflowError as error:
            return _error(error)
        title, button = ACTIONS[purpose]
        action = f"/bio-leads/{lead_id}/{purpose}?sig={sig}"
        form = (
            f'<form method="post" action="{esc(action)}"><button type="submit">{esc(_(button))}'
            f"</button></form>{_lead_marker(lead)}"
        )
        return _message(_(title), lead.email, extra=form)


@router.post("/bio-leads/{lead_id}/{purpose}")
def lead_link_action(
    lead_id: LeadIdPath, purpose: Purpose, sig: SigQuery, request: Request
) -> Response:
    """The button pressed (or a mail client's one-click unsubscribe, RFC 8058)."""
    state = state_of(request)
    with activate(state.settings.locale):
        try:
            if purpose is Purpose.CONFIRM:
                lead = bio_leads.confirm(state.bio, lead_id, sig)
                if lead.state is LeadState.UNSUBSCRIBED:
                    raise BioError("this address unsubscribed", code="lead_link_invalid")
            elif purpose is Purpose.UNSUBSCRIBE:
                bio_leads.unsubscribe(state.bio, lead_id, sig)
            else:
                bio_leads.delete_signed(state.bio, lead_id, sig)
        except GiftflowError as error:
            return _error(error)
        return _message(
            _(ACTIONS[purpose][0]), _(DONE[purpose]), extra=f'<p hidden data-done="{purpose}"></p>'
        )
