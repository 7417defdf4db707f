"""A process's read of the candidates of fills, whole once and then by what changed
(decisions/0123).

The first read takes the active promotions, the counts of the last ``RATE_WINDOW_S`` of
impressions per promotion (served, viewable and valid), the impressions of the last
``OUTSTANDING_WINDOW_MAX_S`` still awaiting their viewable event, and the delays of the
last hour's viewable events per minute of serving, and notes the change counter's number
(``store/promote_changes.py``). Each read after it, in one snapshot:

- the promotions written since that number replace (or, no longer active, leave) the
  ones held; their plans are parsed only then;
- the impressions inserted since count as served (and viewable, when their event came
  too), the ones whose viewable event came since count as viewable and are no longer
  outstanding;
- the impressions served in the part of the window its start moved past leave the
  counts as they were counted (``impressions.left_window``), and the outstanding ones
  older than the outstanding window leave that count;
- the delays of the viewable events since join their minute, the minutes older than an
  hour leave, and the outstanding window is learnt from them again
  (``pacing.outstanding_window_s``, decisions/0124): when it moves, the outstanding
  impressions are counted again under it;

so the counts equal, at every read, what one read of everything would find: the
windows slide as before. Only the spends of the promotions whose row or counts moved
are computed again, and only the candidates that joined or left the index, or whose
``ahead_until`` moved, are filed again in it (``promote.index_builder``). A read that
fails, or a clock read behind the last read, starts again from a whole read."""

from __future__ import annotations

import heapq
import threading
from dataclasses import dataclass, field

from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.delivery import Candidate, CandidateIndex
from giftflow.promote.index_builder import IndexBuilder
from giftflow.promote.pacing import (
    DELAY_EDGES_S,
    OUTSTANDING_WINDOW_MAX_S,
    DelayHistogram,
    Spend,
    outstanding_window_s,
    spend_of,
    viewable_rate,
)
from giftflow.promote.promotions import PromotionState
from giftflow.store import impressions, promote_changes, promotions
from giftflow.store.impressions import Change, Counts
from giftflow.store.promotions import Promotion
from giftflow.store.tx import Tx

RATE_WINDOW_S = 86_400
DELAYS_WINDOW_MINUTES = 60
"""The viewable events whose delays set the outstanding window: those of impressions
served in the last hour (by whole minutes of serving)."""
MINUTE_NS = 60 * NS_PER_S
EDGES_NS = tuple(edge * NS_PER_S for edge in DELAY_EDGES_S)
STARTING_SOON_S = 60
"""Promotions starting within this are read with the candidates: the index serves them
from their start, however long it is kept."""


@dataclass(slots=True)
class Tally:
    """One promotion's impressions as the throttle counts them."""

    served: int = 0
    """Served within the last ``RATE_WINDOW_S``."""
    viewable: int = 0
    """Of those, viewable and valid."""
    outstanding: int = 0
    """Served within the outstanding window, their viewable event not come."""


@dataclass(slots=True)
class Held:
    """An active promotion as last read: its candidate (the plan parsed once) and what
    its row says of its spend."""

    candidate: Candidate
    billed_millicoins: int
    ends_at: int


@dataclass(slots=True)
class Delivering:
    """The promotions held that serve now or start within ``STARTING_SOON_S``, their
    spends, and their index, kept up to date one promotion at a time."""

    spends: dict[str, Spend] = field(default_factory=dict)
    """Of the members: what a read hands out (a copy: fills add what they serve)."""
    builder: IndexBuilder = field(default_factory=IndexBuilder)
    index: CandidateIndex | None = None
    starts: list[tuple[int, str]] = field(default_factory=list)
    """A heap of the promotions held that start later, by start (entries may be stale:
    each is looked at again when due)."""
    ends: list[tuple[int, str]] = field(default_factory=list)
    """A heap of the members by end (the same)."""

    def due(self, now: int) -> set[str]:
        """The promotions whose start came within ``STARTING_SOON_S`` or whose end came
        since the last look."""
        found = set()
        for heap, by in ((self.starts, now + STARTING_SOON_S * NS_PER_S), (self.ends, now)):
            while heap and heap[0][0] <= by:
                found.add(heapq.heappop(heap)[1])
        return found

    def place(self, key: str, candidate: Candidate | None, spend: Spend | None, now: int) -> None:
        """File ``key`` in the index as ``candidate`` under its spend, or take it out
        (``None``: no longer held; or ended, or starting later)."""
        if candidate is None or spend is None or candidate.plan.ends_at <= now:
            self._leave(key)
            return
        if candidate.plan.starts_at > now + STARTING_SOON_S * NS_PER_S:
            self._leave(key)
            heapq.heappush(self.starts, (candidate.plan.starts_at, key))
            return
        old = self.spends.get(key)
        if old is None:
            heapq.heappush(self.ends, (candidate.plan.ends_at, key))
        if old is None or old.ahead_until != spend.ahead_until:
            self.builder.put(candidate, spend.ahead_until)
            self.index = None
        self.spends[key] = spend

    def built(self) -> CandidateIndex:
        if self.index is None:
            self.index = self.builder.index()
        return self.index

    def _leave(self, key: str) -> None:
        if self.spends.pop(key, None) is not None:
            self.builder.remove(key)
            self.index = None


@dataclass(slots=True)
class Delays:
    """The last hour's viewable delays, per minute of serving: how many events, and how
    many came within each of ``DELAY_EDGES_S``."""

    minutes: dict[int, DelayHistogram] = field(default_factory=dict)

    def add(self, served_at: int, viewable_at: int) -> None:
        minute = self.minutes.setdefault(served_at // MINUTE_NS, DelayHistogram())
        minute.add(viewable_at - served_at)

    def window_s(self, now: int) -> int:
        """The outstanding window they teach, the minutes older than an hour dropped."""
        oldest = now // MINUTE_NS - DELAYS_WINDOW_MINUTES
        for minute in [m for m in self.minutes if m <= oldest]:
            del self.minutes[minute]
        hour = DelayHistogram()
        for counted in self.minutes.values():
            hour.total += counted.total
            hour.within = [a + b for a, b in zip(hour.within, counted.within, strict=True)]
        return outstanding_window_s(hour.delays())


@dataclass(slots=True)
class CandidateReader:
    """What a process holds between its reads of the candidates. One read at a time
    (``lock``); the index and spends it returns are never changed afterwards, so fills
    may use them while the next read runs."""

    seq: int = -1
    """The change counter's number at the last read; -1: nothing read yet."""
    at: int = 0
    """The instant the last read counted the windows at."""
    held: dict[str, Held] = field(default_factory=dict)
    tallies: dict[str, Tally] = field(default_factory=dict)
    unseen: dict[str, tuple[str, int]] = field(default_factory=dict)
    """Impressions served within ``OUTSTANDING_WINDOW_MAX_S`` whose viewable event has
    not come: id to promotion id and when served."""
    unseen_by_age: list[tuple[int, str]] = field(default_factory=list)
    """The same, a heap by when served (ids whose event came since stay until popped)."""
    counted: set[str] = field(default_factory=set)
    """Of ``unseen``, those within the outstanding window: the tallies' ``outstanding``."""
    counted_by_age: list[tuple[int, str]] = field(default_factory=list)
    """The same, a heap by when served (stale entries as in ``unseen_by_age``)."""
    window_ns: int = OUTSTANDING_WINDOW_MAX_S * NS_PER_S
    """The outstanding window, as last learnt."""
    delays: Delays = field(default_factory=Delays)
    spends: dict[str, Spend] = field(default_factory=dict)
    """Of the promotions held."""
    delivering: Delivering = field(default_factory=Delivering)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def read(self, tx: Tx, now: int) -> tuple[CandidateIndex, dict[str, Spend]]:
        """The candidates and their spends as of ``now``, on ``tx``'s snapshot."""
        try:
            if self.seq < 0 or now < self.at:
                moved = self._read_all(tx, now)
            else:
                moved = self._read_changes(tx, now)
            relearnt = self._learn_window(now)
            if moved is not None:
                moved |= relearnt
            return self._built(now, moved)
        except BaseException:
            self.seq = -1  # half applied: the next read is a whole one
            raise

    def _read_all(self, tx: Tx, now: int) -> set[str] | None:
        self.seq = promote_changes.current_seq(tx)
        self.at = now
        self.held = {p.id: _held(p) for p in promotions.active(tx, now_ns=now)}
        counted = impressions.counts(tx, served_since_ns=now - RATE_WINDOW_S * NS_PER_S)
        self.tallies = {key: Tally(c.served, c.viewable) for key, c in counted.items()}
        self.unseen, self.unseen_by_age = {}, []
        self.counted, self.counted_by_age = set(), []
        self.delays = Delays()
        delays = impressions.viewable_delays(
            tx,
            served_since_ns=(now // MINUTE_NS - DELAYS_WINDOW_MINUTES + 1) * MINUTE_NS - 1,
            minute_ns=MINUTE_NS,
            edges_ns=EDGES_NS,
        )
        for minute, (total, within) in delays.items():
            self.delays.minutes[minute] = DelayHistogram(list(within), total)
        self.window_ns = self.delays.window_s(now) * NS_PER_S
        outstanding_since = now - OUTSTANDING_WINDOW_MAX_S * NS_PER_S
        for impression in impressions.unseen(tx, served_since_ns=outstanding_since):
            self._add_unseen(impression.id, impression.promotion_id, impression.served_at, now)
        return None  # every spend is computed again, every candidate filed again

    def _read_changes(self, tx: Tx, now: int) -> set[str]:
        seq = promote_changes.current_seq(tx)
        moved: set[str] = set()
        for promotion in promotions.changed_since(tx, self.seq):
            moved.add(promotion.id)
            if promotion.state == PromotionState.ACTIVE and promotion.plan.ends_at > now:
                self.held[promotion.id] = _held(promotion, self.held.get(promotion.id))
            else:
                self.held.pop(promotion.id, None)
        window_start = now - RATE_WINDOW_S * NS_PER_S
        for change in impressions.changed_since(tx, self.seq):
            moved.add(change.promotion_id)
            self._count(change, window_start, now)
        left = impressions.left_window(
            tx,
            served_after_ns=self.at - RATE_WINDOW_S * NS_PER_S,
            served_until_ns=window_start,
            seq=self.seq,
        )
        for promotion_id, counts in left.items():
            moved.add(promotion_id)
            self._uncount(promotion_id, counts)
        moved |= self._age_unseen(now)
        self.seq, self.at = seq, now
        return moved

    def _count(self, change: Change, window_start: int, now: int) -> None:
        tally = self.tallies.setdefault(change.promotion_id, Tally())
        in_window = change.served_at > window_start
        if change.settled:
            self.delays.add(change.served_at, change.viewable_at)
        if change.new:
            tally.served += in_window
            tally.viewable += in_window and change.viewable
            outstanding_since = now - OUTSTANDING_WINDOW_MAX_S * NS_PER_S
            if not change.settled and change.served_at > outstanding_since:
                self._add_unseen(change.id, change.promotion_id, change.served_at, now)
            return
        tally.viewable += in_window and change.viewable  # counted served when inserted
        self.unseen.pop(change.id, None)
        if change.id in self.counted:
            self.counted.discard(change.id)
            tally.outstanding -= 1

    def _uncount(self, promotion_id: str, counts: Counts) -> None:
        tally = self.tallies[promotion_id]
        tally.served -= counts.served
        tally.viewable -= counts.viewable
        if not (tally.served or tally.outstanding):
            del self.tallies[promotion_id]

    def _add_unseen(self, impression_id: str, promotion_id: str, served_at: int, now: int) -> None:
        self.unseen[impression_id] = (promotion_id, served_at)
        heapq.heappush(self.unseen_by_age, (served_at, impression_id))
        self.tallies.setdefault(promotion_id, Tally())
        if served_at > now - self.window_ns:
            self._count_unseen(impression_id, promotion_id, served_at)

    def _count_unseen(self, impression_id: str, promotion_id: str, served_at: int) -> None:
        self.counted.add(impression_id)
        heapq.heappush(self.counted_by_age, (served_at, impression_id))
        self.tallies.setdefault(promotion_id, Tally()).outstanding += 1

    def _age_unseen(self, now: int) -> set[str]:
        """The outstanding impressions served before the outstanding window leave its
        count, and those served before the longest window are no longer held."""
        aged: set[str] = set()
        since = now - self.window_ns
        while self.counted_by_age and self.counted_by_age[0][0] <= since:
            _served_at, impression_id = heapq.heappop(self.counted_by_age)
            if impression_id in self.counted:
                self.counted.discard(impression_id)
                promotion_id = self.unseen[impression_id][0]
                self.tallies[promotion_id].outstanding -= 1
                aged.add(promotion_id)
        since = now - OUTSTANDING_WINDOW_MAX_S * NS_PER_S
        while self.unseen_by_age and self.unseen_by_age[0][0] <= since:
            _served_at, impression_id = heapq.heappop(self.unseen_by_age)
            self.unseen.pop(impression_id, None)
        return aged

    def _learn_window(self, now: int) -> set[str]:
        """The outstanding window learnt from the delays again; when it moved, the
        outstanding impressions counted again under it (the promotions they are of)."""
        window_ns = self.delays.window_s(now) * NS_PER_S
        if window_ns == self.window_ns:
            return set()
        self.window_ns = window_ns
        touched = {promotion_id for promotion_id, _ in self.unseen.values()}
        for promotion_id in touched:
            self.tallies.setdefault(promotion_id, Tally()).outstanding = 0
        self.counted, self.counted_by_age = set(), []
        for impression_id, (promotion_id, served_at) in self.unseen.items():
            if served_at > now - window_ns:
                self._count_unseen(impression_id, promotion_id, served_at)
        return touched

    def _built(self, now: int, moved: set[str] | None) -> tuple[CandidateIndex, dict[str, Spend]]:
        """The index of the promotions serving now or soon and their spends; only the
        promotions that moved, started or ended are looked at again."""
        if moved is None:
            self.spends, self.delivering = {}, Delivering()
            moved = set(self.held)
        for key in moved:
            if key in self.held:
                self.spends[key] = self._spend(key)
            else:
                self.spends.pop(key, None)
        delivering = self.delivering
        looked_at = moved | delivering.due(now)
        for key in looked_at:
            held = self.held.get(key)
            delivering.place(
                key, None if held is None else held.candidate, self.spends.get(key), now
            )
        return delivering.built(), dict(delivering.spends)

    def _spend(self, promotion_id: str) -> Spend:
        held = self.held[promotion_id]
        tally = self.tallies.get(promotion_id) or Tally()
        candidate = held.candidate
        return spend_of(
            candidate.plan,
            billed=held.billed_millicoins,
            outstanding=tally.outstanding,
            rate=viewable_rate(tally.served, tally.viewable),
            price=candidate.price_millicoins,
        )


def _held(promotion: Promotion, before: Held | None = None) -> Held:
    """The promotion as held; its candidate as ``before``'s when it was held already (a
    plan never changes once created), so that the index moves it in place."""
    if before is not None:
        candidate = before.candidate
    else:
        candidate = Candidate(
            promotion.id, promotion.creator_id, promotion.plan, promotion.price_per_1000_coins
        )
    return Held(candidate, promotion.billed_millicoins, promotion.plan.ends_at)
