"""Promote on the dashboard in headless Chromium: the administrators' review queue and
its forms (the API then agrees), a creator's promotions and one promotion's report,
whose pacing chart's points equal the API's report, and the refusals."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from giftflow.web.dashboard.session import COOKIE
from tests.web.conftest import Showcase, full_screenshot
from tests.web.test_dashboard import attributes, points

HOUR_S = 3_600


def _now(showcase: Showcase) -> datetime:
    return datetime.fromtimestamp(showcase.studio.world.clock.now_ns() / 1e9, UTC)


def _submitted(showcase: Showcase, content_id: str, **fields: Any) -> str:
    """A promotion of creator A, submitted (its budget reserved): in review."""
    world = showcase.studio.world
    creator, token = showcase.ids["a"], world.token(showcase.ids["a"], "creator")
    starts = _now(showcase)
    body = {
        "creator_id": creator,
        "content_kind": "video",
        "content_id": content_id,
        "goal": "followers",
        "budget_coins": 600,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=6)).isoformat(),
    } | fields
    draft = world.ok(world.post("/v1/promotions", body, token, key=world.new_key()), 201)
    world.ok(world.post(f"/v1/promotions/{draft['id']}/submit", None, token, key=world.new_key()))
    promotion_id: str = draft["id"]
    return promotion_id


def _deliver(showcase: Showcase, hours: int) -> None:
    """The platform's feed over ``hours``: a few requests a minute, each viewable."""
    world = showcase.studio.world
    feed = world.key("promote:write")
    for minute in range(hours * 60):
        fill = {"viewer_id": 10_000 + minute, "region": "US", "age_band": "25-34", "slots": 2}
        placements = world.ok(world.post("/v1/promote/fill", fill, feed))["placements"]
        world.clock.advance(seconds=3)
        events = [
            {"impression_id": p["impression_id"], "kind": "viewable", "visible_ms": 2_500}
            for p in placements
        ]
        if events:
            world.ok(
                world.post("/v1/promote/events", {"events": events}, feed, key=world.new_key())
            )
        world.clock.advance(seconds=57)


def test_an_admin_reviews_promotions_and_the_pacing_chart_equals_the_report(
    showcase: Showcase,
) -> None:
    world = showcase.studio.world
    world.buy(showcase.ids["a"], 2_000)
    approved = _submitted(showcase, "clip-approve")
    rejected = _submitted(showcase, "clip-reject")
    page = showcase.signed_in("admin", "/admin/promotions")
    assert page.url == f"{showcase.base_url}/admin/promotions"
    queue = attributes(page, "tr[data-promotion]", "data-promotion")
    assert sorted(q or "" for q in queue) == sorted([approved, rejected])
    full_screenshot(page, "promotions-review")
    page.click(f'tr[data-promotion="{approved}"] button:has-text("Approve")')
    assert page.url == f"{showcase.base_url}/admin/promotions"
    page.fill(f'tr[data-promotion="{rejected}"] input[name="reason"]', "content not allowed")
    page.click(f'tr[data-promotion="{rejected}"] button:has-text("Reject")')
    assert page.locator("tr[data-promotion]").count() == 0
    admin = world.token(showcase.ids["ops"], "admin")
    states = {
        pid: world.ok(world.get(f"/v1/promotions/{pid}", admin)) for pid in (approved, rejected)
    }
    assert states[approved]["state"] == "active"
    assert (states[rejected]["state"], states[rejected]["reason"]) == (
        "rejected",
        "content not allowed",
    )
    assert states[rejected]["released_coins"] == 600
    page.close()

    _deliver(showcase, hours=3)
    creator = world.token(showcase.ids["a"], "creator")
    report = world.ok(world.get(f"/v1/promotions/{approved}/report", creator))
    assert report["billed"] > 0 and len(report["pacing"]) >= 10
    page = showcase.signed_in("a", f"/dashboard/creators/{showcase.ids['a']}/promotions")
    rows = attributes(page, "tr[data-promotion]", "data-state")
    assert sorted(r or "" for r in rows) == ["active", "rejected"]
    page.click(f'tr[data-promotion="{approved}"] a')
    assert page.url.endswith(f"/promotions/{approved}")
    for key in ("served", "viewable", "billed", "live_entries", "profile_visits"):
        assert page.text_content(f'[data-report="{key}"]') == f"{report[key]:,}", key
    for key in ("follows_click_7d", "follows_view_1d", "follows_attributed"):
        assert page.text_content(f'[data-report="{key}"]') == f"{report[key]:,}", key
    for key in ("budget_coins", "spent_coins", "released_coins", "billed_millicoins"):
        assert page.text_content(f'[data-coins="{key}"]') == f"{report[key]:,}", key
    shown = list(
        zip(
            points(page, "pacing", "data-series"),
            points(page, "pacing", "data-x"),
            points(page, "pacing"),
            strict=True,
        )
    )
    expected = [("target", p["at"], str(p["target_millicoins"])) for p in report["pacing"]]
    expected += [("actual", p["at"], str(p["actual_millicoins"])) for p in report["pacing"]]
    assert shown == expected
    full_screenshot(page, "promotion-report")
    page.close()


def test_the_invalid_traffic_of_a_promotion_is_shown_by_reason(showcase: Showcase) -> None:
    world = showcase.studio.world
    world.buy(showcase.ids["a"], 1_000)
    promotion = _submitted(showcase, "clip-invalid", budget_coins=300)
    admin = world.token(showcase.ids["ops"], "admin")
    world.ok(world.post(f"/v1/promotions/{promotion}/approve", None, admin, key=world.new_key()))
    world.clock.advance(seconds=HOUR_S)  # behind its curve: every request it may serve
    feed = world.key("promote:write")
    fill = {"viewer_id": 55_555, "region": "US", "slots": 3}
    placements = world.ok(world.post("/v1/promote/fill", fill, feed))["placements"]
    mine = [p for p in placements if p["promotion_id"] == promotion]
    assert len(mine) == 1
    world.clock.advance(seconds=5)
    short = {"impression_id": mine[0]["impression_id"], "kind": "viewable", "visible_ms": 900}
    world.ok(world.post("/v1/promote/events", {"events": [short]}, feed, key=world.new_key()))
    admin = world.token(showcase.ids["ops"], "admin")  # an hour passed: a fresh one
    report = world.ok(world.get(f"/v1/promotions/{promotion}/report", admin))
    assert report["invalid"] == {"not_viewable": 1}
    page = showcase.signed_in(
        "admin", f"/dashboard/creators/{showcase.ids['a']}/promotions/{promotion}"
    )
    assert page.text_content('tr[data-invalid="not_viewable"] [data-field="count"]') == "1"
    page.close()


def test_promote_pages_refuse_others_and_forms_from_elsewhere(showcase: Showcase) -> None:
    world = showcase.studio.world
    world.buy(showcase.ids["a"], 1_000)
    promotion = _submitted(showcase, "clip-guarded", budget_coins=200)
    base = showcase.base_url
    b_token = world.token(showcase.ids["b"], "creator")
    a_path = f"{base}/dashboard/creators/{showcase.ids['a']}/promotions/{promotion}"
    b_path = f"{base}/dashboard/creators/{showcase.ids['b']}/promotions/{promotion}"
    as_b = {"Cookie": f"{COOKIE}={b_token}"}
    assert httpx.get(a_path, headers=as_b).status_code == 403
    assert httpx.get(b_path, headers=as_b).status_code == 404  # not B's promotion
    assert httpx.get(f"{base}/admin/promotions", headers=as_b).status_code == 403
    admin = {"Cookie": f"{COOKIE}={world.token(showcase.ids['ops'], 'admin')}"}
    approve = f"{base}/admin/promotions/{promotion}/approve"
    assert httpx.post(approve, headers=admin).status_code == 403  # no Origin
    assert (
        httpx.post(approve, headers=admin | {"Origin": "https://evil.example"}).status_code == 403
    )
    assert httpx.post(approve, headers=as_b | {"Origin": base}).status_code == 403
    token = world.token(showcase.ids["ops"], "admin")
    assert world.ok(world.get(f"/v1/promotions/{promotion}", token))["state"] == "in_review"
    same_site = admin | {"Origin": base}
    assert httpx.post(approve, headers=same_site).status_code == 303
    again = httpx.post(approve, headers=same_site)
    assert again.status_code == 409 and "text/html" in again.headers["content-type"]


def _wallet(page: Any) -> int:
    return int((page.text_content('[data-wallet="coins"]') or "").replace(",", ""))


def test_a_creator_cancels_in_every_open_state_and_the_wallet_shows_the_budget_back(
    showcase: Showcase,
) -> None:
    world = showcase.studio.world
    creator = showcase.ids["a"]
    world.buy(creator, 2_000)
    token = world.token(creator, "creator")
    admin = world.token(showcase.ids["ops"], "admin")
    starts = _now(showcase)
    draft_body = {
        "creator_id": creator,
        "content_kind": "video",
        "content_id": "clip-draft",
        "goal": "followers",
        "budget_coins": 300,
        "starts_at": starts.isoformat(),
        "ends_at": (starts + timedelta(hours=6)).isoformat(),
    }
    draft = world.ok(world.post("/v1/promotions", draft_body, token, key=world.new_key()), 201)
    review = _submitted(showcase, "clip-review", budget_coins=400)
    active = _submitted(showcase, "clip-active", budget_coins=500)
    paused = _submitted(showcase, "clip-paused", budget_coins=600)
    for promotion in (active, paused):
        world.ok(
            world.post(f"/v1/promotions/{promotion}/approve", None, admin, key=world.new_key())
        )
    world.ok(world.post(f"/v1/promotions/{paused}/pause", None, token, key=world.new_key()))
    world.clock.advance(seconds=HOUR_S)  # the active one is behind its curve: it serves
    feed = world.key("promote:write")
    for viewer in range(40):
        fill = {"viewer_id": 70_000 + viewer, "region": "US", "slots": 3}
        placements = world.ok(world.post("/v1/promote/fill", fill, feed))["placements"]
        world.clock.advance(seconds=5)
        events = [
            {"impression_id": p["impression_id"], "kind": "viewable", "visible_ms": 2_500}
            for p in placements
        ]
        world.ok(world.post("/v1/promote/events", {"events": events}, feed, key=world.new_key()))
    promotions = f"/dashboard/creators/{creator}/promotions"
    page = showcase.signed_in("a", promotions)
    wallet_before = _wallet(page)
    token = world.token(creator, "creator")  # an hour passed: a fresh one
    assert wallet_before == world.ok(world.get(f"/v1/wallets/{creator}", token))["coins"]
    states = {draft["id"]: "draft", review: "in_review", active: "active", paused: "paused"}
    for promotion, state in states.items():
        page.goto(f"{showcase.base_url}{promotions}/{promotion}")
        assert page.get_attribute("header[data-promotion]", "data-state") == state
        page.click('[data-cancel] button:has-text("Cancel promotion")')
        assert page.url == f"{showcase.base_url}{promotions}/{promotion}"
        assert page.get_attribute("header[data-promotion]", "data-state") == "cancelled"
        assert page.locator("[data-cancel]").count() == 0  # closed: nothing to cancel
    documents = {p: world.ok(world.get(f"/v1/promotions/{p}", token)) for p in states}
    assert {d["state"] for d in documents.values()} == {"cancelled"}
    spent = documents[active]["posted_coins"]
    billed = world.ok(world.get(f"/v1/promotions/{active}/report", token))["billed_millicoins"]
    assert spent == billed // 1_000 > 0  # the active one had billed impressions: kept
    for document in documents.values():
        expected = 0 if document["id"] == draft["id"] else document["budget_coins"]
        assert document["posted_coins"] + document["released_coins"] == expected
    page.goto(f"{showcase.base_url}{promotions}")
    released = sum(d["released_coins"] for d in documents.values())
    assert released == 400 + 500 + 600 - spent
    assert _wallet(page) == wallet_before + released
    assert _wallet(page) == world.ok(world.get(f"/v1/wallets/{creator}", token))["coins"]
    full_screenshot(page, "promotions-cancelled")
    page.close()


def test_the_cancel_form_refuses_other_creators_forms_from_elsewhere_and_closed_ones(
    showcase: Showcase,
) -> None:
    world = showcase.studio.world
    world.buy(showcase.ids["a"], 1_000)
    promotion = _submitted(showcase, "clip-cancel-guarded", budget_coins=200)
    base = showcase.base_url
    a_cancel = f"{base}/dashboard/creators/{showcase.ids['a']}/promotions/{promotion}/cancel"
    b_cancel = f"{base}/dashboard/creators/{showcase.ids['b']}/promotions/{promotion}/cancel"
    as_a = {"Cookie": f"{COOKIE}={world.token(showcase.ids['a'], 'creator')}"}
    as_b = {"Cookie": f"{COOKIE}={world.token(showcase.ids['b'], 'creator')}"}
    assert httpx.post(a_cancel, headers=as_a).status_code == 403  # no Origin
    assert (
        httpx.post(a_cancel, headers=as_a | {"Origin": "https://evil.example"}).status_code == 403
    )
    assert httpx.post(a_cancel, headers=as_b | {"Origin": base}).status_code == 403
    assert httpx.post(b_cancel, headers=as_b | {"Origin": base}).status_code == 404
    token = world.token(showcase.ids["ops"], "admin")
    assert world.ok(world.get(f"/v1/promotions/{promotion}", token))["state"] == "in_review"
    assert httpx.post(a_cancel, headers=as_a | {"Origin": base}).status_code == 303
    again = httpx.post(a_cancel, headers=as_a | {"Origin": base})
    assert again.status_code == 409 and "text/html" in again.headers["content-type"]
    document = world.ok(world.get(f"/v1/promotions/{promotion}", token))
    assert (document["state"], document["released_coins"]) == ("cancelled", 200)
