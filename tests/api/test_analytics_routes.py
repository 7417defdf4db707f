"""Analytics over real HTTP: a creator's LIVE, then its series, report (JSON and one
HTML page without scripts), the creator's sessions, cohorts and coin flows, the
platform's coin flows, and follows; other creators and bad dates are refused."""

from __future__ import annotations

from typing import Any

from giftflow.service.analytics import Analytics
from giftflow.service.live import LiveSettings
from giftflow.service.live.context import LiveContext
from tests.api.conftest import DAY_S, ROSE, World, assert_problem

Json = dict[str, Any]


def live(world: World) -> Json:
    """carol goes live; alice joins, sends 5 roses, likes, follows; the LIVE ends."""
    carol = world.user("carol", creator=True)["id"]
    alice, dave = world.user("alice")["id"], world.user("dave", creator=True)["id"]
    world.buy(alice, 100)
    creator = world.token(carol, "creator")
    session = world.ok(world.post(f"/v1/rooms/{carol}/sessions", {"title": "Art"}, creator), 201)
    sid = session["id"]
    world.ok(world.post(f"/v1/sessions/{sid}/viewers/{alice}/join", None, creator))
    world.clock.advance(seconds=30)
    world.gift(alice, carol, ROSE, quantity=5, session_id=sid)
    world.ok(
        world.post(f"/v1/sessions/{sid}/interactions", {"user_id": alice, "kind": "like"}, creator),
        201,
    )
    viewer = world.token(alice)
    followed = world.post(f"/v1/creators/{carol}/followers", {"user_id": alice}, viewer)
    assert world.ok(followed, 201) == {"creator_id": carol, "user_id": alice, "first": True}
    world.clock.advance(seconds=60)
    world.ok(world.post(f"/v1/sessions/{sid}/end", None, creator))
    return {"carol": carol, "alice": alice, "dave": dave, "session": sid, "creator": creator}


def test_the_analytics_documents_are_served_as_the_service_builds_them(world: World) -> None:
    ids = live(world)
    sid, carol, creator = ids["session"], ids["carol"], ids["creator"]
    analytics = Analytics(LiveContext(world.economy.context, world.bus, LiveSettings()))
    series = world.ok(world.get(f"/v1/sessions/{sid}/series", creator))
    assert series == analytics.session_series(sid)
    assert sum(m["coins"] for m in series["minutes"]) == 5
    report = world.ok(world.get(f"/v1/sessions/{sid}/report", creator))
    assert report == analytics.session_report(sid)
    assert report["totals"]["coins"] == 5 and report["totals"]["new_followers"] == 1
    assert report["totals"]["likes"] == 1 and report["previous"] == []
    sessions = world.ok(world.get(f"/v1/creators/{carol}/sessions", creator))
    assert [s["id"] for s in sessions["sessions"]] == [sid]
    cohorts = world.ok(world.get(f"/v1/creators/{carol}/cohorts", creator))
    assert cohorts["cohorts"][0]["size"] == 1
    period = {"from": "2024-06-03", "to": "2024-06-04"}
    flows = world.ok(world.get(f"/v1/creators/{carol}/coin-flows", creator, **period))
    values = {(link["source"], link["target"]): link["value_units"] for link in flows["links"]}
    assert values["gifted", "diamonds"] + values["gifted", "platform_share"] == 5 * 10_000
    platform = world.ok(world.get("/v1/coin-flows", world.admin_key, **period))
    bought = [link for link in platform["links"] if link["source"] == "bought"]
    assert bought == [{"source": "bought", "target": "wallets", "value_units": 100 * 10_000}]


def test_the_report_page_is_html_without_scripts(world: World) -> None:
    ids = live(world)
    page = world.get(f"/v1/sessions/{ids['session']}/report.html", ids["creator"])
    assert page.status_code == 200
    assert page.headers["content-type"].startswith("text/html")
    assert "<script" not in page.text.lower() and "Art" in page.text
    # A creator's numbers: kept by no cache, and the page loads nothing from elsewhere.
    assert page.headers["cache-control"] == "no-store"
    assert page.headers["x-content-type-options"] == "nosniff"
    policy = page.headers["content-security-policy"]
    assert "default-src 'none'" in policy and "frame-ancestors 'none'" in policy


def test_another_creator_cannot_read_carols_analytics(world: World) -> None:
    ids = live(world)
    dave = world.token(ids["dave"], "creator")
    for path in (
        f"/v1/sessions/{ids['session']}/report",
        f"/v1/sessions/{ids['session']}/report.html",
        f"/v1/sessions/{ids['session']}/series",
        f"/v1/creators/{ids['carol']}/cohorts",
        f"/v1/creators/{ids['carol']}/sessions",
    ):
        assert_problem(world.get(path, dave), 403, "forbidden")
    period = {"from": "2024-06-03", "to": "2024-06-04"}
    assert_problem(world.get("/v1/coin-flows", ids["creator"], **period), 403, "forbidden")


def test_bad_periods_are_problems_with_a_code(world: World) -> None:
    ids = live(world)
    path = f"/v1/creators/{ids['carol']}/coin-flows"
    bad = world.get(path, ids["creator"], **{"from": "2024-13-01", "to": "2024-06-04"})
    assert_problem(bad, 422, "validation_failed")
    backwards = world.get(path, ids["creator"], **{"from": "2024-06-04", "to": "2024-06-03"})
    assert_problem(backwards, 422, "period_invalid")
    missing = world.get("/v1/coin-flows", world.admin_key)
    assert_problem(missing, 422, "validation_failed")


def test_following_again_counts_nothing_and_self_follow_is_refused(world: World) -> None:
    ids = live(world)
    world.clock.advance(seconds=DAY_S)
    again = world.post(
        f"/v1/creators/{ids['carol']}/followers", {"user_id": ids["alice"]}, world.admin_key
    )
    assert world.ok(again)["first"] is False
    own = world.post(
        f"/v1/creators/{ids['carol']}/followers", {"user_id": ids["carol"]}, world.admin_key
    )
    assert_problem(own, 422, "self_follow")
