"""What every Promote service shares: the economy underneath, its settings, the random
source of the pacing throttle, and this process's cached list of candidates."""

from __future__ import annotations

import random
import threading
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TypeVar

from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.promote.delivery import CandidateIndex
from giftflow.promote.pacing import Spend
from giftflow.service.economy.context import EconomyContext
from giftflow.service.promote.candidates import CandidateReader
from giftflow.store.tx import Tx

T = TypeVar("T")


@dataclass(slots=True)
class CandidateCache:
    """The active promotions as this process last read them, and what it served since:
    a pacing hint only; money is decided by the database in the billing transaction."""

    index: CandidateIndex | None = None
    read_at: UnixNs = 0
    spends: dict[str, Spend] = field(default_factory=dict)
    """As read, plus what this process served since (outstanding)."""
    lock: threading.Lock = field(default_factory=threading.Lock)
    """Guards the fields above and ``refreshing``; the index and its spends are
    replaced together under it, never changed in place but for ``outstanding``."""
    generation: int = 0
    """Reads begun; the index held is of read ``swapped``, and a read swaps in only if
    it began after that one (an older read landing late is dropped)."""
    swapped: int = 0
    first_read: threading.Lock = field(default_factory=threading.Lock)
    """The first fills of a process, before any index, wait on one read together."""
    refreshing: bool = False
    """A refresh is under way: a stale fill serves the index it finds and asks for no
    second one (single flight)."""
    wake: Callable[[], None] | None = None
    """Asks the refresher to read the candidates again, off the request path
    (``giftflow.service.promote.refresh``, while a server runs); called under ``lock``.
    None: a stale fill reads them itself, in its call (the embedded engine, whose
    replays and tests stay exact)."""
    reader: CandidateReader = field(default_factory=CandidateReader)
    """What the reads hold between them: each reads only what changed since the last
    (decisions/0123)."""


@dataclass(slots=True)
class PromoteContext:
    economy: EconomyContext
    draw: Callable[[], float] = field(default_factory=lambda: random.Random().random)
    """Uniform numbers in [0, 1) for the throttle (injected: replays are exact)."""
    cache: CandidateCache = field(default_factory=CandidateCache)

    @property
    def price_per_1000_coins(self) -> int:
        return self.economy.settings.promote_price_per_1000_coins

    @property
    def candidates_ttl_ns(self) -> int:
        return int(self.economy.settings.promote_candidates_ttl_s * NS_PER_S)

    def now(self) -> int:
        return self.economy.now()

    def write(self, work: Callable[[Tx], T]) -> T:
        return self.economy.ledger.write(work)

    def read(self, work: Callable[[Tx], T]) -> T:
        return self.economy.ledger.read(work)
