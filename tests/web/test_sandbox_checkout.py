"""The sandbox's hosted checkout page, driven in headless Chromium with each test card:
the page a sandbox purchase's ``checkout_url`` leads to takes the card, the server
sends the signed webhook, and the payment is what the API says (screenshots kept
under test-artifacts/sandbox-checkout/)."""

from __future__ import annotations

import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import Browser, Page

from giftflow.payments.test_cards import TEST_CARDS, CardOutcome, TestCard
from tests.api.conftest import Json, World, open_world
from tests.web.conftest import ARTIFACTS

SHOTS = ARTIFACTS.parent / "sandbox-checkout"
FINAL = {
    CardOutcome.SUCCEEDS: "paid",
    CardOutcome.DECLINED: "failed",
    CardOutcome.FAILS_AFTER_PROCESSING: "failed",
    CardOutcome.DISPUTED_LATER: "disputed",
}
WAIT_MS = 10_000


@pytest.fixture(scope="module")
def shop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[World]:
    """A served development economy whose sandbox purchases lead to its own page."""
    folder = tmp_path_factory.mktemp("checkout")
    with open_world(f"sqlite:///{folder / 'economy.db'}", folder / "payouts") as world:
        world.sandbox.page_url = str(world.client.base_url)
        yield world


def _checkout(shop: World, browser: Browser, coins: int) -> tuple[Json, Page]:
    fan = shop.user(f"fan-{time.monotonic_ns()}")["id"]
    payment = shop.purchase(fan, coins)
    page = browser.new_page(viewport={"width": 720, "height": 900})
    page.goto(payment["checkout_url"])
    return payment, page


def _submit(page: Page, number: str, expiry: str = "12/34", cvc: str = "123") -> None:
    page.fill("#card_number", number)
    page.fill("#expiry", expiry)
    page.fill("#cvc", cvc)
    page.click("button[type=submit]")


def _status(shop: World, payment: Json) -> Json:
    return shop.ok(shop.get(f"/v1/payments/{payment['id']}", shop.admin_key))


def _shot(page: Page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=SHOTS / f"{name}.png", full_page=True)


@pytest.mark.parametrize("card", TEST_CARDS, ids=[card.number for card in TEST_CARDS])
def test_each_test_card_on_the_hosted_page(shop: World, browser: Browser, card: TestCard) -> None:
    payment, page = _checkout(shop, browser, 350)
    heading = page.locator("h1")
    assert heading.get_attribute("data-state") == "created"
    assert page.locator("button[type=submit]").inner_text().startswith("Pay USD ")
    _submit(page, " ".join(card.number[i : i + 4] for i in range(0, 16, 4)))
    final = FINAL[card.outcome]
    # A dispute may be in before the buyer's browser follows the redirect.
    shown = "h1[data-state=failed]" if final == "failed" else "h1[data-state=paid]"
    if final == "disputed":
        shown += ", h1[data-state=disputed]"
    page.wait_for_selector(shown, timeout=WAIT_MS)
    if card.failure_code is not None:
        alert = page.locator("[data-failure-code]")
        assert alert.get_attribute("data-failure-code") == card.failure_code
        assert card.message in alert.inner_text()
        assert page.locator("#card_number").is_visible()  # the buyer may try again
    _shot(page, card.outcome.value + "-" + card.number[-4:])
    deadline = time.monotonic() + WAIT_MS / 1000
    while _status(shop, payment)["status"] != final and time.monotonic() < deadline:
        time.sleep(0.02)
    answered = _status(shop, payment)
    assert answered["status"] == final
    if card.failure_code is not None:
        assert answered["last_failure"]["code"] == card.failure_code
        assert shop.coins(answered["user_id"]) == 0
    else:
        assert answered["paid_at"] is not None
    page.close()
    shop.snapshot()  # the books reconcile after every card


def test_a_declined_card_then_a_good_one_pays_once(shop: World, browser: Browser) -> None:
    payment, page = _checkout(shop, browser, 500)
    _submit(page, "4000000000000002")
    page.wait_for_selector("h1[data-state=failed]", timeout=WAIT_MS)
    _submit(page, "4242424242424242")
    page.wait_for_selector("h1[data-state=paid]", timeout=WAIT_MS)
    assert "500 coins are in the wallet" in page.locator("[role=status]").inner_text()
    answered = _status(shop, payment)
    assert answered["status"] == "paid" and answered["last_failure"]["attempts"] == 1
    assert shop.coins(answered["user_id"]) == 500
    assert page.locator("form").count() == 0  # paid: nothing more to submit
    page.close()


@pytest.mark.parametrize(
    ("number", "expiry", "cvc", "said"),
    [
        ("4111111111111111", "12/34", "123", "not a test card"),
        ("4242", "12/34", "123", "incomplete"),
        ("4242424242424242", "01/20", "123", "in the past"),
        ("4242424242424242", "12/34", "1", "security code"),
    ],
)
def test_a_form_the_provider_would_refuse_sends_nothing(
    shop: World, browser: Browser, number: str, expiry: str, cvc: str, said: str
) -> None:
    payment, page = _checkout(shop, browser, 100)
    _submit(page, number, expiry, cvc)
    page.wait_for_selector(".error", timeout=WAIT_MS)
    assert said in page.locator(".error").inner_text()
    answered = _status(shop, payment)
    assert answered["status"] == "created" and answered["last_failure"] is None
    page.close()


def test_an_unknown_checkout_is_a_404_page(shop: World, browser: Browser) -> None:
    page = browser.new_page()
    response = page.goto(f"{shop.client.base_url}/sandbox/checkout/pay_nothing")
    assert response is not None and response.status == 404
    assert "No sandbox checkout here" in page.inner_text("h1")
    page.close()


def test_screenshots_are_kept(shop: World) -> None:
    assert SHOTS.is_dir() and any(Path(SHOTS).glob("*.png"))
