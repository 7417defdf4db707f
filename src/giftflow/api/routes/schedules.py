"""Scheduled LIVEs over HTTP (docs/schedules.md): a creator schedules a LIVE, viewers
register, reminders go out through webhooks out, each LIVE has a calendar file, and
the countdown overlay reads the room's next LIVE with a room token.

Writes are for the room's creator (a creator token), an administrator, or a key with
``live:write``; reads for the creator, an administrator, or a key with ``live:read``.
A viewer registers (and unregisters) themself with their own token, or a key with
``live:write`` does it for them; a registered viewer may read the LIVE and its
calendar file. Schedule ids are random (``sl_…``): a schedule is looked up first to
find its room. Nothing here moves money, so nothing takes an Idempotency-Key.
"""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlsplit

from fastapi import APIRouter, Path, Query, Response

from giftflow.api.routes.live import RoomIdPath, UserIdPath, may_read, may_write
from giftflow.api.routes.rooms import RoomTokenQuery
from giftflow.http import auth
from giftflow.http.deps import LiveDep, PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas.live import ScheduleId
from giftflow.http.schemas.promote import ns
from giftflow.http.schemas.schedules import (
    CountdownPublic,
    RegistrationCreate,
    RegistrationList,
    RegistrationPublic,
    ScheduleCreate,
    ScheduleFiguresPublic,
    ScheduleList,
    SchedulePublic,
    ScheduleUpdate,
    goal_of,
    plans_of,
)
from giftflow.ids import UserId
from giftflow.live.calendar import MEDIA_TYPE, ics
from giftflow.live.schedules import ScheduledLive, ScheduleState
from giftflow.service.live import Changes, Live

router = APIRouter(prefix="/v1", tags=["schedules"], responses=RESPONSES)
ScheduleIdPath = Annotated[ScheduleId, Path(description="A scheduled LIVE's id (`sl_…`).")]
StateQuery = Annotated[ScheduleState | None, Query(description="Only LIVEs in this state.")]
LimitQuery = Annotated[int, Query(ge=1, le=1_000, description="100 by default.")]
OffsetQuery = Annotated[int, Query(ge=0, le=2**31 - 1)]
WRITE = "live:write"


def _found(live: Live, schedule_id: str, principal: Principal, *, write: bool) -> ScheduledLive:
    schedule = live.scheduled_live(schedule_id)
    (may_write if write else may_read)(principal, schedule.creator_id)
    return schedule


def _visible(live: Live, schedule_id: str, principal: Principal) -> ScheduledLive:
    """For readers, and for a viewer registered for it (their own token)."""
    schedule = live.scheduled_live(schedule_id)
    viewer = principal.user_id
    registered = (
        not principal.is_key
        and viewer is not None
        and viewer != schedule.creator_id
        and live.is_registered(schedule_id, viewer)
    )
    if not registered:
        may_read(principal, schedule.creator_id)
    return schedule


@router.post("/rooms/{room_id}/schedules", status_code=201, response_model=SchedulePublic)
def schedule_live(
    room_id: RoomIdPath, body: ScheduleCreate, principal: PrincipalDep, live: LiveDep
) -> SchedulePublic:
    """Schedule a LIVE (``schedule.created``): title, start, planned chapters, an
    optional goal, reminder offsets. Each request schedules another LIVE."""
    may_write(principal, room_id)
    scheduled = live.schedule_live(
        room_id,
        title=body.title,
        starts_at=ns(body.starts_at),
        chapters=plans_of(body.chapters),
        goal=goal_of(body.goal),
        reminder_offsets_s=body.reminder_offsets_s,
    )
    return SchedulePublic.of(scheduled)


@router.get("/rooms/{room_id}/schedules", response_model=ScheduleList)
def list_schedules(
    room_id: RoomIdPath, principal: PrincipalDep, live: LiveDep, state: StateQuery = None
) -> ScheduleList:
    """The room's scheduled LIVEs by start (the 500 that start last)."""
    may_read(principal, room_id)
    schedules = live.scheduled_lives(room_id, state=state)
    return ScheduleList(schedules=[SchedulePublic.of(s) for s in schedules])


@router.get("/schedules/{schedule_id}", response_model=SchedulePublic)
def get_schedule(
    schedule_id: ScheduleIdPath, principal: PrincipalDep, live: LiveDep
) -> SchedulePublic:
    """The scheduled LIVE, with how many viewers registered."""
    return SchedulePublic.of(_visible(live, schedule_id, principal))


@router.patch("/schedules/{schedule_id}", response_model=SchedulePublic)
def update_schedule(
    schedule_id: ScheduleIdPath, body: ScheduleUpdate, principal: PrincipalDep, live: LiveDep
) -> SchedulePublic:
    """Change a LIVE still ``scheduled`` (``schedule.updated``); only the fields sent
    change, ``goal: null`` removes the goal. 409 ``scheduled_live_state_invalid``."""
    _found(live, schedule_id, principal, write=True)
    sent = body.model_fields_set
    changes = Changes(
        title=body.title,
        starts_at=None if body.starts_at is None else ns(body.starts_at),
        chapters=None if body.chapters is None else plans_of(body.chapters),
        goal=goal_of(body.goal),
        clear_goal="goal" in sent and body.goal is None,
        reminder_offsets_s=None
        if body.reminder_offsets_s is None
        else tuple(body.reminder_offsets_s),
    )
    return SchedulePublic.of(live.update_scheduled_live(schedule_id, changes))


@router.post("/schedules/{schedule_id}/cancel", response_model=SchedulePublic)
def cancel_schedule(
    schedule_id: ScheduleIdPath, principal: PrincipalDep, live: LiveDep
) -> SchedulePublic:
    """Cancel it (``schedule.cancelled``): no reminder goes out any more. Cancelling
    again changes nothing; a LIVE that went live, or was missed, is 409."""
    _found(live, schedule_id, principal, write=True)
    return SchedulePublic.of(live.cancel_scheduled_live(schedule_id))


@router.post(
    "/schedules/{schedule_id}/registrations",
    status_code=201,
    response_model=RegistrationPublic,
)
def register(
    schedule_id: ScheduleIdPath,
    body: RegistrationCreate,
    principal: PrincipalDep,
    live: LiveDep,
    response: Response,
) -> RegistrationPublic:
    """The viewer registers (their own token, a key with ``live:write``, an
    administrator): 201, or 200 with the first registration when already registered.
    Only while the LIVE is ``scheduled``."""
    auth.require_self_or_scope(principal, body.user_id, WRITE)
    registration, first = live.register(schedule_id, UserId(body.user_id))
    if not first:
        response.status_code = 200
    return RegistrationPublic.of(registration)


@router.delete("/schedules/{schedule_id}/registrations/{user_id}", status_code=204)
def unregister(
    schedule_id: ScheduleIdPath, user_id: UserIdPath, principal: PrincipalDep, live: LiveDep
) -> Response:
    """The viewer is no longer registered (no further reminder); 204 either way."""
    auth.require_self_or_scope(principal, user_id, WRITE)
    live.unregister(schedule_id, user_id)
    return Response(status_code=204)


@router.get("/schedules/{schedule_id}/registrations", response_model=RegistrationList)
def list_registrations(
    schedule_id: ScheduleIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> RegistrationList:
    """The registered viewers, first registered first."""
    _found(live, schedule_id, principal, write=False)
    registrations = live.registrations(schedule_id, limit=limit, offset=offset)
    return RegistrationList(
        schedule_id=schedule_id,
        registrations=[RegistrationPublic.of(r) for r in registrations],
    )


@router.get("/schedules/{schedule_id}/report", response_model=ScheduleFiguresPublic)
def schedule_report(
    schedule_id: ScheduleIdPath, principal: PrincipalDep, live: LiveDep
) -> ScheduleFiguresPublic:
    """Registered, attended (joined the linked session) and gifted (sent it a gift)."""
    _found(live, schedule_id, principal, write=False)
    return ScheduleFiguresPublic.of(live.schedule_figures(schedule_id))


@router.get(
    "/schedules/{schedule_id}/calendar.ics",
    response_class=Response,
    responses={200: {"content": {"text/calendar": {"schema": {"type": "string"}}}}},
)
def calendar(
    schedule_id: ScheduleIdPath, principal: PrincipalDep, live: LiveDep, state: StateDep
) -> Response:
    """The LIVE as an iCalendar file (RFC 5545): one event, an alarm per reminder
    offset; ``STATUS:CANCELLED`` once cancelled."""
    schedule = _visible(live, schedule_id, principal)
    host = urlsplit(state.settings.public_url).hostname or "giftflow"
    headers = {"Content-Disposition": f'attachment; filename="{schedule_id}.ics"'}
    return Response(ics(schedule, host=host), media_type=MEDIA_TYPE, headers=headers)


@router.get("/rooms/{room_id}/countdown", response_model=CountdownPublic)
def countdown(
    room_id: RoomIdPath, live: LiveDep, state: StateDep, token: RoomTokenQuery = None
) -> CountdownPublic:
    """The countdown overlay's state: the room's LIVE linked and live, else its next
    scheduled one not yet missed, and ``last_event_id`` to resume the WebSocket after.
    For the room token only, in the query (as ``overlay-state``)."""
    state.room_tokens.check(token, room_id)
    return CountdownPublic.of(live.countdown(room_id))
