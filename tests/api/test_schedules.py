"""Scheduled LIVEs over real HTTP, on SQLite and PostgreSQL: schedule, register, the
reminders a loopback receiver gets (each once per registration and offset, however
many sweeps), the calendar file read by a real iCalendar parser, going live (the
schedule linked, its plan and goal in the session), the report's figures against a
recomputation from the rows, missed LIVEs on the dashboard, and bad input refused."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import icalendar
import pytest

from giftflow.service.economy import Economy
from giftflow.service.live import Live, LiveSettings
from giftflow.service.live.context import LiveContext
from giftflow.service.webhooks.worker import deliver_due
from giftflow.web.dashboard.session import COOKIE
from tests.api.conftest import HOOKS, ROSE, START, World, assert_problem, open_world
from tests.api.receiver import Receiver

Json = dict[str, Any]
HOUR_S = 3_600


def live_of(world: World) -> Live:
    """LIVE over the served economy, for sweeping from the test (as the app's sweep
    does every second: both at once must change nothing)."""
    return Live(LiveContext(world.economy.context, world.bus, LiveSettings()))


def deliver(economy: Economy) -> int:
    return asyncio.run(deliver_due(economy.ledger, economy.context.settings, passes=50))


def rfc3339(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


def now_of(world: World) -> datetime:
    return datetime.fromtimestamp(world.clock.now_ns() // 1_000_000_000, UTC)


def schedule(world: World, creator: int, credential: str | None = None, **fields: Any) -> Json:
    body: Json = {
        "title": "Friday art, live",
        "starts_at": rfc3339(now_of(world) + timedelta(hours=2)),
        "chapters": [
            {"kind": "hook", "title": "Hello", "planned_s": 300},
            {"kind": "value", "title": "Speed-paint", "planned_s": 1_800},
        ],
        "goal": {"target_coins": 50, "promise": "a second canvas"},
        "reminder_offsets_s": [HOUR_S, 300, 0],
    } | fields
    answer = world.post(f"/v1/rooms/{creator}/schedules", body, credential or world.admin_key)
    return world.ok(answer, 201)


def register(world: World, schedule_id: str, user_id: int, credential: str) -> Json:
    answer = world.post(
        f"/v1/schedules/{schedule_id}/registrations", {"user_id": user_id}, credential
    )
    return world.ok(answer, 201)


def subscribe(world: World, url: str) -> Json:
    body = {"url": url, "event_types": ["schedule.reminder", "schedule.started", "schedule.missed"]}
    return world.ok(world.post("/v1/webhook-endpoints", body, world.admin_key), 201)


def rows(world: World, sql: str, *parameters: Any) -> list[tuple[Any, ...]]:
    return world.economy.ledger.read(lambda tx: tx.execute(sql, parameters).fetchall())


def test_schedule_register_remind_go_live_and_report(hooked: World, receiver: Receiver) -> None:
    world = hooked
    endpoint = subscribe(world, receiver.url)
    carol = world.user("carol", creator=True)["id"]
    fans = [world.user(f"fan{n}")["id"] for n in range(4)]
    late = world.user("late")["id"]
    for fan in fans[:2]:
        world.buy(fan, 100)
    live = live_of(world)
    scheduled = schedule(world, carol, world.token(carol, "creator"))
    sid = scheduled["id"]
    assert scheduled["state"] == "scheduled" and scheduled["reminder_offsets_s"] == [3600, 300, 0]
    assert scheduled["ends_at"] == rfc3339(START + timedelta(hours=2, seconds=2_100))
    register(world, sid, fans[0], world.token(fans[0]))  # the viewer's own token
    for fan in fans[1:]:
        register(world, sid, fan, world.key("live:write"))  # the platform for them
    again = world.post(f"/v1/schedules/{sid}/registrations", {"user_id": fans[0]}, world.admin_key)
    assert world.ok(again, 200)["user_id"] == fans[0]
    world.client.delete(
        f"/v1/schedules/{sid}/registrations/{fans[3]}",
        headers={"Authorization": f"Bearer {world.token(fans[3])}"},
    )
    assert world.ok(world.get(f"/v1/schedules/{sid}", world.admin_key))["registered"] == 3

    # An hour before: the first reminder, to the three registered, once however many sweeps.
    world.clock.advance(seconds=HOUR_S)
    register(world, sid, late, world.admin_key)  # after the hour-before moment
    for _ in range(3):
        live.sweep_schedules()
    world.clock.advance(seconds=HOUR_S - 300)
    live.sweep_schedules()
    assert deliver(world.economy) > 0
    reminders = [e for e in receiver.events(endpoint["secret"]) if e["type"] == "schedule.reminder"]
    sent = sorted((r["data"]["user_id"], r["data"]["offset_s"]) for r in reminders)
    assert sent == sorted([(f, 3600) for f in fans[:3]] + [(f, 300) for f in [*fans[:3], late]])
    assert {r["room_id"] for r in reminders} == {carol}
    assert all(r["data"]["schedule_id"] == sid for r in reminders)

    check_calendar(world, sid, world.token(fans[0]))

    session = go_live(world, live, carol, fans)
    assert world.ok(world.get(f"/v1/schedules/{sid}", world.admin_key))["state"] == "done"

    figures = world.ok(world.get(f"/v1/schedules/{sid}/report", world.admin_key))
    assert (
        figures
        == recomputed(world, sid)
        == {
            "schedule_id": sid,
            "session_id": session["id"],
            "registered": 4,
            "attended": 2,
            "gifted": 1,
        }
    )
    report = world.ok(world.get(f"/v1/sessions/{session['id']}/report", world.admin_key))
    assert report["schedule"] == {k: v for k, v in figures.items() if k != "session_id"}
    page = world.get(f"/v1/sessions/{session['id']}/report.html", world.admin_key).text
    assert 'data-schedule="attended">2<' in page

    deliver(world.economy)
    events = receiver.events(endpoint["secret"])
    zero = [e for e in events if e["type"] == "schedule.reminder" and e["data"]["offset_s"] == 0]
    assert sorted(e["data"]["user_id"] for e in zero) == sorted([*fans[:3], late])
    started = [e for e in events if e["type"] == "schedule.started"]
    assert [e["data"]["session_id"] for e in started] == [session["id"]]
    assert len([e for e in events if e["type"] == "schedule.reminder"]) == 11
    assert world.count("schedule_reminders") == 11


def check_calendar(world: World, sid: str, credential: str) -> None:
    """The calendar file, for a registered viewer too, read by a real parser."""
    ics = world.get(f"/v1/schedules/{sid}/calendar.ics", credential)
    assert ics.status_code == 200 and ics.headers["content-type"].startswith("text/calendar")
    calendar = icalendar.Calendar.from_ical(ics.content)
    [event] = calendar.walk("VEVENT")
    assert str(event["UID"]).startswith(f"{sid}@") and str(event["SUMMARY"]) == "Friday art, live"
    assert event.decoded("DTSTART") == START + timedelta(hours=2)
    assert event.decoded("DTSTAMP").tzinfo is not None
    assert [a.decoded("TRIGGER") for a in event.walk("VALARM")] == [
        -timedelta(hours=1),
        -timedelta(minutes=5),
        timedelta(0),
    ]
    assert ics.content.count(b"\r\n") == len(ics.content.splitlines())


def go_live(world: World, live: Live, carol: int, fans: list[int]) -> Json:
    """Carol goes live two minutes early: the schedule is taken up, with its plan and
    goal; two fans and a stranger join, one fan and the stranger gift; it ends."""
    world.clock.advance(seconds=180)
    session = world.ok(world.post(f"/v1/rooms/{carol}/sessions", {}, world.admin_key), 201)
    assert session["title"] == "Friday art, live"
    [linked] = world.ok(world.get(f"/v1/rooms/{carol}/schedules", world.admin_key))["schedules"]
    assert linked["state"] == "live" and linked["session_id"] == session["id"]
    goals = world.ok(world.get(f"/v1/sessions/{session['id']}/goals", world.admin_key))["goals"]
    assert [(g["target"], g["promise"]) for g in goals] == [(50, "a second canvas")]
    chapters = rows(
        world, "SELECT title FROM chapters WHERE session_id = ? ORDER BY position", session["id"]
    )
    assert chapters == [("Hello",), ("Speed-paint",)]
    stranger = world.user("stranger")["id"]
    world.buy(stranger, 100)
    for viewer in (fans[0], fans[1], stranger):
        world.ok(
            world.post(f"/v1/sessions/{session['id']}/viewers/{viewer}/join", None, world.admin_key)
        )
    world.gift(fans[1], carol, ROSE, session_id=session["id"])
    world.gift(stranger, carol, ROSE, session_id=session["id"])
    world.clock.advance(seconds=300)
    live.sweep_schedules()  # the start reminder (offset 0), while live
    world.ok(world.post(f"/v1/sessions/{session['id']}/end", None, world.admin_key))
    return session


def recomputed(world: World, schedule_id: str) -> Json:
    """The figures from the rows, independently of the service's SQL."""
    [(session_id,)] = rows(
        world, "SELECT session_id FROM scheduled_lives WHERE id = ?", schedule_id
    )
    registered = {
        r[0]
        for r in rows(
            world, "SELECT user_id FROM schedule_registrations WHERE schedule_id = ?", schedule_id
        )
    }
    joined = {
        r[0]
        for r in rows(
            world, "SELECT viewer_id FROM session_viewers WHERE session_id = ?", session_id
        )
    }
    senders = {
        r[0] for r in rows(world, "SELECT sender_id FROM gifts WHERE session_id = ?", session_id)
    }
    return {
        "schedule_id": schedule_id,
        "session_id": session_id,
        "registered": len(registered),
        "attended": len(registered & joined),
        "gifted": len(registered & senders),
    }


def test_an_explicit_schedule_links_and_only_the_creators_own_still_scheduled(
    world: World,
) -> None:
    carol = world.user("carol", creator=True)["id"]
    dave = world.user("dave", creator=True)["id"]
    far = schedule(world, carol, starts_at=rfc3339(now_of(world) + timedelta(days=3)))
    daves = schedule(world, dave)
    refused = world.post(
        f"/v1/rooms/{carol}/sessions", {"schedule_id": daves["id"]}, world.admin_key
    )
    assert_problem(refused, 422, "scheduled_live_other_creator")
    missing = world.post(
        f"/v1/rooms/{carol}/sessions", {"schedule_id": "sl_nothere"}, world.admin_key
    )
    assert_problem(missing, 404, "scheduled_live_not_found")
    assert world.count("live_sessions") == 0
    # Not due (three days ahead), but named: taken up; the session keeps its own title.
    body = {"schedule_id": far["id"], "title": "Early surprise"}
    session = world.ok(world.post(f"/v1/rooms/{carol}/sessions", body, world.admin_key), 201)
    assert session["title"] == "Early surprise"
    assert (
        world.ok(world.get(f"/v1/schedules/{far['id']}", world.admin_key))["session_id"]
        == (session["id"])
    )
    world.ok(world.post(f"/v1/sessions/{session['id']}/end", None, world.admin_key))
    again = world.post(f"/v1/rooms/{carol}/sessions", {"schedule_id": far["id"]}, world.admin_key)
    assert_problem(again, 409, "scheduled_live_state_invalid")
    # A session without a due schedule links nothing.
    plain = world.ok(world.post(f"/v1/rooms/{dave}/sessions", {}, world.admin_key), 201)
    assert world.ok(world.get(f"/v1/schedules/{daves['id']}", world.admin_key))["state"] == (
        "scheduled"
    )
    assert plain["title"] == ""


def test_missed_and_cancelled_lives_send_nothing_and_the_dashboard_counts_missed(
    hooked: World, receiver: Receiver
) -> None:
    world = hooked
    endpoint = subscribe(world, receiver.url)
    carol = world.user("carol", creator=True)["id"]
    fan = world.user("fan")["id"]
    soon = schedule(world, carol, reminder_offsets_s=[0])
    other = schedule(world, carol, reminder_offsets_s=[0])
    kept = schedule(world, carol, starts_at=rfc3339(now_of(world) + timedelta(days=2)))
    for item in (soon, other):
        register(world, item["id"], fan, world.admin_key)
    cancelled = world.ok(world.post(f"/v1/schedules/{other['id']}/cancel", None, world.admin_key))
    assert cancelled["state"] == "cancelled"
    assert world.ok(world.post(f"/v1/schedules/{other['id']}/cancel", None, world.admin_key)) == (
        cancelled
    )
    ics = world.get(f"/v1/schedules/{other['id']}/calendar.ics", world.admin_key).content
    assert str(icalendar.Calendar.from_ical(ics).walk("VEVENT")[0]["STATUS"]) == "CANCELLED"
    late = world.post(
        f"/v1/schedules/{other['id']}/registrations",
        {"user_id": world.user("x")["id"]},
        world.admin_key,
    )
    assert_problem(late, 409, "scheduled_live_state_invalid")
    world.clock.advance(seconds=2 * HOUR_S)
    live_of(world).sweep_schedules()  # the start reminder
    world.clock.advance(seconds=HOUR_S - 1)  # the grace period is an hour
    page = dashboard(world, carol)
    assert 'data-schedules="missed">0<' in page
    world.clock.advance(seconds=2)
    assert 'data-schedules="missed">1<' in dashboard(world, carol)  # before any sweep
    live = live_of(world)
    live.sweep_schedules()
    live.sweep_schedules()
    states = {
        s["id"]: s["state"]
        for s in world.ok(world.get(f"/v1/rooms/{carol}/schedules", world.admin_key))["schedules"]
    }
    assert states == {soon["id"]: "missed", other["id"]: "cancelled", kept["id"]: "scheduled"}
    page = dashboard(world, carol)
    assert 'data-schedules="missed">1<' in page and 'data-schedules="cancelled">1<' in page
    assert 'data-schedules="scheduled">1<' in page
    late_start = world.post(
        f"/v1/rooms/{carol}/sessions", {"schedule_id": soon["id"]}, world.admin_key
    )
    assert_problem(late_start, 409, "scheduled_live_state_invalid")
    deliver(world.economy)
    events = receiver.events(endpoint["secret"])
    # The missed LIVE's start reminder went out at its start, and only that; then missed once.
    assert [(e["type"], e["data"]["schedule_id"]) for e in events] == [
        ("schedule.reminder", soon["id"]),
        ("schedule.missed", soon["id"]),
    ]


def dashboard(world: World, creator: int) -> str:
    token = world.token(creator, "creator")
    answer = world.client.get(
        f"/dashboard/creators/{creator}", headers={"Cookie": f"{COOKIE}={token}"}
    )
    assert answer.status_code == 200, answer.text
    return answer.text


def test_changes_bump_the_calendar_sequence_and_refuse_what_is_not_scheduled(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    item = schedule(world, carol)
    later = rfc3339(now_of(world) + timedelta(hours=5))
    changed = world.ok(
        world.patch_json(
            f"/v1/schedules/{item['id']}", {"starts_at": later, "goal": None}, world.admin_key
        )
    )
    assert changed["starts_at"] == later and changed["goal"] is None and changed["sequence"] == 1
    assert changed["title"] == item["title"] and changed["chapters"] == item["chapters"]
    ics = world.get(f"/v1/schedules/{item['id']}/calendar.ics", world.admin_key).content
    [event] = icalendar.Calendar.from_ical(ics).walk("VEVENT")
    assert event.decoded("SEQUENCE") == 1
    world.ok(world.post(f"/v1/schedules/{item['id']}/cancel", None, world.admin_key))
    refused = world.patch_json(f"/v1/schedules/{item['id']}", {"title": "x"}, world.admin_key)
    assert_problem(refused, 409, "scheduled_live_state_invalid")


BAD_SCHEDULES: list[tuple[Json, int, str]] = [
    ({"starts_at": "2024-06-03T11:00:00Z"}, 422, "scheduled_live_start_invalid"),
    ({"starts_at": "2026-06-03T11:00:00Z"}, 422, "scheduled_live_start_invalid"),
    ({"starts_at": "2024-06-03T14:00:00"}, 422, "validation_failed"),
    ({"reminder_offsets_s": [60, 60]}, 422, "reminder_offsets_invalid"),
    ({"reminder_offsets_s": [-1]}, 422, "validation_failed"),
    ({"reminder_offsets_s": [2_592_001]}, 422, "validation_failed"),
    ({"reminder_offsets_s": list(range(11))}, 422, "validation_failed"),
    ({"goal": {"gift_id": 1, "count": 3}}, 404, "gift_not_found"),
    ({"goal": {"target_coins": 0}}, 422, "validation_failed"),
    ({"chapters": [{"kind": "hook", "planned_s": 0}]}, 422, "validation_failed"),
    ({"title": ""}, 422, "validation_failed"),
    ({"title": "a\u202eb"}, 422, "text_invalid"),
    ({"extra": 1}, 422, "validation_failed"),
]


def test_bad_schedules_are_refused_with_their_code(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    wrong = []
    for fields, status, code in BAD_SCHEDULES:
        body: Json = {"title": "x", "starts_at": "2024-06-03T14:00:00Z"} | fields
        answer = world.post(f"/v1/rooms/{carol}/schedules", body, world.admin_key)
        problem = answer.json()
        if (answer.status_code, problem.get("code")) != (status, code):
            wrong.append((fields, answer.status_code, problem.get("code")))
    assert wrong == []
    assert world.count("scheduled_lives") == 0


def test_bad_registrations_and_lookups_are_refused(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    alice = world.user("alice")["id"]
    item = schedule(world, carol)["id"]
    key = world.admin_key
    assert_problem(
        world.post(f"/v1/schedules/{item}/registrations", {"user_id": carol}, key),
        422,
        "self_registration",
    )
    assert_problem(
        world.post(f"/v1/schedules/{item}/registrations", {"user_id": 99_999}, key),
        404,
        "user_not_found",
    )
    assert_problem(
        world.post("/v1/schedules/sl_missing/registrations", {"user_id": alice}, key),
        404,
        "scheduled_live_not_found",
    )
    assert_problem(world.get("/v1/schedules/not-an-id", key), 422, "validation_failed")
    assert_problem(
        world.get(f"/v1/rooms/{alice}/schedules", key, state="nope"), 422, "validation_failed"
    )
    not_creator = world.post(
        f"/v1/rooms/{alice}/schedules", {"title": "x", "starts_at": "2024-06-03T14:00:00Z"}, key
    )
    assert_problem(not_creator, 422, "not_a_creator")
    # A viewer who is not registered reads nothing of it.
    assert_problem(world.get(f"/v1/schedules/{item}", world.token(alice)), 403, "forbidden")
    assert world.count("schedule_registrations") == 0


def test_the_countdown_state_reads_with_a_room_token_only(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    token = world.ok(world.post(f"/v1/rooms/{carol}/tokens", None, world.admin_key), 201)["token"]
    empty = world.ok(world.get(f"/v1/rooms/{carol}/countdown", token=token))
    assert empty["schedule"] is None and empty["room_id"] == carol
    item = schedule(world, carol)
    state = world.ok(world.get(f"/v1/rooms/{carol}/countdown", token=token))["schedule"]
    assert state["schedule_id"] == item["id"] and state["state"] == "scheduled"
    assert state["starts_at"] == world.clock.now_ns() + 2 * HOUR_S * 1_000_000_000
    assert_problem(world.get(f"/v1/rooms/{carol}/countdown", world.admin_key), 401, "token_invalid")
    dave = world.user("dave", creator=True)["id"]
    assert_problem(world.get(f"/v1/rooms/{dave}/countdown", token=token), 403, "forbidden")


@pytest.mark.postgres
def test_two_economies_sweeping_one_database_send_each_reminder_once(
    postgres_url: str, tmp_path: Path, receiver: Receiver
) -> None:
    """Two server processes' worth of economies on one PostgreSQL database, eight
    threads sweeping at once: every registration gets each of its offsets' reminders
    exactly once, in the outbox and at the receiver."""
    with open_world(postgres_url, tmp_path / "payouts", **HOOKS) as world:
        endpoint = subscribe(world, receiver.url)
        carol = world.user("carol", creator=True)["id"]
        fans = [world.user(f"fan{n}")["id"] for n in range(30)]
        items = [
            schedule(world, carol, reminder_offsets_s=[HOUR_S, 600, 0])["id"] for _ in range(2)
        ]
        for item in items:
            for fan in fans:
                register(world, item, fan, world.admin_key)
        other = Economy.open(world.economy.context.settings, clock=world.clock)
        try:
            lives = [live_of(world), Live(LiveContext(other.context, world.bus, LiveSettings()))]
            world.clock.advance(seconds=2 * HOUR_S)  # every offset is due now
            with ThreadPoolExecutor(8) as pool:
                counts = list(pool.map(lambda n: lives[n % 2].sweep_schedules(), range(16)))
        finally:
            other.close()
        assert sum(counts) <= 2 * 30 * 3  # the app's own sweep may have sent some
        sent = rows(world, "SELECT schedule_id, user_id, offset_s FROM schedule_reminders")
        assert sorted(sent) == sorted(
            (item, fan, offset) for item in items for fan in fans for offset in (HOUR_S, 600, 0)
        )
        assert world.count("webhook_deliveries") == 2 * 30 * 3
        deliver(world.economy)
        reminders = [
            (e["data"]["schedule_id"], e["data"]["user_id"], e["data"]["offset_s"])
            for e in receiver.events(endpoint["secret"])
            if e["type"] == "schedule.reminder"
        ]
        assert sorted(reminders) == sorted(sent)
