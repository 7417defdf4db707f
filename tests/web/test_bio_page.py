"""The link-in-bio page in headless Chromium with JavaScript off, as a visitor without
scripts sees it: its sections render, nothing is fetched from another origin, a link
goes through the counter to the creator's address, the lead form (a plain POST) leaves
an address, the browser will not send it without the consent ticked, the server refuses
it all the same, and the confirmation link's button completes the double opt-in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import urlsplit

from playwright.sync_api import Browser, Page, Request

from giftflow.creator.leads import LeadState, Purpose
from giftflow.ids import UserId
from giftflow.service.creator import bio_leads
from giftflow.service.creator.bio import Bio, BioSettings
from tests.api.conftest import TOKEN_SECRET
from tests.web.conftest import ARTIFACTS, DASHBOARD_VIEWPORT, Studio

CONSENT = "I agree to get emails about Carol's LIVEs. Unsubscribe any time."


def bio_of(studio: Studio) -> Bio:
    """The service over the served economy, signing with the server's secret."""
    settings = BioSettings(secret=TOKEN_SECRET.encode(), public_url=studio.base_url)
    return Bio(studio.live.context, settings)


def set_up(studio: Studio) -> int:
    world = studio.world
    carol = studio.creator()
    page = {"slug": "carol", "title": "Carol draws", "about": "Art LIVEs", "consent_text": CONSENT}
    world.ok(world.put_json(f"/v1/creators/{carol}/bio", page, world.admin_key))
    links = {"links": [{"title": "My shop", "url": f"{studio.base_url}/health"}]}
    world.ok(world.put_json(f"/v1/creators/{carol}/bio/links", links, world.admin_key))
    starts = datetime.fromtimestamp(world.clock.now_ns() // 10**9, UTC) + timedelta(hours=5)
    schedule = {"title": "Sunday portraits", "starts_at": starts.isoformat()}
    world.ok(world.post(f"/v1/rooms/{carol}/schedules", schedule, world.admin_key), 201)
    perks = {"perks": [{"level": 1, "kind": "badge", "value": "Fan"}]}
    world.ok(world.put_json(f"/v1/rooms/{carol}/perks", perks, world.admin_key))
    file_id = world.ok(world.upload(carol, b"preset", filename="brushes.txt"), 201)["id"]
    perk = {"kind": "file", "level": 2, "file_id": file_id}
    world.ok(world.post(f"/v1/rooms/{carol}/delivering-perks", perk, world.admin_key), 201)
    product = {"title": "Brush pack", "price_coins": 1200, "file_ids": [file_id]}
    world.ok(world.post(f"/v1/rooms/{carol}/products", product, world.admin_key), 201)
    return carol


def record(fetched: list[str], request: Request) -> None:
    fetched.append(request.url)


def no_script_page(browser: Browser) -> Page:
    context = browser.new_context(java_script_enabled=False, viewport=DASHBOARD_VIEWPORT)
    return context.new_page()


def test_the_page_renders_and_the_lead_form_works_without_javascript(studio: Studio) -> None:
    carol = set_up(studio)
    page = no_script_page(studio.browser)
    fetched: list[str] = []
    page.on("request", lambda request: record(fetched, request))
    page.goto(f"{studio.base_url}/b/carol")
    assert page.locator("h1").inner_text() == "Carol draws"
    assert page.locator("section.links a.link").inner_text() == "My shop"
    assert "Sunday portraits" in page.locator("section.schedules").inner_text()
    assert "Fan" in page.locator("section.perks").inner_text()
    assert "A download" in page.locator("section.perks li[data-level='2']").inner_text()
    assert page.locator("section.products li strong").inner_text() == "Brush pack"
    assert "1,200 coins" in page.locator("section.products").inner_text()
    assert page.locator(".consent-text").inner_text() == CONSENT
    ARTIFACTS.parent.joinpath("bio").mkdir(parents=True, exist_ok=True)
    page.screenshot(path=ARTIFACTS.parent / "bio" / "page.png", full_page=True)
    assert all(url.startswith(studio.base_url) for url in fetched), fetched

    # The browser does not send the form without the consent ticked.
    page.fill("input[name=email]", "fan@example.com")
    page.click("button[type=submit]")
    assert page.url == f"{studio.base_url}/b/carol"
    assert studio.world.count("bio_leads") == 0

    page.check("input[name=consent]")
    page.click("button[type=submit]")
    assert "fan@example.com" in page.locator("main").inner_text()
    (lead,) = studio.world.ok(
        studio.world.get(f"/v1/creators/{carol}/leads", studio.world.admin_key)
    )["leads"]
    assert lead["state"] == "pending"

    page.goto(f"{studio.base_url}/b/carol")
    page.locator("a.link").click()
    assert page.url == f"{studio.base_url}/health"
    figures = studio.world.ok(
        studio.world.get(f"/v1/creators/{carol}/bio/analytics", studio.world.admin_key)
    )
    assert (figures["views"], figures["clicks"]) == (2, 1)


def test_the_server_refuses_a_form_without_consent_and_the_confirmation_completes(
    studio: Studio,
) -> None:
    carol = set_up(studio)
    page = studio.browser.new_page(viewport=DASHBOARD_VIEWPORT)
    page.goto(f"{studio.base_url}/b/carol")
    page.fill("input[name=email]", "fan@example.com")
    page.evaluate("document.querySelector('form.lead').noValidate = true")
    page.click("button[type=submit]")
    assert page.locator("[data-code=lead_consent_missing]").count() == 1
    assert page.locator("[role=alert]").is_visible()
    assert studio.world.count("bio_leads") == 0

    page.check("input[name=consent]")
    page.click("button[type=submit]")
    bio = bio_of(studio)
    lead = bio_leads.leads(bio, UserId(carol), limit=1)[0]
    confirm = urlsplit(bio_leads.link(bio, lead, Purpose.CONFIRM))
    page.goto(f"{studio.base_url}{confirm.path}?{confirm.query}")
    assert bio_leads.leads(bio, UserId(carol), limit=1)[0].state is LeadState.PENDING
    page.click("form button")
    assert page.locator("[data-done=confirm]").count() == 1
    assert bio_leads.leads(bio, UserId(carol), limit=1)[0].state is LeadState.CONFIRMED
