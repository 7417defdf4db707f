"""Whatever sequence of purchases, refunds and passing days, on SQLite and PostgreSQL:
the books reconcile, no wallet goes negative, a buyer owns a product at most once, the
platform's product revenue holds exactly the prices of the purchases not refunded, and
the creator holds exactly the shares of those, plus those of refunded purchases whose
diamonds had matured (never taken back)."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.creator.products import Product, ProductError, PurchaseState
from giftflow.economy.chart import AccountKind, platform_account
from giftflow.economy.errors import InsufficientFundsError
from giftflow.ids import UserId
from giftflow.service.creator import perks, products
from giftflow.service.live import LiveSettings
from giftflow.service.live.context import LiveContext
from tests.api.conftest import DAY_S, World

BUYERS = 3
FUNDS = 300
SHARE_BPS = 5_000
_names = itertools.count()


@dataclass(frozen=True)
class Step:
    kind: str
    buyer: int
    product: int
    pick: int
    days: int


steps = st.builds(
    Step,
    kind=st.sampled_from(["buy", "buy", "refund", "age"]),
    buyer=st.integers(0, BUYERS - 1),
    product=st.integers(0, 1),
    pick=st.integers(0, 50),
    days=st.integers(1, 9),
)


@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(
    prices=st.tuples(st.integers(1, 200), st.integers(1, 200)),
    scenario=st.lists(steps, max_size=14),
)
def test_purchases_and_refunds_keep_the_books_exact(
    world: World, prices: tuple[int, int], scenario: list[Step]
) -> None:
    context = LiveContext(world.economy.context, world.bus, LiveSettings())
    run = next(_names)
    creator = world.user(f"maker-{run}", creator=True)["id"]
    buyers = [world.user(f"fan-{run}-{n}")["id"] for n in range(BUYERS)]
    for buyer in buyers:
        world.buy(buyer, FUNDS)
    file_id = perks.upload(
        context, creator, filename="pack.zip", content_type="application/zip",
        content=b"PK\x03\x04", max_bytes=1024,
    ).id  # fmt: skip
    items = [
        products.create(context, creator, title=f"Pack {n}", price_coins=price, file_ids=[file_id])
        for n, price in enumerate(prices)
    ]
    held_before = world.economy.earnings(creator).earned_units
    revenue_before = _revenue(world)
    bought: list[int] = []
    for step in scenario:
        _play(world, context, step, buyers, items, bought)
        assert all(world.coins(buyer) >= 0 for buyer in buyers)
    sold = [products.get_purchase(context, p) for p in bought]
    paid = [p for p in sold if p.state is PurchaseState.PAID]
    kept_matured = [
        p for p in sold if p.state is PurchaseState.REFUNDED and p.clawed_back_units == 0
    ]
    assert _revenue(world) - revenue_before == sum(p.price_coins for p in paid)
    held = world.economy.earnings(creator).earned_units - held_before
    assert held == sum(p.diamond_units for p in paid + kept_matured)
    assert all(p.diamond_units == p.price_coins * SHARE_BPS for p in sold)
    for buyer in buyers:
        mine = [p for p in sold if p.buyer_id == buyer]
        assert world.coins(buyer) == FUNDS - sum(
            p.price_coins for p in mine if p.state is PurchaseState.PAID
        )
        owned = [p.product_id for p in mine if p.state is PurchaseState.PAID]
        assert len(owned) == len(set(owned))
    report = world.economy.reconcile()
    assert report.ok, (report.mismatches, report.problems)


def _play(
    world: World,
    context: LiveContext,
    step: Step,
    buyers: list[int],
    items: list[Product],
    bought: list[int],
) -> None:
    if step.kind == "age":
        world.clock.advance(seconds=step.days * DAY_S)
        world.economy.mature_earnings()
        return
    if step.kind == "refund":
        if bought:
            purchase_id = bought[step.pick % len(bought)]
            try:
                products.refund(context, purchase_id)
            except ProductError as refused:
                assert refused.code == "product_purchase_refunded"
        return
    buyer, product = buyers[step.buyer], items[step.product]
    coins = world.coins(buyer)
    try:
        purchase = products.buy(context, product.id, UserId(buyer))
    except InsufficientFundsError:
        assert coins < product.price_coins
        assert world.coins(buyer) == coins
        return
    except ProductError as refused:
        assert refused.code == "product_owned"
        assert world.coins(buyer) == coins
        return
    bought.append(purchase.id)
    assert world.coins(buyer) == coins - product.price_coins


def _revenue(world: World) -> int:
    account = world.economy.ledger.account(platform_account(AccountKind.PRODUCT_REVENUE))
    assert account is not None
    return account.balance_posted
