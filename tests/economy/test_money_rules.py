"""The money rules an independent model of the docs disagreed with (issue 16), one
regression test each, on SQLite and PostgreSQL: partial refunds, the shared-card rule,
redelivered disputes, the velocity rule, batches equal to their calls one at a time,
and maturation as a matter of time, not of who read what."""

from __future__ import annotations

import dataclasses

from giftflow.economy.chart import AccountKind
from giftflow.errors import GiftflowError
from giftflow.ids import GiftId, UserId
from giftflow.service.economy import GiftRequest, GiftSent
from giftflow.service.economy.provider_events import WebhookDelivery
from tests.economy.conftest import DOUGHNUT, LION, ROSE, Market, OpenMarket, checkout_of

DAY_S = 86_400


def _refund_to(market: Market, payment_id: str, minor: int) -> None:
    market.refund(market.economy.payment(payment_id), minor)


def test_cumulative_partial_refunds_each_return_their_part(market: Market) -> None:
    """Cumulative refunds of 3, 4 and 5 minor units are three refunds: 5 in all. They
    used to collide on transfer ids (the third booked nothing), and 1 then 2 were
    refused ``exists_with_different_fields``."""
    buyer = market.viewer()
    payment, _ = market.buy(buyer, 700)
    sales = market.platform(AccountKind.COIN_SALES, payment.currency).credits_posted
    expected = 0
    for cumulative in (3, 4, 5, 5, 4):  # the last two: a redelivery and a stale event
        _refund_to(market, payment.id, cumulative)
        expected = max(expected, cumulative)
        assert market.economy.payment(payment.id).refunded_minor == expected
    after = market.platform(AccountKind.COIN_SALES, payment.currency)
    assert market.economy.payment(payment.id).refunded_minor == 5
    assert sales - (after.credits_posted - after.debits_posted) == 5
    other, _ = market.buy(market.viewer("other"), 700)
    for cumulative in (1, 2):
        _refund_to(market, other.id, cumulative)
    assert market.economy.payment(other.id).refunded_minor == 2
    market.assert_reconciled()


def test_the_shared_card_rule_freezes_the_newest_wallet_only(open_market: OpenMarket) -> None:
    market = open_market(instrument_wallet_limit=3)
    a, b, c, d = (market.viewer(name) for name in "abcd")
    for wallet in (a, b, c, d):
        market.buy(wallet, 100, instrument="card-1")
    assert [market.economy.wallet(w.id).frozen for w in (a, b, c, d)] == [False] * 3 + [True]
    market.buy(a, 100, instrument="card-1")  # the first wallet pays again with its own card
    assert not market.economy.wallet(a.id).frozen
    flagged = [x.user_id for x in market.economy.fraud_decisions() if x.rule == "shared_instrument"]
    assert flagged == [d.id]


def test_a_redelivered_dispute_changes_nothing_after_its_review(market: Market) -> None:
    buyer = market.viewer()
    payment, _ = market.buy(buyer, 100)
    webhook = market.sandbox.event_disputed(
        checkout_of(payment), payment.amount_minor, payment.currency
    )
    market.deliver(webhook)
    [decision] = [d for d in market.economy.fraud_decisions() if d.rule == "chargeback"]
    market.economy.review_fraud_decision(decision.id, upheld=False, reviewer="ops")
    market.economy.set_wallet_frozen(buyer.id, frozen=False)
    market.deliver(webhook)  # the provider sends it again
    assert not market.economy.wallet(buyer.id).frozen
    assert len([d for d in market.economy.fraud_decisions() if d.rule == "chargeback"]) == 1
    market.assert_reconciled()


def test_a_dispute_of_a_refunded_payment_is_recorded_and_reviewed(market: Market) -> None:
    buyer = market.viewer()
    payment, _ = market.buy(buyer, 100)
    market.refund(payment, payment.amount_minor)
    market.economy.set_wallet_frozen(buyer.id, frozen=True)
    market.dispute(market.economy.payment(payment.id))
    assert market.economy.payment(payment.id).status == "disputed"
    assert [d.rule for d in market.economy.fraud_decisions()].count("chargeback") == 1
    market.assert_reconciled()


def test_refused_gifts_do_not_use_up_the_velocity_budget(open_market: OpenMarket) -> None:
    market = open_market(velocity_limit=3)
    sender, creator = market.viewer(), market.creator()
    for _ in range(3):
        refused = market.economy.send_gifts([market.request(sender, creator, LION)])[0]
        assert isinstance(refused, GiftflowError) and refused.code == "insufficient_funds"
    market.buy(sender, 30)
    sent = market.gift(sender, creator, ROSE)
    assert sent.coins == 1 and not sent.replayed
    assert not [d for d in market.economy.fraud_decisions() if d.rule == "velocity"]


def _streak(market: Market, sender_id: int, creator_id: int, count: int) -> GiftRequest:
    return GiftRequest(
        sender_id=UserId(sender_id),
        creator_id=UserId(creator_id),
        gift_id=GiftId(ROSE),
        streak_id="combo",
        repeat_count=count,
    )


def _compare(one_by_one: list[object], batched: list[object]) -> None:
    def shape(outcome: object) -> object:
        if isinstance(outcome, GiftSent):
            return ("sent", outcome.quantity, outcome.coins, outcome.replayed)
        assert isinstance(outcome, GiftflowError)
        return ("refused", outcome.code)

    assert [shape(o) for o in batched] == [shape(o) for o in one_by_one]


def test_a_gift_batch_answers_as_its_gifts_sent_one_at_a_time(open_market: OpenMarket) -> None:
    outcomes: list[list[object]] = []
    for batched in (False, True):
        market = open_market()
        sender, creator = market.viewer(f"s{batched}"), market.creator(f"c{batched}")
        market.buy(sender, 30)
        requests = [
            _streak(market, sender.id, creator.id, 1),  # 29 coins left
            _streak(market, sender.id, creator.id, 1),  # the same event again: a replay
            _streak(market, sender.id, creator.id, 40),  # 39 more roses: refused
            _streak(market, sender.id, creator.id, 3),  # so the streak stands at 1: 2 more
            market.request(sender, creator, ROSE, quantity=28),  # 27 coins left: refused
            market.request(sender, creator, ROSE, quantity=27),
        ]
        if batched:
            outcomes.append(list(market.economy.send_gifts(requests)))
        else:
            outcomes.append([_one(market, request) for request in requests])
        assert market.coins(sender) == 0
        market.assert_reconciled()
        market.economy.close()
    _compare(*outcomes)


def _one(market: Market, request: GiftRequest) -> object:
    return market.economy.send_gifts([request])[0]


def test_a_webhook_batch_answers_as_its_webhooks_one_at_a_time(market: Market) -> None:
    buyer = market.viewer()
    payment = market.start(buyer, coins=100)
    paid = market.paid_webhook(payment)
    refunded = market.sandbox.event_refunded(
        checkout_of(payment), payment.amount_minor, payment.currency
    )
    outcomes = market.economy.handle_webhooks(
        "sandbox", [WebhookDelivery(*paid), WebhookDelivery(*refunded)]
    )
    assert not any(isinstance(outcome, GiftflowError) for outcome in outcomes), outcomes
    stored = market.economy.payment(payment.id)
    assert stored.status == "refunded" and stored.refunded_minor == payment.amount_minor
    assert market.coins(buyer) == 0
    market.assert_reconciled()


def _lost(market: Market) -> int:
    account = market.platform(AccountKind.CHARGEBACK_LOSS)
    return account.debits_posted - account.credits_posted


def test_reading_the_earnings_does_not_decide_who_loses_a_chargeback(
    open_market: OpenMarket,
) -> None:
    """A chargeback 8 days after a gift (7-day hold): the gift has matured whether or not
    anyone read the creator's earnings, so the coins are the platform's loss and the
    creator keeps the diamonds, both ways."""
    results = []
    for read in (False, True):
        market = open_market(hold_days=7)
        buyer, creator = market.viewer(f"b{read}"), market.creator(f"c{read}")
        payment, _ = market.buy(buyer, 700)
        market.gift(buyer, creator, ROSE, quantity=700)
        market.clock.advance(seconds=8 * DAY_S)
        if read:
            market.economy.earnings(creator.id)
        lost_before = _lost(market)
        market.dispute(market.economy.payment(payment.id))
        earned = market.economy.earnings(creator.id)
        results.append((earned.pending_units, earned.available_units, _lost(market) - lost_before))
        market.assert_reconciled()
        market.economy.close()
    assert results[0] == results[1]
    assert results[0][1] > 0 and results[0][2] == 700


def test_a_streak_has_ended_exactly_its_timeout_after_its_last_event(market: Market) -> None:
    """``STREAK_TIMEOUT_S`` (10 s) counts from the event's time on the economy's clock:
    an event 1 ns before it continues the streak, one exactly at it is refused."""
    sender, creator = market.viewer(), market.creator()
    market.buy(sender, 100)
    for count, wait_ns, outcome in ((1, 0, "sent"), (2, 10**10 - 1, "sent"), (3, 10**10, "ended")):
        market.clock.advance(ns=wait_ns)
        result = market.economy.send_gifts([_streak(market, sender.id, creator.id, count)])[0]
        if outcome == "sent":
            assert isinstance(result, GiftSent), result
        else:
            assert isinstance(result, GiftflowError) and result.code == "streak_ended"


def test_a_gift_matures_exactly_when_its_hold_is_over(open_market: OpenMarket) -> None:
    """A 7-day hold counts from the gift's time on the economy's clock: 1 ns before the
    seventh day is over the diamonds are pending, at it they are available."""
    market = open_market(hold_days=7)
    sender, creator = market.viewer(), market.creator()
    market.buy(sender, 100)
    market.gift(sender, creator, ROSE, quantity=10)
    market.clock.advance(seconds=7 * DAY_S, ns=-1)
    assert market.economy.earnings(creator.id).available_units == 0
    market.clock.advance(ns=1)
    earned = market.economy.earnings(creator.id)
    assert earned.available_units > 0 and earned.pending_units == 0


def test_a_streak_started_in_a_batch_keeps_its_gift_and_creator_in_it(market: Market) -> None:
    sender, creator, other = market.viewer(), market.creator(), market.creator("other")
    market.buy(sender, 100)
    first = _streak(market, sender.id, creator.id, 1)
    outcomes = market.economy.send_gifts(
        [
            first,
            dataclasses.replace(first, repeat_count=2, gift_id=GiftId(DOUGHNUT)),
            dataclasses.replace(first, repeat_count=2, creator_id=other.id),
            dataclasses.replace(first, repeat_count=2),
        ]
    )
    codes = [o.code if isinstance(o, GiftflowError) else "sent" for o in outcomes]
    assert codes == ["sent", "streak_mismatch", "streak_mismatch", "sent"]


def test_a_streak_event_repeated_in_a_batch_for_another_receiver_is_a_conflict(
    open_market: OpenMarket,
) -> None:
    """The same streak event (its streak and count) sent again in the call, naming
    another receiver, is refused ``idempotency_conflict``, as it is one at a time; it
    used to be answered as a replay of the first. Its quantity is not its own (a streak
    event adds its count's delta): the same event with another quantity is a replay."""
    outcomes: list[list[object]] = []
    for batched in (False, True):
        market = open_market()
        sender, creator = market.viewer(f"s{batched}"), market.creator(f"c{batched}")
        other, viewer = market.creator(f"o{batched}"), market.viewer(f"v{batched}")
        market.buy(sender, 30)
        first = _streak(market, sender.id, creator.id, 1)
        requests = [
            first,
            dataclasses.replace(first, creator_id=other.id),
            dataclasses.replace(first, creator_id=viewer.id),  # not a creator: still a conflict
            dataclasses.replace(first, quantity=3),
        ]
        if batched:
            outcomes.append(list(market.economy.send_gifts(requests)))
        else:
            outcomes.append([_one(market, request) for request in requests])
        assert market.coins(sender) == 29
        market.assert_reconciled()
        market.economy.close()
    _compare(*outcomes)
    answers = [o.code if isinstance(o, GiftflowError) else o for o in outcomes[1]]
    assert [a.replayed if isinstance(a, GiftSent) else a for a in answers] == [
        False,
        "idempotency_conflict",
        "idempotency_conflict",
        True,
    ]


def test_a_repeated_event_for_another_receiver_books_nothing_when_the_first_is_refused(
    open_market: OpenMarket,
) -> None:
    """A frozen wallet: the ledger refuses the first event, and its repetition for
    another creator in the same call meets the same refusal, as one at a time."""
    outcomes: list[list[object]] = []
    for batched in (False, True):
        market = open_market()
        sender, creator = market.viewer(f"s{batched}"), market.creator(f"c{batched}")
        other = market.creator(f"o{batched}")
        market.buy(sender, 30)
        market.economy.set_wallet_frozen(sender.id, frozen=True)
        first = _streak(market, sender.id, creator.id, 1)
        requests = [first, dataclasses.replace(first, creator_id=other.id)]
        if batched:
            outcomes.append(list(market.economy.send_gifts(requests)))
        else:
            outcomes.append([_one(market, request) for request in requests])
        assert market.coins(sender) == 30
        market.assert_reconciled()
        market.economy.close()
    _compare(*outcomes)
    assert [o.code for o in outcomes[1] if isinstance(o, GiftflowError)] == ["account_frozen"] * 2


def test_a_refused_streak_event_leaves_its_streak_as_it_was_for_the_call_after_it(
    open_market: OpenMarket,
) -> None:
    """A streak at 3, then the sender's wallet frozen; a call sends its counts 5 and 4:
    both are refused ``account_frozen``, as one at a time (the refused 5 does not make
    the 4 ``streak_count_not_rising``: found by the money model on PostgreSQL)."""
    outcomes: list[list[object]] = []
    for batched in (False, True):
        market = open_market()
        sender, creator = market.viewer(f"s{batched}"), market.creator(f"c{batched}")
        market.buy(sender, 300)
        first = _streak(market, sender.id, creator.id, 3)
        assert isinstance(market.economy.send_gifts([first])[0], GiftSent)
        market.economy.set_wallet_frozen(sender.id, frozen=True)
        requests = [dataclasses.replace(first, repeat_count=count) for count in (5, 4)]
        if batched:
            outcomes.append(list(market.economy.send_gifts(requests)))
        else:
            outcomes.append([_one(market, request) for request in requests])
        market.assert_reconciled()
        market.economy.close()
    _compare(*outcomes)
    assert [getattr(o, "code", None) for o in outcomes[1]] == ["account_frozen"] * 2
