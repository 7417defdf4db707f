"""How long a served impression without its viewable event counts as committed spend:
learnt from the platform's own delays (decisions/0124). On each backend: until enough
viewable events were seen, two minutes; once they came within seconds, an impression
silent for longer than twice that delay no longer holds the promotion back."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from giftflow.promote.pacing import (
    DELAY_EDGES_S,
    DELAYS_NEEDED,
    OUTSTANDING_WINDOW_MAX_S,
    OUTSTANDING_WINDOW_MIN_S,
    ViewableDelays,
    outstanding_window_s,
)
from giftflow.service.promote import Promotion, delivery
from tests.promote.conftest import HOUR_S, Field


def delays(*seconds: float) -> ViewableDelays:
    within = tuple(sum(1 for s in seconds if s <= edge) for edge in DELAY_EDGES_S)
    return ViewableDelays(within, len(seconds))


def test_the_window_is_twice_the_delay_that_covers_nearly_every_event() -> None:
    assert outstanding_window_s(delays(*[3] * 200)) == OUTSTANDING_WINDOW_MIN_S
    assert outstanding_window_s(delays(*[8] * 200)) == 20
    assert outstanding_window_s(delays(*[8] * 198, 25, 25)) == 20, "99 % within 10 s"
    assert outstanding_window_s(delays(*[8] * 197, 25, 25, 25)) == 60
    assert outstanding_window_s(delays(*[50] * 200)) == OUTSTANDING_WINDOW_MAX_S
    assert outstanding_window_s(delays(*[300] * 200)) == OUTSTANDING_WINDOW_MAX_S


def test_until_enough_events_were_seen_the_window_is_the_longest() -> None:
    assert outstanding_window_s(ViewableDelays.none()) == OUTSTANDING_WINDOW_MAX_S
    assert outstanding_window_s(delays(*[3] * (DELAYS_NEEDED - 1))) == OUTSTANDING_WINDOW_MAX_S


@given(
    seconds=st.lists(st.floats(0, 600), max_size=400),
    later=st.lists(st.floats(0, 600), min_size=1, max_size=50),
)
def test_the_window_stays_in_its_bounds_and_later_events_never_shorten_it(
    seconds: list[float], later: list[float]
) -> None:
    window = outstanding_window_s(delays(*seconds))
    assert OUTSTANDING_WINDOW_MIN_S <= window <= OUTSTANDING_WINDOW_MAX_S
    slower = [max(s, t) for s, t in zip(seconds, later * len(seconds), strict=False)]
    if len(seconds) >= DELAYS_NEEDED:
        assert outstanding_window_s(delays(*slower)) >= window


def outstanding(field: Field, promotion: Promotion) -> int:
    delivery.refresh(field.promote.context)
    return field.promote.context.cache.spends[promotion.id].outstanding


def serve_one(field: Field) -> int:
    """Fills until one impression is served; how many were."""
    for _ in range(50):
        if served := field.promote.fill(field.request()):
            return len(served)
    raise AssertionError("no fill served the promotion")


def test_an_impression_silent_past_the_learnt_window_stops_counting(
    promote_field: Field,
) -> None:
    field = promote_field
    promotion = field.active(field.creator(coins=10_000), field.plan(budget_coins=5_000))
    field.advance(5 * HOUR_S)  # the curve lets it serve a few hundred impressions
    serve_one(field)
    field.advance(60)
    assert outstanding(field, promotion) == 1, "no events seen yet: two minutes"
    field.advance(OUTSTANDING_WINDOW_MAX_S)
    assert outstanding(field, promotion) == 0
    viewed = 0
    while viewed < DELAYS_NEEDED:  # the platform reports each 3 s after serving
        for served in field.promote.fill(field.request()):
            field.view(served)
            viewed += 1
    assert outstanding(field, promotion) == 0
    serve_one(field)
    field.advance(5)
    assert outstanding(field, promotion) == 1, "within twice the 5 s the events took"
    field.advance(2 * OUTSTANDING_WINDOW_MIN_S)
    assert outstanding(field, promotion) == 0, "its event would have come by now"
