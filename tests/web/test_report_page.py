"""The post-LIVE report page: a realistic two-hour report (built by hand to the shape of
docs/analytics.md) rendered, read back with the HTML parser, then shown in headless
Chromium, where the charts must have a size and carry the report's numbers."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.sync_api import Browser

from giftflow.i18n import activate
from giftflow.render.report_page import duration, render_report, report_sections
from tests.web.conftest import ARTIFACTS
from tests.web.test_charts import parse, values

START = datetime(2026, 11, 25, 14, 0, tzinfo=UTC)
MINUTES = 120
LINE_CHARTS = {
    "coins_per_minute": "coins",
    "gifts_per_minute": "gifts",
    "viewers_per_minute": "viewers",
}


def _minute(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%MZ")


def _instant(at: datetime) -> str:
    return at.strftime("%Y-%m-%dT%H:%M:%SZ")


def _minutes(chance: random.Random) -> list[dict[str, Any]]:
    rows = []
    for index in range(MINUTES):
        gift_events = chance.randrange(0, 12)
        gifts = gift_events + chance.randrange(0, 30) * (gift_events > 0)
        viewers = 40 + index // 2 + chance.randrange(0, 20)
        rows.append(
            {
                "minute": _minute(START + timedelta(minutes=index)),
                "gifts": gifts,
                "gift_events": gift_events,
                "coins": gifts * chance.choice((1, 5, 10, 99)),
                "gifters": min(gift_events, chance.randrange(0, 6)),
                "viewers": viewers,
                "watch_time_s": viewers * 55,
                "new_followers": chance.randrange(0, 3),
                "comments": chance.randrange(0, 15),
                "likes": chance.randrange(0, 80),
                "shares": chance.randrange(0, 2),
            }
        )
    return rows


def _totals(minutes: list[dict[str, Any]]) -> dict[str, Any]:
    def total(field: str) -> int:
        return sum(int(minute[field]) for minute in minutes)

    diamond_units = total("coins") * 5_000
    return {
        "gifts": total("gifts"),
        "gift_events": total("gift_events"),
        "coins": total("coins"),
        "diamond_units": diamond_units,
        "diamonds": f"{diamond_units // 10_000}.{diamond_units % 10_000:04d}",
        "gifters_unique": 57,
        "viewers_unique": 412,
        "peak_concurrent_viewers": max(minute["viewers"] for minute in minutes),
        "watch_time_s": total("watch_time_s"),
        "new_followers": total("new_followers"),
        "comments": total("comments"),
        "likes": total("likes"),
        "shares": total("shares"),
    }


def _velocity(minutes: list[dict[str, Any]], totals: dict[str, Any]) -> dict[str, Any]:
    peak_coins = max(minute["coins"] for minute in minutes)
    return {
        "peak_gifts_per_minute": max(minute["gifts"] for minute in minutes),
        "mean_gifts_per_minute": f"{totals['gifts'] / MINUTES:.2f}",
        "peak_coins_per_minute": peak_coins,
        "mean_coins_per_minute": f"{totals['coins'] / MINUTES:.2f}",
        "peak_minute": next(m["minute"] for m in minutes if m["coins"] == peak_coins),
    }


def _chapters(minutes: list[dict[str, Any]]) -> list[dict[str, Any]]:
    bounds = [(1, "hook", "Intro & hello", 0, 10), (2, "segment", "Speed painting", 10, 70)]
    bounds += [(3, "battle", "Battle vs <Leo>", 70, 100), (4, "outro", "Thanks!", 100, 120)]
    chapters = []
    for position, kind, title, first, last in bounds:
        window = minutes[first:last]
        chapters.append(
            {
                "id": 10 + position,
                "position": position,
                "kind": kind,
                "title": title,
                "start": _instant(START + timedelta(minutes=first)),
                "end": _instant(START + timedelta(minutes=last)),
                **{
                    field: sum(m[field] for m in window)
                    for field in ("coins", "gifts", "gift_events", "watch_time_s", "new_followers")
                },
                "gifters": sum(m["gifters"] for m in window) // 2,
            }
        )
    return chapters


def realistic_report(seed: int = 2026) -> dict[str, Any]:
    chance = random.Random(seed)
    minutes = _minutes(chance)
    totals = _totals(minutes)
    end = START + timedelta(minutes=MINUTES)
    supporters = [
        {
            "user_id": 100 + rank,
            "name": f"Fan {rank}",
            "coins": 2_000 - rank * 150,
            "gifts": 40 - rank,
        }
        for rank in range(10)
    ]
    previous = [
        {
            "session_id": 7 - back,
            "title": f"LIVE #{7 - back}",
            "started_at": _instant(START - timedelta(days=3 * back)),
            "duration_s": 3_600 + 300 * back,
            "coins": 9_000 + 1_111 * back,
            "gifts": 800 + back,
            "gifters_unique": 40 + back,
            "watch_time_s": 200_000 + back,
            "new_followers": 30 + back,
            "peak_coins_per_minute": 900 + back,
        }
        for back in range(1, 6)
    ]
    return {
        "version": 1,
        "session": {
            "id": 8,
            "creator_id": 3,
            "creator_name": "Mia",
            "title": "Friday LIVE",
            "started_at": _instant(START),
            "ended_at": _instant(end),
            "duration_s": MINUTES * 60,
            "minutes": MINUTES,
        },
        "totals": totals,
        "velocity": _velocity(minutes, totals),
        "top_supporters": supporters,
        "chapters": _chapters(minutes),
        "follower_growth": {
            "during": totals["new_followers"],
            "after_24h": sum(range(24)) % 97,
            "after_hours": [
                {"hour": hour, "new_followers": (24 - hour) % 7} for hour in range(1, 25)
            ],
        },
        "previous": previous,
        "minutes": minutes,
    }


def _chart_points(document: str, chart: str) -> list[dict[str, str]]:
    inside, points = False, []
    for tag, attrs in parse(document).elements:
        if tag == "figure":
            inside = attrs.get("data-chart") == chart
        if inside and "point" in attrs.get("class", "").split():
            points.append(attrs)
    return points


def test_the_report_page_is_self_contained_with_no_scripts_or_requests() -> None:
    document = render_report(realistic_report())
    assert document.startswith("<!DOCTYPE html>")
    assert "<script" not in document.lower()
    assert "http://" not in document and "https://" not in document
    assert "<link" not in document and "<img" not in document and "url(" not in document
    parse(document)  # every element closes


def test_every_minute_is_a_point_on_each_per_minute_chart() -> None:
    report = realistic_report()
    document = render_report(report)
    for chart, field in LINE_CHARTS.items():
        points = _chart_points(document, chart)
        assert values(points, "data-x") == [minute["minute"] for minute in report["minutes"]]
        assert values(points, "data-y") == [str(minute[field]) for minute in report["minutes"]]
        assert {point["data-series"] for point in points} == {field}


def test_totals_and_velocity_hold_the_exact_json_values() -> None:
    report = realistic_report()
    document = render_report(report)
    for kind, figures in (("total", report["totals"]), ("velocity", report["velocity"])):
        for key, value in figures.items():
            assert f'<span data-{kind}="{key}">{value}</span>' in document


def test_chapters_supporters_growth_and_previous_lives_are_shown() -> None:
    report = realistic_report()
    document = render_report(report)
    parsed = parse(document)
    rows = parsed.tags("tr")
    assert [row["data-chapter"] for row in rows if "data-chapter" in row] == ["1", "2", "3", "4"]
    supporters = [row["data-supporter"] for row in rows if "data-supporter" in row]
    assert supporters == [str(s["user_id"]) for s in report["top_supporters"]]
    chapter_points = _chart_points(document, "chapters_coins")
    assert values(chapter_points, "data-y") == [str(c["coins"]) for c in report["chapters"]]
    assert "Battle vs <Leo>" in values(chapter_points, "data-x")
    growth = _chart_points(document, "follower_growth")
    assert values(growth, "data-y") == [
        str(h["new_followers"]) for h in report["follower_growth"]["after_hours"]
    ]
    previous = _chart_points(document, "previous_coins")
    expected = [*(p["coins"] for p in reversed(report["previous"])), report["totals"]["coins"]]
    assert values(previous, "data-y") == [str(coins) for coins in expected]
    assert values(previous, "data-x")[-1] == "2026-11-25"


@pytest.mark.parametrize(
    ("seconds", "shown"), [(5_400, "1 h 30 min"), (7_200, "2 h"), (59, "59 s"), (0, "0 s")]
)
def test_durations_read_as_hours_and_minutes(seconds: int, shown: str) -> None:
    assert duration(seconds) == shown


def test_a_live_session_without_gifts_or_history_still_renders() -> None:
    report = realistic_report()
    report["session"] = {**report["session"], "ended_at": None, "creator_name": "<script>x"}
    report["velocity"] = {**report["velocity"], "peak_minute": None}
    report.update(top_supporters=[], chapters=[], previous=[])
    report["follower_growth"] = {"during": 0, "after_24h": 0, "after_hours": []}
    sections = report_sections(report)
    assert "<script" not in sections and "&lt;script&gt;x" in sections
    assert "still live" in sections and "No chapters." in sections
    assert len(_chart_points(sections, "previous_coins")) == 1


def test_the_report_renders_its_charts_in_chromium(browser: Browser) -> None:
    report = realistic_report()
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_content(render_report(report))
        sizes = page.eval_on_selector_all(
            "figure.chart svg",
            "svgs => svgs.map(s => s.getBoundingClientRect().width * "
            "s.getBoundingClientRect().height)",
        )
        assert len(sizes) == 6 and all(size > 0 for size in sizes)
        for chart, field in LINE_CHARTS.items():
            shown = page.eval_on_selector_all(
                f'[data-chart="{chart}"] .point', "points => points.map(p => p.dataset.y)"
            )
            assert shown == [str(minute[field]) for minute in report["minutes"]]
        bars = page.eval_on_selector_all(
            '[data-chart="chapters_coins"] rect.point',
            "bars => bars.map(b => [b.dataset.y, b.getBoundingClientRect().height])",
        )
        assert [y for y, _ in bars] == [str(c["coins"]) for c in report["chapters"]]
        assert all(height > 0 for _, height in bars)
        totals = page.eval_on_selector_all(
            "[data-total]", "nodes => nodes.map(n => [n.dataset.total, n.textContent])"
        )
        assert dict(totals) == {key: str(value) for key, value in report["totals"].items()}
        folder = ARTIFACTS.parent / "report"
        folder.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=folder / "post-live-report.png", full_page=True)
    finally:
        page.close()


FRENCH_HEADINGS = [
    "Totaux",
    "Rythme",
    "Minute par minute",
    "Chapitres",
    "Chiffres par chapitre",
    "Meilleurs soutiens",
    "Croissance des abonnés",
    "Comparé aux LIVE précédents",
]


def test_the_report_reads_in_french_with_the_same_figures(browser: Browser) -> None:
    report = realistic_report()
    with activate("fr"):
        document = render_report(report)
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    try:
        page.set_content(document)
        assert page.evaluate("document.documentElement.lang") == "fr"
        assert page.locator("p.eyebrow").inner_text().lower() == "rapport du live"
        assert page.locator("h2").all_inner_texts() == FRENCH_HEADINGS
        assert page.locator("figure.chart figcaption").all_inner_texts()[:3] == [
            "Pièces par minute",
            "Cadeaux par minute",
            "Spectateurs par minute",
        ]
        labels = page.eval_on_selector_all(
            "[data-figures=total] dt", "terms => terms.map(t => t.textContent)"
        )
        assert labels[:3] == ["Cadeaux", "Envois de cadeaux", "Pièces"]
        headers = page.locator("table thead th").all_inner_texts()
        assert {"Titre", "Début (UTC)", "Nom"} <= set(headers)
        totals = page.eval_on_selector_all(
            "[data-total]", "nodes => nodes.map(n => [n.dataset.total, n.textContent])"
        )
        assert dict(totals) == {key: str(value) for key, value in report["totals"].items()}
        title = f"{report['session']['title']} · {report['session']['creator_name']} · rapport"
        assert page.title() == title
    finally:
        page.close()
    english = render_report(report)
    assert "Top supporters" in english and "Meilleurs soutiens" not in english
