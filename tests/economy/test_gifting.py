"""Gifting: a gift moves coins and diamond units exactly, a streak is charged once for
each gift in it, and every rule that refuses a gift leaves the books untouched."""

from __future__ import annotations

from datetime import date

import pytest

from giftflow.economy.catalog import GiftNotFoundError
from giftflow.economy.chart import AccountKind
from giftflow.economy.errors import (
    AccountFrozenError,
    AgeRestrictedError,
    EconomyError,
    InsufficientFundsError,
    NotACreatorError,
    SelfGiftingError,
    StreakError,
    UserNotFoundError,
    VelocityLimitedError,
)
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ids import GiftId, UserId
from giftflow.service.economy import GiftRequest, GiftSent
from tests.economy.conftest import (
    DOUGHNUT,
    HAND_HEARTS,
    LION,
    ROSE,
    START,
    Market,
    OpenMarket,
)

SHARE_BPS = 5000
"""The shipped catalog's revenue share."""


def streak_event(
    sender: User, creator: User, count: int, *, streak_id: str = "combo-1", gift_id: int = ROSE
) -> GiftRequest:
    return GiftRequest(
        sender_id=sender.id,
        creator_id=creator.id,
        gift_id=GiftId(gift_id),
        streak_id=streak_id,
        repeat_count=count,
    )


def books(market: Market, sender: User, creator: User) -> tuple[int, int, int, int]:
    """(sender's coins, creator's pending units, gift revenue, diamonds issued)."""
    return (
        market.coins(sender),
        market.economy.earnings(creator.id).pending_units,
        market.platform(AccountKind.GIFT_REVENUE).balance_posted,
        -market.platform(AccountKind.DIAMOND_ISSUANCE).balance_posted,
    )


@pytest.fixture
def pair(market: Market) -> tuple[User, User]:
    """An adult viewer holding 1,000 coins and an adult creator."""
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 1000)
    return viewer, creator


# --- a gift ----------------------------------------------------------------------------


def test_a_gift_moves_its_coins_out_of_the_wallet_and_exact_diamond_units_in(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair

    sent = market.gift(viewer, creator, DOUGHNUT, quantity=3)

    assert (sent.sender_id, sent.creator_id, sent.gift_id) == (viewer.id, creator.id, DOUGHNUT)
    assert (sent.quantity, sent.coins, sent.diamond_units) == (3, 90, 90 * SHARE_BPS)
    assert not sent.replayed
    assert books(market, viewer, creator) == (910, 90 * SHARE_BPS, 90, 90 * SHARE_BPS)
    earnings = market.economy.earnings(creator.id)
    assert (earnings.pending_diamonds, earnings.available_units) == (45, 0)
    market.assert_reconciled()


def test_gifts_convert_at_the_configured_revenue_share(open_market: OpenMarket) -> None:
    market = open_market(revenue_share_bps=7)
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 1000)

    sent = market.gift(viewer, creator, ROSE, quantity=3)

    assert (sent.coins, sent.diamond_units) == (3, 21)
    assert market.economy.earnings(creator.id).pending_units == 21
    market.assert_reconciled()


def test_a_gift_retried_with_its_event_id_is_applied_once_and_returns_the_first(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    request = market.request(viewer, creator, HAND_HEARTS, quantity=2)

    first, *retries = (market.economy.send_gift(request) for _ in range(3))

    assert not first.replayed
    assert [retry.replayed for retry in retries] == [True, True]
    assert {retry.id for retry in retries} == {first.id}
    assert [(r.coins, r.sent_at) for r in retries] == [(first.coins, first.sent_at)] * 2
    assert books(market, viewer, creator) == (800, 200 * SHARE_BPS, 200, 200 * SHARE_BPS)
    market.assert_reconciled()


def test_an_event_id_reused_for_another_gift_is_refused(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    request = market.request(viewer, creator, HAND_HEARTS)
    market.economy.send_gift(request)

    for other in (
        GiftRequest(
            viewer.id, creator.id, GiftId(HAND_HEARTS), quantity=2, event_id=request.event_id
        ),
        GiftRequest(viewer.id, creator.id, GiftId(ROSE), event_id=request.event_id),
    ):
        with pytest.raises(EconomyError) as refused:
            market.economy.send_gift(other)
        assert refused.value.code == "idempotency_conflict"
    assert market.coins(viewer) == 900


def test_a_gift_without_an_event_id_or_with_a_bad_quantity_is_refused(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    with pytest.raises(EconomyError) as missing:
        market.economy.send_gift(GiftRequest(viewer.id, creator.id, GiftId(ROSE)))
    assert missing.value.code == "event_id_missing"
    for quantity in (0, -1, 10_001):
        with pytest.raises(EconomyError) as refused:
            market.gift(viewer, creator, ROSE, quantity=quantity)
        assert refused.value.code == "quantity_invalid"
    with pytest.raises(GiftNotFoundError):
        market.gift(viewer, creator, 1)
    assert market.coins(viewer) == 1000
    assert market.count("gifts") == 0


# --- streaks ----------------------------------------------------------------------------


def test_a_streak_of_1_to_10_charges_10_gifts_each_event_carrying_its_delta(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair

    sent = [market.economy.send_gift(streak_event(viewer, creator, n)) for n in range(1, 11)]

    assert [gift.quantity for gift in sent] == [1] * 10
    assert [gift.repeat_count for gift in sent] == list(range(1, 11))
    assert {gift.streak_id for gift in sent} == {"combo-1"}
    assert sum(gift.coins for gift in sent) == 10
    assert books(market, viewer, creator) == (990, 10 * SHARE_BPS, 10, 10 * SHARE_BPS)
    market.assert_reconciled()


def test_a_streak_reported_with_gaps_charges_each_event_its_delta(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair

    sent = [
        market.economy.send_gift(streak_event(viewer, creator, n, gift_id=DOUGHNUT))
        for n in (2, 3, 7, 10)
    ]

    assert [gift.quantity for gift in sent] == [2, 1, 4, 3]
    assert [gift.coins for gift in sent] == [60, 30, 120, 90]
    assert market.coins(viewer) == 1000 - 300


def test_a_replayed_streak_event_changes_nothing(market: Market, pair: tuple[User, User]) -> None:
    viewer, creator = pair
    first = [market.economy.send_gift(streak_event(viewer, creator, n)) for n in (1, 2, 3)]
    before = books(market, viewer, creator)

    again = market.economy.send_gift(streak_event(viewer, creator, 2))

    assert again.replayed
    assert (again.id, again.quantity, again.repeat_count) == (first[1].id, 1, 2)
    assert books(market, viewer, creator) == before
    assert market.economy.send_gift(streak_event(viewer, creator, 4)).quantity == 1


def test_a_streak_count_that_does_not_rise_is_refused(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    market.economy.send_gift(streak_event(viewer, creator, 5))
    for count, code in ((4, "streak_count_not_rising"), (0, "streak_count_invalid")):
        with pytest.raises(StreakError) as refused:
            market.economy.send_gift(streak_event(viewer, creator, count))
        assert refused.value.code == code
    assert market.coins(viewer) == 995


def test_a_streak_keeps_its_gift_and_creator(market: Market, pair: tuple[User, User]) -> None:
    viewer, creator = pair
    other = market.creator("other-creator")
    market.economy.send_gift(streak_event(viewer, creator, 1))
    for event in (
        streak_event(viewer, creator, 2, gift_id=DOUGHNUT),
        streak_event(viewer, other, 2),
    ):
        with pytest.raises(StreakError) as refused:
            market.economy.send_gift(event)
        assert refused.value.code == "streak_mismatch"
    assert market.coins(viewer) == 999


def test_an_ended_streak_takes_no_more_events(market: Market, pair: tuple[User, User]) -> None:
    viewer, creator = pair
    market.economy.send_gift(streak_event(viewer, creator, 3))

    ended = market.economy.end_streak(viewer.id, "combo-1")
    assert (ended.repeat_count, ended.end_reason) == (3, "ended")
    assert market.economy.end_streak(viewer.id, "combo-1") == ended

    with pytest.raises(StreakError) as refused:
        market.economy.send_gift(streak_event(viewer, creator, 4))
    assert refused.value.code == "streak_ended"
    assert market.coins(viewer) == 997
    with pytest.raises(StreakError) as unknown:
        market.economy.end_streak(viewer.id, "never-started")
    assert unknown.value.code == "streak_not_found"


def test_a_streak_silent_for_the_timeout_has_ended(market: Market, pair: tuple[User, User]) -> None:
    viewer, creator = pair
    market.economy.send_gift(streak_event(viewer, creator, 1))
    market.economy.send_gift(streak_event(viewer, creator, 2, streak_id="combo-2"))
    market.clock.advance(seconds=9)
    market.economy.send_gift(streak_event(viewer, creator, 3, streak_id="combo-2"))
    market.clock.advance(seconds=2)  # combo-1 silent for 11 s (timeout 10 s), combo-2 for 2 s

    with pytest.raises(StreakError) as refused:
        market.economy.send_gift(streak_event(viewer, creator, 2))
    assert refused.value.code == "streak_ended"
    swept = market.economy.end_stale_streaks()
    assert [(s.id, s.end_reason) for s in swept] == [(f"{viewer.id}:combo-1", "timeout")]
    assert market.economy.send_gift(streak_event(viewer, creator, 4, streak_id="combo-2"))
    assert market.coins(viewer) == 1000 - 1 - 4


def test_streaks_of_a_gift_that_cannot_streak_are_refused(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    with pytest.raises(StreakError) as refused:
        market.economy.send_gift(streak_event(viewer, creator, 1, gift_id=HAND_HEARTS))
    assert refused.value.code == "gift_not_streakable"
    assert market.coins(viewer) == 1000
    assert market.count("streaks") == 0


def test_two_senders_may_use_the_same_streak_id(market: Market, pair: tuple[User, User]) -> None:
    viewer, creator = pair
    second = market.viewer("second-viewer")
    market.buy(second, 100)

    mine = market.economy.send_gift(streak_event(viewer, creator, 2))
    theirs = market.economy.send_gift(streak_event(second, creator, 3))

    assert (mine.quantity, theirs.quantity) == (2, 3)
    assert (market.coins(viewer), market.coins(second)) == (998, 97)


# --- who may gift -------------------------------------------------------------------------


def test_a_gift_to_oneself_is_refused_and_logged(market: Market) -> None:
    creator = market.creator()
    market.buy(creator, 100)

    with pytest.raises(SelfGiftingError) as refused:
        market.gift(creator, creator)

    assert refused.value.code == "self_gifting"
    [decision] = market.economy.fraud_decisions()
    assert (decision.rule, decision.action, decision.user_id) == (
        "self_gifting",
        "block",
        creator.id,
    )
    assert decision.review_state == "open"
    assert market.coins(creator) == 100
    assert market.count("gifts") == 0


def test_a_gift_to_someone_who_is_not_a_creator_is_refused(market: Market) -> None:
    viewer, friend = market.viewer(), market.viewer("friend")
    market.buy(viewer, 100)
    with pytest.raises(NotACreatorError) as refused:
        market.gift(viewer, friend)
    assert refused.value.code == "not_a_creator"
    assert market.coins(viewer) == 100


def test_a_gift_from_or_to_someone_unknown_is_refused(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    for sender_id, creator_id in ((999, creator.id), (viewer.id, 999)):
        with pytest.raises(UserNotFoundError) as refused:
            market.economy.send_gift(
                GiftRequest(UserId(sender_id), UserId(creator_id), GiftId(ROSE), event_id="e")
            )
        assert refused.value.code == "user_not_found"
    assert books(market, viewer, creator) == (1000, 0, 0, 0)


def _eighteen_tomorrow() -> date:
    """Born 18 years before the day after the clock's date (which is 2024-06-03)."""
    return date(START.year - 18, START.month, START.day + 1)


@pytest.mark.parametrize("minor", ["sender", "creator"])
def test_minors_can_neither_send_nor_receive_gifts_until_their_eighteenth_birthday(
    market: Market, minor: str
) -> None:
    born = _eighteen_tomorrow()
    viewer = market.viewer(birth_date=born if minor == "sender" else date(1990, 1, 1))
    creator = market.creator(birth_date=born if minor == "creator" else date(1990, 1, 1))
    market.buy(viewer, 100)

    with pytest.raises(AgeRestrictedError) as refused:
        market.gift(viewer, creator)
    assert refused.value.code == "age_restricted"
    assert minor in str(refused.value)
    assert (market.coins(viewer), market.count("gifts")) == (100, 0)

    market.clock.advance(seconds=12 * 3600)  # midnight UTC: the eighteenth birthday
    assert market.gift(viewer, creator).coins == 1
    market.assert_reconciled()


def test_a_frozen_wallet_cannot_send_gifts(market: Market, pair: tuple[User, User]) -> None:
    viewer, creator = pair
    assert market.economy.set_wallet_frozen(viewer.id, frozen=True).frozen

    with pytest.raises(AccountFrozenError) as refused:
        market.gift(viewer, creator)

    assert refused.value.code == "account_frozen"
    assert "sender" in str(refused.value)
    assert books(market, viewer, creator) == (1000, 0, 0, 0)
    assert market.count("gifts") == 0
    assert not market.economy.set_wallet_frozen(viewer.id, frozen=False).frozen
    assert market.gift(viewer, creator).coins == 1


def test_a_gift_the_wallet_cannot_pay_for_is_refused_and_moves_nothing(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    with pytest.raises(InsufficientFundsError) as refused:
        market.gift(viewer, creator, LION)
    assert refused.value.code == "insufficient_funds"
    assert books(market, viewer, creator) == (1000, 0, 0, 0)
    assert market.count("gifts") == 0
    assert market.gift(viewer, creator, HAND_HEARTS, quantity=10).coins == 1000
    assert market.coins(viewer) == 0
    market.assert_reconciled()


# --- batches and velocity --------------------------------------------------------------


def test_a_batch_answers_each_gift_and_applies_the_good_ones(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    poor = market.viewer("poor-viewer")
    requests = [
        market.request(viewer, creator, HAND_HEARTS, quantity=4),
        market.request(creator, creator),
        market.request(poor, creator),
        streak_event(viewer, creator, 5, gift_id=DOUGHNUT),
        market.request(viewer, creator, 1),
        market.request(viewer, creator, HAND_HEARTS, quantity=5),
        market.request(viewer, creator, ROSE, quantity=2),
    ]

    results = market.economy.send_gifts(requests)

    assert len(results) == len(requests)
    codes = [r.code if isinstance(r, GiftflowError) else "ok" for r in results]
    assert codes == [
        "ok",
        "self_gifting",
        "insufficient_funds",
        "ok",
        "gift_not_found",
        "insufficient_funds",  # 400 + 150 spent: 450 left, not 500
        "ok",
    ]
    sent = [r for r in results if isinstance(r, GiftSent)]
    assert [(g.gift_id, g.coins) for g in sent] == [(HAND_HEARTS, 400), (DOUGHNUT, 150), (ROSE, 2)]
    assert books(market, viewer, creator) == (448, 552 * SHARE_BPS, 552, 552 * SHARE_BPS)
    assert market.count("gifts") == 3
    market.assert_reconciled()


def test_a_batch_holding_one_event_twice_applies_it_once(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair
    request = market.request(viewer, creator, HAND_HEARTS)

    first, second = market.economy.send_gifts([request, request])

    assert isinstance(first, GiftSent)
    assert isinstance(second, GiftSent)
    assert (first.replayed, second.replayed, second.id) == (False, True, first.id)
    assert market.coins(viewer) == 900


def test_a_streak_sent_in_one_batch_is_charged_once_per_gift(
    market: Market, pair: tuple[User, User]
) -> None:
    viewer, creator = pair

    results = market.economy.send_gifts([streak_event(viewer, creator, n) for n in (1, 2, 3)])

    assert [r.quantity if isinstance(r, GiftSent) else r for r in results] == [1, 1, 1]
    assert market.coins(viewer) == 997
    assert market.economy.send_gift(streak_event(viewer, creator, 5)).quantity == 2


def test_the_velocity_limit_blocks_and_logs_until_the_window_passes(
    open_market: OpenMarket,
) -> None:
    market = open_market(velocity_limit=3, velocity_window_s=10)
    viewer, creator = market.viewer(), market.creator()
    market.buy(viewer, 100)
    for _ in range(3):
        market.gift(viewer, creator)
        market.clock.advance(seconds=1)

    with pytest.raises(VelocityLimitedError) as refused:
        market.gift(viewer, creator)

    assert refused.value.code == "velocity_limited"
    [decision] = market.economy.fraud_decisions()
    assert (decision.rule, decision.action, decision.user_id) == (
        "gift_velocity",
        "block",
        viewer.id,
    )
    assert market.coins(viewer) == 97
    market.clock.advance(seconds=7)  # the first gift leaves the 10 s window
    assert market.gift(viewer, creator).coins == 1
    with pytest.raises(VelocityLimitedError):
        market.gift(viewer, creator)
    assert market.coins(viewer) == 96
