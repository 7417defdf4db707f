"""Fills off the reload, on each backend: once a process has its candidates, a fill
that finds them stale serves them as they are while one refresh (single flight) reads
them again, and the refresh swaps the new ones in at once. Under the refresher that a
server's lifespan runs, the read happens in the background. A promotion that the
process activates itself serves from its next fill.

A second ``Promote`` over the same economy stands for another server: its own cache,
the same database."""

from __future__ import annotations

import asyncio
import time

from giftflow.service.promote import Promote, Promotion, delivery
from tests.promote.conftest import HOUR_S, Field

PAST_THE_TTL_S = 5
"""The candidates' TTL is 1 s by default."""


def indexed(field: Field) -> set[str]:
    index = field.promote.context.cache.index
    return set() if index is None else set(index.by_id)


def approved_elsewhere(field: Field) -> Promotion:
    """A promotion that another server reviewed."""
    other = Promote.open(field.stage.market.economy)
    draft = other.create(creator_id=field.creator().id, plan=field.plan())
    other.submit(draft.id)
    return other.approve(draft.id)


def test_a_stale_fill_does_not_wait_for_the_refresh_in_flight(promote_field: Field) -> None:
    field = promote_field
    first = field.active(field.creator())
    field.advance(HOUR_S)
    cache = field.promote.context.cache
    asked: list[int] = []
    cache.wake = lambda: asked.append(field.now)  # a refresher that never gets to it
    field.promote.fill(field.request())  # the process's first fill: it reads
    assert indexed(field) == {first.id} and asked == []
    second = approved_elsewhere(field)
    field.advance(PAST_THE_TTL_S)
    for _ in range(5):  # each returns while the refresh it asked for has not run
        served = field.promote.fill(field.request())
        assert {s.promotion_id for s in served} <= {first.id}
    assert len(asked) == 1, "one refresh in flight, however many stale fills"
    assert indexed(field) == {first.id}, "the stale index served meanwhile"
    delivery.refresh_in_flight(field.promote.context)  # the refresher's read lands
    assert indexed(field) == {first.id, second.id}
    assert not cache.refreshing
    field.advance(PAST_THE_TTL_S)
    field.promote.fill(field.request())
    assert len(asked) == 2, "stale again: the next refresh is asked for"


def test_a_promotion_this_process_approves_serves_from_its_next_fill(
    promote_field: Field,
) -> None:
    field = promote_field
    first = field.active(field.creator())
    field.advance(HOUR_S)
    field.promote.context.cache.wake = lambda: None  # a refresher that never gets to it
    field.promote.fill(field.request())
    second = field.active(field.creator())
    assert indexed(field) == {first.id, second.id}
    field.promote.pause(second.id)
    field.advance(PAST_THE_TTL_S)
    field.promote.resume(second.id)
    assert second.id in indexed(field)


def test_without_a_refresher_a_stale_fill_reads_the_candidates_itself(
    promote_field: Field,
) -> None:
    field = promote_field
    first = field.active(field.creator())
    field.advance(HOUR_S)
    field.promote.fill(field.request())
    second = approved_elsewhere(field)
    field.advance(PAST_THE_TTL_S)
    field.promote.fill(field.request())
    assert indexed(field) == {first.id, second.id}


def test_the_refresher_reads_stale_candidates_in_the_background(promote_field: Field) -> None:
    field = promote_field
    first = field.active(field.creator())
    field.advance(HOUR_S)

    async def scenario() -> tuple[set[str], str]:
        async with field.promote.refreshing():
            await asyncio.to_thread(field.promote.fill, field.request())
            second = await asyncio.to_thread(approved_elsewhere, field)
            field.advance(PAST_THE_TTL_S)
            await asyncio.to_thread(field.promote.fill, field.request())
            deadline = time.monotonic() + 30
            while second.id not in indexed(field) and time.monotonic() < deadline:
                await asyncio.sleep(0.01)
            found = indexed(field)
        assert field.promote.context.cache.wake is None  # stopped with the block
        return found, second.id

    found, second_id = asyncio.run(scenario())
    assert found == {first.id, second_id}, "the refresh swapped the second one in"
