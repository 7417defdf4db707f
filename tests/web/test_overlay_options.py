"""The overlays' URL options, names, goals and alerts under load, as OBS shows them:
pages opened in headless Chromium against a served economy, gifts sent through the
API. Screenshots go to test-artifacts/overlays/."""

from __future__ import annotations

import time
from pathlib import Path

from playwright.sync_api import Browser, Page, expect

from giftflow.ids import GiftId
from giftflow.live.goals import GoalKind
from tests.api.conftest import DOUGHNUT, LION, ROSE
from tests.web.conftest import Studio, open_studio, screenshot
from tests.web.test_overlays import (
    assert_transparent,
    battle_of_two,
    console_errors,
    display_name,
    open_overlay,
)

__all__ = ["console_errors"]  # the fixture, used by name

SHOW_MS = 6_000
NAIVE_QUEUE_S = 5 * SHOW_MS / 1000
"""Five alerts queued at SHOW_MS one after the other, as the alerts once did."""


def style(page: Page, selector: str, property_name: str) -> str:
    value: str = page.eval_on_selector(
        selector, f"node => getComputedStyle(node).getPropertyValue('{property_name}')"
    )
    return value.strip()


def test_a_burst_of_alerts_merges_by_sender_and_gift_stays_bounded_and_drains_fast(
    studio: Studio, console_errors: list[str]
) -> None:
    carol = studio.creator()
    alice, bob, dave = (studio.viewer() for _ in range(3))
    erin = studio.viewer(40_000)
    session = studio.live.start_session(carol)
    # While others wait, Alice's alert shows SHOW_MS / 2 or less: long enough for the
    # gifts below to arrive while it shows.
    query = f"&show_ms={SHOW_MS}&min_ms=500&queue_max=2"
    page = open_overlay(studio, "gift-alerts", carol, console_errors, query)
    started = time.monotonic()
    for count in range(1, 6):  # a streak: one alert
        studio.gift(alice, carol, ROSE, session.id, streak={"id": "s1", "repeat_count": count})
    studio.gift(alice, carol, ROSE, session.id, quantity=2)  # a quick repeat joins it
    alert = page.locator(".alert")
    expect(alert.locator(".sender")).to_have_text(display_name(studio, alice))
    expect(alert.locator(".combo")).to_have_text("x7")
    screenshot(page, "gift-alerts-merged")
    studio.gift(bob, carol, DOUGHNUT, session.id)
    studio.gift(bob, carol, DOUGHNUT, session.id, quantity=2)  # Bob's waiting alert: x3
    studio.gift(dave, carol, ROSE, session.id)  # 1 coin
    studio.gift(erin, carol, LION, session.id)  # past queue_max: Dave's 1 coin is dropped
    body = page.locator("body")
    expect(body).to_have_attribute("data-alerts-dropped", "1")

    sender = alert.locator(".sender")
    expect(sender).to_have_text(display_name(studio, bob))
    expect(alert.locator(".combo")).to_have_text("x3")
    expect(sender).to_have_text(display_name(studio, erin))  # Dave's was dropped
    expect(alert).to_have_count(0, timeout=SHOW_MS + 2_000)  # the last one: show_ms
    assert time.monotonic() - started < NAIVE_QUEUE_S


def test_alerts_ring_the_servers_chime_for_gifts_worth_the_threshold(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    query = "&sound=on&sound_min_coins=10&volume=50&show_ms=500"
    page = open_overlay(studio, "gift-alerts", carol, console_errors, query)
    page.mouse.click(5, 5)  # OBS lets a browser source play; Chromium wants a gesture first
    studio.gift(alice, carol, DOUGHNUT, session.id)  # 30 coins: rings
    body = page.locator("body")
    expect(body).to_have_attribute("data-sounds-played", "1")
    expect(page.locator(".alert")).to_have_count(0)
    studio.gift(alice, carol, ROSE, session.id)  # 1 coin: silent
    expect(page.locator(".alert")).to_have_count(1)
    expect(page.locator(".alert")).to_have_count(0)
    assert body.get_attribute("data-sounds-played") == "1"
    assert body.get_attribute("data-sounds-blocked") is None

    chime = studio.world.client.get("/overlays/sounds/chime.wav")
    assert chime.status_code == 200 and chime.headers["content-type"] == "audio/wav"
    assert chime.content[:4] == b"RIFF" and chime.content[8:12] == b"WAVE"
    policy = studio.world.client.get("/overlays/gift-alerts.html").headers
    assert "media-src 'self'" in policy["content-security-policy"]


def test_the_goal_bar_shows_every_goal_of_the_session_or_the_ones_picked(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    goals = [
        studio.live.create_goal(session.id, kind=GoalKind.COINS, target=60, promise="dance"),
        studio.live.create_goal(session.id, kind=GoalKind.COINS, target=300, promise="sing"),
        studio.live.create_goal(
            session.id, kind=GoalKind.GIFT_COUNT, target=10, gift_id=GiftId(ROSE), promise="roses"
        ),
    ]
    every = open_overlay(studio, "goal-bar", carol, console_errors)
    only_open = open_overlay(studio, "goal-bar", carol, console_errors, "&goals=open")
    ids = f"{goals[2].id},{goals[0].id}"
    picked = open_overlay(studio, "goal-bar", carol, console_errors, f"&goals={ids}")
    expect(every.locator(".goal .promise")).to_have_text(["dance", "sing", "roses"])
    expect(picked.locator(".goal .promise")).to_have_text(["roses", "dance"])

    studio.gift(alice, carol, DOUGHNUT, session.id, quantity=2)  # 60 coins: dance is done
    studio.gift(alice, carol, ROSE, session.id, quantity=3)
    expect(every.locator(".goal")).to_have_count(3)
    expect(every.locator(".goal .state")).to_have_text(["Completed!", "", ""])
    expect(every.locator(".goal .amounts")).to_have_text(
        ["60 / 60 coins", "63 / 300 coins", "3 / 10 \u00d7 Rose"]
    )
    expect(only_open.locator(".goal .promise")).to_have_text(["sing", "roses"])
    expect(picked.locator(".goal .percent")).to_have_text(["30%", "100%"])
    assert_transparent(every)
    screenshot(every, "goal-bar-every-goal")


def test_url_options_theme_font_size_and_position_the_overlay(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    studio.live.create_goal(session.id, kind=GoalKind.COINS, target=100, promise="paint")
    studio.gift(alice, carol, DOUGHNUT, session.id)
    query = "&theme=light&accent=00a86b&font=mono&font_size=40&position=bottom-right"
    page = open_overlay(studio, "goal-bar", carol, console_errors, query)
    expect(page.locator(".goal .amounts")).to_have_text("30 / 100 coins")
    assert page.locator("body").get_attribute("data-invalid-options") is None
    assert style(page, "body", "font-size") == "40px"
    assert "monospace" in style(page, "body", "font-family")
    assert style(page, "body", "align-items") == "flex-end"
    assert style(page, "body", "justify-content") == "flex-end"
    assert style(page, ".goal", "background-color") == "rgba(255, 255, 255, 0.85)"
    assert "rgb(0, 168, 107)" in style(page, ".goal .fill", "background-image")
    box = page.locator(".goal").bounding_box()
    assert box is not None and box["y"] + box["height"] > 200  # at the bottom of 240
    assert_transparent(page)
    screenshot(page, "goal-bar-themed")


def test_invalid_url_options_are_listed_and_ignored_and_the_page_still_works(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    query = "&font_size=9000&accent=red&position=middle&fontsize=40&goals=some&lang=xx"
    page = open_overlay(studio, "goal-bar", carol, console_errors, query)
    studio.live.create_goal(session.id, kind=GoalKind.COINS, target=75, promise="dance")
    studio.gift(alice, carol, DOUGHNUT, session.id)
    expect(page.locator(".goal .amounts")).to_have_text("30 / 75 coins")  # English
    invalid = page.locator("body").get_attribute("data-invalid-options") or ""
    assert invalid.split(",") == ["font_size", "accent", "position", "fontsize", "goals", "lang"]
    assert style(page, "body", "font-size") == "28px"
    assert style(page, "body", "align-items") == "flex-start"


def test_the_battle_bar_names_each_side_and_its_mvp(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, dave, alice, bob, ours, theirs, battle = battle_of_two(studio)
    page = open_overlay(studio, "battle-bar", carol, console_errors)
    side = page.locator("#battle .side")
    expect(side.locator(".name")).to_have_text(
        [display_name(studio, carol), display_name(studio, dave)]
    )
    studio.gift(alice, carol, DOUGHNUT, ours.id)
    studio.gift(bob, dave, ROSE, theirs.id)
    studio.live.end_battle(battle.id)
    expect(side.locator(".mvp")).to_have_text(
        [f"MVP {display_name(studio, alice)}", f"MVP {display_name(studio, bob)}"]
    )
    screenshot(page, "battle-bar-names")


def test_overlays_in_french_by_the_servers_locale_or_the_lang_option(
    browser: Browser, tmp_path: Path, console_errors: list[str]
) -> None:
    with open_studio(browser, tmp_path, buffer=1_000, locale="fr") as studio:
        carol, alice = studio.creator(), studio.viewer(100_000)
        session = studio.live.start_session(carol)
        studio.live.create_goal(session.id, kind=GoalKind.COINS, target=1_500, promise="danse")
        page = open_overlay(studio, "goal-bar", carol, console_errors)
        english = open_overlay(studio, "goal-bar", carol, console_errors, "&lang=en")
        studio.gift(alice, carol, LION, session.id)  # 29,999 coins
        goal = page.locator(".goal")
        expect(goal.locator(".amounts")).to_have_text("29\u202f999 / 1\u202f500 pièces")
        expect(goal.locator(".state")).to_have_text("Terminé !")
        expect(english.locator(".goal .state")).to_have_text("Completed!")
        expect(english.locator(".goal .amounts")).to_have_text("29,999 / 1,500 coins")
        assert page.evaluate("document.documentElement.lang") == "fr"
        screenshot(page, "goal-bar-fr")

        alerts = open_overlay(studio, "gift-alerts", carol, console_errors)
        studio.gift(alice, carol, ROSE, session.id)
        expect(alerts.locator(".alert .verb")).to_have_text("a envoyé")
        screenshot(alerts, "gift-alerts-fr")
