"""The creator's dashboard in headless Chromium: signing in with a link, the pages'
figures against what the JSON API answers for the same data, and who may see what."""

from __future__ import annotations

from typing import Any

import httpx
from playwright.sync_api import Page

from giftflow.web.dashboard.session import COOKIE
from tests.api.conftest import assert_problem
from tests.web.conftest import Showcase, full_screenshot


def attributes(page: Page, selector: str, name: str) -> list[str | None]:
    found: list[str | None] = page.eval_on_selector_all(
        selector, f"elements => elements.map(e => e.getAttribute({name!r}))"
    )
    return found


def points(page: Page, chart: str, name: str = "data-y") -> list[str | None]:
    return attributes(page, f'figure[data-chart="{chart}"] .point', name)


def shown_period(page: Page) -> dict[str, str]:
    """The period the coin-flows section shows, as the API's query."""
    section = page.locator("section[data-from]")
    return {key: section.get_attribute(f"data-{key}") or "" for key in ("from", "to")}


def test_a_creator_signs_in_with_a_one_time_link_and_a_click(showcase: Showcase) -> None:
    link = showcase.sign_in_link("a")
    a = showcase.ids["a"]
    page = showcase.studio.browser.new_page()
    answer = page.goto(link)
    assert answer is not None and answer.status == 200
    assert page.text_content("[data-field=role]") == "creator"
    assert page.context.cookies() == []  # opening the link signs nobody in
    page.click("form button")
    assert page.url == f"{showcase.base_url}/dashboard/creators/{a}"
    [cookie] = page.context.cookies()
    assert cookie["name"] == COOKIE and cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    assert cookie["path"] == "/" and "token" not in page.url
    again = page.goto(link)  # used up
    assert again is not None and again.status == 404
    page.goto(f"{showcase.base_url}/dashboard")  # the cookie alone signs in now
    assert page.url.endswith(f"/dashboard/creators/{a}")
    page.close()


def test_a_sign_in_link_is_used_only_from_its_own_page_once_and_in_time(
    showcase: Showcase,
) -> None:
    world = showcase.studio.world
    link = showcase.sign_in_link("a")
    here = {"Origin": showcase.base_url}
    with httpx.Client() as client:
        elsewhere = client.post(link, headers={"Origin": "https://evil.example"})
        assert elsewhere.status_code == 403 and "set-cookie" not in elsewhere.headers
        used = client.post(link, headers=here)  # the refusal above did not use it up
        assert used.status_code == 303 and used.headers["location"] == "/dashboard"
        # The session lasts GIFTFLOW_DASHBOARD_SESSION_TTL_S (8 h), not a 15-minute token's.
        assert "Max-Age=28800" in used.headers["set-cookie"], used.headers
        assert client.post(link, headers=here).status_code == 404
        late = showcase.sign_in_link("a")
        world.clock.advance(seconds=301)
        assert client.get(late).status_code == 404
        assert client.post(late, headers=here).status_code == 404
        for code in ("x" * 43, "short", "x" * 44):
            assert client.get(f"{showcase.base_url}/dashboard/sign-in/{code}").status_code == 404


def test_balances_and_lives_equal_what_the_api_answers(showcase: Showcase) -> None:
    a = showcase.ids["a"]
    page = showcase.signed_in("a")
    earnings = showcase.api(f"/v1/earnings/{a}")
    payouts = showcase.api("/v1/payouts", creator_id=a)["payouts"]
    in_payout = sum(
        p["diamonds"] * 10_000 for p in payouts if p["state"] in {"requested", "held", "approved"}
    )
    shown = {
        key: page.get_attribute(f'[data-balance="{key}"]', "data-diamond-units")
        for key in ("pending", "available", "in_payout")
    }
    assert shown == {
        "pending": str(earnings["pending_units"]),
        "available": str(earnings["available_units"]),
        "in_payout": str(in_payout),
    }
    assert earnings["pending_units"] > 0 and earnings["available_units"] > 0 and in_payout > 0
    assert page.text_content('[data-balance="available"]') == _diamonds(earnings["available_units"])
    sessions = [showcase.ids["second"], showcase.ids["first"]]  # newest first
    assert attributes(page, "tr[data-session]", "data-session") == [str(s) for s in sessions]
    for session_id in sessions:
        totals = showcase.api(f"/v1/sessions/{session_id}")["totals"]
        row = f'tr[data-session="{session_id}"]'
        assert page.text_content(f'{row} [data-field="coins"]') == f"{totals['coins']:,}"
    payout_ids = attributes(page, "tr[data-payout]", "data-payout")
    assert sorted(i for i in payout_ids if i) == sorted(showcase.ids["payouts"])
    full_screenshot(page, "creator")
    page.close()


def _diamonds(units: int) -> str:
    return f"{units // 10_000}.{units % 10_000:04d}"


def test_cohorts_and_coin_flows_equal_the_json_documents(showcase: Showcase) -> None:
    a = showcase.ids["a"]
    page = showcase.signed_in("a")
    cohorts = showcase.api(f"/v1/creators/{a}/cohorts")
    expected_cells = [
        (c["week"], str(r["offset"]), str(r["gifters"]))
        for c in cohorts["cohorts"]
        for r in c["returning"]
    ]
    cells = zip(
        points(page, "cohorts", "data-series"),
        points(page, "cohorts", "data-x"),
        points(page, "cohorts"),
        strict=True,
    )
    assert list(cells) == expected_cells
    assert any(gifters != "0" for *_, gifters in expected_cells)  # someone came back
    period = shown_period(page)
    flows = showcase.api(f"/v1/creators/{a}/coin-flows", **period)
    assert _links(page) == [
        (f"{link['source']}->{link['target']}", str(link["value_units"])) for link in flows["links"]
    ]
    assert any(link["value_units"] for link in flows["links"])
    page.close()


def _links(page: Page) -> list[tuple[str | None, str | None]]:
    return list(zip(points(page, "coin_flows", "data-x"), points(page, "coin_flows"), strict=True))


def test_another_period_of_coin_flows_is_chosen_with_from_and_to(showcase: Showcase) -> None:
    a = showcase.ids["a"]
    page = showcase.signed_in("a")
    period = {"from": "2024-06-01", "to": "2024-06-08"}  # the first week only
    page.goto(f"{showcase.base_url}/dashboard/creators/{a}?from={period['from']}&to={period['to']}")
    flows = showcase.api(f"/v1/creators/{a}/coin-flows", **period)
    assert _links(page) == [
        (f"{link['source']}->{link['target']}", str(link["value_units"])) for link in flows["links"]
    ]
    for query in ("from=2024-13-01", "to=yesterday", "from=2024-06-08&to=2024-06-01"):
        answer = page.goto(f"{showcase.base_url}/dashboard/creators/{a}?{query}")
        assert answer is not None and answer.status == 400, query
    page.close()


def test_the_session_report_page_shows_the_json_reports_numbers(showcase: Showcase) -> None:
    a, first = showcase.ids["a"], showcase.ids["first"]
    page = showcase.signed_in("a")
    page.click(f'tr[data-session="{first}"] a')
    assert page.url == f"{showcase.base_url}/dashboard/creators/{a}/sessions/{first}"
    report = showcase.api(f"/v1/sessions/{first}/report")
    for field in ("coins", "gifts", "viewers"):
        assert points(page, f"{field}_per_minute") == [str(m[field]) for m in report["minutes"]]
        labels = points(page, f"{field}_per_minute", "data-x")
        assert labels == [m["minute"] for m in report["minutes"]]
    for key, value in report["totals"].items():
        assert page.text_content(f'[data-total="{key}"]') == str(value), key
    assert report["totals"]["coins"] > 0
    supporters = attributes(page, "tr[data-supporter]", "data-supporter")
    assert supporters == [str(s["user_id"]) for s in report["top_supporters"]]
    full_screenshot(page, "session-report")
    page.close()


def test_a_creator_cannot_see_another_creators_pages(showcase: Showcase) -> None:
    a, b, b_session = showcase.ids["a"], showcase.ids["b"], showcase.ids["b_session"]
    page = showcase.signed_in("a")
    base = showcase.base_url
    for path, status in (
        (f"/dashboard/creators/{b}", 403),
        (f"/dashboard/creators/{b}/sessions/{b_session}", 403),
        (f"/dashboard/creators/{a}/sessions/{b_session}", 404),
    ):
        answer = page.goto(base + path)
        assert answer is not None and answer.status == status, path
        content = page.content()
        assert "B&#x27;s secret LIVE" not in content and "secret" not in content
        assert page.locator("[data-balance], figure.chart, [data-session]").count() == 0
    full_screenshot(page, "forbidden")
    page.close()


def test_a_viewer_token_is_refused_with_a_403_page(showcase: Showcase) -> None:
    page = showcase.with_cookie("viewer")
    answer = page.goto(f"{showcase.base_url}/dashboard")
    assert answer is not None and answer.status == 403  # signed in, then refused
    assert "creators" in (page.text_content("h1 + p") or "")
    page.close()


def test_without_a_valid_cookie_the_pages_answer_401_saying_how_to_sign_in(
    showcase: Showcase,
) -> None:
    a = showcase.ids["a"]
    with httpx.Client(base_url=showcase.base_url) as client:
        for path in ("/dashboard", f"/dashboard/creators/{a}", "/admin"):
            answer = client.get(path)
            assert answer.status_code == 401 and "text/html" in answer.headers["content-type"]
            assert "/v1/tokens/sign-in-links" in answer.text
        refused = client.get("/dashboard", headers={"Cookie": f"{COOKIE}=not-a-token"})
        assert refused.status_code == 401 and f"{COOKIE}=" in refused.headers["set-cookie"]


def test_a_token_in_the_address_is_refused_and_signs_nobody_in_or_out(
    showcase: Showcase,
) -> None:
    """The old sign-in (``?token=`` on any page) let another site's link replace a
    visitor's session (login CSRF) and put tokens in logs and histories."""
    cookie = {"Cookie": f"{COOKIE}={showcase.tokens['a']}"}
    with httpx.Client(base_url=showcase.base_url) as client:
        for token in (showcase.tokens["b"], "nonsense", showcase.studio.world.admin_key):
            answer = client.get("/dashboard", params={"token": token}, headers=cookie)
            assert answer.status_code == 400 and "set-cookie" not in answer.headers
            assert "sign-in link" in answer.text


def test_signing_out_revokes_the_session_not_only_the_cookie(showcase: Showcase) -> None:
    page = showcase.signed_in("a")
    (session,) = [c["value"] for c in page.context.cookies() if c["name"] == COOKIE]
    page.click("nav.top button")
    assert page.url.endswith("/dashboard/signed-out")
    assert page.context.cookies() == []
    answer = page.goto(f"{showcase.base_url}/dashboard")
    assert answer is not None and answer.status == 401
    page.close()
    world = showcase.studio.world
    assert_problem(world.get("/v1/wallets/1", session), 401, "token_revoked")
    with httpx.Client(base_url=showcase.base_url) as client:
        kept = client.get("/dashboard", headers={"Cookie": f"{COOKIE}={session}"})
        assert kept.status_code == 401  # a copy of the cookie is no good either


def test_pages_are_not_cached_framed_or_scripted(showcase: Showcase) -> None:
    headers = {"Cookie": f"{COOKIE}={showcase.tokens['a']}"}
    answer: Any = httpx.get(
        f"{showcase.base_url}/dashboard/creators/{showcase.ids['a']}", headers=headers
    )
    assert answer.status_code == 200
    assert answer.headers["cache-control"] == "no-store"
    assert "frame-ancestors 'none'" in answer.headers["content-security-policy"]
    assert "<script" not in answer.text.lower()
