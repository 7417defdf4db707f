"""Coin flows from the ledger: every node balances, and each link equals the amount
the test moved by hand (purchases, gifts, a refund that reverses a gift, a payout
returned and one reserved), in the period only."""

from __future__ import annotations

from typing import Any

import pytest

from giftflow.economy.users import User
from giftflow.service.analytics import Analytics, AnalyticsError
from tests.analytics.conftest import CREATOR_FLOW_NODES
from tests.analytics_service.conftest import NS_PER_S, Stage, rows
from tests.economy.conftest import DOUGHNUT, LION, ROSE

DAY_NS = 86_400 * NS_PER_S
UNITS = 10_000
RESERVED_DIAMONDS = 10_000


def links(document: dict[str, Any]) -> dict[tuple[str, str], int]:
    return {(link["source"], link["target"]): link["value_units"] for link in document["links"]}


def share_bps(stage: Stage, creator: User) -> int:
    (found,) = rows(stage, "SELECT DISTINCT share_bps FROM gifts WHERE creator_id = ?", creator.id)
    return int(str(found[0]))


def book(stage: Stage) -> tuple[User, int, int]:
    """Before the period: ana buys 70,000 and gifts two lions to carol, ben buys 500,
    carol's diamonds mature. In it: a payout reserved and returned, another reserved;
    ben gifts a doughnut (30), ana 10 roses to dave; cy buys 200, gifts 150 roses and
    is refunded in full (50 from the wallet, the gift reversed). After it: more gifts."""
    market = stage.market
    carol, dave = market.creator("carol"), market.creator("dave")
    ana, ben, cy = (market.viewer(name) for name in ("ana", "ben", "cy"))
    market.buy(ana, 70_000)
    market.buy(ben, 500)
    market.gift(ana, carol, LION, quantity=2)
    stage.advance(8 * 86_400)
    market.economy.mature_earnings()
    start = (market.clock.now_ns() // DAY_NS + 1) * DAY_NS
    market.clock.set_ns(start + 3_600 * NS_PER_S)
    returned = market.economy.request_payout(creator_id=carol.id, diamonds=RESERVED_DIAMONDS)
    market.economy.reject_payout(returned.id, "test")
    market.economy.request_payout(creator_id=carol.id, diamonds=RESERVED_DIAMONDS)
    market.gift(ben, carol, DOUGHNUT)
    market.gift(ana, dave, ROSE, quantity=10)
    payment, _ = market.buy(cy, 200)
    market.gift(cy, carol, ROSE, quantity=150)
    market.refund(payment, payment.amount_minor)
    market.clock.set_ns(start + DAY_NS)
    market.gift(ben, carol, ROSE, quantity=7)
    return carol, start, start + DAY_NS


def test_the_platforms_flows_balance_and_equal_what_was_moved(
    stage: Stage, analytics: Analytics
) -> None:
    carol, start, end = book(stage)
    share = share_bps(stage, carol)
    document = analytics.coin_flows(creator_id=None, start_ns=start, end_ns=end)
    assert (document["scope"], document["unit_scale"]) == ("platform", UNITS)
    opening_coins = 70_000 - 2 * 29_999 + 500
    gifted, reversed_coins = 30 + 10 + 150, 150
    earned_before = 2 * 29_999 * share
    assert links(document) == {
        ("wallets_opening", "wallets"): opening_coins * UNITS,
        ("bought", "wallets"): 200 * UNITS,
        ("wallets", "gifted"): gifted * UNITS,
        ("wallets", "clawed_back"): 50 * UNITS,
        ("wallets", "wallets_closing"): (opening_coins + 200 - gifted - 50) * UNITS,
        ("gifted", "diamonds"): gifted * share,
        ("gifted", "platform_share"): gifted * (UNITS - share),
        ("earnings_opening", "earnings"): earned_before,
        ("diamonds", "earnings"): gifted * share,
        ("earnings", "withdrawn"): RESERVED_DIAMONDS * UNITS,
        ("earnings", "reversed"): reversed_coins * share,
        ("earnings", "earnings_closing"): earned_before
        + (gifted - reversed_coins) * share
        - RESERVED_DIAMONDS * UNITS,
    }


def test_wallets_at_the_end_are_what_the_ledger_holds(stage: Stage, analytics: Analytics) -> None:
    _, start, end = book(stage)  # and after the period, gifts: within the one asked
    document = analytics.coin_flows(creator_id=None, start_ns=start, end_ns=end + DAY_NS)
    ((held,),) = rows(
        stage, "SELECT SUM(credits_posted - debits_posted) FROM accounts WHERE code = 100"
    )
    assert links(document)["wallets", "wallets_closing"] == int(str(held)) * UNITS


def test_a_creators_flows_start_at_the_coins_gifted_to_them(
    stage: Stage, analytics: Analytics
) -> None:
    carol, start, end = book(stage)
    share = share_bps(stage, carol)
    document = analytics.coin_flows(creator_id=carol.id, start_ns=start, end_ns=end)
    assert document["scope"] == "creator"
    assert {node["id"] for node in document["nodes"]} == set(CREATOR_FLOW_NODES)
    found = links(document)
    assert found["gifted", "diamonds"] == 180 * share
    assert found["gifted", "platform_share"] == 180 * (UNITS - share)
    assert found["earnings", "reversed"] == 150 * share
    opening = found["earnings_opening", "earnings"]
    assert opening == 2 * 29_999 * share
    assert found["earnings", "earnings_closing"] == opening + 30 * share - RESERVED_DIAMONDS * UNITS


def test_a_period_must_start_before_it_ends(stage: Stage, analytics: Analytics) -> None:
    with pytest.raises(AnalyticsError) as refused:
        analytics.coin_flows(creator_id=None, start_ns=DAY_NS, end_ns=DAY_NS)
    assert refused.value.code == "period_invalid"
