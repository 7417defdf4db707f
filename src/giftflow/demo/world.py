"""The demo's world: the replay pipeline's world (``giftflow.replay.world``) on a SQLite
file in the demo's folder, with the demo's story on top: the creator, viewers drawn
from the seed (``PooledAudience``), and coin packs bought as donations need them
(``Packs``), one donation per call."""

from __future__ import annotations

import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Final

from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ledger.clock import ManualClock
from giftflow.payments.sandbox import SandboxProvider
from giftflow.replay.audience import PooledAudience
from giftflow.replay.funding import Packs
from giftflow.replay.run import BookedDonation, Replay, ReplayOptions, ReplayProgress, Sent
from giftflow.replay.source import Donation
from giftflow.replay.world import ReplayWorld, WorldOptions
from giftflow.service.economy import Economy

DATABASE_NAME: Final = "giftflow-demo.db"
PAYOUTS_FOLDER: Final = "payouts"
LIVE_SESSION: Final = 1
"""The session id of the replayed LIVE."""
ONE_DONATION_PER_CALL: Final = ReplayOptions(batch_events=1, chunk=1)
"""The demo books each donation on its own, at its moment (the show paces them)."""


class DemoError(GiftflowError):
    """The demo cannot go on (a folder already used, a LIVE that is not session 1)."""

    code = "demo_failed"


@dataclass(frozen=True, slots=True)
class DemoPaths:
    folder: Path
    database: Path
    payouts: Path

    @classmethod
    def inside(cls, folder: Path) -> DemoPaths:
        return cls(folder, folder / DATABASE_NAME, folder / PAYOUTS_FOLDER)


def seeded_tokens(seed: int) -> Callable[[], str]:
    """Payment, payout and batch ids, and the sandbox's checkouts, from the seed."""
    tokens = random.Random(seed ^ 0x5EED)

    def new_token() -> str:
        return f"{tokens.getrandbits(64):016x}"

    return new_token


class DemoWorld:
    """Everything the demo's steps share. Open it with ``DemoWorld.open``."""

    def __init__(self, world: ReplayWorld, *, paths: DemoPaths, seed: int) -> None:
        self.world = world
        self.economy: Economy = world.economy
        self.clock: ManualClock = world.clock
        self.sandbox: SandboxProvider = world.sandbox
        self.paths = paths
        self.random = random.Random(seed)
        self.packs = Packs(world)
        self.replay = Replay(world, ONE_DONATION_PER_CALL, audience=PooledAudience(self.random))
        self._creator: User | None = None

    @classmethod
    def open(cls, folder: Path, *, seed: int, start_ns: int) -> DemoWorld:
        """A fresh economy in ``folder``; refuses a folder that already holds one."""
        paths = DemoPaths.inside(folder)
        if paths.database.exists():
            raise DemoError(f"{paths.database} exists: give the demo a new or empty folder")
        folder.mkdir(parents=True, exist_ok=True)
        options = WorldOptions(payout_dir=paths.payouts, new_token=seeded_tokens(seed))
        world = ReplayWorld.open(paths.database, options, start_ns=start_ns)
        return cls(world, paths=paths, seed=seed)

    def close(self) -> None:
        self.world.close()

    def __enter__(self) -> DemoWorld:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    @property
    def creator(self) -> User:
        if self._creator is None:
            raise DemoError("the creator is not registered yet")
        return self._creator

    def register_creator(self, *, external_id: str, display_name: str) -> User:
        """The creator; their identity is verified later, before their first payout."""
        self._creator = self.replay.register_creator(external_id=external_id, name=display_name)
        return self._creator

    def book(
        self,
        stream: Sequence[Donation],
        *,
        on_progress: Callable[[ReplayProgress], None],
        pace: Callable[[Donation], bool] | None = None,
    ) -> list[BookedDonation]:
        """The recorded donations into the LIVE, each viewer buying packs as needed."""
        self.replay.on_progress = on_progress
        return self.replay.book(
            stream,
            creator_id=self.creator.id,
            session_id=LIVE_SESSION,
            funding=self.packs,
            pace=pace,
        )

    def send(self, viewer: User, coins: int, *, key: str, session_id: int) -> Sent:
        """Gifts worth ``coins`` from one viewer now, buying packs if short."""
        return self.replay.send(
            viewer,
            coins,
            key=key,
            creator_id=self.creator.id,
            session_id=session_id,
            funding=self.packs,
        )
