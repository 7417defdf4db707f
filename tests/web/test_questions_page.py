"""The priority Q&A page of a LIVE in headless Chromium: a supporter's questions in
queue order, answered and skipped from the page's forms (the API's queue then agrees),
the link from the creator's dashboard, and the refusals."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from giftflow.web.dashboard.session import COOKIE
from tests.web.conftest import Showcase, full_screenshot
from tests.web.test_dashboard import attributes


@pytest.fixture
def asked(showcase: Showcase) -> Iterator[tuple[int, list[str]]]:
    """A LIVE of creator A, running, whose ``qa_priority`` perk at level 1 entitles the
    fan (a supporter since the first LIVE); the fan asks twice over the API. The LIVE
    ends with the test."""
    world, a, fan = showcase.studio.world, showcase.ids["a"], showcase.ids["fan"]
    session = showcase.studio.live.start_session(a, title="Q&A LIVE").id
    perks = {"perks": [{"level": 1, "kind": "qa_priority"}]}
    world.ok(world.put_json(f"/v1/rooms/{a}/perks", perks, world.admin_key))
    path = f"/v1/sessions/{session}/questions"
    asked = []
    for text in ("Which lens do you use?", "When is the next LIVE?"):
        body = {"user_id": fan, "text": text}
        asked.append(world.ok(world.post(path, body, world.token(fan)), 201)["id"])
        world.clock.advance(seconds=5)
    yield session, asked
    showcase.studio.live.end_session(session)


def test_the_creator_answers_and_skips_the_queue_from_the_page(
    showcase: Showcase, asked: tuple[int, list[str]]
) -> None:
    world, a = showcase.studio.world, showcase.ids["a"]
    session, (first, second) = asked
    page = showcase.signed_in("a", f"/dashboard/creators/{a}")
    page.click(f'tr[data-session="{session}"] a[data-questions]')
    path = f"/dashboard/creators/{a}/sessions/{session}/questions"
    assert page.url == f"{showcase.base_url}{path}"
    queued = 'section[data-questions="queued"] tr[data-question]'
    assert attributes(page, queued, "data-question") == [first, second]
    fan_name = world.economy.user(showcase.ids["fan"]).display_name
    row = page.locator(f'tr[data-question="{first}"]')
    assert row.locator('[data-field="asker"]').text_content() == fan_name
    assert row.locator('[data-field="text"]').text_content() == "Which lens do you use?"
    level = world.ok(world.get(f"/v1/sessions/{session}/questions", showcase.tokens["a"]))
    assert row.locator('[data-field="level"]').text_content() == str(level["questions"][0]["level"])
    assert row.locator("time").count() == 1
    full_screenshot(page, "questions")
    page.click(f'tr[data-question="{first}"] button:has-text("Answer")')
    assert page.url == f"{showcase.base_url}{path}"
    page.click(f'tr[data-question="{second}"] button:has-text("Skip")')
    assert page.locator(queued).count() == 0
    closed = 'section[data-questions="closed"] tr[data-question]'
    assert attributes(page, closed, "data-state") == ["answered", "skipped"]
    page.close()

    api = f"/v1/sessions/{session}/questions"
    assert showcase.api(api)["questions"] == []
    answered = showcase.api(api, state="answered")["questions"]
    skipped = showcase.api(api, state="skipped")["questions"]
    assert [q["id"] for q in answered] == [first]
    assert [q["id"] for q in skipped] == [second]


def test_the_questions_page_refuses_other_creators_and_forms_from_elsewhere(
    showcase: Showcase, asked: tuple[int, list[str]]
) -> None:
    world, a, b = showcase.studio.world, showcase.ids["a"], showcase.ids["b"]
    session, (question, _) = asked
    base = showcase.base_url
    page_a = f"{base}/dashboard/creators/{a}/sessions/{session}/questions"
    page_b = f"{base}/dashboard/creators/{b}/sessions/{session}/questions"
    as_a = {"Cookie": f"{COOKIE}={world.token(a, 'creator')}"}
    as_b = {"Cookie": f"{COOKIE}={world.token(b, 'creator')}"}
    assert httpx.get(page_a, headers=as_b).status_code == 403
    assert httpx.get(page_b, headers=as_b).status_code == 404
    answer_a, answer_b = f"{page_a}/{question}/answer", f"{page_b}/{question}/answer"
    assert httpx.post(answer_a, headers=as_b | {"Origin": base}).status_code == 403
    assert httpx.post(answer_b, headers=as_b | {"Origin": base}).status_code == 404
    assert httpx.post(answer_a, headers=as_a).status_code == 403  # no Origin
    elsewhere = as_a | {"Origin": "https://evil.example"}
    assert httpx.post(answer_a, headers=elsewhere).status_code == 403
    assert httpx.post(f"{page_a}/{question}/skip", headers=elsewhere).status_code == 403
    queue = showcase.api(f"/v1/sessions/{session}/questions")["questions"]
    assert question in [q["id"] for q in queue]
    assert httpx.post(answer_a, headers=as_a | {"Origin": base}).status_code == 303
    again = httpx.post(answer_a, headers=as_a | {"Origin": base})
    assert again.status_code == 409 and "text/html" in again.headers["content-type"]
