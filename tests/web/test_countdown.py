"""The countdown overlay in headless Chromium: a scheduled LIVE read from the room's
countdown state, the time left to its start, a change of start through the API, then
"LIVE now" once the session that takes it up starts, and nothing after it ends."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect

from tests.web.conftest import Studio, screenshot
from tests.web.test_overlays import assert_transparent, open_overlay

HOUR_S = 3_600


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    errors: list[str] = []
    yield errors
    assert errors == []


def _at(studio: Studio, seconds: int) -> str:
    now = datetime.fromtimestamp(studio.world.clock.now_ns() // 1_000_000_000, UTC)
    return (now + timedelta(seconds=seconds)).isoformat()


def _schedule(studio: Studio, creator: int, title: str, seconds: int) -> str:
    world = studio.world
    body = {"title": title, "starts_at": _at(studio, seconds)}
    answer = world.post(f"/v1/rooms/{creator}/schedules", body, world.admin_key)
    schedule_id: str = world.ok(answer, 201)["id"]
    return schedule_id


def test_the_countdown_counts_to_the_next_scheduled_live_then_shows_it_live(
    studio: Studio, console_errors: list[str]
) -> None:
    world = studio.world
    carol = studio.creator()
    first = _schedule(studio, carol, "Friday art", 2 * HOUR_S)  # read from the state
    page = open_overlay(studio, "countdown", carol, console_errors)
    panel = page.locator("#countdown")
    expect(panel).to_have_attribute("data-schedule", first)
    expect(panel.locator(".title")).to_have_text("Friday art")
    expect(panel.locator(".left")).to_have_text(re.compile(r"^(02:00:00|01:59:5\d)$"))
    expect(panel).to_have_attribute("data-state", "counting")
    assert_transparent(page)
    screenshot(page, "countdown")

    # An earlier LIVE scheduled meanwhile comes first (an event, no reload).
    sooner = _schedule(studio, carol, "Quick chat", 3 * 86_400 + 600)
    expect(panel).to_have_attribute("data-schedule", first)  # later than the first
    moved = world.patch_json(
        f"/v1/schedules/{sooner}", {"starts_at": _at(studio, 600)}, world.admin_key
    )
    world.ok(moved)
    expect(panel).to_have_attribute("data-schedule", sooner)
    expect(panel.locator(".left")).to_have_text(re.compile(r"^(00:10:00|00:09:5\d)$"))

    # Carol goes live five minutes early: the session takes the due LIVE up.
    world.clock.advance(seconds=300)
    session = world.ok(world.post(f"/v1/rooms/{carol}/sessions", {}, world.admin_key), 201)
    expect(panel).to_have_attribute("data-state", "live")
    expect(panel.locator(".left")).to_have_text("LIVE now")
    world.ok(world.post(f"/v1/sessions/{session['id']}/end", None, world.admin_key))
    expect(panel).to_be_hidden()

    # A reload shows the next one from the state again.
    page.reload()
    expect(panel).to_have_attribute("data-schedule", first)
    world.ok(world.post(f"/v1/schedules/{first}/cancel", None, world.admin_key))
    expect(panel).to_be_hidden()


def test_the_countdown_shows_nothing_without_a_scheduled_live(
    studio: Studio, console_errors: list[str]
) -> None:
    carol = studio.creator()
    page = open_overlay(studio, "countdown", carol, console_errors)
    expect(page.locator("#countdown")).to_be_hidden()
    expect(page.locator("body")).to_have_attribute("data-connection", "open")


def test_the_countdown_speaks_french_with_lang_fr(
    studio: Studio, console_errors: list[str]
) -> None:
    world = studio.world
    carol = studio.creator()
    _schedule(studio, carol, "Dessin du vendredi", 3 * 86_400 + 600)
    page = open_overlay(studio, "countdown", carol, console_errors, "&lang=fr")
    panel = page.locator("#countdown")
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(panel.locator(".left")).to_have_text(re.compile(r"^3 j 00:(10:00|09:5\d)$"))

    world.clock.advance(seconds=3 * 86_400 + 660)  # past its start, within the grace
    page.reload()
    expect(panel).to_have_attribute("data-state", "soon")
    expect(panel.locator(".left")).to_have_text("Ça commence bientôt")

    world.ok(world.post(f"/v1/rooms/{carol}/sessions", {}, world.admin_key), 201)
    expect(panel).to_have_attribute("data-state", "live")
    expect(panel.locator(".left")).to_have_text("En LIVE")
