"""The subathon timer's rules, against an independent model that counts the time left
step by step (not the fold's granted/ran bookkeeping)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from hypothesis import given
from hypothesis import strategies as st

from giftflow.creator.subathon import (
    Control,
    ControlKind,
    Counted,
    Entry,
    Rules,
    SubathonState,
    Tier,
    Timer,
    control,
    count_gift,
    counts,
    moment,
    move_moment,
    replay,
    start,
)
from giftflow.ledger.clock import NS_PER_S
from giftflow.ledger.limits import TransferId
from giftflow.live.errors import LiveError, LiveStateError

T0 = 1_700_000_000 * NS_PER_S
RULES = Rules((Tier(1, 5), Tier(100, 60), Tier(1_000, 600)), ms_per_coin=250)


@dataclass
class Model:
    """The time left, counted down between events; gifts add while it is left."""

    left_ns: int
    total_ns: int
    cap_ns: int
    rules: Rules
    running: bool = True
    over: bool = False
    last: int = T0

    def elapse(self, at: int) -> None:
        if self.running and not self.over:
            self.left_ns -= at - self.last
            if self.left_ns <= 0:
                self.left_ns, self.over = 0, True
        self.last = at

    def gift(self, at: int, coins: int) -> None:
        self.elapse(at)
        if self.over:
            return
        tier_s = max((t.add_s for t in self.rules.tiers if coins >= t.min_coins), default=0)
        add = tier_s * NS_PER_S + coins * self.rules.ms_per_coin * 1_000_000
        add = min(add, self.cap_ns - self.total_ns)
        self.left_ns += add
        self.total_ns += add


def test_a_gift_adds_its_highest_tier_and_its_time_per_coin() -> None:
    assert RULES.added_ns(0) == 0
    assert RULES.added_ns(1) == 5 * NS_PER_S + 250_000_000
    assert RULES.added_ns(99) == 5 * NS_PER_S + 99 * 250_000_000
    assert RULES.added_ns(100) == 60 * NS_PER_S + 25 * NS_PER_S
    assert RULES.added_ns(29_999) == 600 * NS_PER_S + 29_999 * 250_000_000


def test_the_timer_counts_down_pauses_and_ends_when_its_time_is_used_up() -> None:
    timer = start(at=T0, initial_s=60, cap_s=3_600, rules=RULES)
    assert timer.ends_at == T0 + 60 * NS_PER_S
    timer = control(timer, Control(ControlKind.PAUSE, T0 + 20 * NS_PER_S))
    assert timer.state(T0 + 10_000 * NS_PER_S) is SubathonState.PAUSED
    assert timer.remaining_ns(T0 + 10_000 * NS_PER_S) == 40 * NS_PER_S
    # Paused, a gift still adds its time.
    timer, added = count_gift(timer, Counted(TransferId(1), T0 + 30 * NS_PER_S, 100))
    assert added == 85 * NS_PER_S
    timer = control(timer, Control(ControlKind.RESUME, T0 + 100 * NS_PER_S))
    assert timer.ends_at == T0 + (100 + 40 + 85) * NS_PER_S
    end = T0 + 225 * NS_PER_S
    assert timer.state(end - 1) is SubathonState.RUNNING
    assert timer.state(end) is SubathonState.ENDED
    assert not counts(timer, end)  # a gift at the very end is too late
    with pytest.raises(LiveStateError) as refused:
        control(timer, Control(ControlKind.PAUSE, end))
    assert refused.value.code == "subathon_ended"


def test_the_cap_bounds_the_time_gifts_add() -> None:
    timer = start(at=T0, initial_s=60, cap_s=100, rules=RULES)
    timer, added = count_gift(timer, Counted(TransferId(1), T0, 1_000))
    assert added == 40 * NS_PER_S and timer.granted_ns == 100 * NS_PER_S
    timer, added = count_gift(timer, Counted(TransferId(2), T0 + 1, 1_000))
    assert added == 0 and timer.gifts == 2 and timer.coins == 2_000


def test_ending_by_hand_stops_it_and_a_change_applies_to_later_gifts_only() -> None:
    timer = start(at=T0, initial_s=60, cap_s=3_600, rules=RULES)
    timer, first = count_gift(timer, Counted(TransferId(1), T0 + NS_PER_S, 1))
    timer = control(timer, Control(ControlKind.CHANGE, T0 + 2 * NS_PER_S, Rules(ms_per_coin=1)))
    timer, second = count_gift(timer, Counted(TransferId(2), T0 + 3 * NS_PER_S, 1))
    assert (first, second) == (RULES.added_ns(1), 1_000_000)
    timer = control(timer, Control(ControlKind.END, T0 + 4 * NS_PER_S))
    assert timer.state(T0 + 4 * NS_PER_S) is SubathonState.ENDED
    assert timer.ends_at == T0 + 4 * NS_PER_S and timer.remaining_ns(T0) == 0


def test_a_late_time_counts_at_the_timers_last_moment() -> None:
    timer = start(at=T0, initial_s=60, cap_s=3_600, rules=RULES)
    timer = control(timer, Control(ControlKind.PAUSE, T0 + 10 * NS_PER_S))
    assert moment(timer, T0 + 5 * NS_PER_S) == T0 + 10 * NS_PER_S
    assert moment(timer, T0 + 11 * NS_PER_S) == T0 + 11 * NS_PER_S
    assert move_moment(timer, T0 + 10 * NS_PER_S) == T0 + 10 * NS_PER_S + 1  # after, not with


@pytest.mark.parametrize(
    ("initial_s", "cap_s", "rules"),
    [
        (0, 10, Rules()),
        (11, 10, Rules()),
        (10, 10, Rules((Tier(5, 1), Tier(5, 2)))),
        (10, 10, Rules((Tier(0, 1),))),
        (10, 10, Rules(ms_per_coin=-1)),
    ],
)
def test_bad_settings_are_refused_with_a_code(initial_s: int, cap_s: int, rules: Rules) -> None:
    with pytest.raises(LiveError) as refused:
        start(at=T0, initial_s=initial_s, cap_s=cap_s, rules=rules)
    assert refused.value.code in {"subathon_duration_invalid", "subathon_rules_invalid"}


steps = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=120),  # seconds after the last step
        st.sampled_from(["gift", "gift", "gift", "pause", "resume", "change"]),
        st.integers(min_value=1, max_value=2_000),  # coins
    ),
    max_size=40,
)


@given(steps=steps, initial_s=st.integers(1, 300), extra_s=st.integers(0, 3_000))
def test_the_fold_equals_a_step_by_step_count_of_the_time_left(
    steps: list[tuple[int, str, int]], initial_s: int, extra_s: int
) -> None:
    cap_s = initial_s + extra_s
    timer = start(at=T0, initial_s=initial_s, cap_s=cap_s, rules=RULES)
    first = timer
    model = Model(initial_s * NS_PER_S, initial_s * NS_PER_S, cap_s * NS_PER_S, RULES)
    history: list[Entry] = []
    at = T0
    for n, (after_s, what, coins) in enumerate(steps):
        at += after_s * NS_PER_S
        if what == "gift":
            entry = Counted(TransferId(n), at, coins)
            if counts(timer, at):
                timer, _ = count_gift(timer, entry)
                history.append(entry)
            model.gift(at, coins)
            continue
        kind = {"pause": ControlKind.PAUSE, "resume": ControlKind.RESUME}.get(what)
        move = Control(kind or ControlKind.CHANGE, at, None if kind else RULES)
        try:
            timer = control(timer, move)
        except LiveStateError:
            continue
        history.append(move)
        model.elapse(at)
        model.running = what != "pause" if kind else model.running
    model.elapse(at)
    assert timer.remaining_ns(at) == model.left_ns
    assert timer.granted_ns == model.total_ns <= cap_s * NS_PER_S
    assert (timer.state(at) is SubathonState.ENDED) == model.over
    assert replay(first, history) == timer
    assert isinstance(timer, Timer)
