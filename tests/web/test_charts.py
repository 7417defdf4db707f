"""The server-side charts, read back with the standard library's HTML parser: every
point is there with its exact value, text is escaped, and odd inputs still draw."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from html.parser import HTMLParser
from typing import Any

import pytest

from giftflow.render.charts import bar_chart, cohort_table, coins, line_chart
from giftflow.render.sankey import node_columns, sankey
from tests.analytics.conftest import PLATFORM_FLOW_NODES

HOSTILE = '<script>alert("x")</script>&'
VOID_ELEMENTS = frozenset({"br", "hr", "img", "meta", "input", "link"})


@dataclass
class Parsed(HTMLParser):
    """The elements of a fragment: each start tag's attributes, the points' tooltips,
    and a check that every element closes in order."""

    elements: list[tuple[str, dict[str, str]]] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    text: list[str] = field(default_factory=list)
    _open: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        super().__init__()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))
        if tag not in VOID_ELEMENTS:
            self._open.append(tag)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.elements.append((tag, {name: value or "" for name, value in attrs}))

    def handle_endtag(self, tag: str) -> None:
        assert self._open and self._open.pop() == tag, f"</{tag}> closes nothing open"

    def handle_data(self, data: str) -> None:
        if self._open and self._open[-1] == "title":
            self.titles.append(data)
        self.text.append(data)

    def tags(self, tag: str) -> list[dict[str, str]]:
        return [attrs for name, attrs in self.elements if name == tag]

    def points(self) -> list[dict[str, str]]:
        return [attrs for _, attrs in self.elements if "point" in attrs.get("class", "").split()]


def parse(fragment: str) -> Parsed:
    parsed = Parsed()
    parsed.feed(fragment)
    parsed.close()
    assert parsed._open == [], parsed._open
    return parsed


def values(points: Sequence[Mapping[str, str]], key: str) -> list[str]:
    return [point[key] for point in points]


def test_a_line_chart_has_a_point_per_value_with_its_label_value_and_tooltip() -> None:
    labels = [f"2026-11-25T14:{minute:02d}Z" for minute in range(30)]
    coins_per_minute = [minute * 37 % 11 * 100 for minute in range(30)]
    parsed = parse(line_chart("coins", "Coins per minute", labels, {"coins": coins_per_minute}))
    (figure,) = parsed.tags("figure")
    assert figure == {"class": "chart", "data-chart": "coins"}
    (svg,) = parsed.tags("svg")
    assert svg["role"] == "img" and svg["aria-label"] == "Coins per minute"
    assert svg["viewbox"].startswith("0 0 ")
    points = parsed.points()
    assert values(points, "data-series") == ["coins"] * 30
    assert values(points, "data-x") == labels
    assert values(points, "data-y") == [str(value) for value in coins_per_minute]
    tooltips = [f"{label}: {value}" for label, value in zip(labels, coins_per_minute, strict=True)]
    assert parsed.titles == tooltips
    assert len(parsed.tags("polyline")) == 1


def test_decimal_strings_are_plotted_and_shown_exactly_as_given() -> None:
    means = ["12.35", "0.00", "7.50"]
    points = parse(line_chart("means", "Means", ["a", "b", "c"], {"mean": means})).points()
    assert values(points, "data-y") == means


def test_a_line_chart_draws_one_polyline_per_series_and_a_legend() -> None:
    series = {"coins": [1, 2, 3], "gifts": [4, 5, 6]}
    parsed = parse(line_chart("both", "Both", ["a", "b", "c"], series))
    assert len(parsed.tags("polyline")) == 2
    points = parsed.points()
    assert values(points, "data-series") == ["coins"] * 3 + ["gifts"] * 3
    assert values(points, "data-y") == ["1", "2", "3", "4", "5", "6"]
    assert "coins" in parsed.text and "gifts" in parsed.text


def test_a_long_series_stays_one_polyline_with_every_point_and_few_ticks() -> None:
    count = 15_000
    labels = [f"m{index}" for index in range(count)]
    series = [index * 7919 % 1000 for index in range(count)]
    fragment = line_chart("long", "Long", labels, {"coins": series})
    assert len(fragment) < 3_000_000
    parsed = parse(fragment)
    assert len(parsed.tags("polyline")) == 1
    assert values(parsed.points(), "data-y") == [str(value) for value in series]
    ticks = [attrs for attrs in parsed.tags("text") if attrs.get("class") == "tick"]
    assert len(ticks) <= 12


def test_hostile_text_is_escaped_everywhere_and_reads_back_unchanged() -> None:
    fragments = [
        line_chart(HOSTILE, HOSTILE, [HOSTILE], {HOSTILE: [1]}, unit=HOSTILE),
        bar_chart(HOSTILE, HOSTILE, [HOSTILE], [1], unit=HOSTILE),
        sankey(HOSTILE, HOSTILE, [{"id": HOSTILE, "label": HOSTILE}], []),
        cohort_table(HOSTILE, HOSTILE, {"cohorts": [_cohort(HOSTILE)]}),
    ]
    for fragment in fragments:
        assert "<script" not in fragment
        parsed = parse(fragment)
        assert parsed.tags("figure")[0]["data-chart"] == HOSTILE
        assert HOSTILE in parsed.text
    line_point = parse(fragments[0]).points()[0]
    assert line_point["data-series"] == HOSTILE and line_point["data-x"] == HOSTILE


@pytest.mark.parametrize("chart", ["line", "bar"])
def test_an_empty_chart_says_no_data_and_has_no_points(chart: str) -> None:
    if chart == "line":
        fragment = line_chart("empty", "Empty", [], {"coins": []})
    else:
        fragment = bar_chart("empty", "Empty", [], [])
    parsed = parse(fragment)
    assert parsed.points() == []
    assert "No data" in parsed.text
    assert len(parsed.tags("svg")) == 1


def test_a_series_of_zeros_draws_on_the_axis() -> None:
    parsed = parse(line_chart("zeros", "Zeros", ["a", "b"], {"coins": [0, 0]}))
    assert values(parsed.points(), "data-y") == ["0", "0"]


def test_values_that_do_not_match_the_labels_are_refused() -> None:
    with pytest.raises(ValueError, match="2 values for 3 labels"):
        line_chart("bad", "Bad", ["a", "b", "c"], {"coins": [1, 2]})
    with pytest.raises(ValueError, match="2 values for 1 labels"):
        bar_chart("bad", "Bad", ["a"], [1, 2])


def test_a_bar_chart_has_one_rect_point_per_bar() -> None:
    labels = ["Intro", "A very long chapter title indeed", "Outro"]
    parsed = parse(bar_chart("chapters_coins", "Coins", labels, [1200, 0, 15], unit="coins"))
    points = parsed.points()
    assert [attrs for attrs in parsed.tags("rect") if "point" in attrs.get("class", "")] == points
    assert values(points, "data-x") == labels
    assert values(points, "data-y") == ["1200", "0", "15"]
    assert values(points, "data-series") == ["chapters_coins"] * 3
    assert "1,200" in parsed.text
    assert parsed.titles == ["Intro: 1200", f"{labels[1]}: 0", "Outro: 15"]


FLOW_NODES = [
    {"id": node, "label": node.replace("_", " ").capitalize()} for node in PLATFORM_FLOW_NODES
]
FLOW_LINKS: list[dict[str, Any]] = [
    {"source": "wallets_opening", "target": "wallets", "value_units": 1_000_000},
    {"source": "bought", "target": "wallets", "value_units": 5_000_000},
    {"source": "wallets", "target": "gifted", "value_units": 4_000_000},
    {"source": "wallets", "target": "clawed_back", "value_units": 0},
    {"source": "wallets", "target": "wallets_closing", "value_units": 2_000_000},
    {"source": "gifted", "target": "diamonds", "value_units": 2_000_000},
    {"source": "gifted", "target": "platform_share", "value_units": 2_000_000},
    {"source": "earnings_opening", "target": "earnings", "value_units": 123_455},
    {"source": "diamonds", "target": "earnings", "value_units": 2_000_000},
    {"source": "earnings", "target": "withdrawn", "value_units": 1_500_000},
    {"source": "earnings", "target": "reversed", "value_units": 0},
    {"source": "earnings", "target": "earnings_closing", "value_units": 623_455},
]


def test_sankey_columns_are_the_longest_path_with_sources_next_to_their_targets() -> None:
    columns = node_columns([node["id"] for node in FLOW_NODES], FLOW_LINKS)
    assert columns["wallets_opening"] == 0
    assert columns["earnings_opening"] == columns["earnings"] - 1
    assert columns["wallets"] == 1 and columns["gifted"] == 2 and columns["diamonds"] == 3
    assert columns["earnings"] == 4 and columns["earnings_closing"] == 5


def test_sankey_has_every_link_as_a_point_and_every_node_with_its_coins() -> None:
    parsed = parse(sankey("coin_flows", "Coin flows", FLOW_NODES, FLOW_LINKS))
    points = parsed.points()
    assert values(points, "data-x") == [f"{x['source']}->{x['target']}" for x in FLOW_LINKS]
    assert values(points, "data-y") == [str(link["value_units"]) for link in FLOW_LINKS]
    assert {point["data-series"] for point in points} == {"link"}
    hairlines = [point["data-x"] for point in points if "hairline" in point["data-kind"]]
    assert hairlines == ["wallets->clawed_back", "earnings->reversed"]
    nodes = {attrs["data-node"]: attrs for attrs in parsed.tags("g") if "data-node" in attrs}
    assert list(nodes) == [node["id"] for node in FLOW_NODES]
    assert nodes["wallets"]["data-value-units"] == "6000000"
    assert "600" in parsed.text and "12.3455" in parsed.text and "212.3455" in parsed.text


def test_an_axis_reaches_above_the_largest_value() -> None:
    parsed = parse(line_chart("c", "C", ["a", "b"], {"coins": [29_999, 0]}))
    top_grid_y = min(float(a["y1"]) for a in parsed.tags("line") if a.get("class") == "grid")
    highest_point_y = min(float(point["cy"]) for point in parsed.points())
    assert highest_point_y >= top_grid_y  # inside the plot, under the top grid line


def test_sankey_with_only_zero_links_still_lists_them() -> None:
    links = [{**link, "value_units": 0} for link in FLOW_LINKS]
    parsed = parse(sankey("coin_flows", "Coin flows", FLOW_NODES, links))
    assert values(parsed.points(), "data-y") == ["0"] * len(FLOW_LINKS)
    assert {point["stroke-width"] for point in parsed.points()} == {"0.50"}


def test_sankey_refuses_cycles_and_unknown_nodes() -> None:
    nodes = [{"id": "a", "label": "A"}, {"id": "b", "label": "B"}]
    with pytest.raises(ValueError, match="cycle"):
        sankey("s", "S", nodes, [_link("a", "b"), _link("b", "a")])
    with pytest.raises(ValueError, match="unknown node"):
        sankey("s", "S", nodes, [_link("a", "c")])


def _link(source: str, target: str) -> dict[str, Any]:
    return {"source": source, "target": target, "value_units": 1}


@pytest.mark.parametrize(
    ("units", "shown"),
    [
        (123_455_000, "12,345.5"),
        (10_000, "1"),
        (5, "0.0005"),
        (0, "0"),
        (-15_000, "-1.5"),
    ],
)
def test_coins_are_exact_decimals_without_trailing_zeros(units: int, shown: str) -> None:
    assert coins(units) == shown


def test_coins_need_a_power_of_ten_scale() -> None:
    assert coins(15, unit_scale=10) == "1.5"
    assert coins(7, unit_scale=1) == "7"
    with pytest.raises(ValueError, match="power of ten"):
        coins(1, unit_scale=3)


def _cohort(week: str) -> dict[str, Any]:
    return {
        "week": week,
        "size": 40,
        "returning": [
            {"week": "w1", "offset": 1, "gifters": 12, "share": "30.0"},
            {"week": "w2", "offset": 2, "gifters": 30, "share": "75.0"},
        ],
    }


def test_a_cohort_table_has_a_cell_per_returning_week() -> None:
    document = {
        "creator_id": 3,
        "weeks": ["2026-11-02", "2026-11-09", "2026-11-16"],
        "cohorts": [
            _cohort("2026-11-02"),
            {
                "week": "2026-11-09",
                "size": 5,
                "returning": [{"week": "2026-11-16", "offset": 1, "gifters": 0, "share": "0.0"}],
            },
        ],
    }
    parsed = parse(cohort_table("cohorts", "Returning gifters", document))
    points = parsed.points()
    assert [(p["data-series"], p["data-x"], p["data-y"]) for p in points] == [
        ("2026-11-02", "1", "12"),
        ("2026-11-02", "2", "30"),
        ("2026-11-09", "1", "0"),
    ]
    assert all(point.get("style", "").startswith("background-color") for point in points)
    assert "75.0%" in parsed.text and "40" in parsed.text
    assert len(parsed.tags("td")) == 2 + 2 + 2  # the sizes, the points, one empty cell


def test_no_cohorts_is_said_plainly() -> None:
    parsed = parse(
        cohort_table("cohorts", "Cohorts", {"creator_id": 3, "weeks": [], "cohorts": []})
    )
    assert parsed.points() == [] and "No cohorts yet." in parsed.text
