"""The HTML report ``giftflow replay`` writes, opened in headless Chromium: its charts
hold the per-minute coins and chapter coins its JSON report gives."""

from __future__ import annotations

import json
from pathlib import Path

from playwright.sync_api import Browser
from typer.testing import CliRunner

from giftflow.cli.app import app
from giftflow.replay.source import packaged
from tests.web.conftest import full_screenshot

GDQ = Path(str(packaged("")))
"""The sgdq2012 log giftflow ships (giftflow/replay/data, see its PROVENANCE.md)."""


def test_the_replay_report_page_draws_what_its_json_says(browser: Browser, tmp_path: Path) -> None:
    arguments = ["replay", str(GDQ / "sgdq2012_donations.csv")]
    arguments += ["--runs", str(GDQ / "sgdq2012_runs.csv")]
    arguments += [
        "--report-json",
        str(tmp_path / "r.json"),
        "--report-html",
        str(tmp_path / "r.html"),
    ]
    arguments += ["--database", str(tmp_path / "replay.db")]
    assert CliRunner().invoke(app, arguments).exit_code == 0
    report = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.goto((tmp_path / "r.html").as_uri())
        coins = page.eval_on_selector_all(
            '[data-chart="coins_per_minute"] .point',
            "points => points.map(p => [p.dataset.x, Number(p.dataset.y)])",
        )
        assert coins == [[row["minute"], row["coins"]] for row in report["per_minute"]]
        chapters = page.eval_on_selector_all(
            '[data-chart="chapters_coins"] .point', "bars => bars.map(b => Number(b.dataset.y))"
        )
        assert chapters == [chapter["coins"] for chapter in report["chapters"]]
        shown = page.text_content('[data-total="coins"]')
        assert shown is not None and int(shown.replace(",", "")) == report["coins_total"]
        full_screenshot(page, "replay-report")
    finally:
        page.close()
