"""The subathon timer: a countdown on a creator's room that gifts extend, as pure rules.

A subathon starts with an initial duration and its rules: tiers ("a gift of at least
``min_coins`` adds ``add_s`` seconds": the highest tier a gift reaches) and
``ms_per_coin`` (milliseconds added per coin, on top). ``cap_s`` bounds the time it can
ever run (the initial duration and everything gifts added, pauses not counted). It runs
in the room across the creator's sessions until its time is used up or the creator ends
it. While paused the time does not run; gifts still add time.

The timer's state is a fold over its history, in the order it was recorded: the start,
the creator's controls (pause, resume, a change of rules, the end) and the gifts that
counted. ``replay`` recomputes the state from that history; the store keeps the folded
state, updated in each change's own transaction, and the two are always equal. Every
time is nanoseconds since the epoch and every amount an ``int``: nothing is rounded.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Final

from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.live.errors import LiveError, LiveStateError

NS_PER_MS: Final = 1_000_000
DURATION_S_MAX: Final = 366 * 86_400
"""A subathon runs at most a year (and a day)."""
ADD_S_MAX: Final = 86_400
"""One gift adds at most a day through its tier."""
MS_PER_COIN_MAX: Final = 3_600_000
"""At most an hour per coin."""
TIERS_MAX: Final = 20
COINS_MAX: Final = 1_000_000_000


class SubathonState(StrEnum):
    RUNNING = "running"
    PAUSED = "paused"
    ENDED = "ended"


class ControlKind(StrEnum):
    PAUSE = "pause"
    RESUME = "resume"
    CHANGE = "change"
    """New rules, for the gifts counted from then on."""
    END = "end"
    EXPIRE = "expire"
    """Its time ran out (recorded by the sweep, at that very moment): it is closed, and
    a gift recorded later with an earlier time no longer counts."""


@dataclass(frozen=True, slots=True)
class Tier:
    min_coins: int
    add_s: int


@dataclass(frozen=True, slots=True)
class Rules:
    """How much time a gift adds: its highest tier's ``add_s`` plus ``ms_per_coin`` per
    coin."""

    tiers: tuple[Tier, ...] = ()
    ms_per_coin: int = 0

    def added_ns(self, coins: int) -> int:
        reached = [tier.add_s for tier in self.tiers if coins >= tier.min_coins]
        tier_s = max(reached, default=0)
        return tier_s * NS_PER_S + coins * self.ms_per_coin * NS_PER_MS


@dataclass(frozen=True, slots=True)
class Control:
    """A creator's move, as recorded: ``rules`` for a change only."""

    kind: ControlKind
    at: int
    rules: Rules | None = None


@dataclass(frozen=True, slots=True)
class Counted:
    """A gift as the timer counted it: ``at`` is when it counted (its booking time, or
    the timer's last moment if that is later: the history never runs backwards)."""

    gift_event_id: TransferId
    at: int
    coins: int


@dataclass(frozen=True, slots=True)
class Timer:
    """The folded state. Running: it ends at ``toggled_at + granted_ns - run_ns``."""

    started_at: UnixNs
    initial_s: int
    cap_s: int
    rules: Rules
    granted_ns: int
    """The initial time and what gifts added, at most ``cap_s``."""
    run_ns: int
    """How long it ran before ``toggled_at``."""
    toggled_at: UnixNs
    """The start, or the last pause or resume."""
    paused: bool = False
    ended_at: UnixNs | None = None
    """When the creator ended it, or when its time ran out once that is recorded."""
    as_of: int = 0
    """The moment of the last thing recorded; the next counts from here on."""
    gifts: int = 0
    coins: int = 0
    added_ns: int = 0
    """What gifts added in total (within the cap)."""

    @property
    def ends_at(self) -> int | None:
        """When its time runs out; ``None`` while paused."""
        if self.ended_at is not None:
            return self.ended_at
        if self.paused:
            return None
        return self.toggled_at + self.granted_ns - self.run_ns

    def remaining_ns(self, at: int) -> int:
        if self.ended_at is not None:
            return 0
        if self.paused:
            return self.granted_ns - self.run_ns
        return max(0, self.toggled_at + self.granted_ns - self.run_ns - at)

    def state(self, at: int) -> SubathonState:
        if self.ended_at is not None or self.remaining_ns(at) == 0:
            return SubathonState.ENDED
        return SubathonState.PAUSED if self.paused else SubathonState.RUNNING

    def runs_at(self, at: int) -> bool:
        return self.state(at) is not SubathonState.ENDED


def check_rules(rules: Rules) -> Rules:
    """Tiers distinct by ``min_coins`` (kept in rising order), each within bounds."""
    if len(rules.tiers) > TIERS_MAX:
        raise LiveError(f"at most {TIERS_MAX} tiers", code="subathon_rules_invalid")
    minimums = [tier.min_coins for tier in rules.tiers]
    if len(set(minimums)) != len(minimums):
        raise LiveError("each tier has its own min_coins", code="subathon_rules_invalid")
    for tier in rules.tiers:
        if not 1 <= tier.min_coins <= COINS_MAX or not 0 <= tier.add_s <= ADD_S_MAX:
            raise LiveError(
                f"a tier is 1 to {COINS_MAX} coins and 0 to {ADD_S_MAX} seconds",
                code="subathon_rules_invalid",
            )
    if not 0 <= rules.ms_per_coin <= MS_PER_COIN_MAX:
        raise LiveError(f"ms_per_coin is 0 to {MS_PER_COIN_MAX}", code="subathon_rules_invalid")
    return Rules(tuple(sorted(rules.tiers, key=lambda t: t.min_coins)), rules.ms_per_coin)


def start(*, at: int, initial_s: int, cap_s: int, rules: Rules) -> Timer:
    if not 1 <= initial_s <= cap_s <= DURATION_S_MAX:
        raise LiveError(
            f"the initial time is at least a second, at most the cap ({DURATION_S_MAX} s max)",
            code="subathon_duration_invalid",
        )
    rules = check_rules(rules)
    return Timer(
        started_at=at,
        initial_s=initial_s,
        cap_s=cap_s,
        rules=rules,
        granted_ns=initial_s * NS_PER_S,
        run_ns=0,
        toggled_at=at,
        as_of=at,
    )


def moment(timer: Timer, at: int) -> int:
    """When something arriving ``at`` counts: never before the last thing recorded."""
    return max(at, timer.as_of)


def move_moment(timer: Timer, now: int) -> int:
    """When a creator's move made ``now`` counts: strictly after everything recorded
    before it, so that at one moment a move always comes before the gifts recorded
    with it (a recount that sorts by time, moves first, agrees with the fold)."""
    return max(now, timer.as_of + 1)


def count_gift(timer: Timer, gift: Counted) -> tuple[Timer, int]:
    """The timer with the gift counted, and the time it added (0 past the cap); a gift
    on an ended timer (its time used up at ``gift.at``, or ended) changes nothing and
    adds 0: the caller records only gifts that ``counts``."""
    if not counts(timer, gift.at):
        return timer, 0
    room = timer.cap_s * NS_PER_S - timer.granted_ns
    added = min(room, timer.rules.added_ns(gift.coins))
    counted = replace(
        timer,
        granted_ns=timer.granted_ns + added,
        as_of=gift.at,
        gifts=timer.gifts + 1,
        coins=timer.coins + gift.coins,
        added_ns=timer.added_ns + added,
    )
    return counted, added


def counts(timer: Timer, at: int) -> bool:
    """Whether a gift at ``at`` (already ``moment``-ed) is counted: the timer runs then."""
    return at >= timer.as_of and timer.runs_at(at)


def control(timer: Timer, move: Control) -> Timer:
    """The timer after the creator's move at ``move.at`` (already ``moment``-ed); raises
    ``LiveStateError`` for a move the state does not allow."""
    at = move.at
    assert at >= timer.as_of, "a move is recorded in order (see ``moment``)"
    if move.kind is ControlKind.EXPIRE:
        return expire(timer, at)
    if not timer.runs_at(at):
        raise LiveStateError("the subathon has ended", code="subathon_ended")
    if move.kind is ControlKind.PAUSE:
        if timer.paused:
            raise LiveStateError("the subathon is paused already", code="subathon_paused")
        ran = timer.run_ns + at - timer.toggled_at
        return replace(timer, paused=True, run_ns=ran, toggled_at=at, as_of=at)
    if move.kind is ControlKind.RESUME:
        if not timer.paused:
            raise LiveStateError("the subathon is not paused", code="subathon_not_paused")
        return replace(timer, paused=False, toggled_at=at, as_of=at)
    if move.kind is ControlKind.CHANGE:
        assert move.rules is not None, "a change carries its rules"
        return replace(timer, rules=check_rules(move.rules), as_of=at)
    ran = timer.run_ns + (0 if timer.paused else at - timer.toggled_at)
    return replace(timer, ended_at=at, run_ns=ran, toggled_at=at, as_of=at)


def expire(timer: Timer, at: int) -> Timer:
    """Close a running timer whose time ran out at ``at`` (its ``ends_at``)."""
    assert timer.ended_at is None and not timer.paused and timer.ends_at == at, (
        "only a running timer's own end is recorded as its expiry"
    )
    return replace(timer, ended_at=at, run_ns=timer.granted_ns, toggled_at=at, as_of=at)


Entry = Control | Counted


def replay(first: Timer, history: Iterable[Entry]) -> Timer:
    """The state from the start (``first``, as ``start`` made it) and everything
    recorded after it, in the order recorded."""
    timer = first
    for entry in history:
        if isinstance(entry, Counted):
            timer, _ = count_gift(timer, entry)
        else:
            timer = control(timer, entry)
    return timer
