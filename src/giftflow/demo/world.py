"""The demo's world: one embedded economy on a SQLite file, a manual clock, the sandbox
payment provider, the creator, and the viewers as they turn up."""

from __future__ import annotations

import random
import secrets
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Final

from giftflow.demo.gifts import gift_palette
from giftflow.economy.catalog.model import Channel, CoinPack, Gift
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ledger.clock import ManualClock
from giftflow.payments.base import Checkout
from giftflow.payments.sandbox import NAME as SANDBOX
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import Economy, Payment
from giftflow.settings import Settings

DATABASE_NAME: Final = "giftflow-demo.db"
PAYOUTS_FOLDER: Final = "payouts"
REGION: Final = "US"
ANONYMOUS_POOL: Final = 8
"""Anonymous donations come from this many anonymous viewers, drawn at random."""
CHANNELS: Final = (Channel.WEB, Channel.APP_STORE)
"""Purchases alternate between them, one after the other."""
_BIRTH_YEARS: Final = range(1962, 1990)
"""Every viewer is an adult on the stream's dates (2012) and after."""


class DemoError(GiftflowError):
    """The demo cannot go on (a folder already used, a payment that minted nothing)."""

    code = "demo_failed"


@dataclass(frozen=True, slots=True)
class DemoPaths:
    folder: Path
    database: Path
    payouts: Path

    @classmethod
    def inside(cls, folder: Path) -> DemoPaths:
        return cls(folder, folder / DATABASE_NAME, folder / PAYOUTS_FOLDER)


@dataclass(slots=True)
class Viewer:
    user: User
    instrument: str
    """Their card's fingerprint, as the provider reports it (one card each)."""
    coins: int = 0
    """What their wallet holds, as the demo has booked it."""
    payments: list[Payment] = field(default_factory=list)


@dataclass(slots=True)
class Purchases:
    count: Counter[str] = field(default_factory=Counter)
    """Per channel."""
    amount_minor: Counter[str] = field(default_factory=Counter)
    coins: int = 0


class DemoWorld:
    """Everything the demo's steps share. Open it with ``DemoWorld.open``."""

    def __init__(
        self,
        economy: Economy,
        *,
        clock: ManualClock,
        sandbox: SandboxProvider,
        paths: DemoPaths,
        seed: int,
    ) -> None:
        self.economy = economy
        self.clock = clock
        self.sandbox = sandbox
        self.paths = paths
        self.random = random.Random(seed)
        self.viewers: dict[str, Viewer] = {}
        self.purchases = Purchases()
        self.palette: tuple[Gift, ...] = gift_palette(economy.catalog.gifts_available(REGION))
        """The gifts donations are sent as, largest first (see ``giftflow.demo.gifts``)."""
        self._creator: User | None = None

    @classmethod
    def open(cls, folder: Path, *, seed: int, start_ns: int) -> DemoWorld:
        """A fresh economy in ``folder``; refuses a folder that already holds one."""
        paths = DemoPaths.inside(folder)
        if paths.database.exists():
            raise DemoError(f"{paths.database} exists: give the demo a new or empty folder")
        folder.mkdir(parents=True, exist_ok=True)
        tokens = random.Random(seed ^ 0x5EED)

        def new_token() -> str:
            return f"{tokens.getrandbits(64):016x}"

        clock = ManualClock(start_ns)
        sandbox = SandboxProvider(secrets.token_bytes(32), clock, new_token=new_token)
        settings = Settings(
            database_url=f"sqlite:///{paths.database}",
            payout_dir=paths.payouts,
            environment="development",  # the sandbox's coins are play money
        )
        economy = Economy.open(settings, clock=clock, providers={SANDBOX: sandbox})
        economy.context.new_token = new_token
        return cls(economy, clock=clock, sandbox=sandbox, paths=paths, seed=seed)

    def close(self) -> None:
        self.economy.close()

    def __enter__(self) -> DemoWorld:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()

    # --- people ----------------------------------------------------------------------

    @property
    def creator(self) -> User:
        if self._creator is None:
            raise DemoError("the creator is not registered yet")
        return self._creator

    def register_creator(self, *, external_id: str, display_name: str) -> User:
        """The creator; their identity is verified later, before their first payout."""
        self._creator = self.economy.register_user(
            external_id=external_id,
            display_name=display_name,
            birth_date=date(1985, 6, 1),
            region=REGION,
            is_creator=True,
        )
        return self._creator

    def viewer(self, donor_id: str) -> Viewer:
        """The viewer behind a donor id (anonymous: one of a small pool, at random)."""
        if donor_id:
            external_id, name = f"gdq:{donor_id}", f"donor {donor_id.removeprefix('d_')[:6]}"
        else:
            number = self.random.randrange(ANONYMOUS_POOL) + 1
            external_id, name = f"gdq:anonymous-{number}", f"Anonymous {number}"
        known = self.viewers.get(external_id)
        if known is not None:
            return known
        user = self.economy.register_user(
            external_id=external_id,
            display_name=name,
            birth_date=self._birth_date(),
            region=REGION,
        )
        viewer = Viewer(user, instrument=f"card_{user.id:08d}")
        self.viewers[external_id] = viewer
        return viewer

    def _birth_date(self) -> date:
        year = self.random.choice(_BIRTH_YEARS)
        return date(year, self.random.randint(1, 12), self.random.randint(1, 28))

    # --- coins in --------------------------------------------------------------------

    def fund(self, viewer: Viewer, coins: int) -> None:
        """Buy coin packs until the wallet holds ``coins``: the smallest pack that covers
        what is missing, or the largest one again and again."""
        while viewer.coins < coins:
            channel = CHANNELS[sum(self.purchases.count.values()) % len(CHANNELS)]
            pack = _pack_for(self.economy.catalog.packs(REGION, channel), coins - viewer.coins)
            self.buy(viewer, pack)

    def buy(self, viewer: Viewer, pack: CoinPack) -> Payment:
        """Checkout, then the sandbox's signed ``paid`` webhook: the only way coins are
        minted."""
        payment = self.economy.start_purchase(
            user_id=viewer.user.id, channel=pack.channel, provider=SANDBOX, pack_id=pack.id
        )
        body, headers = self.sandbox.event_paid(
            checkout_of(payment),
            payment.amount_minor,
            payment.currency,
            instrument=viewer.instrument,
        )
        outcome = self.economy.handle_webhook(SANDBOX, body, headers)
        if outcome is None or outcome.coins_minted != pack.coins:
            raise DemoError(f"payment {payment.id} did not mint {pack.coins} coins")
        viewer.coins += outcome.coins_minted
        viewer.payments.append(outcome.payment)
        self.purchases.count[pack.channel.value] += 1
        self.purchases.amount_minor[pack.channel.value] += payment.amount_minor
        self.purchases.coins += pack.coins
        return outcome.payment


def checkout_of(payment: Payment) -> Checkout:
    """The sandbox's checkout for one of our payments (what it keys its events by)."""
    if payment.provider_payment_id is None:
        raise DemoError(f"payment {payment.id} has no checkout")
    return Checkout(
        provider=payment.provider, provider_payment_id=payment.provider_payment_id, url=None
    )


def _pack_for(packs: tuple[CoinPack, ...], missing: int) -> CoinPack:
    by_size = sorted(packs, key=lambda pack: pack.coins)
    return next((pack for pack in by_size if pack.coins >= missing), by_size[-1])
