"""The overlays as OBS shows them: each page opened with a room token in headless
Chromium, gifts sent through the API, and what the page then shows."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import NamedTuple

import pytest
from playwright.sync_api import Browser, ConsoleMessage, Page, expect
from playwright.sync_api import TimeoutError as PlaywrightTimeoutError

from giftflow.ids import UserId
from giftflow.live.battles import Battle
from giftflow.live.goals import GoalKind
from giftflow.live.sessions import LiveSession
from tests.api.conftest import DOUGHNUT, ROSE
from tests.web.conftest import Studio, open_studio, screenshot

TRANSPARENT = ("rgba(0, 0, 0, 0)", "transparent")
PROBE_WAIT_MS = 250
LISTENING_PROBES_MAX = 40
SMALL_BUFFER_EVENTS = 8
"""More than one gift publishes (gift, goal, leaderboard), less than a burst."""


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    """Console errors of the pages a test opens (CSP violations among them)."""
    errors: list[str] = []
    yield errors
    assert errors == []


def open_overlay(
    studio: Studio, name: str, room_id: UserId, errors: list[str], query: str = ""
) -> Page:
    """The page, once it listens: probes (an event type overlays do not know, so they
    ignore it) are published until the page has handled one."""
    token = studio.room_token(room_id)
    page = studio.open(name, f"token={token}{query}")
    page.on("console", lambda message: _keep_error(message, errors))
    page.on("pageerror", lambda error: errors.append(str(error)))
    for _ in range(LISTENING_PROBES_MAX):
        probe = studio.world.bus.publish(room_id, "test.probe", {}, at=studio.world.clock.now_ns())
        try:
            page.wait_for_function(
                "id => (document.body.dataset.lastEventId || '') >= id",
                arg=probe.id,
                timeout=PROBE_WAIT_MS,
            )
            return page
        except PlaywrightTimeoutError:
            continue
    pytest.fail(f"{name} never listened to room {room_id}")


def _keep_error(message: ConsoleMessage, errors: list[str]) -> None:
    if message.type == "error":
        errors.append(message.text)


def assert_transparent(page: Page) -> None:
    for selector in ("html", "body"):
        color = page.eval_on_selector(selector, "node => getComputedStyle(node).backgroundColor")
        assert color in TRANSPARENT, (selector, color)


def display_name(studio: Studio, user_id: int) -> str:
    response = studio.world.get(f"/v1/users/{user_id}", studio.world.admin_key)
    name: str = studio.world.ok(response, 200)["display_name"]
    return name


class BattleOfTwo(NamedTuple):
    carol: UserId
    dave: UserId
    alice: UserId
    bob: UserId
    ours: LiveSession
    theirs: LiveSession
    battle: Battle


def battle_of_two(studio: Studio) -> BattleOfTwo:
    """Carol's LIVE against Dave's for five minutes, with Alice and Bob to send gifts."""
    carol, dave = studio.creator(), studio.creator()
    alice, bob = studio.viewer(), studio.viewer()
    ours, theirs = studio.live.start_session(carol), studio.live.start_session(dave)
    battle = studio.live.start_battle([ours.id, theirs.id], duration_s=300)
    return BattleOfTwo(carol, dave, alice, bob, ours, theirs, battle)


def test_a_streak_is_one_alert_with_its_sender_gift_and_combo_count_then_the_next_alert(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice, bob = studio.creator(), studio.viewer(), studio.viewer()
    session = studio.live.start_session(carol, title="Friday art")
    page = open_overlay(studio, "gift-alerts", carol, console_errors, "&show_ms=1500")
    for count in range(1, 8):
        studio.gift(alice, carol, ROSE, session.id, streak={"id": "c1", "repeat_count": count})
    studio.gift(bob, carol, DOUGHNUT, session.id)

    alert = page.locator(".alert")
    expect(alert).to_have_count(1)
    expect(alert.locator(".sender")).to_have_text(display_name(studio, alice))
    expect(alert.locator(".gift")).to_have_text("Rose")
    expect(alert.locator(".combo")).to_have_text("x7")
    assert_transparent(page)
    screenshot(page, "gift-alerts")
    # Bob's gift waited in the queue for Alice's alert to end.
    expect(alert.locator(".sender")).to_have_text(display_name(studio, bob))
    expect(alert.locator(".gift")).to_have_text("Doughnut")
    expect(alert.locator(".combo")).to_have_text("x1")
    expect(alert).to_have_count(0)


def test_the_goal_bar_shows_the_promise_the_percentage_and_the_completed_goal(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    studio.live.create_goal(session.id, kind=GoalKind.COINS, target=75, promise="speed-paint")
    page = open_overlay(studio, "goal-bar", carol, console_errors)  # the goal: from the state
    goal = page.locator(".goal")
    expect(goal.locator(".promise")).to_have_text("speed-paint")
    expect(goal.locator(".percent")).to_have_text("0%")

    studio.gift(alice, carol, DOUGHNUT, session.id)
    expect(goal.locator(".percent")).to_have_text("40%")
    expect(goal.locator(".amounts")).to_have_text("30 / 75 coins")
    expect(goal).to_have_attribute("data-state", "open")
    studio.gift(alice, carol, DOUGHNUT, session.id, quantity=2)
    expect(goal.locator(".percent")).to_have_text("100%")
    expect(goal).to_have_attribute("data-state", "completed")
    expect(goal.locator(".state")).to_have_text("Completed!")
    expect(goal.locator(".fill")).to_have_attribute("style", "width: 100%;")
    assert_transparent(page)
    screenshot(page, "goal-bar")


def test_the_leaderboard_ranks_the_sessions_supporters_by_coins(
    studio: Studio, console_errors: list[str]
) -> None:
    carol = studio.creator()
    alice, bob, dave = studio.viewer(), studio.viewer(), studio.viewer()
    session = studio.live.start_session(carol)
    page = open_overlay(studio, "leaderboard", carol, console_errors)
    studio.gift(alice, carol, DOUGHNUT, session.id)
    studio.gift(bob, carol, DOUGHNUT, session.id, quantity=3)
    studio.gift(dave, carol, DOUGHNUT, session.id, quantity=2)

    rows = page.locator(".supporter")
    names = {user: display_name(studio, user) for user in (alice, bob, dave)}
    expect(rows.locator(".name")).to_have_text([names[bob], names[dave], names[alice]])
    expect(rows.locator(".coins")).to_have_text(["90", "60", "30"])
    studio.gift(bob, carol, ROSE, session.id)  # the order holds: only Bob's coins grow
    expect(rows.locator(".coins")).to_have_text(["91", "60", "30"])
    studio.gift(alice, carol, DOUGHNUT, session.id, quantity=3)
    expect(rows.locator(".name")).to_have_text([names[alice], names[bob], names[dave]])
    expect(rows.locator(".coins")).to_have_text(["120", "91", "60"])
    expect(rows.locator(".rank")).to_have_text(["1", "2", "3"])
    assert_transparent(page)
    screenshot(page, "leaderboard")


def test_the_battle_bar_shows_scores_time_left_booster_and_the_winner(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, dave, alice, bob, ours, theirs, battle = battle_of_two(studio)
    page = open_overlay(studio, "battle-bar", carol, console_errors)
    bar = page.locator("#battle")
    expect(bar.locator(".status")).to_have_text(re.compile(r"^[45]:[0-5][0-9]$"))

    studio.gift(alice, carol, DOUGHNUT, ours.id, quantity=2)
    studio.gift(bob, dave, DOUGHNUT, theirs.id)
    carol_side = bar.locator(f'.side[data-session-id="{ours.id}"]')
    dave_side = bar.locator(f'.side[data-session-id="{theirs.id}"]')
    expect(carol_side.locator(".score")).to_have_text("60")
    expect(dave_side.locator(".score")).to_have_text("30")
    studio.live.trigger_booster(battle.id, session_id=theirs.id, by_user_id=dave, multiplier=2)
    expect(dave_side.locator(".booster")).to_have_text("x2 boost")
    expect(carol_side.locator(".booster")).to_have_count(0)
    carol_box, dave_box = carol_side.bounding_box(), dave_side.bounding_box()
    assert carol_box is not None and dave_box is not None
    assert carol_box["width"] > dave_box["width"]  # 60 against 30
    screenshot(page, "battle-bar")

    studio.live.end_battle(battle.id)
    expect(bar).to_have_attribute("data-state", "ended")
    expect(bar.locator(".status")).to_have_text("Battle over")
    expect(carol_side.locator(".result")).to_have_text("Winner")
    expect(dave_side.locator(".result")).to_have_count(0)
    expect(dave_side.locator(".booster")).to_have_count(0)
    assert_transparent(page)
    screenshot(page, "battle-bar-ended")


def dance_goal(studio: Studio) -> tuple[UserId, UserId, LiveSession]:
    """Carol live with a goal of 75 coins (she dances), and Alice to send gifts."""
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    studio.live.create_goal(session.id, kind=GoalKind.COINS, target=75, promise="dance")
    return carol, alice, session


def test_a_goal_bar_opened_after_its_events_left_the_buffer_shows_the_goal_from_the_state(
    browser: Browser, tmp_path: Path, console_errors: list[str]
) -> None:
    with open_studio(browser, tmp_path, buffer=SMALL_BUFFER_EVENTS) as studio:
        carol, alice, session = dance_goal(studio)
        studio.gift(alice, carol, DOUGHNUT, session.id)
        studio.burst(carol, 2 * SMALL_BUFFER_EVENTS)  # the goal leaves the buffer
        page = studio.open("goal-bar", f"token={studio.room_token(carol)}")
        expect(page.locator(".goal .promise")).to_have_text("dance")
        expect(page.locator(".goal .amounts")).to_have_text("30 / 75 coins")

        studio.gift(alice, carol, DOUGHNUT, session.id)  # and it resumes after the state
        expect(page.locator(".goal .amounts")).to_have_text("60 / 75 coins")
        assert console_errors == []


def test_a_goal_bar_that_falls_behind_resynchronises_from_the_state_before_any_new_event(
    browser: Browser, tmp_path: Path, console_errors: list[str]
) -> None:
    with open_studio(browser, tmp_path, buffer=SMALL_BUFFER_EVENTS) as studio:
        carol, alice, session = dance_goal(studio)
        page = open_overlay(studio, "goal-bar", carol, console_errors)
        studio.gift(alice, carol, DOUGHNUT, session.id)
        expect(page.locator(".goal .percent")).to_have_text("40%")

        last_event_id = studio.burst(carol, 2 * SMALL_BUFFER_EVENTS)  # it falls behind
        body = page.locator("body")
        expect(body).to_have_attribute("data-resyncs", "1")
        # Nothing was published since: what it shows came from the state route.
        expect(body).to_have_attribute("data-last-event-id", last_event_id)
        goal = page.locator(".goal")
        expect(goal.locator(".promise")).to_have_text("dance")
        expect(goal.locator(".percent")).to_have_text("40%")
        expect(goal.locator(".amounts")).to_have_text("30 / 75 coins")
        expect(goal).to_have_attribute("data-state", "open")
        expect(body).to_have_attribute("data-connection", "open")
        assert studio.world.bus.last_id(carol) == last_event_id

        studio.gift(alice, carol, DOUGHNUT, session.id, quantity=2)  # and events go on
        expect(goal.locator(".percent")).to_have_text("100%")


def test_the_leaderboard_and_battle_bar_opened_mid_battle_show_the_standings_at_once(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, dave, alice, bob, ours, theirs, _ = battle_of_two(studio)
    studio.gift(alice, carol, DOUGHNUT, ours.id)
    studio.gift(bob, carol, DOUGHNUT, ours.id, quantity=2)
    studio.gift(alice, dave, ROSE, theirs.id)
    token = studio.room_token(carol)

    board = studio.open("leaderboard", f"token={token}")
    rows = board.locator(".supporter")
    expect(rows.locator(".name")).to_have_text(
        [display_name(studio, bob), display_name(studio, alice)]
    )
    expect(rows.locator(".coins")).to_have_text(["60", "30"])
    bar = studio.open("battle-bar", f"token={token}").locator("#battle")
    expect(bar).to_have_attribute("data-state", "running")
    expect(bar.locator(f'.side[data-session-id="{ours.id}"] .score')).to_have_text("90")
    expect(bar.locator(f'.side[data-session-id="{theirs.id}"] .score')).to_have_text("1")
    expect(bar.locator(".status")).to_have_text(re.compile(r"^[45]:[0-5][0-9]$"))


def test_an_overlay_with_another_rooms_token_is_refused(studio: Studio) -> None:
    carol, dave = studio.creator(), studio.creator()
    page = studio.open("goal-bar", f"token={studio.room_token(dave)}&room={carol}")
    expect(page.locator("body")).to_have_attribute("data-connection", "refused")


def test_pages_allow_only_this_server_and_are_revalidated(studio: Studio) -> None:
    client = studio.world.client
    page = client.get("/overlays/gift-alerts.html")
    assert page.status_code == 200
    host = client.base_url.netloc.decode()
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "script-src 'self'" in policy
    assert f"connect-src 'self' ws://{host} wss://{host}" in policy
    assert page.headers["cache-control"] == "no-cache"
    script = client.get("/overlays/overlay.js")
    assert script.headers["content-type"].startswith("text/javascript")
    assert script.headers["cache-control"] == "no-cache"
    names = client.get("/overlays/gifts.json").json()["gifts"]
    assert names[str(ROSE)] == "Rose"
    assert (names["7764"], names["8420"]) == ("Star Throne #7764", "Star Throne #8420")
    assert client.get("/overlays/nothing.html").status_code == 404
