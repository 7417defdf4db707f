"""Where a replay books: one embedded economy on a fresh SQLite file, the manual clock
that follows the recording, and the sandbox provider that mints the viewers' coins.

The replay made them, so it holds them: nothing reaches into the economy for its clock
or providers. ``giftflow replay`` and the demo open their worlds here, with their own
settings (``WorldOptions``).
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from giftflow.economy.catalog.model import Gift
from giftflow.ledger.clock import ManualClock
from giftflow.payments.sandbox import NAME as SANDBOX
from giftflow.payments.sandbox import SandboxProvider, random_token
from giftflow.replay.gifts import gift_palette
from giftflow.service.economy import Economy
from giftflow.settings import Settings

REGION: Final = "US"
"""Every replayed person lives in one region: the catalog's gifts and packs there."""
SECRET_BYTES: Final = 32


@dataclass(frozen=True, slots=True)
class WorldOptions:
    payout_dir: Path
    share_bps: int | None = None
    """The creator's share as diamonds (default: the catalog's)."""
    velocity_limit: int | None = None
    """Gift events one sender may send per window (default: the settings' default)."""
    new_token: Callable[[], str] | None = None
    """Payment, payout and batch ids, and the sandbox's checkouts (default: random)."""


class ReplayWorld:
    """The economy a replay books into, with the clock and the sandbox it was opened
    with. Open it with ``ReplayWorld.open``; close it (or use it as a context manager)."""

    def __init__(self, economy: Economy, *, clock: ManualClock, sandbox: SandboxProvider) -> None:
        """Over an open economy, with the clock and the sandbox it was opened with."""
        self.economy = economy
        self.clock = clock
        self.sandbox = sandbox
        self.palette: tuple[Gift, ...] = gift_palette(economy.catalog.gifts_available(REGION))
        """The gifts donations are sent as, largest first (``giftflow.replay.gifts``)."""

    @classmethod
    def open(cls, database: Path, options: WorldOptions, *, start_ns: int) -> ReplayWorld:
        """A new economy in ``database`` (in the ``development`` environment: coins
        bought through the sandbox are play money), its clock at ``start_ns``."""
        clock = ManualClock(start_ns)
        secret = secrets.token_bytes(SECRET_BYTES)
        sandbox = SandboxProvider(secret, clock, new_token=options.new_token or random_token)
        settings = Settings(
            database_url=f"sqlite:///{database}",
            payout_dir=options.payout_dir,
            environment="development",
            revenue_share_bps=options.share_bps,
        )
        if options.velocity_limit is not None:
            settings = settings.model_copy(update={"velocity_limit": options.velocity_limit})
        economy = Economy.open(
            settings, clock=clock, providers={SANDBOX: sandbox}, new_token=options.new_token
        )
        return cls(economy, clock=clock, sandbox=sandbox)

    def move_clock_to(self, moment_ns: int) -> None:
        """The clock only goes forward: to ``moment_ns`` if that is later."""
        self.clock.set_ns(max(self.clock.now_ns(), moment_ns))

    def close(self) -> None:
        self.economy.close()

    def __enter__(self) -> ReplayWorld:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()
