"""Analytics over HTTP (docs/analytics.md): a session's per-minute series and post-LIVE
report (JSON, or one self-contained HTML page), a creator's sessions, gifter cohorts and
coin flows, the platform's coin flows, and follows.

Reads are for the creator (their own creator token), an administrator, or a key with
``live:read``; the platform's coin flows for administrators only. A follow is the
user's own token, or a key with ``live:write`` acting for the user; it is idempotent
by nature (only the first follow counts), so it takes no Idempotency-Key.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Path, Query, Response
from fastapi.responses import HTMLResponse

from giftflow.http import auth
from giftflow.http.deps import LiveDep, PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.report_links import LINK_ID
from giftflow.http.report_links import PATH as REPORTS_PATH
from giftflow.http.schemas import USER_ID_MAX, Role, at
from giftflow.http.schemas.analytics import (
    FollowCreate,
    FollowPublic,
    ReportLinkCreate,
    ReportLinkPublic,
    ReportLinkRevokedPublic,
    SessionList,
)
from giftflow.i18n import activate
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.ledger.limits import INT64_MAX
from giftflow.render.report_page import render_report
from giftflow.service.analytics import Analytics, AnalyticsError
from giftflow.service.live import Live

router = APIRouter(prefix="/v1", tags=["analytics"], responses=RESPONSES)
SessionIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
CreatorIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX, description="The creator's user id.")]
FromQuery = Annotated[date, Query(alias="from", description="First day (UTC), YYYY-MM-DD.")]
ToQuery = Annotated[date, Query(alias="to", description="Day after the last (UTC), YYYY-MM-DD.")]
READ = "live:read"
WRITE = "live:write"
TOKEN_CHARACTERS = r"^[A-Za-z0-9_.-]+$"
"""A JWT's characters (base64url and dots)."""
SHARED_PAGE_HEADERS = {
    "Referrer-Policy": "no-referrer",
    "Cache-Control": "no-store",
    "X-Robots-Tag": "noindex, nofollow",
}
Document = dict[str, Any]


async def get_analytics(live: LiveDep) -> Analytics:
    return Analytics.of(live)


AnalyticsDep = Annotated[Analytics, Depends(get_analytics)]


def _may_read(principal: Principal, creator_id: UserId) -> None:
    auth.require_self_or_scope(principal, creator_id, READ, Role.CREATOR)


def _may_read_session(principal: Principal, live: Live, session_id: int) -> None:
    _may_read(principal, live.session(session_id).creator_id)


def _ns(day: date) -> int:
    """Midnight UTC of ``day``; days a nanosecond clock cannot hold are refused."""
    moment = datetime(day.year, day.month, day.day, tzinfo=UTC)
    if not 1970 <= day.year <= 2261:
        raise AnalyticsError(f"{day} is outside 1970 .. 2261", code="period_invalid")
    return int(moment.timestamp()) * NS_PER_S


# --- sessions ----------------------------------------------------------------------------


@router.get("/sessions/{session_id}/series")
def session_series(
    session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep, analytics: AnalyticsDep
) -> Document:
    """Every minute of the session, zeros included (docs/analytics.md)."""
    _may_read_session(principal, live, session_id)
    return analytics.session_series(session_id)


@router.get("/sessions/{session_id}/report")
def session_report(
    session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep, analytics: AnalyticsDep
) -> Document:
    """The post-LIVE report, with the creator's five LIVEs before it to compare."""
    _may_read_session(principal, live, session_id)
    return analytics.session_report(session_id)


@router.get("/sessions/{session_id}/report.html", response_class=HTMLResponse)
def session_report_page(
    session_id: SessionIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    analytics: AnalyticsDep,
    state: StateDep,
) -> HTMLResponse:
    """The report as one self-contained page: inline CSS and SVG, no scripts; its texts
    in the server's locale (``GIFTFLOW_LOCALE``)."""
    _may_read_session(principal, live, session_id)
    report = analytics.session_report(session_id)
    with activate(state.settings.locale):
        return HTMLResponse(render_report(report))


LinkIdPath = Annotated[str, Path(pattern=LINK_ID.pattern, description="rl_ and 28 hex digits.")]
LinkPath = Annotated[str, Path(min_length=1, max_length=2_048, pattern=TOKEN_CHARACTERS)]


@router.post(
    "/sessions/{session_id}/report-links", status_code=201, response_model=ReportLinkPublic
)
def create_report_link(
    session_id: SessionIdPath,
    body: ReportLinkCreate,
    principal: PrincipalDep,
    live: LiveDep,
    state: StateDep,
) -> ReportLinkPublic:
    """A link that opens the report page in a browser without headers: read-only, this
    session's report only, for ``expires_in_s`` (an hour by default, a day at most),
    until revoked, its key revoked, or its creator signs out everywhere."""
    creator_id = live.session(session_id).creator_id
    _may_read(principal, creator_id)
    assert principal.issuer_key_id is not None  # every caller comes through a key
    issued = state.report_links.issue(
        session_id=session_id,
        creator_id=creator_id,
        key_id=principal.issuer_key_id,
        ttl_s=body.expires_in_s or state.settings.report_link_ttl_s,
    )
    base = state.settings.public_url.rstrip("/")
    return ReportLinkPublic(
        link_id=issued.link_id,
        session_id=session_id,
        url=f"{base}{REPORTS_PATH}/{issued.link}",
        expires_at=at(issued.expires_at_ns),
    )


@router.post(
    "/sessions/{session_id}/report-links/{link_id}/revoke", response_model=ReportLinkRevokedPublic
)
def revoke_report_link(
    session_id: SessionIdPath,
    link_id: LinkIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    state: StateDep,
) -> ReportLinkRevokedPublic:
    """Refuse the link from now on, in every server process (whoever may read the
    session's report may revoke its links)."""
    _may_read_session(principal, live, session_id)
    return ReportLinkRevokedPublic(link_id=link_id, revoked=state.report_links.revoke(link_id))


pages = APIRouter(tags=["analytics"], include_in_schema=False)
"""Pages a browser opens, outside the API's document."""


@pages.get(REPORTS_PATH + "/{link}", response_class=HTMLResponse)
def shared_report_page(link: LinkPath, live: LiveDep, state: StateDep) -> HTMLResponse:
    """The report page of a report link: no header needed, the link is the credential.
    It never leaves as a referrer, and no cache keeps the page."""
    grant = state.report_links.check(link)
    report = Analytics.of(live).session_report(grant.session_id)
    with activate(state.settings.locale):
        page = render_report(report)
    return HTMLResponse(page, headers=SHARED_PAGE_HEADERS)


# --- creators ----------------------------------------------------------------------------


SESSIONS_PAGE_MAX = 1_000


@router.get("/creators/{creator_id}/sessions", response_model=SessionList)
def creator_sessions(
    creator_id: CreatorIdPath,
    principal: PrincipalDep,
    analytics: AnalyticsDep,
    limit: Annotated[int, Query(ge=1, le=SESSIONS_PAGE_MAX)] = 100,
    offset: Annotated[int, Query(ge=0, le=INT64_MAX)] = 0,
) -> SessionList:
    """The creator's LIVEs, newest first: ``limit`` of them (100 by default, at most
    1,000) after the first ``offset``."""
    _may_read(principal, creator_id)
    return SessionList.of(creator_id, analytics.sessions_of(creator_id, limit=limit, offset=offset))


@router.get("/creators/{creator_id}/cohorts")
def creator_cohorts(
    creator_id: CreatorIdPath, principal: PrincipalDep, analytics: AnalyticsDep
) -> Document:
    """Gifters by the week of their first gift, and who came back in later weeks."""
    _may_read(principal, creator_id)
    return analytics.cohorts(creator_id)


@router.get("/creators/{creator_id}/coin-flows")
def creator_coin_flows(
    creator_id: CreatorIdPath,
    principal: PrincipalDep,
    analytics: AnalyticsDep,
    start: FromQuery,
    end: ToQuery,
) -> Document:
    """The coins gifted to the creator in ``[from, to)`` and where their diamonds went."""
    _may_read(principal, creator_id)
    return analytics.coin_flows(creator_id=creator_id, start_ns=_ns(start), end_ns=_ns(end))


@router.get("/coin-flows")
def platform_coin_flows(
    principal: PrincipalDep, analytics: AnalyticsDep, start: FromQuery, end: ToQuery
) -> Document:
    """The platform's coins in ``[from, to)``: bought, gifted, clawed back, withdrawn."""
    auth.require_admin(principal)
    return analytics.coin_flows(creator_id=None, start_ns=_ns(start), end_ns=_ns(end))


@router.post("/creators/{creator_id}/followers", status_code=201, response_model=FollowPublic)
def follow(
    creator_id: CreatorIdPath,
    body: FollowCreate,
    principal: PrincipalDep,
    live: LiveDep,
    response: Response,
) -> FollowPublic:
    """The user follows the creator: 201 for the first follow, 200 for a repeat (which
    counts nothing). While the creator is live the follow is also an interaction."""
    auth.require_self_or_scope(principal, body.user_id, WRITE)
    first = live.follow(creator_id, UserId(body.user_id))
    if not first:
        response.status_code = 200
    return FollowPublic(creator_id=creator_id, user_id=body.user_id, first=first)
