"""A ``CandidateIndex`` kept up to date by the promotions that changed, so that a
process whose candidates move a few at a time does not sort them all again each
read (decisions/0123).

``IndexBuilder.put`` files a candidate under its spend's ``ahead_until`` (again, when
it moved), ``remove`` takes it out, ``index`` gives the index they make: the one
``CandidateIndex.of`` builds from the same candidates and spends (the pools in the
order of ``ahead_until``, ties by promotion id), built anew only for the pools that
changed. Each pool is a sorted list; a change is a binary search and one insertion or
deletion, and an index handed out is never changed afterwards."""

from __future__ import annotations

from bisect import bisect_left
from dataclasses import dataclass, field

from giftflow.promote.delivery import Candidate, CandidateIndex

Key = tuple[int, str]
"""A candidate's place in a pool: its ``ahead_until``, then its promotion id."""


@dataclass(slots=True)
class _Pool:
    """One region's pool (its own candidates and those of every region), sorted by
    ``Key``, in three parallel lists; ``frozen`` is what the last index got of it."""

    keys: list[Key] = field(default_factory=list)
    opens: list[int] = field(default_factory=list)
    candidates: list[Candidate] = field(default_factory=list)
    frozen: tuple[tuple[Candidate, ...], tuple[int, ...]] | None = None

    def insert(self, key: Key, candidate: Candidate) -> None:
        at = bisect_left(self.keys, key)
        self.keys.insert(at, key)
        self.opens.insert(at, key[0])
        self.candidates.insert(at, candidate)
        self.frozen = None

    def delete(self, key: Key) -> None:
        at = bisect_left(self.keys, key)
        assert self.keys[at] == key, "a candidate is filed in each of its pools"
        del self.keys[at], self.opens[at], self.candidates[at]
        self.frozen = None

    def copy(self) -> _Pool:
        return _Pool(list(self.keys), list(self.opens), list(self.candidates))

    def freeze(self) -> tuple[tuple[Candidate, ...], tuple[int, ...]]:
        if self.frozen is None:
            self.frozen = (tuple(self.candidates), tuple(self.opens))
        return self.frozen


@dataclass(slots=True)
class IndexBuilder:
    """The candidates filed so far, by pool."""

    _filed: dict[str, tuple[Key, Candidate]] = field(default_factory=dict)
    _pools: dict[str | None, _Pool] = field(default_factory=lambda: {None: _Pool()})
    _by_region: dict[str | None, dict[str, Candidate]] = field(default_factory=dict)
    _by_id: dict[str, Candidate] = field(default_factory=dict)
    _windows: dict[int, int] = field(default_factory=dict)
    """Candidates per frequency-cap window (the index gives the longest)."""
    _frozen: tuple[dict[str | None, tuple[Candidate, ...]], dict[str, Candidate]] | None = None
    """``by_region`` and ``by_id`` as the last index got them, while no candidate joined
    or left (filing one again moves it within its pools only)."""

    def __contains__(self, promotion_id: str) -> bool:
        return promotion_id in self._filed

    def put(self, candidate: Candidate, ahead_until: int) -> None:
        """File ``candidate`` under ``ahead_until`` (instead of where it was)."""
        promotion_id = candidate.promotion_id
        filed = self._filed.get(promotion_id)
        if filed is not None and filed[1] is candidate:
            self._move(filed[0], (ahead_until, promotion_id), candidate)
            return
        self.remove(promotion_id)
        self._frozen = None
        key = (ahead_until, promotion_id)
        self._filed[promotion_id] = (key, candidate)
        self._by_id[promotion_id] = candidate
        regions = candidate.plan.audience.regions
        for region in regions:
            if region not in self._pools:
                self._pools[region] = self._pools[None].copy()  # every region's so far
        for pool in self._pools_of(regions):
            pool.insert(key, candidate)
        for target in _targets(regions):
            self._by_region.setdefault(target, {})[promotion_id] = candidate
        window = candidate.plan.frequency_window_ns
        self._windows[window] = self._windows.get(window, 0) + 1

    def remove(self, promotion_id: str) -> None:
        """Take the promotion out, if it was filed."""
        filed = self._filed.pop(promotion_id, None)
        if filed is None:
            return
        key, candidate = filed
        self._frozen = None
        del self._by_id[promotion_id]
        regions = candidate.plan.audience.regions
        for pool in self._pools_of(regions):
            pool.delete(key)
        for target in _targets(regions):
            targeting = self._by_region[target]
            del targeting[promotion_id]
            if not targeting:
                del self._by_region[target]
                if target is not None:  # its pool would be every region's: not kept
                    del self._pools[target]
        window = candidate.plan.frequency_window_ns
        self._windows[window] -= 1
        if not self._windows[window]:
            del self._windows[window]

    def index(self) -> CandidateIndex:
        """The index of what is filed (what ``CandidateIndex.of`` builds from it)."""
        pools, opens = {}, {}
        for region, pool in self._pools.items():
            pools[region], opens[region] = pool.freeze()
        if self._frozen is None:
            by_region = {key: tuple(value.values()) for key, value in self._by_region.items()}
            self._frozen = (by_region, dict(self._by_id))
        by_region, by_id = self._frozen
        return CandidateIndex(
            by_region=by_region,
            window_ns_max=max(self._windows, default=0),
            pools=pools,
            by_id=by_id,
            opens=opens,
        )

    def _move(self, old: Key, new: Key, candidate: Candidate) -> None:
        """The same candidate under another ``ahead_until``: in the same pools."""
        if old == new:
            return
        self._filed[candidate.promotion_id] = (new, candidate)
        for pool in self._pools_of(candidate.plan.audience.regions):
            pool.delete(old)
            pool.insert(new, candidate)

    def _pools_of(self, regions: frozenset[str]) -> list[_Pool]:
        """The pools a candidate of these regions is in: theirs, or all of them (a
        candidate of every region)."""
        if not regions:
            return list(self._pools.values())
        return [self._pools[region] for region in regions]


def _targets(regions: frozenset[str]) -> tuple[str | None, ...]:
    """The keys of ``by_region`` a candidate of these regions is under (``None``:
    every region)."""
    return tuple(regions) if regions else (None,)
