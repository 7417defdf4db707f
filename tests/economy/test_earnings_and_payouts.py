"""Earnings and payouts: diamonds wait out the holding period, then a creator who is
eligible cashes them out through the manual partner, with every amount exact and every
failure giving the diamonds back."""

from __future__ import annotations

import csv
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from giftflow.economy.chart import AccountKind
from giftflow.economy.errors import EconomyError, InsufficientFundsError
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.economy.users import User
from giftflow.ledger.clock import ManualClock
from giftflow.partners.manual import BATCH_COLUMNS
from giftflow.service.economy import Economy, Payout
from giftflow.service.economy import earnings as earnings_service
from tests.economy.conftest import DAY_S, HAND_HEARTS, LION, ROSE, START, Market, OpenMarket

INTERSTELLAR = 6149
"""10,000 coins."""
US_RATE = 500
"""US payouts: USD 5.00 (500 cents) per 1,000 diamonds."""


def earn(market: Market, creator: User, coins: int, *, sender: str = "fan") -> None:
    """A fan sends ``coins`` worth of gifts (Interstellars, then Roses)."""
    fan = market.viewer(sender)
    market.buy(fan, max(coins, 30))
    big, small = divmod(coins, 10_000)
    if big:
        market.gift(fan, creator, INTERSTELLAR, quantity=big)
    if small:
        market.gift(fan, creator, ROSE, quantity=small)


def matured(market: Market) -> None:
    market.clock.advance(seconds=8 * DAY_S)
    market.economy.mature_earnings()


@pytest.fixture
def market(open_market: OpenMarket) -> Market:
    """Creators earn one diamond per coin (a share of 100 %), so amounts read plainly."""
    return open_market(revenue_share_bps=10_000)


@pytest.fixture
def creator(market: Market) -> User:
    """A verified adult creator with 250,000 diamonds available."""
    creator = market.creator()
    earn(market, creator, 250_000)
    matured(market)
    return creator


def available(market: Market, creator: User) -> int:
    return market.economy.earnings(creator.id).available_units


def results_file(market: Market, *rows: tuple[str, str, str, str]) -> Path:
    path = market.payout_dir / f"results-{len(list(market.payout_dir.glob('results-*')))}.csv"
    with path.open("w", newline="", encoding="utf-8") as file:
        writer = csv.writer(file)
        writer.writerow(("payout_id", "status", "reference", "reason"))
        writer.writerows(rows)
    return path


def approved(market: Market, creator: User, diamonds: int) -> Payout:
    payout = market.economy.request_payout(creator_id=creator.id, diamonds=diamonds)
    assert payout.state == "held"
    return market.economy.approve_payout(payout.id)


def exported(market: Market) -> list[dict[str, str]]:
    batch = market.economy.export_payouts()
    assert batch is not None
    _, path, count = batch
    with path.open(newline="", encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    assert len(rows) == count
    return rows


# --- earnings ------------------------------------------------------------------------


def test_diamonds_stay_pending_until_the_holding_period_has_passed(market: Market) -> None:
    creator = market.creator()
    earn(market, creator, 30_000)
    units = 30_000 * UNITS_PER_DIAMOND

    market.clock.advance(seconds=7 * DAY_S - 1)
    early = market.economy.earnings(creator.id)
    assert (early.pending_units, early.available_units, early.earned_units) == (units, 0, units)
    with pytest.raises(InsufficientFundsError):
        market.economy.request_payout(creator_id=creator.id, diamonds=10_000)

    market.clock.advance(seconds=2)
    later = market.economy.earnings(creator.id)
    assert (later.pending_units, later.available_units) == (0, units)
    assert later.available_diamonds == 30_000
    kinds = [(line.kind, line.account, line.units) for line in market.economy.statement(creator.id)]
    assert kinds.count(("matured", "available", units)) == 1
    assert kinds.count(("matured", "pending", -units)) == 1
    assert [amount for kind, _, amount in kinds if kind == "gift"] == [units]
    market.assert_reconciled()


def test_each_gift_matures_on_its_own_day(market: Market) -> None:
    creator, fan = market.creator(), market.viewer()
    market.buy(fan, 1000)
    market.gift(fan, creator, HAND_HEARTS)
    market.clock.advance(seconds=3 * DAY_S)
    market.gift(fan, creator, HAND_HEARTS, quantity=2)

    market.clock.advance(seconds=5 * DAY_S)
    first = market.economy.earnings(creator.id)
    market.clock.advance(seconds=3 * DAY_S)
    second = market.economy.earnings(creator.id)

    assert (first.pending_units, first.available_units) == (
        200 * UNITS_PER_DIAMOND,
        100 * UNITS_PER_DIAMOND,
    )
    assert (second.pending_units, second.available_units) == (0, 300 * UNITS_PER_DIAMOND)
    assert market.economy.mature_earnings() == 0
    market.assert_reconciled()


def test_two_servers_maturing_one_creator_at_once_move_each_diamond_once(
    market: Market, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every read of earnings matures what is due. A second server, its clock a day
    behind, matures the oldest gift between this server's look at what is due and its
    transfer: this server looks again instead of failing the read."""
    fan, creator = market.viewer(), market.creator()
    market.buy(fan, 40_000)
    market.gift(fan, creator, HAND_HEARTS)  # day 0
    market.clock.advance(seconds=DAY_S)
    market.gift(fan, creator, ROSE)  # day 1
    market.clock.advance(seconds=DAY_S)
    market.gift(fan, creator, LION)  # day 2
    market.clock.advance(seconds=DAY_S * 13 // 2)  # day 8.5: days 0 and 1 are due here,
    behind = ManualClock(market.clock.now_ns() - DAY_S * 1_000_000_000)  # day 0 there
    second = Economy.open(market.economy.context.settings, clock=behind, providers={})
    raced: list[bool] = []
    moved_there: list[int] = []
    look = earnings_service._due

    def look_then_race(*arguments: Any) -> Any:
        due = look(*arguments)
        if not raced:
            raced.append(True)
            moved_there.append(second.mature_earnings())
        return due

    monkeypatch.setattr(earnings_service, "_due", look_then_race)
    try:
        moved_here = market.economy.mature_earnings()
    finally:
        second.close()

    assert (moved_there, moved_here) == ([100 * UNITS_PER_DIAMOND], UNITS_PER_DIAMOND)
    earnings = market.economy.earnings(creator.id)
    assert (earnings.available_units, earnings.pending_units) == (
        101 * UNITS_PER_DIAMOND,
        29_999 * UNITS_PER_DIAMOND,
    )
    market.assert_reconciled()


# --- who may cash out, and how much --------------------------------------------------------


def _refused(market: Market, creator: User, diamonds: int, code: str) -> None:
    before = market.economy.earnings(creator.id)
    with pytest.raises(EconomyError) as refused:
        market.economy.request_payout(creator_id=creator.id, diamonds=diamonds)
    assert refused.value.code == code
    after = market.economy.earnings(creator.id)
    assert after == before
    assert after.in_payout_units == 0
    assert market.count("payouts") == 0


def test_a_viewer_who_is_not_a_creator_cannot_cash_out(market: Market) -> None:
    _refused(market, market.viewer(), 10_000, "not_a_creator")


def test_a_creator_without_a_verified_identity_cannot_cash_out(
    market: Market, creator: User
) -> None:
    market.economy.update_user(creator.id, identity_verified=False)
    _refused(market, creator, 10_000, "identity_not_verified")
    market.economy.update_user(creator.id, identity_verified=True)
    assert market.economy.request_payout(creator_id=creator.id, diamonds=10_000).state == "held"


def test_a_creator_under_age_cannot_cash_out(market: Market) -> None:
    born = date(START.year - 18, START.month, START.day + 1)
    minor = market.creator("young-creator", birth_date=born)
    _refused(market, minor, 10_000, "age_restricted")


@pytest.mark.parametrize(
    ("diamonds", "code"),
    [
        (0, "amount_invalid"),
        (9_999, "payout_below_minimum"),  # USD 49.99 < USD 50
        (200_002, "payout_above_daily_maximum"),  # USD 1,000.01 > USD 1,000
    ],
)
def test_a_payout_breaking_a_rule_is_refused_and_reserves_nothing(
    market: Market, creator: User, diamonds: int, code: str
) -> None:
    _refused(market, creator, diamonds, code)


def test_a_payout_of_more_than_is_available_is_refused_and_reserves_nothing(
    market: Market,
) -> None:
    creator = market.creator()
    earn(market, creator, 15_000)
    matured(market)
    _refused(market, creator, 15_002, "insufficient_funds")


def test_the_minimum_and_the_daily_maximum_are_inclusive(market: Market, creator: User) -> None:
    smallest = market.economy.request_payout(creator_id=creator.id, diamonds=10_000)
    assert smallest.gross_minor == 5_000
    rest = market.economy.request_payout(creator_id=creator.id, diamonds=190_000)
    assert rest.gross_minor == 95_000
    with pytest.raises(EconomyError) as refused:
        market.economy.request_payout(creator_id=creator.id, diamonds=10_000)
    assert refused.value.code == "payout_above_daily_maximum"
    assert market.economy.earnings(creator.id).in_payout_units == 200_000 * UNITS_PER_DIAMOND


def test_two_requests_racing_past_the_first_check_cannot_both_pass_the_daily_maximum(
    market: Market, creator: User, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The first check reads before the reservation; the payout's own transaction checks
    again. Blinding the first check (as a concurrent request would see it) leaves the
    second to refuse, and nothing is reserved for the refused request."""
    from giftflow.service.economy import payout_requests  # noqa: PLC0415

    market.economy.request_payout(creator_id=creator.id, diamonds=150_000)
    monkeypatch.setattr(payout_requests, "_requested_today", lambda context, creator_id: 0)

    with pytest.raises(EconomyError) as refused:  # USD 750 + 300 > USD 1,000
        market.economy.request_payout(creator_id=creator.id, diamonds=60_000)
    assert refused.value.code == "payout_above_daily_maximum"
    assert market.economy.earnings(creator.id).in_payout_units == 150_000 * UNITS_PER_DIAMOND
    assert len(market.economy.payouts(creator_id=creator.id)) == 1
    assert market.economy.reconcile().ok


def test_the_daily_maximum_counts_the_day_s_payouts_and_frees_up_the_next_day(
    market: Market, creator: User
) -> None:
    market.economy.request_payout(creator_id=creator.id, diamonds=150_000)
    rejected = market.economy.request_payout(creator_id=creator.id, diamonds=40_000)
    market.economy.reject_payout(rejected.id, "changed my mind")

    with pytest.raises(EconomyError) as refused:  # USD 750 + 300 > USD 1,000
        market.economy.request_payout(creator_id=creator.id, diamonds=60_000)
    assert refused.value.code == "payout_above_daily_maximum"
    assert market.economy.request_payout(creator_id=creator.id, diamonds=50_000).state == "held"

    market.clock.advance(seconds=DAY_S)
    assert market.economy.request_payout(creator_id=creator.id, diamonds=50_000).state == "held"
    assert available(market, creator) == 0


def test_a_payout_with_no_such_partner_is_refused(market: Market, creator: User) -> None:
    before = available(market, creator)
    with pytest.raises(EconomyError) as refused:
        market.economy.request_payout(creator_id=creator.id, diamonds=10_000, partner="swift")
    assert refused.value.code == "partner_unknown"
    assert available(market, creator) == before


# --- the life of a payout ----------------------------------------------------------------


def test_a_payout_is_requested_approved_exported_and_paid_with_exact_amounts(
    market: Market, creator: User
) -> None:
    economy = market.economy
    units = 20_001 * UNITS_PER_DIAMOND

    payout = economy.request_payout(creator_id=creator.id, diamonds=20_001)
    # 20,000 diamonds make USD 100.00; the odd one would make half a cent: it stays.
    assert (payout.diamonds, payout.gross_minor, payout.currency) == (20_000, 10_000, "USD")
    assert (payout.fee_minor, payout.net_minor) == (25 + 25, 10_000 - 50)
    assert payout.state == "held"
    reserved = economy.earnings(creator.id)
    assert reserved.in_payout_units == 20_000 * UNITS_PER_DIAMOND
    assert reserved.available_units == 230_000 * UNITS_PER_DIAMOND
    assert economy.export_payouts() is None  # not approved yet

    assert economy.approve_payout(payout.id).state == "approved"
    [row] = exported(market)
    assert tuple(row) == BATCH_COLUMNS
    assert row == {
        "payout_id": payout.id,
        "creator_external_id": "creator",
        "creator_name": "Creator",
        "region": "US",
        "currency": "USD",
        "net_amount": "99.50",
        "net_minor": "9950",
        "fee_minor": "50",
        "gross_minor": "10000",
        "diamonds": "20000",
        "payee_kind": "iban",
        "payee_destination": "DE89370400440532013000",
        "payee_holder_name": "Creator",
    }
    assert economy.export_payouts() is None  # each payout is exported once
    assert economy.payout(payout.id).batch_id is not None

    results = results_file(market, (payout.id, "paid", "bank-ref-1", ""))
    summary = economy.import_payout_results(results)
    assert (summary.paid, summary.failed, summary.unchanged) == ([payout.id], [], [])

    paid = economy.payout(payout.id)
    assert (paid.state, paid.partner_reference) == ("paid", "bank-ref-1")
    after = economy.earnings(creator.id)
    assert (after.in_payout_units, after.withdrawn_units) == (0, 20_000 * UNITS_PER_DIAMOND)
    assert after.available_units == 230_000 * UNITS_PER_DIAMOND
    withdrawn = market.platform(AccountKind.DIAMONDS_WITHDRAWN)
    assert (withdrawn.credits_posted, withdrawn.credits_pending) == (20_000 * UNITS_PER_DIAMOND, 0)
    gross = market.platform(AccountKind.PAYOUTS_GROSS, "USD").balance_posted
    cash = market.platform(AccountKind.PAYOUTS_CASH_OUT, "USD").balance_posted
    fees = market.platform(AccountKind.PAYOUT_FEES, "USD").balance_posted
    assert (gross, cash, fees) == (-10_000, 9_950, 50)
    lines = [(line.kind, line.units) for line in economy.statement(creator.id)]
    assert ("payout_reserved", -20_000 * UNITS_PER_DIAMOND) in lines
    assert ("payout_paid", 0) in lines
    assert units - 20_000 * UNITS_PER_DIAMOND == UNITS_PER_DIAMOND  # the odd diamond kept
    market.assert_reconciled()

    again = economy.import_payout_results(results)
    assert (again.paid, again.failed, again.unchanged) == ([], [], [payout.id])
    assert economy.earnings(creator.id) == after
    assert market.platform(AccountKind.PAYOUTS_GROSS, "USD").balance_posted == -10_000
    market.assert_reconciled()


def test_a_payout_the_partner_could_not_pay_returns_the_diamonds(
    market: Market, creator: User
) -> None:
    before = market.economy.earnings(creator.id)
    payout = approved(market, creator, 10_000)
    exported(market)

    results = results_file(market, (payout.id, "failed", "", "account closed"))
    summary = market.economy.import_payout_results(results)

    assert (summary.paid, summary.failed) == ([], [payout.id])
    failed = market.economy.payout(payout.id)
    assert (failed.state, failed.failure_reason) == ("failed", "account closed")
    assert market.economy.earnings(creator.id) == before
    assert market.platform(AccountKind.PAYOUTS_GROSS, "USD").balance_posted == 0
    lines = [(line.kind, line.units) for line in market.economy.statement(creator.id)]
    assert ("payout_returned", 10_000 * UNITS_PER_DIAMOND) in lines
    assert market.economy.import_payout_results(results).unchanged == [payout.id]
    market.assert_reconciled()


def test_a_results_file_with_a_line_that_cannot_apply_changes_nothing(
    market: Market, creator: User
) -> None:
    payout = approved(market, creator, 10_000)
    exported(market)
    before = market.economy.earnings(creator.id)

    with pytest.raises(EconomyError) as unknown:
        market.economy.import_payout_results(
            results_file(market, (payout.id, "paid", "ref", ""), ("po_unknown", "paid", "", ""))
        )
    assert unknown.value.code == "payout_not_found"
    with pytest.raises(EconomyError) as twice:
        market.economy.import_payout_results(
            results_file(market, (payout.id, "paid", "ref", ""), (payout.id, "failed", "", "x"))
        )
    assert twice.value.code == "partner_file_invalid"

    assert market.economy.payout(payout.id).state == "approved"
    assert market.economy.earnings(creator.id) == before
    market.assert_reconciled()


@pytest.mark.parametrize("when", ["requested", "held"])
def test_a_payout_rejected_by_an_admin_returns_the_diamonds(
    market: Market, creator: User, when: str
) -> None:
    before = market.economy.earnings(creator.id)
    if when == "requested":  # an open fraud decision keeps it there
        with pytest.raises(EconomyError):
            market.gift(creator, creator)
    payout = market.economy.request_payout(creator_id=creator.id, diamonds=10_000)
    assert payout.state == when

    rejected = market.economy.reject_payout(payout.id, "documents expired")

    assert (rejected.state, rejected.failure_reason) == ("rejected", "documents expired")
    assert market.economy.earnings(creator.id) == before
    market.assert_reconciled()


def test_a_payout_cannot_skip_or_leave_a_final_state(market: Market, creator: User) -> None:
    economy = market.economy
    held = economy.request_payout(creator_id=creator.id, diamonds=10_000)
    paid = approved(market, creator, 10_000)
    exported(market)
    economy.import_payout_results(results_file(market, (paid.id, "paid", "ref", "")))
    unexported = approved(market, creator, 10_000)
    balances = economy.earnings(creator.id)

    moves: list[Callable[[], Payout]] = [
        lambda: economy.hold_payout(held.id),
        lambda: economy.reject_payout(paid.id, "too late"),
        lambda: economy.approve_payout(paid.id),
        lambda: economy.reject_payout(unexported.id, "approved already"),
    ]
    for move in moves:
        with pytest.raises(EconomyError) as refused:
            move()
        assert refused.value.code == "payout_state_invalid"
    with pytest.raises(EconomyError) as not_exported:
        economy.import_payout_results(results_file(market, (unexported.id, "paid", "r", "")))
    assert not_exported.value.code == "payout_state_invalid"
    with pytest.raises(EconomyError) as missing:
        economy.approve_payout("po_missing")
    assert missing.value.code == "payout_not_found"

    assert [economy.payout(p.id).state for p in (held, paid, unexported)] == [
        "held",
        "paid",
        "approved",
    ]
    assert economy.earnings(creator.id) == balances
    market.assert_reconciled()


def test_a_creator_with_an_open_fraud_decision_waits_in_requested_for_review(
    market: Market, creator: User
) -> None:
    economy = market.economy
    with pytest.raises(EconomyError):
        market.gift(creator, creator)  # self-gifting: logged for review
    [decision] = economy.fraud_decisions(open_only=True)

    waiting = economy.request_payout(creator_id=creator.id, diamonds=10_000)
    assert waiting.state == "requested"
    assert economy.earnings(creator.id).in_payout_units == 10_000 * UNITS_PER_DIAMOND
    with pytest.raises(EconomyError) as refused:
        economy.approve_payout(waiting.id)
    assert refused.value.code == "payout_state_invalid"
    assert [p.id for p in economy.payouts(state="requested")] == [waiting.id]

    economy.review_fraud_decision(decision.id, upheld=False, reviewer="admin@giftflow")
    assert economy.hold_payout(waiting.id).state == "held"
    assert economy.request_payout(creator_id=creator.id, diamonds=10_000).state == "held"
    assert len(economy.payouts(creator_id=creator.id, state="held")) == 2


# --- quotes ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("diamonds", "taken", "gross", "fee"),
    [
        (10_000, 10_000, 5_000, 25 + 13),  # 0.25 % of 5,000 = 12.5, rounded up
        (10_001, 10_000, 5_000, 25 + 13),  # the odd diamond makes half a cent: kept
        (10_003, 10_002, 5_001, 25 + 13),
        (123_457, 123_456, 61_728, 25 + 155),  # 154.32 rounded up
    ],
)
def test_cash_is_rounded_down_and_diamonds_worth_a_fraction_of_a_cent_stay(
    market: Market, creator: User, diamonds: int, taken: int, gross: int, fee: int
) -> None:
    before = available(market, creator)

    payout = market.economy.request_payout(creator_id=creator.id, diamonds=diamonds)

    assert (payout.diamonds, payout.gross_minor, payout.fee_minor) == (taken, gross, fee)
    assert payout.gross_minor == payout.net_minor + payout.fee_minor
    assert payout.gross_minor == taken * US_RATE // 1000
    assert available(market, creator) == before - taken * UNITS_PER_DIAMOND


def test_a_payout_in_yen_is_quoted_and_booked_in_whole_yen(market: Market) -> None:
    creator = market.creator("tokyo-creator", region="JP")
    earn(market, creator, 20_000)
    matured(market)

    payout = approved(market, creator, 10_003)  # JPY 0.75 a diamond: 7,502.25
    [row] = exported(market)
    market.economy.import_payout_results(results_file(market, (payout.id, "paid", "jp-1", "")))

    assert (payout.currency, payout.diamonds, payout.gross_minor) == ("JPY", 10_003, 7_502)
    assert (payout.fee_minor, payout.net_minor) == (40 + 19, 7_502 - 59)  # 18.755 up
    assert (row["currency"], row["net_amount"], row["net_minor"]) == ("JPY", "7443", "7443")
    gross = market.platform(AccountKind.PAYOUTS_GROSS, "JPY").balance_posted
    cash = market.platform(AccountKind.PAYOUTS_CASH_OUT, "JPY").balance_posted
    fees = market.platform(AccountKind.PAYOUT_FEES, "JPY").balance_posted
    assert (gross, cash, fees) == (-7_502, 7_443, 59)
    assert market.platform(AccountKind.PAYOUTS_GROSS, "USD").balance_posted == 0
    assert available(market, creator) == 9_997 * UNITS_PER_DIAMOND
    market.assert_reconciled()


def test_a_fraction_of_a_diamond_is_never_paid_out(open_market: OpenMarket) -> None:
    market = open_market(revenue_share_bps=5_000)
    creator = market.creator()
    earn(market, creator, 20_001)  # 10,000.5 diamonds
    matured(market)
    assert available(market, creator) == 10_000 * UNITS_PER_DIAMOND + 5_000

    with pytest.raises(InsufficientFundsError):
        market.economy.request_payout(creator_id=creator.id, diamonds=10_002)
    payout = market.economy.request_payout(creator_id=creator.id, diamonds=10_000)

    assert payout.gross_minor == 5_000
    assert available(market, creator) == 5_000
    market.assert_reconciled()
