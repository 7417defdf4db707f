"""Two economies on one PostgreSQL database (each its own engine, writer and
connections: two servers, as the database sees them) fill and bill one promotion at
once from many threads: the budget is never overspent by one coin, and the books
reconcile."""

from __future__ import annotations

import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from giftflow.promote.money import charged_coins
from giftflow.service.promote import EventKind, ImpressionEvent, Promote
from tests.promote.conftest import HOUR_S, Field

pytestmark = pytest.mark.postgres


def test_two_servers_billing_one_promotion_never_overspend(
    promote_field: Field, request: pytest.FixtureRequest
) -> None:
    field = promote_field
    if not field.stage.market.economy.context.settings.database_url.startswith("postgresql"):
        pytest.skip("two servers share PostgreSQL only")
    creator = field.creator(coins=300)
    promotion = field.active(creator, field.plan(budget_coins=300, hours=1))
    field.advance(2 * HOUR_S - 60)  # its whole budget planned: only the hard cap binds
    second = field.stage.market.economy.__class__.open(
        field.stage.market.economy.context.settings,
        clock=field.stage.market.clock,
        providers={"sandbox": field.stage.market.sandbox},
    )
    request.addfinalizer(second.close)
    servers = [field.promote, Promote.open(second, draw=random.Random(3).random)]

    def fill(worker: int) -> list[str]:
        promote = servers[worker % 2]
        viewers = (100_000 + worker * 1_000 + n for n in range(15))
        return [s.impression_id for v in viewers for s in promote.fill(field.request(v, slots=1))]

    def bill(worker_and_ids: tuple[int, list[str]]) -> int:
        worker, ids = worker_and_ids
        promote = servers[(worker + 1) % 2]  # the other server reports them
        events = [ImpressionEvent(i, EventKind.VIEWABLE, 2_000) for i in ids]
        return sum(o.billed_millicoins for e in events for o in promote.record_events([e]))

    field.advance(-HOUR_S)  # back inside the promotion, its budget nearly all planned
    with ThreadPoolExecutor(8) as pool:
        served = list(pool.map(fill, range(16)))
        assert sum(len(ids) for ids in served) * 10 > 300  # more shown than the budget pays
        field.advance(3)
        billed = sum(pool.map(bill, enumerate(served)))
    now = field.promote.get(promotion.id)
    assert now.billed_millicoins == billed == 300 * 1_000  # the cap bound, exactly
    closed = field.promote.cancel(promotion.id)
    assert closed.posted_coins == charged_coins(billed) <= 300
    assert closed.posted_coins + closed.released_coins == 300
    assert field.stage.market.economy.reconcile().ok
