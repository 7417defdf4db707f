"""Promote over HTTP, on each backend: a creator's promotion from draft to end, the
platform's fills and events, the admin's review, reports and refusals with their
codes."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from tests.api.conftest import START, World, assert_problem

HOUR = timedelta(hours=1)


def promotion_body(creator: int, **fields: Any) -> dict[str, Any]:
    body = {
        "creator_id": creator,
        "content_kind": "video",
        "content_id": "clip-1",
        "goal": "followers",
        "budget_coins": 1_000,
        "starts_at": START.isoformat(),
        "ends_at": (START + 10 * HOUR).isoformat(),
    }
    return body | fields


def test_a_promotion_is_reserved_reviewed_filled_billed_and_released(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    world.buy(carol, 5_000)
    token = world.token(carol, "creator")
    feed = world.key("promote:write")
    draft = world.ok(
        world.post("/v1/promotions", promotion_body(carol), token, key=world.new_key()), 201
    )
    assert draft["state"] == "draft" and draft["price_per_1000_coins"] == 200
    pid = draft["id"]
    submitted = world.ok(
        world.post(f"/v1/promotions/{pid}/submit", None, token, key=world.new_key())
    )
    assert submitted["state"] == "in_review" and submitted["reserved_coins"] == 1_000
    assert world.coins(carol) == 4_000
    queue = world.ok(world.get("/v1/promotions", world.admin_key, state="in_review"))["promotions"]
    assert [p["id"] for p in queue] == [pid]
    assert_problem(
        world.post(f"/v1/promotions/{pid}/approve", None, token, key=world.new_key()),
        403,
        "forbidden",
    )
    world.ok(
        world.post(f"/v1/promotions/{pid}/approve", None, world.admin_key, key=world.new_key())
    )
    world.clock.advance(seconds=5 * 3_600)
    fill = {"viewer_id": 77, "region": "US", "age_band": "25-34", "slots": 2}
    placements = world.ok(world.post("/v1/promote/fill", fill, feed))["placements"]
    assert len(placements) == 1 and placements[0]["label"] == "Promoted"
    world.clock.advance(seconds=3)
    events = {
        "events": [
            {
                "impression_id": placements[0]["impression_id"],
                "kind": "viewable",
                "visible_ms": 2_100,
            }
        ]
    }
    outcome = world.ok(world.post("/v1/promote/events", events, feed, key=world.new_key()))
    assert outcome["outcomes"][0]["result"] == "billed"
    assert outcome["outcomes"][0]["billed_millicoins"] == 200
    token = world.token(carol, "creator")  # hours passed: a fresh one
    report = world.ok(world.get(f"/v1/promotions/{pid}/report", token))
    assert (report["served"], report["billed"], report["billed_millicoins"]) == (1, 1, 200)
    assert report["pacing"][0]["target_millicoins"] == 0
    cancelled = world.ok(
        world.post(f"/v1/promotions/{pid}/cancel", None, token, key=world.new_key())
    )
    assert cancelled["state"] == "cancelled" and cancelled["released_coins"] == 1_000
    assert world.coins(carol) == 5_000  # 0.2 coins billed: a fraction is never charged
    assert world.ok(world.get("/v1/admin/reconcile", world.admin_key))["ok"]


def test_bad_promotions_are_refused_with_their_codes(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    alice = world.user("alice")["id"]
    key = world.admin_key
    later = (START + 2 * HOUR).isoformat()
    cases = [
        (promotion_body(carol, ends_at=START.isoformat()), 422, "schedule_invalid"),
        (promotion_body(carol, budget_coins=0), 422, "validation_failed"),
        (promotion_body(carol, starts_at="2024-06-03T12:00:00"), 422, "validation_failed"),
        (
            promotion_body(
                carol,
                bursts=[{"starts_at": START.isoformat(), "ends_at": later, "share_bps": 5_000}],
            ),
            422,
            "bursts_invalid",
        ),
        (promotion_body(alice), 422, "not_a_creator"),
        (promotion_body(carol, campaign_id="cp_none"), 404, "campaign_not_found"),
        (promotion_body(carol, audience={"age_bands": ["13-17"]}), 422, "validation_failed"),
    ]
    for body, status, code in cases:
        assert_problem(world.post("/v1/promotions", body, key, key=world.new_key()), status, code)
    assert_problem(world.get("/v1/promotions/pr_none", key), 404, "promotion_not_found")
    draft = world.ok(
        world.post("/v1/promotions", promotion_body(carol), key, key=world.new_key()), 201
    )
    assert_problem(
        world.post(f"/v1/promotions/{draft['id']}/submit", None, key, key=world.new_key()),
        422,
        "insufficient_funds",
    )
    assert_problem(
        world.post(f"/v1/promotions/{draft['id']}/pause", None, key, key=world.new_key()),
        409,
        "promotion_state_invalid",
    )
    assert_problem(
        world.post("/v1/promote/fill", {"viewer_id": 1}, world.token(carol, "creator")),
        403,
        "forbidden",
    )
    assert_problem(
        world.post("/v1/promote/events", {"events": []}, key, key=world.new_key()),
        422,
        "validation_failed",
    )


def test_a_campaign_reports_its_promotions_together(world: World) -> None:
    carol = world.user("carol", creator=True)["id"]
    world.buy(carol, 5_000)
    key = world.admin_key
    campaign = world.ok(
        world.post(
            "/v1/campaigns", {"creator_id": carol, "name": "Launch week"}, key, key=world.new_key()
        ),
        201,
    )
    for _ in range(2):
        body = promotion_body(carol, campaign_id=campaign["id"], budget_coins=500)
        draft = world.ok(world.post("/v1/promotions", body, key, key=world.new_key()), 201)
        world.ok(world.post(f"/v1/promotions/{draft['id']}/submit", None, key, key=world.new_key()))
    report = world.ok(world.get(f"/v1/campaigns/{campaign['id']}/report", key))
    assert report["budget_coins"] == 1_000 and len(report["promotion_ids"]) == 2
    assert len(world.ok(world.get(f"/v1/campaigns/{campaign['id']}", key))["promotion_ids"]) == 2
