"""The rule creators rely on: whatever gifts they receive, at whatever revenue share,
their whole diamonds earned are ``floor(total coins received x share / 10,000)``, the
fraction below one diamond stays booked in their accounts, and no diamond unit is lost
or invented on the way."""

from __future__ import annotations

import tempfile
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.economy.catalog import load_catalog
from giftflow.economy.chart import AccountKind
from giftflow.economy.money import UNITS_PER_DIAMOND
from giftflow.ids import UserId
from giftflow.ledger.clock import ManualClock
from giftflow.ledger.units import DIAMOND
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import Economy
from giftflow.settings import Settings
from tests.economy.conftest import DAY_S, SECRET, START_NS, Market

CATALOG = load_catalog()
GIFT_COINS: dict[int, int] = {gift.id: gift.coins for gift in CATALOG.gifts}
SENDERS = 2
CREATORS = 3
PURCHASE_MAX_COINS = 2_500_000
"""The largest custom amount the catalog sells."""


@dataclass(frozen=True)
class Step:
    gift_id: int
    quantity: int
    sender: int
    creator: int
    then_mature: bool
    """Let the holding period pass after this gift (its diamonds become available)."""


steps = st.builds(
    Step,
    gift_id=st.sampled_from(sorted(GIFT_COINS)),
    quantity=st.integers(1, 5),
    sender=st.integers(0, SENDERS - 1),
    creator=st.integers(0, CREATORS - 1),
    then_mature=st.integers(0, 5).map(lambda n: n == 0),
)


def _fund(market: Market, spent: dict[int, int], senders: list[UserId]) -> None:
    """Buy each sender exactly the coins their gifts will cost (in packs the catalog
    sells: at most 2,500,000 coins each, at least 30)."""
    for index, coins in spent.items():
        user = market.economy.user(senders[index])
        for start in range(0, coins, PURCHASE_MAX_COINS):
            market.buy(user, max(min(coins - start, PURCHASE_MAX_COINS), 30))


def _run(market: Market, share_bps: int, scenario: list[Step]) -> None:
    economy = market.economy
    senders = [market.viewer(f"viewer-{n}").id for n in range(SENDERS)]
    creators = [market.creator(f"creator-{n}").id for n in range(CREATORS)]
    spent: dict[int, int] = defaultdict(int)
    for step in scenario:
        spent[step.sender] += GIFT_COINS[step.gift_id] * step.quantity
    _fund(market, spent, senders)
    bought = {index: market.coins(economy.user(senders[index])) for index in range(SENDERS)}

    received: dict[int, int] = defaultdict(int)
    matured: dict[int, int] = defaultdict(int)
    for step in scenario:
        creator = creators[step.creator]
        sent = market.gift(
            economy.user(senders[step.sender]),
            economy.user(creator),
            step.gift_id,
            quantity=step.quantity,
        )
        assert sent.diamond_units == sent.coins * share_bps
        received[creator] += sent.coins
        if step.then_mature:
            market.clock.advance(seconds=8 * DAY_S)
            economy.mature_earnings()
            matured = defaultdict(int, {c: coins * share_bps for c, coins in received.items()})

    earned_in_all = 0
    for creator in creators:
        earnings = economy.earnings(creator)
        coins = received[creator]
        assert earnings.earned_units // UNITS_PER_DIAMOND == coins * share_bps // 10_000
        assert earnings.earned_units == coins * share_bps
        held = earnings.pending_units + earnings.available_units
        assert held == earnings.earned_units, "nothing withdrawn: every unit is still held"
        assert held % UNITS_PER_DIAMOND == coins * share_bps % UNITS_PER_DIAMOND
        assert earnings.available_units == matured[creator]
        earned_in_all += earnings.earned_units

    total_coins = sum(received.values())
    assert -market.platform(AccountKind.DIAMOND_ISSUANCE).balance_posted == earned_in_all
    assert market.platform(AccountKind.GIFT_REVENUE).balance_posted == total_coins
    for index, sender in enumerate(senders):
        assert market.coins(economy.user(sender)) == bought[index] - spent[index]
    report = economy.reconcile()
    assert report.ok, (report.mismatches, report.problems)
    [diamonds] = [totals for totals in report.units if totals.unit == DIAMOND]
    assert diamonds.balanced
    assert diamonds.credits_posted >= earned_in_all


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)
@given(
    share_bps=st.integers(1, 10_000),
    scenario=st.lists(steps, min_size=1, max_size=30),
)
def test_whole_diamonds_earned_are_the_floor_of_coins_times_share_and_the_rest_is_kept(
    share_bps: int, scenario: list[Step]
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        clock = ManualClock(START_NS)
        sandbox = SandboxProvider(SECRET, clock)
        settings_ = Settings(
            database_url=f"sqlite:///{Path(folder) / 'ledger.db'}",
            payout_dir=Path(folder) / "payouts",
            revenue_share_bps=share_bps,
            environment="development",
        )
        with Economy.open(
            settings_, clock=clock, providers={"sandbox": sandbox}, catalog=CATALOG
        ) as economy:
            _run(Market(economy, clock, sandbox, settings_.payout_dir), share_bps, scenario)
