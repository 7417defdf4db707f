"""The scheduled LIVEs' operations through the client against the real server: each
answer type read from a real answer, the calendar file parsed by icalendar."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import icalendar

from giftflow.client import ChapterPlan, Client
from tests.api.conftest import World
from tests.client.conftest import now_s

ADULT = date(1990, 5, 17)


def test_every_schedule_operation_answers_its_type(world: World, admin: Client) -> None:
    carol = admin.register_user(
        external_id="carol", display_name="Carol", birth_date=ADULT, region="US", is_creator=True
    ).id
    fan = admin.register_user(external_id="fan", display_name="Fan", birth_date=ADULT, region="US")
    start = datetime.fromtimestamp(now_s(world), UTC) + timedelta(minutes=30)
    scheduled = admin.schedule_live(
        carol,
        title="Tour",
        starts_at=start,
        chapters=[ChapterPlan(kind="hook", planned_s=600)],
        goal={"target_coins": 10, "promise": "a song"},
        reminder_offsets_s=[600],
    )
    assert scheduled.state == "scheduled" and scheduled.starts_at == start
    assert admin.register(scheduled.id, fan.id).user_id == fan.id
    assert admin.get_schedule(scheduled.id).registered == 1
    assert [r.user_id for r in admin.list_registrations(scheduled.id).registrations] == [fan.id]
    moved = admin.update_schedule(scheduled.id, title="Tour, live", goal=None)
    assert moved.title == "Tour, live" and moved.goal is None and moved.sequence == 1
    assert [s.id for s in admin.list_schedules(carol, state="scheduled").schedules] == [
        scheduled.id
    ]
    calendar = icalendar.Calendar.from_ical(admin.schedule_calendar(scheduled.id))
    assert str(calendar.walk("VEVENT")[0]["SUMMARY"]) == "Tour, live"
    room = admin.issue_room_token(carol)
    countdown = admin.countdown(carol, room_token=room.token)
    assert countdown.schedule is not None and countdown.schedule.schedule_id == scheduled.id
    session = admin.start_session(carol)
    assert admin.get_schedule(scheduled.id).session_id == session.id
    assert admin.schedule_report(scheduled.id).registered == 1
    admin.unregister(scheduled.id, fan.id)
    later = admin.schedule_live(carol, title="Later", starts_at=start + timedelta(days=1))
    assert admin.cancel_schedule(later.id).state == "cancelled"
