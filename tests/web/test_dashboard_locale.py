"""The dashboard in the server's locale (``GIFTFLOW_LOCALE``): money in major units
with the currency's decimals, and the fixed texts from the locale's catalog."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser

from giftflow.i18n import money
from giftflow.service.events.bus import REPLAY_BUFFER_EVENTS
from tests.web.conftest import Showcase, build_showcase, full_screenshot, open_studio


@pytest.fixture(scope="module")
def french(browser: Browser, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Showcase]:
    folder = tmp_path_factory.mktemp("dashboard-fr")
    with open_studio(browser, folder, buffer=REPLAY_BUFFER_EVENTS, locale="fr") as studio:
        yield build_showcase(studio)


def test_payouts_show_money_in_major_units_not_minor_ones(showcase: Showcase) -> None:
    page = showcase.signed_in("a")
    cells = page.locator('tr[data-payout] td[data-field="net_minor"]')
    minor = [int(v or 0) for v in cells.evaluate_all("c => c.map(e => e.dataset.amountMinor)")]
    assert minor and all(amount > 0 for amount in minor)
    shown = cells.all_inner_texts()
    assert shown == [money(amount, "USD", "en") for amount in minor]
    assert all(text.startswith("$") and "." in text for text in shown)
    page.close()


def test_the_creators_dashboard_in_french(french: Showcase) -> None:
    page = french.signed_in("a")
    assert page.evaluate("document.documentElement.lang") == "fr"
    headings = page.locator("h2").all_inner_texts()
    assert headings[:2] == ["Gains", "LIVE"]
    assert "Versements" in headings and "Flux de pièces" in headings
    assert page.locator("nav.top button").inner_text() == "Se déconnecter"
    cell = page.locator('tr[data-payout] td[data-field="net_minor"]').first
    amount = int(cell.get_attribute("data-amount-minor") or 0)
    assert cell.inner_text() == money(amount, "USD", "fr")
    assert cell.inner_text().endswith("$US") and "," in cell.inner_text()
    assert page.locator('td[data-field="state"]').first.inner_text() in {"demandé", "retenu"}
    full_screenshot(page, "creator-fr")
    page.close()


def test_the_admin_page_and_error_pages_in_french(french: Showcase) -> None:
    page = french.signed_in("admin")
    assert page.locator("section[data-reconcile] h2").inner_text() == "Rapprochement"
    assert page.locator('section[data-reconcile] button[type="submit"]').inner_text() == (
        "Rapprocher maintenant"
    )
    answer = page.goto(f"{french.base_url}/dashboard/creators/abc")
    assert answer is not None and answer.status == 404
    assert page.locator("h1").inner_text() == "Introuvable"
    full_screenshot(page, "admin-fr-404")
    page.close()
