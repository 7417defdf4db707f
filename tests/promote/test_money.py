"""A promotion's budget through the ledger, on each backend: reserved on submit, billed
per viewable valid impression, posted in whole coins, the rest released on cancel,
rejection or end; reconciled after every scenario."""

from __future__ import annotations

import pytest

from giftflow.economy.chart import AccountKind, TransferCode, platform_account
from giftflow.economy.errors import InsufficientFundsError
from giftflow.promote.errors import PromotionStateError
from giftflow.promote.promotions import PromotionState
from giftflow.service.promote import Result
from tests.promote.conftest import Field


def revenue(field: Field) -> int:
    account = field.stage.market.economy.ledger.account(
        platform_account(AccountKind.PROMOTION_REVENUE)
    )
    assert account is not None
    return account.balance_posted


def assert_books(field: Field) -> None:
    assert field.stage.market.economy.reconcile().ok


def test_submit_reserves_the_budget_and_cancel_during_review_releases_it(
    promote_field: Field,
) -> None:
    field = promote_field
    creator = field.creator(coins=5_000)
    draft = field.promote.create(creator_id=creator.id, plan=field.plan(budget_coins=1_000))
    wallet = field.stage.market.economy.wallet
    assert draft.state == PromotionState.DRAFT and wallet(creator.id).coins == 5_000
    submitted = field.promote.submit(draft.id)
    assert submitted.state == PromotionState.IN_REVIEW and submitted.reserved_coins == 1_000
    assert wallet(creator.id).coins == 4_000  # available: the reserve is held
    cancelled = field.promote.cancel(draft.id)
    assert cancelled.state == PromotionState.CANCELLED
    assert (cancelled.released_coins, cancelled.posted_coins) == (1_000, 0)
    assert wallet(creator.id).coins == 5_000 and revenue(field) == 0
    assert_books(field)


def test_a_budget_above_the_wallet_is_refused_and_nothing_is_reserved(promote_field: Field) -> None:
    field = promote_field
    creator = field.creator(coins=500)
    draft = field.promote.create(creator_id=creator.id, plan=field.plan(budget_coins=1_000))
    with pytest.raises(InsufficientFundsError):
        field.promote.submit(draft.id)
    assert field.promote.get(draft.id).state == PromotionState.DRAFT
    assert field.stage.market.economy.wallet(creator.id).coins == 500
    assert_books(field)


def test_rejection_releases_everything(promote_field: Field) -> None:
    field = promote_field
    creator = field.creator()
    draft = field.promote.create(creator_id=creator.id, plan=field.plan())
    field.promote.submit(draft.id)
    rejected = field.promote.reject(draft.id, "misleading")
    assert rejected.state == PromotionState.REJECTED and rejected.reason == "misleading"
    assert rejected.released_coins == 1_000
    with pytest.raises(PromotionStateError):
        field.promote.approve(draft.id)
    assert_books(field)


def test_billed_impressions_post_whole_coins_and_the_end_releases_the_rest(
    promote_field: Field,
) -> None:
    field = promote_field
    creator = field.creator(coins=2_000)
    promotion = field.active(creator, field.plan(budget_coins=1_000, hours=1))
    field.advance(1_800)  # half way: 500 coins planned, 50 impressions of 10 coins
    billed = 0
    for _ in range(20):
        for served in field.promote.fill(field.request()):
            outcome = field.view(served)
            billed += outcome.result == Result.BILLED
    now = field.promote.get(promotion.id)
    assert billed > 0 and now.billed_millicoins == billed * 10_000
    assert now.posted_coins == billed * 10 == revenue(field)
    assert now.posted_coins + now.reserved_coins == 1_000
    field.advance(3_600)
    (ended,) = field.promote.sweep()
    assert ended.state == PromotionState.COMPLETED
    assert ended.posted_coins + ended.released_coins == 1_000 and ended.reserved_coins == 0
    assert field.stage.market.economy.wallet(creator.id).coins == 2_000 - ended.posted_coins
    report = field.promote.report(promotion.id)
    kinds = [entry.kind for entry in report.statement]
    assert kinds[0] == "reserved" and kinds.count("spent") >= 1
    assert report.spent_coins + report.released_coins == 1_000
    assert_books(field)


def test_a_fraction_of_a_coin_is_never_charged(promote_field: Field) -> None:
    field = promote_field
    field.promote.context.economy.settings.__dict__["promote_price_per_1000_coins"] = 2_500
    creator = field.creator()
    promotion = field.active(creator, field.plan(budget_coins=1_000, hours=1))
    field.advance(1_800)
    (served, *_) = field.promote.fill(field.request(slots=1))
    assert field.view(served).billed_millicoins == 2_500  # 2.5 coins
    assert field.promote.get(promotion.id).posted_coins == 2
    closed = field.promote.cancel(promotion.id)
    assert (closed.posted_coins, closed.released_coins) == (2, 998)
    assert_books(field)


def test_codes_of_the_transfers(promote_field: Field) -> None:
    field = promote_field
    creator = field.creator()
    promotion = field.active(creator)
    transfer = field.stage.market.economy.ledger.transfer(promotion.reserve_transfer_id)
    assert transfer is not None and transfer.code == TransferCode.PROMOTION_RESERVE
    assert transfer.user_data_1 == creator.id
