"""Hypothesis: for any sequence of candidates filed, filed again under another
``ahead_until`` and taken out, ``IndexBuilder`` gives the index that
``CandidateIndex.of`` builds from the same candidates and spends: the same pools in the
same order, the same opening instants, the same candidates by id and by region."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from giftflow.ids import UserId
from giftflow.promote.delivery import Candidate, CandidateIndex
from giftflow.promote.index_builder import IndexBuilder
from giftflow.promote.pacing import Spend
from giftflow.promote.promotions import Audience, ContentKind, Goal, Plan

REGIONS = ("US", "GB", "DE")
Move = tuple[int, frozenset[str], int, int, bool]
"""Promotion number, its regions, its frequency window (hours), ``ahead_until``, and
whether the move takes it out."""

MOVE = st.tuples(
    st.integers(0, 12),
    st.frozensets(st.sampled_from(REGIONS), max_size=2),
    st.integers(1, 3),
    st.integers(0, 5),  # few values: ties are common
    st.booleans(),
)


def candidate(number: int, regions: frozenset[str], window_hours: int) -> Candidate:
    plan = Plan(
        ContentKind.VIDEO,
        f"video-{number}",
        Goal.VIEWS,
        100,
        0,
        10**12,
        Audience(regions=regions),
        frequency_window_s=window_hours * 3_600,
    )
    return Candidate(f"pr-{number:02}", UserId(1), plan, 200)


def assert_same(built: CandidateIndex, expected: CandidateIndex) -> None:
    assert built.pools == expected.pools
    assert built.opens == expected.opens
    assert built.by_id == expected.by_id
    assert built.window_ns_max == expected.window_ns_max
    assert {key: set(value) for key, value in built.by_region.items()} == {
        key: set(value) for key, value in expected.by_region.items()
    }


@settings(max_examples=200, deadline=None, database=None)
@given(moves=st.lists(MOVE, max_size=40))
def test_the_builder_keeps_the_index_that_a_whole_build_makes(moves: list[Move]) -> None:
    builder = IndexBuilder()
    filed: dict[str, tuple[Candidate, int]] = {}
    for number, regions, window_hours, ahead_until, out in moves:
        # A promotion's plan never changes: the first move of a number fixes it.
        known = filed.get(f"pr-{number:02}")
        found = known[0] if known else candidate(number, regions, window_hours)
        if out:
            builder.remove(found.promotion_id)
            filed.pop(found.promotion_id, None)
        else:
            builder.put(found, ahead_until)
            filed[found.promotion_id] = (found, ahead_until)
        spends = {key: Spend(0, 0, 0.5, ahead) for key, (_, ahead) in filed.items()}
        expected = CandidateIndex.of([c for c, _ in filed.values()], spends)
        assert_same(builder.index(), expected)
