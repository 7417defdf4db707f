"""The calendar file (RFC 5545) as a pure function: every line at most 75 octets and
folded where a real parser unfolds it, texts escaped so that they read back as written,
whatever the title."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import icalendar
from hypothesis import given
from hypothesis import strategies as st

from giftflow.ids import UserId
from giftflow.live.calendar import ics
from giftflow.live.chapters import ChapterKind, ChapterPlan
from giftflow.live.goals import GoalKind
from giftflow.live.schedules import PlannedGoal, ScheduledLive, ScheduleState

START = datetime(2024, 6, 3, 20, 0, tzinfo=UTC)
START_NS = int(START.timestamp()) * 1_000_000_000
TITLES = st.text(
    st.characters(blacklist_categories=("Cc", "Cs", "Co", "Cn", "Zl", "Zp")), max_size=200
)


def scheduled(
    title: str, *, promise: str = "", state: ScheduleState = ScheduleState.SCHEDULED
) -> ScheduledLive:
    return ScheduledLive(
        id="sl_abc",
        creator_id=UserId(7),
        title=title,
        starts_at=START_NS,
        state=state,
        chapters=(ChapterPlan(ChapterKind.HOOK, "Hi; there, \\ you", 600),),
        goal=PlannedGoal(GoalKind.COINS, 100, promise=promise),
        reminder_offsets_s=(3_600, 0),
        sequence=2,
        updated_at=START_NS - 1,
    )


@given(title=TITLES, promise=TITLES)
def test_any_title_reads_back_as_written_from_lines_of_at_most_75_octets(
    title: str, promise: str
) -> None:
    text = ics(scheduled(title, promise=promise), host="example.com")
    assert text.endswith("\r\n") and "\n" not in text.replace("\r\n", "")
    assert all(len(line.encode()) <= 75 for line in text.split("\r\n"))
    [event] = icalendar.Calendar.from_ical(text).walk("VEVENT")
    assert str(event["SUMMARY"]) == (title or "LIVE")
    assert str(event["DESCRIPTION"]).startswith("Hi; there, \\ you (10 min)")


def test_the_event_names_its_times_sequence_and_alarms() -> None:
    [event] = icalendar.Calendar.from_ical(ics(scheduled("Art"), host="h")).walk("VEVENT")
    assert str(event["UID"]) == "sl_abc@h"
    assert event.decoded("DTSTART") == START
    assert event.decoded("DTEND") == START + timedelta(minutes=10)
    assert event.decoded("SEQUENCE") == 2 and str(event["STATUS"]) == "CONFIRMED"
    assert [a.decoded("TRIGGER") for a in event.walk("VALARM")] == [
        -timedelta(hours=1),
        timedelta(0),
    ]


def test_a_cancelled_live_is_a_cancellation_without_alarms() -> None:
    calendar = icalendar.Calendar.from_ical(
        ics(scheduled("Art", state=ScheduleState.CANCELLED), host="h")
    )
    [event] = calendar.walk("VEVENT")
    assert str(calendar["METHOD"]) == "CANCEL" and str(event["STATUS"]) == "CANCELLED"
    assert event.walk("VALARM") == []
