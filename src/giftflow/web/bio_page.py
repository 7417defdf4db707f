"""The link-in-bio page's routes (docs/bio.md), outside the API's document: ``GET
/b/{slug}`` (the page, drawn by ``giftflow.web.bio_sections``; counts a view), ``GET
/b/{slug}/l/{link_id}`` (counts a click, then 302 to the creator's stored link, never to
an address from the request), ``POST /b/{slug}/leads`` (the lead form), and the signed
lead links ``/bio-leads/{lead_id}/{confirm|unsubscribe|delete}?sig=…`` (a page with one
button on GET, the action on POST: a mail scanner that opens links changes nothing).
"""

from __future__ import annotations

from typing import Annotated, Final
from urllib.parse import parse_qs, urlsplit

from fastapi import APIRouter, Path, Query, Request
from starlette.concurrency import run_in_threadpool
from starlette.responses import HTMLResponse, RedirectResponse, Response

from giftflow.creator.bio import BioError, Visit, referrer_host, region_of
from giftflow.creator.leads import EMAIL_MAX, Lead, LeadState, Purpose
from giftflow.errors import GiftflowError
from giftflow.http import problem_codes, problems
from giftflow.http.deps import ApiState, state_of
from giftflow.i18n import N_, activate
from giftflow.i18n import gettext as _
from giftflow.ids import UserId
from giftflow.render.charts import esc
from giftflow.service.creator import bio_leads
from giftflow.web.bio_sections import SectionSource, document, draw, lead_form

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


def _html(content: str, status: int = 200) -> HTMLResponse:
    return HTMLResponse(content, status_code=status, headers=HEADERS)


def _message(title: str, text: str, *, status: int = 200, extra: str = "") -> HTMLResponse:
    body = f'<section class="message" data-status="{status}"><h1>{esc(title)}</h1>'
    return _html(document(title, f"{body}<p>{esc(text)}</p>{extra}</section>"), status)


def _error(error: GiftflowError) -> HTMLResponse:
    status = problem_codes.status_for(error)
    heading = _("Not found") if status == 404 else _("That did not work")
    extra = f'<p class="muted" data-code="{esc(error.code)}">{esc(error.code)}</p>'
    return _message(heading, problems.public_detail(error), status=status, extra=extra)


def _visit(state: ApiState, request: Request, creator_id: UserId, link_id: str | None) -> Visit:
    header = state.settings.region_header
    region = region_of(request.headers.get(header) if header else None, state.bio.regions)
    host = "" if link_id else referrer_host(request.headers.get("referer"))
    return Visit(creator_id, state.bio.context.now(), host, region, link_id)


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
        state.bio.count(_visit(state, request, creator_id, None))
        return _html(content)


def _draw(state: ApiState, slug: str) -> tuple[UserId, str]:
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
        state.bio.count(_visit(state, request, page.creator_id, link.id))
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
    status = problem_codes.status_for(error)
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
