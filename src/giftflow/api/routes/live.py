"""LIVE over HTTP: sessions, viewers, interactions, chapters, goals, leaderboards and
perks (battles: ``routes.battles``). What they change goes to the room's WebSocket as
events.

Writes are for the room's creator (a creator token), an administrator, or a key with
``live:write``; reads for the creator, an administrator, or a key with ``live:read``.
Viewers join, leave and interact with their own token as well. Nothing here moves
money, so nothing takes an Idempotency-Key; see docs/api.md for what a retry does.
"""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Path, Query, Response

from giftflow.http import auth
from giftflow.http.deps import LiveDep, PrincipalDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import USER_ID_MAX, Role
from giftflow.http.schemas.common import gift_id_or_none
from giftflow.http.schemas.live import (
    ChapterList,
    ChapterPublic,
    ChaptersCreate,
    GoalCreate,
    GoalList,
    GoalPublic,
    InteractionCreate,
    InteractionPublic,
    LeaderboardPublic,
    PerkPublic,
    PerksPublic,
    PerksUpdate,
    SessionCreate,
    SessionDetailPublic,
    SessionPublic,
    ViewersPublic,
)
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX
from giftflow.live.chapters import ChapterPlan
from giftflow.service.live import Live

router = APIRouter(prefix="/v1", tags=["live"], responses=RESPONSES)
RoomIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX, description="The creator's user id.")]
SessionIdPath = Annotated[int, Path(ge=1, le=INT64_MAX)]
UserIdPath = Annotated[UserId, Path(ge=1, le=USER_ID_MAX)]
LimitQuery = Annotated[int | None, Query(ge=1, le=100, description="10 by default.")]
WRITE = "live:write"
READ = "live:read"


def may_write(principal: Principal, room_id: UserId) -> None:
    auth.require_self_or_scope(principal, room_id, WRITE, Role.CREATOR)


def may_read(principal: Principal, room_id: UserId) -> None:
    auth.require_self_or_scope(principal, room_id, READ, Role.CREATOR)


def room_of(live: Live, session_id: int) -> UserId:
    return live.session(session_id).creator_id


# --- sessions ----------------------------------------------------------------------------


@router.post("/rooms/{room_id}/sessions", status_code=201, response_model=SessionPublic)
def start_session(
    room_id: RoomIdPath,
    body: SessionCreate,
    principal: PrincipalDep,
    live: LiveDep,
    response: Response,
) -> SessionPublic:
    """Go live: a new session of the room (201). A room has one live session at a time:
    while one is live, this answers it (200) and starts nothing, so a retry is safe."""
    may_write(principal, room_id)
    current = live.live_session(room_id)
    if current is not None:
        response.status_code = 200
        return SessionPublic.of(current)
    return SessionPublic.of(
        live.start_session(room_id, title=body.title, schedule_id=body.schedule_id)
    )


@router.post("/sessions/{session_id}/end", response_model=SessionPublic)
def end_session(session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep) -> SessionPublic:
    """End the session (its viewers leave, its goals expire, its battle ends); ending an
    ended session changes nothing."""
    may_write(principal, room_of(live, session_id))
    return SessionPublic.of(live.end_session(session_id))


@router.get("/sessions/{session_id}", response_model=SessionDetailPublic)
def get_session(
    session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep
) -> SessionDetailPublic:
    """The session's state, the viewers present now and its totals."""
    session = live.session(session_id)
    may_read(principal, session.creator_id)
    return SessionDetailPublic.with_totals(session, live.session_totals(session_id))


@router.post("/sessions/{session_id}/viewers/{user_id}/join", response_model=ViewersPublic)
def join(
    session_id: SessionIdPath, user_id: UserIdPath, principal: PrincipalDep, live: LiveDep
) -> ViewersPublic:
    """The viewer enters (the viewer's own token too); joining twice is one viewer."""
    if not principal.is_user(user_id):
        may_write(principal, room_of(live, session_id))
    return ViewersPublic(session_id=session_id, concurrent_viewers=live.join(session_id, user_id))


@router.post("/sessions/{session_id}/viewers/{user_id}/leave", response_model=ViewersPublic)
def leave(
    session_id: SessionIdPath, user_id: UserIdPath, principal: PrincipalDep, live: LiveDep
) -> ViewersPublic:
    """The viewer leaves (the viewer's own token too); leaving twice changes nothing."""
    if not principal.is_user(user_id):
        may_write(principal, room_of(live, session_id))
    return ViewersPublic(session_id=session_id, concurrent_viewers=live.leave(session_id, user_id))


@router.post(
    "/sessions/{session_id}/interactions", status_code=201, response_model=InteractionPublic
)
def interact(
    session_id: SessionIdPath, body: InteractionCreate, principal: PrincipalDep, live: LiveDep
) -> InteractionPublic:
    """A follow, like, comment or share (the user's own token too)."""
    if not principal.is_user(body.user_id):
        may_write(principal, room_of(live, session_id))
    return InteractionPublic.of(
        live.interact(session_id, UserId(body.user_id), body.kind, text=body.text)
    )


# --- chapters ----------------------------------------------------------------------------


@router.post("/sessions/{session_id}/chapters", status_code=201, response_model=ChapterList)
def plan_chapters(
    session_id: SessionIdPath, body: ChaptersCreate, principal: PrincipalDep, live: LiveDep
) -> ChapterList:
    """Append chapters to the plan; answers the whole plan."""
    may_write(principal, room_of(live, session_id))
    plans = [ChapterPlan(c.kind, c.title, c.planned_s) for c in body.chapters]
    return ChapterList(
        chapters=[ChapterPublic.of(c) for c in live.plan_chapters(session_id, plans)]
    )


@router.post("/sessions/{session_id}/chapters/advance", response_model=ChapterPublic)
def advance_chapter(
    session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep
) -> ChapterPublic:
    """End the current chapter and start the next planned one."""
    may_write(principal, room_of(live, session_id))
    return ChapterPublic.of(live.advance_chapter(session_id))


# --- goals -------------------------------------------------------------------------------


@router.post("/sessions/{session_id}/goals", status_code=201, response_model=GoalPublic)
def create_goal(
    session_id: SessionIdPath, body: GoalCreate, principal: PrincipalDep, live: LiveDep
) -> GoalPublic:
    """A gift goal: ``target_coins``, or ``gift_id`` and ``count``; an optional
    ``deadline_s`` from now and the ``promise`` shown with it."""
    may_write(principal, room_of(live, session_id))
    goal = live.create_goal(
        session_id,
        kind=body.kind,
        target=body.target,
        gift_id=gift_id_or_none(body.gift_id),
        promise=body.promise,
        deadline_s=body.deadline_s,
    )
    return GoalPublic.of(goal)


@router.get("/sessions/{session_id}/goals", response_model=GoalList)
def list_goals(session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep) -> GoalList:
    may_read(principal, room_of(live, session_id))
    return GoalList(goals=[GoalPublic.of(goal) for goal in live.goals(session_id)])


# --- leaderboards and perks ----------------------------------------------------------------


@router.get("/sessions/{session_id}/leaderboard", response_model=LeaderboardPublic)
def session_leaderboard(
    session_id: SessionIdPath, principal: PrincipalDep, live: LiveDep, limit: LimitQuery = None
) -> LeaderboardPublic:
    """The session's top supporters by coins."""
    may_read(principal, room_of(live, session_id))
    return LeaderboardPublic.of("session", live.session_leaderboard(session_id, limit=limit))


@router.get("/rooms/{room_id}/leaderboard", response_model=LeaderboardPublic)
def room_leaderboard(
    room_id: RoomIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    period: Literal["week", "all"] = "week",
    limit: LimitQuery = None,
) -> LeaderboardPublic:
    """The room's top supporters this week (since Monday 00:00 UTC) or of all time."""
    may_read(principal, room_id)
    if period == "week":
        return LeaderboardPublic.of("week", live.week_leaderboard(room_id, limit=limit))
    return LeaderboardPublic.of("all", live.all_time_leaderboard(room_id, limit=limit))


def _perks(live: Live, room_id: UserId) -> PerksPublic:
    return PerksPublic(
        room_id=room_id,
        level_thresholds_coins=list(live.context.settings.level_thresholds_coins),
        perks=[PerkPublic.of(perk) for perk in live.perks(room_id)],
    )


@router.get("/rooms/{room_id}/perks", response_model=PerksPublic)
def get_perks(room_id: RoomIdPath, principal: PrincipalDep, live: LiveDep) -> PerksPublic:
    """The supporter levels and the perks attached to them."""
    may_read(principal, room_id)
    return _perks(live, room_id)


@router.put("/rooms/{room_id}/perks", response_model=PerksPublic)
def put_perks(
    room_id: RoomIdPath, body: PerksUpdate, principal: PrincipalDep, live: LiveDep
) -> PerksPublic:
    """Replace the room's perks with these (so a retry is harmless)."""
    may_write(principal, room_id)
    live.replace_perks(room_id, [(p.level, p.kind, p.value) for p in body.perks])
    return _perks(live, room_id)
