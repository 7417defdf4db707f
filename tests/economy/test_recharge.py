"""Recharge: coin packs at the catalog's prices, coins minted only by a verified paid
webhook and exactly once, refunds and chargebacks clawed back to the unit."""

from __future__ import annotations

import json
from collections.abc import Callable

import pytest

from giftflow.economy.catalog import Channel, CustomAmountOutOfBoundsError
from giftflow.economy.chart import AccountKind
from giftflow.economy.errors import EconomyError, PaymentMismatchError, PaymentNotFoundError
from giftflow.economy.money import Fiat
from giftflow.ids import UserId
from giftflow.payments import CheckoutRequest, WebhookSignatureError
from giftflow.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from tests.economy.conftest import (
    DAY_S,
    DOUGHNUT,
    HAND_HEARTS,
    ROSE,
    Market,
    OpenMarket,
    checkout_of,
)

# --- buying ---------------------------------------------------------------------------


@pytest.mark.parametrize("pack_id", ["US-web-70", "US-web-17500", "US-app_store-350"])
def test_a_pack_is_sold_at_the_catalog_price_and_mints_nothing_before_it_is_paid(
    market: Market, pack_id: str
) -> None:
    viewer = market.viewer()
    pack = market.economy.catalog.pack(pack_id)

    payment = market.start(viewer, pack_id, channel=pack.channel)

    assert (payment.coins, payment.price, payment.pack_id) == (pack.coins, pack.price, pack_id)
    assert (payment.status, payment.channel, payment.region) == ("created", pack.channel, "US")
    assert payment.provider == "sandbox"
    assert payment.provider_payment_id is not None
    assert market.economy.payment(payment.id).status == "created"
    assert market.coins(viewer) == 0
    market.assert_reconciled()


def test_the_same_coins_cost_more_in_the_app_store_than_on_the_web(market: Market) -> None:
    viewer = market.viewer()
    web = market.start(viewer, "US-web-70")
    app = market.start(viewer, "US-app_store-70", channel=Channel.APP_STORE)

    assert (web.amount_minor, app.amount_minor) == (74, 106)
    assert market.pay(web).coins_minted == market.pay(app).coins_minted == 70
    assert market.coins(viewer) == 140
    assert market.platform(AccountKind.COIN_SALES, "USD").balance_posted == 74 + 106
    market.assert_reconciled()


@pytest.mark.parametrize(
    ("pack_id", "channel"),
    [("US-app_store-70", Channel.WEB), ("GB-web-70", Channel.WEB)],
    ids=["other-channel", "other-region"],
)
def test_a_pack_not_sold_to_the_buyer_is_refused_and_nothing_is_created(
    market: Market, pack_id: str, channel: Channel
) -> None:
    viewer = market.viewer()
    with pytest.raises(EconomyError) as refused:
        market.start(viewer, pack_id, channel=channel)
    assert refused.value.code == "pack_not_available"
    assert market.count("payments") == 0


@pytest.mark.parametrize(
    ("coins", "channel", "price_minor"),
    [
        (30, Channel.WEB, 32),  # ceil(30 x 1058 / 1000) = ceil(31.74)
        (1234, Channel.WEB, 1306),  # ceil(1305.572)
        (1234, Channel.APP_STORE, 1865),  # ceil(1234 x 1511 / 1000) = ceil(1864.574)
        (2_500_000, Channel.WEB, 2_645_000),
    ],
)
def test_a_custom_amount_costs_its_rate_per_1000_coins_rounded_up(
    market: Market, coins: int, channel: Channel, price_minor: int
) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, coins=coins, channel=channel)
    assert (payment.coins, payment.amount_minor, payment.pack_id) == (coins, price_minor, None)
    assert market.pay(payment).coins_minted == coins
    assert market.coins(viewer) == coins


@pytest.mark.parametrize("coins", [-1, 0, 29, 2_500_001])
def test_a_custom_amount_outside_the_bounds_is_refused_and_nothing_is_created(
    market: Market, coins: int
) -> None:
    viewer = market.viewer()
    with pytest.raises(CustomAmountOutOfBoundsError) as refused:
        market.start(viewer, coins=coins)
    assert refused.value.code == "custom_amount_out_of_bounds"
    assert (refused.value.min_coins, refused.value.max_coins) == (30, 2_500_000)
    assert market.count("payments") == 0


def test_a_purchase_names_either_a_pack_or_an_amount(market: Market) -> None:
    viewer = market.viewer()
    for pack_id, coins in ((None, None), ("US-web-70", 70)):
        with pytest.raises(EconomyError) as refused:
            market.start(viewer, pack_id, coins=coins)
        assert refused.value.code == "pack_or_coins"
    assert market.count("payments") == 0


# --- minting --------------------------------------------------------------------------


def test_a_paid_webhook_mints_the_coins_once_however_often_it_is_delivered(
    market: Market,
) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-350")
    webhook = market.paid_webhook(payment)

    minted = [market.deliver(webhook) for _ in range(3)]

    assert [outcome.coins_minted if outcome else None for outcome in minted] == [350, 0, 0]
    assert market.coins(viewer) == 350
    paid = market.economy.payment(payment.id)
    assert paid.status == "paid"
    assert paid.paid_at > 0
    market.assert_reconciled()


def test_a_second_paid_event_for_the_same_payment_mints_nothing(market: Market) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-350")
    first, second = market.paid_webhook(payment), market.paid_webhook(payment)
    assert json.loads(first[0])["id"] != json.loads(second[0])["id"]

    assert market.deliver(first) is not None
    outcome = market.deliver(second)

    assert outcome is not None
    assert outcome.coins_minted == 0
    assert market.coins(viewer) == 350
    assert market.platform(AccountKind.COIN_SALES, "USD").balance_posted == 370
    assert market.platform(AccountKind.COIN_ISSUANCE).balance_posted == -350
    market.assert_reconciled()


def _tampered(webhook: tuple[bytes, dict[str, str]]) -> tuple[bytes, dict[str, str]]:
    payload, headers = webhook
    tampered = payload.replace(b'"amount_minor":370', b'"amount_minor":37')
    assert tampered != payload
    return tampered, headers


def _unsigned(webhook: tuple[bytes, dict[str, str]]) -> tuple[bytes, dict[str, str]]:
    return webhook[0], {}


def _signed_with_another_secret(
    market: Market, webhook: tuple[bytes, dict[str, str]]
) -> tuple[bytes, dict[str, str]]:
    forger = SandboxProvider(b"not-the-secret-" + b"x" * 32, market.clock)
    return webhook[0], forger.sign(webhook[0])


def test_a_tampered_unsigned_forged_or_stale_webhook_mints_nothing(market: Market) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-350")
    webhook = market.paid_webhook(payment)
    assert SIGNATURE_HEADER in webhook[1]

    for bad in (
        _tampered(webhook),
        _unsigned(webhook),
        _signed_with_another_secret(market, webhook),
    ):
        with pytest.raises(WebhookSignatureError):
            market.deliver(bad)
    market.clock.advance(seconds=301)
    with pytest.raises(WebhookSignatureError):
        market.deliver(webhook)

    assert market.coins(viewer) == 0
    assert market.economy.payment(payment.id).status == "created"
    market.assert_reconciled()


@pytest.mark.parametrize(("amount_minor", "currency"), [(369, "USD"), (371, "USD"), (370, "EUR")])
def test_a_paid_event_for_another_amount_or_currency_is_refused(
    market: Market, amount_minor: int, currency: str
) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-350")
    wrong = market.sandbox.event_paid(checkout_of(payment), amount_minor, currency)

    with pytest.raises(PaymentMismatchError) as refused:
        market.deliver(wrong)

    assert refused.value.code == "payment_mismatch"
    assert market.coins(viewer) == 0
    assert market.economy.payment(payment.id).status == "created"
    assert market.pay(payment).coins_minted == 350
    market.assert_reconciled()


def test_an_event_for_a_payment_we_never_opened_is_refused(market: Market) -> None:
    stranger = market.sandbox.create_checkout(
        CheckoutRequest(
            payment_id="pay_unknown",
            user_id=UserId(1),
            coins=70,
            price=Fiat(74, "USD"),
            description="70 coins",
            success_url="https://giftflow.test/done",
            cancel_url="https://giftflow.test/cancel",
        )
    )
    with pytest.raises(PaymentNotFoundError) as refused:
        market.deliver(market.sandbox.event_paid(stranger, 74, "USD"))
    assert refused.value.code == "payment_not_found"
    market.assert_reconciled()


def test_a_refund_or_chargeback_of_an_unpaid_payment_is_refused(market: Market) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-70")
    claw_backs: list[Callable[[], object]] = [
        lambda: market.refund(payment, 74),
        lambda: market.dispute(payment),
    ]
    for claw_back in claw_backs:
        with pytest.raises(EconomyError) as refused:
            claw_back()
        assert refused.value.code == "payment_not_paid"
    assert market.economy.payment(payment.id).status == "created"
    market.assert_reconciled()


# --- refunds ----------------------------------------------------------------------------


def test_refunds_claw_back_coins_in_proportion_rounded_up_and_cumulatively(
    market: Market,
) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-70")  # 70 coins for 74 cents
    market.pay(payment)
    sales = [market.platform(AccountKind.COIN_SALES, "USD").balance_posted]

    # Refund amounts are cumulative: 10, then 50 in all, then the whole 74.
    first = market.refund(payment, 10)  # ceil(70 x 10 / 74) = ceil(9.46) = 10
    market.assert_reconciled()
    again = market.refund(payment, 10)  # the same refund, reported again
    sales.append(market.platform(AccountKind.COIN_SALES, "USD").balance_posted)
    second = market.refund(payment, 50)  # ceil(70 x 50 / 74) = ceil(47.3) = 48 in all
    market.assert_reconciled()
    third = market.refund(payment, 74)
    sales.append(market.platform(AccountKind.COIN_SALES, "USD").balance_posted)

    assert [o.coins_from_wallet for o in (first, again, second, third)] == [10, 0, 38, 22]
    assert sales == [74, 64, 0]
    assert market.coins(viewer) == 0
    refunded = market.economy.payment(payment.id)
    assert (refunded.status, refunded.refunded_minor, refunded.coins_clawed_back) == (
        "refunded",
        74,
        70,
    )
    assert not any(o.wallet_frozen for o in (first, again, second, third))
    assert not market.economy.wallet(viewer.id).frozen
    assert market.economy.fraud_decisions() == []
    market.assert_reconciled()


def test_a_refund_reported_above_the_price_takes_back_the_payment_and_no_more(
    market: Market,
) -> None:
    viewer = market.viewer()
    payment = market.start(viewer, "US-web-70")
    market.pay(payment)
    market.buy(viewer, 100)

    outcome = market.refund(payment, 1000)

    assert outcome.coins_from_wallet == 70
    assert market.coins(viewer) == 100
    assert market.economy.payment(payment.id).refunded_minor == 74
    market.assert_reconciled()


# --- clawing back what was spent --------------------------------------------------------

SHARE_BPS = 3333


def test_a_refund_then_a_chargeback_of_spent_coins_reverses_unmatured_diamonds_exactly(
    open_market: OpenMarket,
) -> None:
    """1,000 coins bought (USD 10.58), spent on gifts to two creators, some of whose
    diamonds matured; a half refund, then a chargeback of the rest."""
    market = open_market(revenue_share_bps=SHARE_BPS)
    economy = market.economy
    viewer, alice, bob = market.viewer(), market.creator("alice"), market.creator("bob")
    payment, _ = market.buy(viewer, 1000)
    assert payment.amount_minor == 1058

    matured = market.gift(viewer, alice, HAND_HEARTS, quantity=3)  # 300 coins
    market.clock.advance(seconds=8 * DAY_S)
    assert economy.mature_earnings() == 300 * SHARE_BPS
    doughnuts = market.gift(viewer, bob, DOUGHNUT, quantity=10)  # 300 coins
    roses = market.gift(viewer, alice, ROSE, quantity=100)  # 100 coins
    hearts = market.gift(viewer, bob, HAND_HEARTS, quantity=2)  # 200 coins
    assert market.coins(viewer) == 100

    # Half refunded: 500 coins back. 100 from the wallet, then newest gifts first:
    # hearts (200), roses (100), and 100 of the 300 doughnut coins.
    refund = market.refund(payment, 529)
    assert (refund.coins_from_wallet, refund.loss_coins) == (100, 0)
    assert refund.reversed_units == 400 * SHARE_BPS
    assert refund.wallet_frozen
    market.assert_reconciled()

    # Charged back: the other 500. The doughnuts' last 200 coins are reversed; the
    # matured hearts' 300 cannot be, and are the platform's loss.
    chargeback = market.dispute(payment)
    assert (chargeback.coins_from_wallet, chargeback.loss_coins) == (0, 300)
    assert chargeback.reversed_units == 200 * SHARE_BPS
    assert chargeback.wallet_frozen
    market.assert_reconciled()

    disputed = economy.payment(payment.id)
    assert (disputed.status, disputed.refunded_minor, disputed.coins_clawed_back) == (
        "disputed",
        1058,
        1000,
    )
    assert economy.wallet(viewer.id).frozen
    assert market.coins(viewer) == 0
    assert market.platform(AccountKind.CHARGEBACK_LOSS).balance_posted == -300
    assert market.platform(AccountKind.GIFT_REVENUE).balance_posted == 300
    assert market.platform(AccountKind.COIN_SALES, "USD").balance_posted == 0

    alice_earnings, bob_earnings = economy.earnings(alice.id), economy.earnings(bob.id)
    assert (alice_earnings.pending_units, alice_earnings.available_units) == (
        0,
        300 * SHARE_BPS,
    )
    assert (bob_earnings.pending_units, bob_earnings.available_units) == (0, 0)

    def reversals(creator_id: int) -> list[tuple[int, int]]:
        return sorted(
            (line.reference, line.units)
            for line in economy.statement(UserId(creator_id))
            if line.kind == "chargeback_reversal"
        )

    assert reversals(alice.id) == [(roses.id, -100 * SHARE_BPS)]
    assert reversals(bob.id) == sorted(
        [
            (hearts.id, -200 * SHARE_BPS),
            (doughnuts.id, -100 * SHARE_BPS),
            (doughnuts.id, -200 * SHARE_BPS),
        ]
    )
    assert matured.id not in {reference for reference, _ in reversals(alice.id)}

    decisions = economy.fraud_decisions(open_only=True)
    assert [(d.rule, d.action, d.user_id) for d in decisions] == [
        ("chargeback", "review", viewer.id),
        ("chargeback", "review", viewer.id),
    ]
    assert [payment.id in d.subject for d in decisions] == [True, True]

    # The reversed gifts mature to nothing; what matured before stays the creator's.
    market.clock.advance(seconds=8 * DAY_S)
    economy.mature_earnings()
    assert economy.earnings(bob.id).earned_units == 0
    assert economy.earnings(alice.id).available_units == 300 * SHARE_BPS
    market.assert_reconciled()


def test_what_a_partial_refund_did_not_reverse_still_matures_for_the_creator(
    market: Market,
) -> None:
    viewer, creator = market.viewer(), market.creator()
    payment, _ = market.buy(viewer, 100)  # USD 1.06
    gift = market.gift(viewer, creator, HAND_HEARTS)  # all 100 coins

    refund = market.refund(payment, 53)  # half: 50 coins, all of them spent
    market.clock.advance(seconds=8 * DAY_S)
    earnings = market.economy.earnings(creator.id)

    assert (refund.coins_from_wallet, refund.reversed_units) == (0, 50 * 5000)
    assert (earnings.pending_units, earnings.available_units) == (0, 50 * 5000)
    lines = market.economy.statement(creator.id)
    reversals = [
        (line.reference, line.units) for line in lines if line.kind == "chargeback_reversal"
    ]
    assert reversals == [(gift.id, -50 * 5000)]
    matured = [(line.account, line.units) for line in lines if line.kind == "matured"]
    assert sorted(matured) == [("available", 50 * 5000), ("pending", -50 * 5000)]
    market.assert_reconciled()


def test_a_chargeback_delivered_again_changes_nothing(market: Market) -> None:
    viewer, creator = market.viewer(), market.creator()
    payment, _ = market.buy(viewer, 100)
    market.gift(viewer, creator, HAND_HEARTS)

    first = market.dispute(payment)
    again = market.dispute(payment)

    assert (first.reversed_units, first.loss_coins) == (100 * 5000, 0)
    assert (again.coins_from_wallet, again.reversed_units, again.loss_coins) == (0, 0, 0)
    assert len(market.economy.fraud_decisions()) == 1
    assert market.economy.earnings(creator.id).earned_units == 0
    market.assert_reconciled()


def test_a_payment_arriving_for_a_frozen_wallet_mints_nothing_and_is_logged(
    market: Market,
) -> None:
    viewer = market.viewer()
    market.economy.set_wallet_frozen(viewer.id, frozen=True)
    payment = market.start(viewer, "US-web-70")

    with pytest.raises(EconomyError) as refused:
        market.pay(payment)

    assert refused.value.code == "account_frozen"
    assert market.coins(viewer) == 0
    assert market.economy.payment(payment.id).status == "created"
    [decision] = market.economy.fraud_decisions()
    assert (decision.rule, decision.user_id) == ("frozen_wallet_payment", viewer.id)
    market.assert_reconciled()


def test_a_chargeback_takes_the_coins_back_from_a_wallet_frozen_for_review(
    open_market: OpenMarket,
) -> None:
    """The wallet a shared card funded one time too many is frozen; the card's owner
    then disputes the payment: the coins still leave the wallet, which stays frozen."""
    market = open_market(instrument_wallet_limit=1)
    market.buy(market.viewer("first"), 100, instrument="card-1")
    viewer = market.viewer()
    payment, _ = market.buy(viewer, 100, instrument="card-1")
    assert market.economy.wallet(viewer.id).frozen

    outcome = market.dispute(payment)

    assert (outcome.coins_from_wallet, outcome.loss_coins, outcome.wallet_frozen) == (100, 0, True)
    wallet = market.economy.wallet(viewer.id)
    assert (wallet.coins, wallet.frozen) == (0, True)
    assert market.economy.payment(payment.id).status == "disputed"
    market.assert_reconciled()


def test_a_second_chargeback_reaches_the_coins_left_after_the_first_froze_the_wallet(
    market: Market,
) -> None:
    viewer, creator = market.viewer(), market.creator()
    first, _ = market.buy(viewer, 100)
    second, _ = market.buy(viewer, 200)
    market.gift(viewer, creator, HAND_HEARTS)  # 100 coins: 200 left

    assert market.dispute(first).wallet_frozen
    assert market.coins(viewer) == 100  # the first's 100 coins came from the wallet
    refund = market.refund(second, second.amount_minor // 2)
    chargeback = market.dispute(second)

    assert (refund.coins_from_wallet, chargeback.coins_from_wallet) == (100, 0)
    assert chargeback.reversed_units == 100 * 5000  # the gift, paid with the second's coins
    wallet = market.economy.wallet(viewer.id)
    assert (wallet.coins, wallet.frozen) == (0, True)
    assert market.economy.earnings(creator.id).earned_units == 0
    market.assert_reconciled()
