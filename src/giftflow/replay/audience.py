"""Who sends a recorded donation: each donor becomes a viewer of the replayed LIVE.

An ``Audience`` answers which viewer a donation comes from (``key``, asked once per
donation, in time order) and how a new viewer registers (``registration``, asked once
per viewer, right after the first donation naming them). Two audiences, one per story
(decision 0097):

- ``LogAudience`` (``giftflow replay``): a non-empty ``donor_id`` is one viewer across
  the file (``replay:<donor_id>``), an empty one a new anonymous viewer per donation
  (``replay:anonymous:<line>``); every viewer born on one date, an adult.
- ``PooledAudience`` (the demo): ``gdq:<donor_id>``; anonymous donations come from a
  small pool of anonymous viewers drawn at random; birth dates at random, all adults.
"""

from __future__ import annotations

import random
from datetime import date
from typing import Final, Protocol

from giftflow.replay.source import Donation
from giftflow.replay.world import REGION
from giftflow.service.economy import Registration

VIEWER_BIRTH_DATE: Final = date(1980, 1, 1)
"""Donors' ages are unknown; every viewer of a log is registered as an adult."""
ANONYMOUS_POOL: Final = 8
"""The demo's anonymous donations come from this many anonymous viewers."""
BIRTH_YEARS: Final = range(1962, 1990)
"""The demo's viewers are adults on the stream's dates (2012) and after."""
LOG_PREFIX: Final = "replay:"
LOG_ANONYMOUS: Final = "anonymous:"


class Audience(Protocol):
    def key(self, donation: Donation) -> str:
        """The viewer's external id."""
        ...

    def registration(self, key: str) -> Registration: ...


class LogAudience:
    """One viewer per donor id; a new anonymous viewer for every anonymous donation."""

    def key(self, donation: Donation) -> str:
        return LOG_PREFIX + (donation.donor_id or f"{LOG_ANONYMOUS}{donation.line}")

    def registration(self, key: str) -> Registration:
        name = key.removeprefix(LOG_PREFIX)
        shown = "Anonymous" if name.startswith(LOG_ANONYMOUS) else name
        return Registration(key, shown, VIEWER_BIRTH_DATE, REGION)


class PooledAudience:
    """The demo's viewers, their details drawn from ``rng`` (the demo's seed)."""

    def __init__(self, rng: random.Random) -> None:
        self.random = rng

    def key(self, donation: Donation) -> str:
        if donation.donor_id:
            return f"gdq:{donation.donor_id}"
        return f"gdq:anonymous-{self.random.randrange(ANONYMOUS_POOL) + 1}"

    def registration(self, key: str) -> Registration:
        name = key.removeprefix("gdq:")
        if name.startswith("anonymous-"):
            shown = f"Anonymous {name.removeprefix('anonymous-')}"
        else:
            shown = f"donor {name.removeprefix('d_')[:6]}"
        return Registration(key, shown, self._birth_date(), REGION)

    def _birth_date(self) -> date:
        year = self.random.choice(BIRTH_YEARS)
        return date(year, self.random.randint(1, 12), self.random.randint(1, 28))
