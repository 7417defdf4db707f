"""The dashboard's routes (docs/dashboard.md). Who may see what follows the API's
rules: a creator sees their own pages, an administrator every creator's and the admin
page, anyone else nothing (403). Pages are read in the server's thread pool, like the
API's sync routes; forms post back and are answered with a 303 to the page."""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Depends, Form, Path, Query, Request
from starlette.responses import Response

from giftflow.economy.errors import NotFoundError
from giftflow.economy.users import User
from giftflow.http import auth
from giftflow.http.deps import StateDep
from giftflow.http.errors import ForbiddenError
from giftflow.http.principals import Principal
from giftflow.http.schemas import USER_ID_MAX, Role
from giftflow.http.schemas.common import policed
from giftflow.i18n import gettext as _
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX
from giftflow.render.charts import esc
from giftflow.render.report_page import report_sections
from giftflow.service.analytics import Analytics
from giftflow.service.economy import Economy
from giftflow.text import human
from giftflow.web.dashboard.admin_page import AdminView, admin_body
from giftflow.web.dashboard.creator_page import CreatorView, creator_body, nav
from giftflow.web.dashboard.period import period_of
from giftflow.web.dashboard.responses import SIGN_IN_HELP, PageRoute, html, see_other
from giftflow.web.dashboard.session import (
    SignedInDep,
    pending_grant,
    require_same_origin,
    sign_in,
    sign_out,
)

router = APIRouter(route_class=PageRoute, include_in_schema=False)
CreatorIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]
SessionIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
DecisionIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
PayoutIdPath = Annotated[str, Path(min_length=1, max_length=64)]
SignInCodePath = Annotated[str, Path(pattern=r"^[A-Za-z0-9_-]{43}$")]
RejectionForm = Annotated[str, Form(min_length=1, max_length=200), policed(human, max_length=200)]
"""The reason an admin gives for a rejection (a payout, a promotion)."""
SessionsPageQuery = Annotated[int, Query(alias="sessions_page", ge=0, le=1_000_000)]
FromQuery = Annotated[str | None, Query(alias="from")]
ToQuery = Annotated[str | None, Query(alias="to")]
SESSIONS_SHOWN: Final = 50
"""The LIVEs listed on a page of a creator's dashboard (each costs a few reads); older
ones are on the next pages (``?sessions_page=1`` …)."""
ADMIN_PAGE: Final = "/admin"
PAYOUT_STATES_TO_DECIDE: Final = ("requested", "held")


async def get_analytics(state: StateDep) -> Analytics:
    return Analytics.of(state.live)


AnalyticsDep = Annotated[Analytics, Depends(get_analytics)]


def _label(principal: Principal) -> str:
    return f"user {principal.user_id} ({principal.role.value if principal.role else '?'})"


def top(principal: Principal) -> str:
    return nav(_label(principal), admin=principal.is_admin)


def may_see_creator(principal: Principal, creator_id: UserId) -> None:
    """The creator themself (with a creator token) or an administrator."""
    if principal.is_admin or principal.is_user(creator_id, Role.CREATOR):
        return
    if principal.role == Role.CREATOR:
        raise ForbiddenError("these pages belong to another creator")
    raise ForbiddenError("the dashboard is for creators (with a creator token) and administrators")


def creator_of(economy: Economy, creator_id: UserId) -> User:
    user = economy.user(creator_id)
    if not user.is_creator:
        raise NotFoundError(f"user {creator_id} is not a creator", code="user_not_found")
    return user


# --- signing in and out ------------------------------------------------------------------


@router.get("/dashboard")
def home(principal: SignedInDep) -> Response:
    """Where signing in lands: a creator's own page, or the admin page."""
    if principal.role == Role.CREATOR and principal.user_id is not None:
        return see_other(f"/dashboard/creators/{principal.user_id}")
    if principal.is_admin:
        return see_other(ADMIN_PAGE)
    raise ForbiddenError("the dashboard is for creators (with a creator token) and administrators")


@router.get("/dashboard/sign-in/{code}")
def sign_in_page(code: SignInCodePath, request: Request, state: StateDep) -> Response:
    """Who the link signs in as, and a button: opening the link changes nothing."""
    grant = pending_grant(request, code)
    user = state.economy.user(grant.user_id)
    body = (
        '<section class="sign-in"><p class="eyebrow">Sign in</p>'
        f"<h1>Continue as {esc(user.display_name)}?</h1>"
        f'<p>This link signs you in to the dashboard as <strong data-field="user">'
        f"{esc(user.display_name)}</strong> (user {user.id}), "
        f'<span data-field="role">{esc(grant.role)}</span>. It works once.</p>'
        f'<form method="post" action="/dashboard/sign-in/{esc(code)}">'
        '<button class="primary" type="submit">Sign in</button></form>'
        '<p class="meta">Not you, or not expecting this? Close this page.</p></section>'
    )
    return html("Sign in · giftflow", body)


@router.post("/dashboard/sign-in/{code}")
def sign_in_post(code: SignInCodePath, request: Request) -> Response:
    answer = see_other("/dashboard")
    sign_in(request, code, answer)
    return answer


@router.post("/dashboard/sign-out")
def sign_out_post(request: Request) -> Response:
    """Revoke the session's token and clear the cookie."""
    answer = see_other("/dashboard/signed-out")
    sign_out(request, answer)
    return answer


@router.get("/dashboard/signed-out")
def signed_out() -> Response:
    return html("Signed out", f"<h1>You are signed out</h1>{SIGN_IN_HELP}")


# --- creators ----------------------------------------------------------------------------


@router.get("/dashboard/creators/{creator_id}")
def creator_page(
    creator_id: CreatorIdPath,
    principal: SignedInDep,
    state: StateDep,
    analytics: AnalyticsDep,
    start: FromQuery = None,
    end: ToQuery = None,
    sessions_page: SessionsPageQuery = 0,
) -> Response:
    may_see_creator(principal, creator_id)
    economy = state.economy
    creator = creator_of(economy, creator_id)
    period = period_of(start, end, now_ns=economy.context.now())
    sessions = analytics.sessions_of(
        creator_id, limit=SESSIONS_SHOWN + 1, offset=sessions_page * SESSIONS_SHOWN
    )
    view = CreatorView(
        creator=creator,
        earnings=economy.earnings(creator_id),
        payouts=economy.payouts(creator_id=creator_id),
        sessions=[(s, state.live.session_totals(s.id)) for s in sessions[:SESSIONS_SHOWN]],
        sessions_page=sessions_page,
        more_sessions=len(sessions) > SESSIONS_SHOWN,
        schedules=state.live.schedule_counts(creator_id),
        bio=state.bio.figures_if_any(creator_id),
        cohorts=analytics.cohorts(creator_id),
        coin_flows=analytics.coin_flows(
            creator_id=creator_id, start_ns=period.start_ns, end_ns=period.end_ns
        ),
        period=period,
    )
    title = f"{creator.display_name} · dashboard"
    return html(title, top(principal) + creator_body(view))


@router.get("/dashboard/creators/{creator_id}/sessions/{session_id}")
def session_page(
    creator_id: CreatorIdPath,
    session_id: SessionIdPath,
    principal: SignedInDep,
    state: StateDep,
    analytics: AnalyticsDep,
) -> Response:
    """The post-LIVE report of one of the creator's LIVEs (another's is not found)."""
    may_see_creator(principal, creator_id)
    if state.live.session(session_id).creator_id != creator_id:
        raise NotFoundError(f"no LIVE {session_id} of this creator", code="session_not_found")
    report = analytics.session_report(session_id)
    creator_name = report["session"]["creator_name"]
    back_text = _("{name}'s dashboard").format(name=creator_name)
    back = (
        f'<p class="meta"><a href="/dashboard/creators/{creator_id}">'
        f"&larr; {esc(back_text)}</a></p>"
    )
    title = _("{title} · report").format(title=report["session"]["title"])
    return html(title, top(principal) + back + report_sections(report))


# --- administrators ----------------------------------------------------------------------


@router.get(ADMIN_PAGE)
def admin_page(
    principal: SignedInDep,
    state: StateDep,
    analytics: AnalyticsDep,
    start: FromQuery = None,
    end: ToQuery = None,
) -> Response:
    auth.require_admin(principal)
    economy = state.economy
    period = period_of(start, end, now_ns=economy.context.now())
    payouts = [p for s in PAYOUT_STATES_TO_DECIDE for p in economy.payouts(state=s)]
    view = AdminView(
        reconcile=economy.last_reconcile(),
        decisions=economy.fraud_decisions(open_only=True),
        payouts=sorted(payouts, key=lambda p: (p.requested_at, p.id)),
        coin_flows=analytics.coin_flows(
            creator_id=None, start_ns=period.start_ns, end_ns=period.end_ns
        ),
        period=period,
    )
    return html("giftflow · admin", top(principal) + admin_body(view))


@router.post("/admin/reconcile")
def reconcile_now(request: Request, principal: SignedInDep, state: StateDep) -> Response:
    """Reconcile the books now (the page shows the last reconcile, run by this button,
    ``GET /v1/admin/reconcile`` or a scheduled job: not one per page view)."""
    admin_form(request, principal)
    state.economy.reconcile()
    return see_other(ADMIN_PAGE)


def rejection(reason: str) -> str:
    """The reason as booked: trimmed, ``rejected`` when nothing is left."""
    return reason.strip() or "rejected"


def admin_form(request: Request, principal: Principal) -> None:
    auth.require_admin(principal)
    require_same_origin(request)


@router.post("/admin/fraud-decisions/{decision_id}")
def review_fraud_decision(
    decision_id: DecisionIdPath,
    upheld: Annotated[bool, Form()],
    request: Request,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """Close an open decision: upheld (the rule was right) or overturned."""
    admin_form(request, principal)
    state.economy.review_fraud_decision(decision_id, upheld=upheld, reviewer=principal.name)
    return see_other(ADMIN_PAGE)


@router.post("/admin/payouts/{payout_id}/hold")
def hold_payout(
    payout_id: PayoutIdPath, request: Request, principal: SignedInDep, state: StateDep
) -> Response:
    """Clear a payout kept in ``requested`` (its creator has open fraud decisions)."""
    admin_form(request, principal)
    state.economy.hold_payout(payout_id)
    return see_other(ADMIN_PAGE)


@router.post("/admin/payouts/{payout_id}/approve")
def approve_payout(
    payout_id: PayoutIdPath, request: Request, principal: SignedInDep, state: StateDep
) -> Response:
    admin_form(request, principal)
    state.economy.approve_payout(payout_id)
    return see_other(ADMIN_PAGE)


@router.post("/admin/payouts/{payout_id}/reject")
def reject_payout(
    payout_id: PayoutIdPath,
    reason: RejectionForm,
    request: Request,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """Reject with a reason; the reserved diamonds go back to the creator."""
    admin_form(request, principal)
    state.economy.reject_payout(payout_id, rejection(reason))
    return see_other(ADMIN_PAGE)
