"""A process's read of the candidates of fills, whole once and then by what changed
(decisions/0123).

The first read takes the active promotions, the counts of the last ``RATE_WINDOW_S`` of
impressions per promotion (served, viewable and valid) and the impressions of the last
``OUTSTANDING_WINDOW_S`` still awaiting their viewable event, and notes the change
counter's number (``store/promote_changes.py``). Each read after it, in one snapshot:

- the promotions written since that number replace (or, no longer active, leave) the
  ones held; their plans are parsed only then;
- the impressions inserted since count as served (and viewable, when their event came
  too), the ones whose viewable event came since count as viewable and are no longer
  outstanding;
- the impressions served in the part of the window its start moved past leave the
  counts as they were counted (``impressions.left_window``), and the outstanding ones
  older than the outstanding window leave that count;

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
from giftflow.promote.pacing import OUTSTANDING_WINDOW_S, Spend, spend_of, viewable_rate
from giftflow.promote.promotions import PromotionState
from giftflow.store import impressions, promote_changes, promotions
from giftflow.store.impressions import Change, Counts
from giftflow.store.promotions import Promotion
from giftflow.store.tx import Tx

RATE_WINDOW_S = 86_400
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
    """Served within the last ``OUTSTANDING_WINDOW_S``, their viewable event not come."""


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
    """Outstanding impressions: id to promotion id and when served."""
    unseen_by_age: list[tuple[int, str]] = field(default_factory=list)
    """The same, a heap by when served (ids whose event came since stay until popped)."""
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
        outstanding_since = now - OUTSTANDING_WINDOW_S * NS_PER_S
        for impression in impressions.unseen(tx, served_since_ns=outstanding_since):
            self._add_unseen(impression.id, impression.promotion_id, impression.served_at)
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
        if change.new:
            tally.served += in_window
            tally.viewable += in_window and change.viewable
            outstanding_since = now - OUTSTANDING_WINDOW_S * NS_PER_S
            if not change.settled and change.served_at > outstanding_since:
                self._add_unseen(change.id, change.promotion_id, change.served_at)
            return
        tally.viewable += in_window and change.viewable  # counted served when inserted
        if self.unseen.pop(change.id, None) is not None:
            tally.outstanding -= 1

    def _uncount(self, promotion_id: str, counts: Counts) -> None:
        tally = self.tallies[promotion_id]
        tally.served -= counts.served
        tally.viewable -= counts.viewable
        if not (tally.served or tally.outstanding):
            del self.tallies[promotion_id]

    def _add_unseen(self, impression_id: str, promotion_id: str, served_at: int) -> None:
        self.unseen[impression_id] = (promotion_id, served_at)
        heapq.heappush(self.unseen_by_age, (served_at, impression_id))
        self.tallies.setdefault(promotion_id, Tally()).outstanding += 1

    def _age_unseen(self, now: int) -> set[str]:
        """The outstanding impressions served before the outstanding window leave it."""
        aged: set[str] = set()
        since = now - OUTSTANDING_WINDOW_S * NS_PER_S
        while self.unseen_by_age and self.unseen_by_age[0][0] <= since:
            _served_at, impression_id = heapq.heappop(self.unseen_by_age)
            found = self.unseen.pop(impression_id, None)
            if found is not None:
                self.tallies[found[0]].outstanding -= 1
                aged.add(found[0])
        return aged

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
