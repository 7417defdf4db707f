"""The candidates read by their changes, on each backend: after any mix of fills,
viewable events (valid or not), pauses, resumes, reviews on another server and time
passing over the outstanding and the 24-hour windows, a process's reader that read
only the changes holds the spends that one whole read finds (decisions/0123).

A second ``Promote`` over the same economy stands for another server: its own cache
and reader, the same database."""

from __future__ import annotations

import random

from giftflow.promote.delivery import CandidateIndex
from giftflow.promote.pacing import Spend
from giftflow.promote.promotions import Audience
from giftflow.service.promote import Promote, Promotion
from giftflow.service.promote.candidates import CandidateReader
from giftflow.service.promote.context import PromoteContext
from tests.live.conftest import NS_PER_S
from tests.promote.conftest import HOUR_S, Field

Read = tuple[CandidateIndex, dict[str, Spend]]


def read_changes(context: PromoteContext) -> Read:
    reader, now = context.cache.reader, context.now()
    return context.read(lambda tx: reader.read(tx, now))


def read_whole(context: PromoteContext) -> Read:
    now = context.now()
    return context.read(lambda tx: CandidateReader().read(tx, now))


def assert_same(changes: Read, whole: Read) -> None:
    (index, spends), (expected_index, expected_spends) = changes, whole
    assert spends == expected_spends
    assert set(index.by_id) == set(expected_index.by_id)
    assert {key: sorted(opens) for key, opens in index.opens.items()} == {
        key: sorted(opens) for key, opens in expected_index.opens.items()
    }


def reviewed_on(other: Promote, field: Field) -> Promotion:
    draft = other.create(creator_id=field.creator().id, plan=field.plan(hours=60))
    other.submit(draft.id)
    return other.approve(draft.id)


def test_reading_the_changes_holds_what_a_whole_read_finds(promote_field: Field) -> None:
    field = promote_field
    rng = random.Random(5)
    other = Promote.open(field.stage.market.economy)
    running = [
        field.active(field.creator(), field.plan(hours=60)),
        field.active(field.creator(), field.plan(hours=60, audience=Audience(frozenset({"US"})))),
    ]
    context = field.promote.context
    read_changes(context)  # the first read: whole
    served = []
    for step in range(60):
        move = rng.choice(["fill", "fill", "fill", "view", "advance", "other"])
        if move == "fill":
            served += (other if step % 3 == 0 else field.promote).fill(field.request())
        elif move == "view" and served:
            visible_ms = rng.choice([2_500, 2_500, 500])  # 500 ms: not viewable, invalid
            field.view(served.pop(rng.randrange(len(served))), visible_ms)
        elif move == "advance":
            field.advance(rng.choice([1, 30, 130, HOUR_S, 9 * HOUR_S]))
        elif step % 2:
            running.append(reviewed_on(other, field))
        else:
            other.pause(running[0].id)
            field.advance(5)
            other.resume(running[0].id)
        assert_same(read_changes(context), read_whole(context))


def test_the_windows_slide_off_what_was_served(promote_field: Field) -> None:
    field = promote_field
    promotion = field.active(field.creator(), field.plan(hours=60))
    context = field.promote.context
    field.advance(HOUR_S)
    read_changes(context)
    served = [s for _ in range(6) for s in field.promote.fill(field.request())]
    assert served, "a promotion behind its curve serves"
    field.view(served[0])
    read_changes(context)
    tally = context.cache.reader.tallies[promotion.id]
    assert (tally.served, tally.viewable) == (len(served), 1)
    assert tally.outstanding == len(served) - 1
    field.advance(121)
    read_changes(context)
    assert tally.outstanding == 0, "two minutes on, the unseen impressions are not outstanding"
    field.advance(24 * HOUR_S)
    index, spends = read_changes(context)
    assert promotion.id not in context.cache.reader.tallies, "a day on, the window is empty"
    assert_same((index, spends), read_whole(context))


def test_a_reader_whose_clock_went_back_reads_everything_again(promote_field: Field) -> None:
    field = promote_field
    field.active(field.creator())
    context = field.promote.context
    field.advance(HOUR_S)
    reader = context.cache.reader
    later = context.now()
    context.read(lambda tx: reader.read(tx, later))
    earlier = later - 10**9
    changes = context.read(lambda tx: reader.read(tx, earlier))
    whole = context.read(lambda tx: CandidateReader().read(tx, earlier))
    assert_same(changes, whole)
    assert reader.at == earlier


def test_a_promotion_joins_the_index_as_it_starts_and_leaves_it_at_its_end(
    promote_field: Field,
) -> None:
    field = promote_field
    starts = field.now + HOUR_S * NS_PER_S
    plan = field.plan(starts_at=starts, ends_at=starts + 2 * HOUR_S * NS_PER_S)
    later = field.active(field.creator(), plan)
    context = field.promote.context
    index, _ = read_changes(context)
    assert later.id not in index.by_id
    field.advance(HOUR_S - 30)  # within a minute of its start: served from it
    index, _ = read_changes(context)
    assert later.id in index.by_id
    assert_same((index, _), read_whole(context))
    field.advance(2 * HOUR_S + 30)
    index, spends = read_changes(context)
    assert later.id not in index.by_id and later.id not in spends
    assert_same((index, spends), read_whole(context))
