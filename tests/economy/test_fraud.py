"""Fraud rules: one payment instrument funding many wallets sends the extra wallets to
review, and every decision is logged for a person to uphold or overturn."""

from __future__ import annotations

import pytest

from giftflow.economy.errors import AccountFrozenError, EconomyError, NotFoundError
from giftflow.economy.users import User
from tests.economy.conftest import Market, OpenMarket


def funded(market: Market, count: int, instrument: str, *, prefix: str = "viewer") -> list[User]:
    """``count`` new viewers, each buying 100 coins with ``instrument``."""
    viewers = [market.viewer(f"{prefix}-{n}") for n in range(count)]
    for viewer in viewers:
        market.buy(viewer, 100, instrument=instrument)
    return viewers


def test_the_wallets_one_instrument_may_fund_are_not_flagged(market: Market) -> None:
    viewers = funded(market, 3, "card-1")  # the default limit is 3 wallets

    assert not any(market.economy.wallet(v.id).frozen for v in viewers)
    assert [market.coins(v) for v in viewers] == [100, 100, 100]
    assert market.economy.fraud_decisions() == []


@pytest.mark.parametrize("limit", [1, 3])
def test_the_wallet_beyond_the_limit_of_one_instrument_is_frozen_for_review(
    open_market: OpenMarket, limit: int
) -> None:
    market = open_market(instrument_wallet_limit=limit)
    allowed = funded(market, limit, "card-1")
    other_card = funded(market, 1, "card-2", prefix="other")
    extra = market.viewer("one-too-many")

    _, outcome = market.buy(extra, 100, instrument="card-1")

    assert outcome.coins_minted == 100
    wallet = market.economy.wallet(extra.id)
    assert (wallet.coins, wallet.frozen) == (100, True)
    assert not any(market.economy.wallet(v.id).frozen for v in allowed + other_card)
    [decision] = market.economy.fraud_decisions()
    assert (decision.rule, decision.action, decision.user_id) == (
        "shared_instrument",
        "review",
        extra.id,
    )
    assert decision.subject == "instrument card-1"
    assert f"funded {limit + 1} wallets" in decision.detail
    assert decision.review_state == "open"
    market.assert_reconciled()


def test_a_wallet_frozen_for_review_can_neither_gift_nor_be_topped_up(market: Market) -> None:
    funded(market, 3, "card-1")
    extra, creator = market.viewer("one-too-many"), market.creator()
    market.buy(extra, 100, instrument="card-1")

    with pytest.raises(AccountFrozenError):
        market.gift(extra, creator)
    with pytest.raises(AccountFrozenError):
        market.buy(extra, 100, instrument="card-3")

    assert market.coins(extra) == 100
    rules = [decision.rule for decision in market.economy.fraud_decisions()]
    assert rules == ["frozen_wallet_payment", "shared_instrument"]
    market.assert_reconciled()


def test_payments_without_an_instrument_are_not_counted(market: Market) -> None:
    viewers = [market.viewer(f"viewer-{n}") for n in range(5)]
    for viewer in viewers:
        market.buy(viewer, 100)
    assert not any(market.economy.wallet(v.id).frozen for v in viewers)
    assert market.economy.fraud_decisions() == []


# --- review ---------------------------------------------------------------------------


def test_a_decision_upheld_is_closed_with_its_reviewer_and_time(market: Market) -> None:
    funded(market, 4, "card-1")
    [decision] = market.economy.fraud_decisions(open_only=True)
    market.clock.advance(seconds=3600)

    reviewed = market.economy.review_fraud_decision(
        decision.id, upheld=True, reviewer="analyst@giftflow"
    )

    assert (reviewed.id, reviewed.review_state, reviewed.reviewed_by) == (
        decision.id,
        "upheld",
        "analyst@giftflow",
    )
    assert reviewed.reviewed_at == market.clock.now_ns()
    assert (reviewed.rule, reviewed.subject, reviewed.created_at) == (
        decision.rule,
        decision.subject,
        decision.created_at,
    )
    assert decision.user_id is not None
    assert market.economy.wallet(decision.user_id).frozen


def test_a_decision_overturned_lets_an_admin_thaw_the_wallet(market: Market) -> None:
    funded(market, 4, "card-1")
    creator = market.creator()
    [decision] = market.economy.fraud_decisions()
    assert decision.user_id is not None

    reviewed = market.economy.review_fraud_decision(decision.id, upheld=False, reviewer="admin")
    market.economy.set_wallet_frozen(decision.user_id, frozen=False)

    assert reviewed.review_state == "overturned"
    sender = market.economy.user(decision.user_id)
    assert market.gift(sender, creator).coins == 1
    assert market.coins(sender) == 99


def test_a_decision_is_reviewed_once(market: Market) -> None:
    funded(market, 4, "card-1")
    [decision] = market.economy.fraud_decisions()
    market.economy.review_fraud_decision(decision.id, upheld=True, reviewer="first")

    with pytest.raises(EconomyError) as again:
        market.economy.review_fraud_decision(decision.id, upheld=False, reviewer="second")
    assert again.value.code == "already_reviewed"
    with pytest.raises(NotFoundError) as missing:
        market.economy.review_fraud_decision(decision.id + 100, upheld=True, reviewer="x")
    assert missing.value.code == "decision_not_found"
    assert market.economy.fraud_decisions()[0].reviewed_by == "first"


def test_decisions_are_listed_newest_first_and_open_only_on_request(market: Market) -> None:
    viewers = funded(market, 6, "card-1")  # wallets 4, 5 and 6 go to review
    flagged = [decision.user_id for decision in market.economy.fraud_decisions()]
    assert flagged == [viewers[5].id, viewers[4].id, viewers[3].id]
    oldest = market.economy.fraud_decisions()[-1]
    market.economy.review_fraud_decision(oldest.id, upheld=True, reviewer="analyst")

    open_ones = market.economy.fraud_decisions(open_only=True)
    everything = market.economy.fraud_decisions()

    assert [d.user_id for d in open_ones] == [viewers[5].id, viewers[4].id]
    assert {d.review_state for d in open_ones} == {"open"}
    assert [d.review_state for d in everything] == ["open", "open", "upheld"]
    assert [d.user_id for d in market.economy.fraud_decisions(limit=1)] == [viewers[5].id]
