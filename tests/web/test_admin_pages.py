"""The admin page in headless Chromium: reconcile, fraud review and payout approval by
its forms (the API then agrees), the platform's coin flows against the JSON document,
and the refusals: other roles, and forms posted from elsewhere."""

from __future__ import annotations

import httpx

from giftflow.web.dashboard.session import COOKIE
from tests.web.conftest import Showcase, full_screenshot
from tests.web.test_dashboard import attributes, points, shown_period


def test_an_admin_reconciles_reviews_and_decides_payouts_with_the_forms(
    showcase: Showcase,
) -> None:
    held, rejected = showcase.ids["payouts"]
    decision = showcase.ids["decision"]
    page = showcase.signed_in("admin", "/admin")
    assert page.url == f"{showcase.base_url}/admin"
    # The page shows the last reconcile; it does not reconcile the books per view.
    assert page.get_attribute("section[data-reconcile]", "data-reconcile") == "never"
    page.click('section[data-reconcile] button:has-text("Reconcile now")')
    assert page.get_attribute("section[data-reconcile]", "data-reconcile") == "ok"
    assert "Last reconciled" in (page.text_content("section[data-reconcile]") or "")
    assert attributes(page, "tr[data-decision]", "data-decision") == [str(decision)]
    assert sorted(i or "" for i in attributes(page, "tr[data-payout]", "data-payout")) == sorted(
        [held, rejected]
    )
    full_screenshot(page, "admin")

    page.click(f'tr[data-payout="{held}"] button:has-text("Approve")')
    assert page.url == f"{showcase.base_url}/admin"
    assert showcase.api(f"/v1/payouts/{held}", "admin")["state"] == "approved"
    page.fill(f'tr[data-payout="{rejected}"] input[name="reason"]', "bank details missing")
    page.click(f'tr[data-payout="{rejected}"] button:has-text("Reject")')
    refused = showcase.api(f"/v1/payouts/{rejected}", "admin")
    assert refused["state"] == "rejected"
    page.click(f'tr[data-decision="{decision}"] button:has-text("Uphold")')
    reviewed = showcase.studio.world.economy.fraud_decisions()
    assert [(d.id, d.review_state) for d in reviewed if d.id == decision] == [(decision, "upheld")]
    assert page.locator("tr[data-payout], tr[data-decision]").count() == 0
    page.click('section[data-reconcile] button:has-text("Reconcile now")')
    assert page.get_attribute("section[data-reconcile]", "data-reconcile") == "ok"
    full_screenshot(page, "admin-after-decisions")

    answer = page.goto(f"{showcase.base_url}/dashboard/creators/{showcase.ids['a']}")
    assert answer is not None and answer.status == 200  # any creator's pages
    states = attributes(page, "tr[data-payout]", "data-state")
    assert sorted(s or "" for s in states) == ["approved", "rejected"]
    page.close()


def test_the_platform_coin_flows_equal_the_json_document(showcase: Showcase) -> None:
    page = showcase.signed_in("admin", "/admin")
    period = shown_period(page)
    flows = showcase.api("/v1/coin-flows", "admin", **period)
    links = list(zip(points(page, "coin_flows", "data-x"), points(page, "coin_flows"), strict=True))
    assert links == [
        (f"{k['source']}->{k['target']}", str(k["value_units"])) for k in flows["links"]
    ]
    assert {k["source"] for k in flows["links"]} >= {"wallets_opening", "bought"}
    page.close()


def test_only_administrators_open_the_admin_page(showcase: Showcase) -> None:
    for who in ("a", "viewer"):
        page = showcase.with_cookie(who)
        answer = page.goto(f"{showcase.base_url}/admin")
        assert answer is not None and answer.status == 403, who
        assert page.locator("section[data-reconcile], form").count() == 0
        page.close()


def test_forms_posted_from_another_site_or_by_others_are_refused(showcase: Showcase) -> None:
    held = showcase.ids["payouts"][0]
    path = f"{showcase.base_url}/admin/payouts/{held}/approve"
    admin = {"Cookie": f"{COOKIE}={showcase.tokens['admin']}"}
    creator = {"Cookie": f"{COOKIE}={showcase.tokens['a']}", "Origin": showcase.base_url}
    before = showcase.api(f"/v1/payouts/{held}", "admin")["state"]
    for headers, status in (
        (admin, 403),  # no Origin or Referer
        (admin | {"Origin": "https://evil.example"}, 403),
        (admin | {"Referer": "https://evil.example/admin"}, 403),
        (creator, 403),
        ({"Origin": showcase.base_url}, 401),
    ):
        answer = httpx.post(path, headers=headers)
        assert answer.status_code == status, headers
        assert "text/html" in answer.headers["content-type"]
    assert showcase.api(f"/v1/payouts/{held}", "admin")["state"] == before
    form = f"{showcase.base_url}/admin/fraud-decisions/{showcase.ids['decision']}"
    same_site = admin | {"Origin": showcase.base_url}
    assert httpx.post(form, headers=same_site, data={"upheld": "maybe"}).status_code == 400
