from __future__ import annotations

from giftflow.analytics.flows import FlowTotals, check_balanced, coin_flows
from tests.analytics.conftest import CREATOR_FLOW_NODES, PLATFORM_FLOW_NODES

BALANCED = FlowTotals(
    wallets_opening=1_000_000,
    bought=500_000,
    gifted=900_000,
    clawed_back=100_000,
    wallets_closing=500_000,
    diamonds=450_000,
    platform_share=450_000,
    earnings_opening=200_000,
    withdrawn=300_000,
    reversed=50_000,
    earnings_closing=300_000,
)


def test_the_platform_statement_lists_every_node_and_link_of_the_contract() -> None:
    flows = coin_flows("platform", "2026-11-01", "2026-12-01", BALANCED, include_wallets=True)
    assert {key: flows[key] for key in ("scope", "from", "to", "unit_scale")} == {
        "scope": "platform",
        "from": "2026-11-01",
        "to": "2026-12-01",
        "unit_scale": 10_000,
    }
    assert flows["nodes"][0] == {"id": "wallets_opening", "label": "In wallets at the start"}
    assert [node["id"] for node in flows["nodes"]] == PLATFORM_FLOW_NODES
    assert [(link["source"], link["target"], link["value_units"]) for link in flows["links"]] == [
        ("wallets_opening", "wallets", 1_000_000),
        ("bought", "wallets", 500_000),
        ("wallets", "gifted", 900_000),
        ("wallets", "clawed_back", 100_000),
        ("wallets", "wallets_closing", 500_000),
        ("gifted", "diamonds", 450_000),
        ("gifted", "platform_share", 450_000),
        ("earnings_opening", "earnings", 200_000),
        ("diamonds", "earnings", 450_000),
        ("earnings", "withdrawn", 300_000),
        ("earnings", "reversed", 50_000),
        ("earnings", "earnings_closing", 300_000),
    ]


def test_a_creators_statement_starts_at_gifted() -> None:
    flows = coin_flows("creator", "2026-11-01", "2026-12-01", BALANCED, include_wallets=False)
    assert [node["id"] for node in flows["nodes"]] == CREATOR_FLOW_NODES
    assert [link["source"] for link in flows["links"]][:2] == ["gifted", "gifted"]
    assert len(flows["links"]) == 7


def test_links_of_zero_are_still_listed() -> None:
    zero = FlowTotals(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0)
    flows = coin_flows("platform", "2026-11-01", "2026-12-01", zero, include_wallets=True)
    assert len(flows["links"]) == 12
    assert {link["value_units"] for link in flows["links"]} == {0}


def test_balanced_totals_name_no_node() -> None:
    assert check_balanced(BALANCED, include_wallets=True) == []
    assert check_balanced(BALANCED, include_wallets=False) == []


def test_an_unbalanced_node_is_named() -> None:
    totals = FlowTotals(
        wallets_opening=10,
        bought=0,
        gifted=5,
        clawed_back=0,
        wallets_closing=4,  # one unit missing from the wallets
        diamonds=2,
        platform_share=2,  # one unit missing from the split
        earnings_opening=0,
        withdrawn=0,
        reversed=0,
        earnings_closing=3,  # one unit too many
    )
    assert check_balanced(totals, include_wallets=True) == ["wallets", "gifted", "earnings"]
    assert check_balanced(totals, include_wallets=False) == ["gifted", "earnings"]
