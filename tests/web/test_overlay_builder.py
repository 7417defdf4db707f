"""The overlay URL builder (/overlays/builder.html) in headless Chromium against a served
economy: its form is the overlays' own option definitions, what is set goes in the URL
(and what is not valid stays out), the preview is the overlay at that URL with the
options applied, live on the room, and the URL is copied as it is shown."""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import parse_qsl, urlsplit

from playwright.sync_api import Page, expect

from tests.api.conftest import ROSE
from tests.web.conftest import Studio, screenshot
from tests.web.test_overlays import console_errors

__all__ = ["console_errors"]  # the fixture, used by name

OVERLAYS_DIRECTORY = Path(__file__).parents[2] / "src" / "giftflow" / "web" / "overlays"


def open_builder(studio: Studio, errors: list[str], query: str = "") -> Page:
    page = studio.browser.new_page(viewport={"width": 1200, "height": 1400})
    page.on(
        "console", lambda message: errors.append(message.text) if message.type == "error" else None
    )
    page.on("pageerror", lambda error: errors.append(str(error)))
    page.goto(f"{studio.base_url}/overlays/builder.html?{query}")
    expect(page.locator("body")).to_have_attribute("data-ready", "true")
    return page


def built(page: Page) -> tuple[str, dict[str, str]]:
    url = page.locator("#url").input_value()
    parts = urlsplit(url)
    return parts.path, dict(parse_qsl(parts.query))


def test_setting_options_changes_the_url_and_the_preview_applies_them(
    studio: Studio, console_errors: list[str]
) -> None:
    carol, alice = studio.creator(), studio.viewer()
    session = studio.live.start_session(carol)
    token = studio.room_token(carol)
    page = open_builder(studio, console_errors)
    assert built(page) == ("/overlays/gift-alerts.html", {})
    assert page.locator("#preview").get_attribute("src") == "about:blank"  # no room yet
    expect(page.locator("#preview-hint")).to_be_visible()

    page.select_option("#overlay", "leaderboard")
    page.fill("#option-token", token)
    page.select_option("#option-theme", "light")
    page.select_option("#option-position", "bottom-right")
    page.fill("#option-font_size", "44")
    page.fill("#option-accent", "#ff5fa2")
    page.fill("#option-rows", "3")

    path, query = built(page)
    assert path == "/overlays/leaderboard.html"
    assert query == {
        "token": token,
        "theme": "light",
        "accent": "ff5fa2",
        "font_size": "44",
        "position": "bottom-right",
        "rows": "3",
    }
    frame = page.frame_locator("#preview")
    body = frame.locator("body")
    expect(body).to_have_class(re.compile(r"\btheme-light\b.*\bposition-bottom-right\b"))
    expect(body).to_have_attribute("data-connection", "open")
    assert page.locator("#preview").get_attribute("src") == page.locator("#url").input_value()
    size = body.evaluate("node => getComputedStyle(node).getPropertyValue('--font-size')")
    accent = body.evaluate("node => getComputedStyle(node).getPropertyValue('--accent')")
    assert (size.strip(), accent.strip()) == ("44px", "#ff5fa2")
    assert body.get_attribute("data-invalid-options") is None  # the page took them all
    studio.gift(alice, carol, ROSE, session.id, quantity=3)
    expect(frame.locator("li.supporter")).to_have_count(1)  # the preview is live on the room
    screenshot(page, "overlay-builder")
    page.close()


def test_a_value_the_overlay_would_refuse_is_marked_and_left_out(
    studio: Studio, console_errors: list[str]
) -> None:
    page = open_builder(studio, console_errors, "overlay=gift-alerts")
    page.fill("#option-show_ms", "100")  # under 500: the page would ignore it
    page.fill("#option-color", "red")  # hex only
    page.fill("#option-volume", "35")

    assert built(page)[1] == {"volume": "35"}
    assert page.locator("body").get_attribute("data-invalid") == "color,show_ms"
    expect(page.locator("#option-show_ms")).to_have_attribute("aria-invalid", "true")
    page.fill("#option-show_ms", "2500")
    assert built(page)[1] == {"show_ms": "2500", "volume": "35"}
    expect(page.locator("#option-show_ms")).to_have_attribute("aria-invalid", "false")
    page.close()


def test_the_form_offers_every_option_each_overlay_reads(
    studio: Studio, console_errors: list[str]
) -> None:
    page = open_builder(studio, console_errors)
    common = {"token", "room", "theme", "accent", "color", "panel", "font", "font_size"}
    common |= {"position", "lang"}
    own = {
        "gift-alerts": {"show_ms", "min_ms", "queue_max", "sound", "sound_min_coins", "volume"},
        "goal-bar": {"goals"},
        "leaderboard": {"rows"},
        "battle-bar": set(),
        "countdown": set(),
    }
    for overlay, names in own.items():
        page.select_option("#overlay", overlay)
        offered = page.eval_on_selector_all("#builder [name]", "nodes => nodes.map(n => n.name)")
        assert set(offered) - {"overlay"} == common | names, overlay
        labels = page.eval_on_selector_all(
            "#builder label code", "codes => codes.map(c => c.textContent)"
        )
        assert set(labels) == common | names  # every option has its label
        assert f"{overlay}.js" in {p.name for p in OVERLAYS_DIRECTORY.glob("*.js")}
    page.close()


def test_the_builder_in_french_and_the_copied_url(
    studio: Studio, console_errors: list[str]
) -> None:
    carol = studio.creator()
    token = studio.room_token(carol)
    page = open_builder(studio, console_errors, f"lang=fr&overlay=goal-bar&token={token}")
    page.context.grant_permissions(["clipboard-read", "clipboard-write"])
    assert page.locator("h1").inner_text() == "Créateur d’URL d’overlay"  # noqa: RUF001
    assert page.locator('label[for="option-theme"]').inner_text().startswith("Thème")
    assert page.locator("#copy").inner_text() == "Copier"
    page.fill("#option-goals", "open")

    page.click("#copy")

    url = page.locator("#url").input_value()
    assert built(page)[1] == {"token": token, "goals": "open"}
    expect(page.locator("#copied")).to_have_text("Copié")
    assert page.locator("body").get_attribute("data-copied") == url
    assert page.evaluate("navigator.clipboard.readText()") == url
    page.close()


def test_only_the_builder_may_frame_this_servers_pages(studio: Studio) -> None:
    builder = studio.world.client.get("/overlays/builder.html")
    overlay = studio.world.client.get("/overlays/goal-bar.html")

    assert builder.status_code == overlay.status_code == 200
    assert "frame-src 'self'" in builder.headers["content-security-policy"]
    assert "default-src 'none'" in builder.headers["content-security-policy"]
    assert "frame-src" not in overlay.headers["content-security-policy"]
