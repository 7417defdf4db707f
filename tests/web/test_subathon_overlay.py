"""The subathon overlay in headless Chromium: the timer read from the room's state,
counting down, a gift that adds time shown as "+time from name", "Paused" with the time
standing still, a reload that reads the same time from the state, "Subathon over"
once ended, and the texts in French with ``lang=fr``."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import expect

from tests.api.conftest import DOUGHNUT
from tests.web.conftest import Studio, screenshot
from tests.web.test_overlays import assert_transparent, open_overlay

TIERS = [{"min_coins": 30, "add_s": 3_600}]


@pytest.fixture
def console_errors() -> Iterator[list[str]]:
    errors: list[str] = []
    yield errors
    assert errors == []


def test_the_subathon_overlay_counts_down_shows_gifts_and_pauses(
    studio: Studio, console_errors: list[str]
) -> None:
    world = studio.world
    carol, fan = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    body = {"initial_s": 7_200, "cap_s": 86_400, "tiers": TIERS}
    subathon = world.ok(world.post(f"/v1/rooms/{carol}/subathons", body, world.admin_key), 201)
    page = open_overlay(studio, "subathon", carol, console_errors)
    panel = page.locator("#subathon")
    expect(panel).to_have_attribute("data-subathon", subathon["id"])
    expect(panel).to_have_attribute("data-state", "running")
    expect(panel.locator(".label")).to_have_text("Subathon")
    expect(panel.locator(".left")).to_have_text(re.compile(r"^(02:00:00|01:59:5\d)$"))
    assert_transparent(page)

    studio.gift(fan, carol, DOUGHNUT, session.id)  # an hour more
    expect(panel.locator(".left")).to_have_text(re.compile(r"^(03:00:00|02:59:5\d)$"))
    expect(panel.locator(".added")).to_be_visible()
    expect(panel.locator(".added")).to_have_text(re.compile(r"^\+01:00:00 from Viewer-\d+$"))
    screenshot(page, "subathon")

    path = f"/v1/subathons/{subathon['id']}"
    paused = world.ok(world.post(f"{path}/pause", None, world.admin_key))
    expect(panel).to_have_attribute("data-state", "paused")
    expect(panel.locator(".label")).to_have_text("Paused")
    still = clock_text(paused["remaining_ns"])
    expect(panel.locator(".left")).to_have_text(still)
    page.reload()  # the same standing time, from the state
    expect(panel).to_have_attribute("data-state", "paused")
    expect(panel.locator(".left")).to_have_text(still)

    world.ok(world.post(f"{path}/end", None, world.admin_key))
    expect(panel).to_have_attribute("data-state", "ended")
    expect(panel.locator(".label")).to_have_text("Subathon over")
    expect(panel.locator(".left")).to_have_text("00:00:00")

    french = open_overlay(studio, "subathon", carol, console_errors, "&lang=fr&ended=show")
    expect(french.locator("#subathon .label")).to_have_text("Subathon terminé")
    hidden = open_overlay(studio, "subathon", carol, console_errors, "&ended=hide")
    expect(hidden.locator("#subathon")).to_be_hidden()


def test_the_subathon_overlay_shows_nothing_without_a_subathon(
    studio: Studio, console_errors: list[str]
) -> None:
    carol = studio.creator()
    page = open_overlay(studio, "subathon", carol, console_errors, "&added=sometimes")
    expect(page.locator("body")).to_have_attribute("data-invalid-options", "added")
    expect(page.locator("#subathon")).to_be_hidden()


def clock_text(ns: int) -> str:
    total = -(-ns // 1_000_000_000)
    hours, rest = divmod(total, 3_600)
    return f"{hours:02d}:{rest // 60:02d}:{rest % 60:02d}"
