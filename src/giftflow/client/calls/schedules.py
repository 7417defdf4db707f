"""Scheduled LIVEs: schedule, change, cancel; registrations; the figures; the calendar
file; the countdown overlay's state. None moves money, so none takes an
Idempotency-Key."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Literal

from giftflow.client.call import Call, model, nothing, path, text
from giftflow.client.models import (
    CountdownPublic,
    RegistrationList,
    RegistrationPublic,
    ScheduleFiguresPublic,
    ScheduleList,
    SchedulePublic,
)
from giftflow.client.requests import ChapterPlan, without_none

ScheduleState = Literal["scheduled", "live", "done", "missed", "cancelled"]
UNSET: Any = object()
"""``update_schedule``'s default: leave the field as it is."""


def schedule_live(
    room_id: int,
    *,
    title: str,
    starts_at: datetime,
    chapters: Sequence[ChapterPlan] = (),
    goal: dict[str, Any] | None = None,
    reminder_offsets_s: Sequence[int] | None = None,
) -> Call[SchedulePublic]:
    """``POST /v1/rooms/{id}/schedules``: ``goal`` as for ``create_goal``
    (``{"target_coins": 100, "promise": …}``); ``starts_at`` with its time zone."""
    body = without_none(
        title=title,
        starts_at=starts_at.isoformat(),
        chapters=[c.to_json() for c in chapters],
        goal=goal,
        reminder_offsets_s=None if reminder_offsets_s is None else list(reminder_offsets_s),
    )
    return Call("POST", path("/v1/rooms/{}/schedules", room_id), model(SchedulePublic), body=body)


def list_schedules(room_id: int, *, state: ScheduleState | None = None) -> Call[ScheduleList]:
    query = without_none(state=state)
    return Call("GET", path("/v1/rooms/{}/schedules", room_id), model(ScheduleList), query=query)


def get_schedule(schedule_id: str) -> Call[SchedulePublic]:
    return Call("GET", path("/v1/schedules/{}", schedule_id), model(SchedulePublic))


def update_schedule(
    schedule_id: str,
    *,
    title: str | None = None,
    starts_at: datetime | None = None,
    chapters: Sequence[ChapterPlan] | None = None,
    goal: dict[str, Any] | None = UNSET,
    reminder_offsets_s: Sequence[int] | None = None,
) -> Call[SchedulePublic]:
    """Only what is given changes; ``goal=None`` removes the goal."""
    body = without_none(
        title=title,
        starts_at=None if starts_at is None else starts_at.isoformat(),
        chapters=None if chapters is None else [c.to_json() for c in chapters],
        reminder_offsets_s=None if reminder_offsets_s is None else list(reminder_offsets_s),
    )
    if goal is not UNSET:
        body["goal"] = goal
    url = path("/v1/schedules/{}", schedule_id)
    return Call("PATCH", url, model(SchedulePublic), body=body, repeatable=True)


def cancel_schedule(schedule_id: str) -> Call[SchedulePublic]:
    url = path("/v1/schedules/{}/cancel", schedule_id)
    return Call("POST", url, model(SchedulePublic), repeatable=True)


def register(schedule_id: str, user_id: int) -> Call[RegistrationPublic]:
    """Registering again answers the first registration."""
    url = path("/v1/schedules/{}/registrations", schedule_id)
    body = {"user_id": user_id}
    return Call("POST", url, model(RegistrationPublic), body=body, repeatable=True)


def unregister(schedule_id: str, user_id: int) -> Call[None]:
    url = path("/v1/schedules/{}/registrations/{}", schedule_id, user_id)
    return Call("DELETE", url, nothing, repeatable=True)


def list_registrations(
    schedule_id: str, *, limit: int | None = None, offset: int | None = None
) -> Call[RegistrationList]:
    url = path("/v1/schedules/{}/registrations", schedule_id)
    query = without_none(limit=limit, offset=offset)
    return Call("GET", url, model(RegistrationList), query=query)


def schedule_report(schedule_id: str) -> Call[ScheduleFiguresPublic]:
    """Registered, attended and gifted."""
    url = path("/v1/schedules/{}/report", schedule_id)
    return Call("GET", url, model(ScheduleFiguresPublic))


def schedule_calendar(schedule_id: str) -> Call[str]:
    """The iCalendar file (RFC 5545) as text."""
    return Call("GET", path("/v1/schedules/{}/calendar.ics", schedule_id), text)


def countdown(room_id: int, *, room_token: str) -> Call[CountdownPublic]:
    """``GET /v1/rooms/{id}/countdown``: the countdown overlay's state (a room token,
    not the client's credential)."""
    url = path("/v1/rooms/{}/countdown", room_id)
    query = {"token": room_token}
    return Call("GET", url, model(CountdownPublic), query=query, authenticated=False)
