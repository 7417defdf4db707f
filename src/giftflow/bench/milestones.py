"""``giftflow bench milestones``: what the milestone watcher costs the gift path.

Single gifts in a LIVE, each its own call (so each its own transaction: the watcher's
one read per transaction is paid per gift, the worst case), into a fresh SQLite file
for each of three arms measured in the same run: LIVE alone (the baseline); LIVE and
the watcher, no channel anywhere; and the watcher with the creator's channel posting
every supporter level reached (a post at each crossing, a read of the sender's coins
at every gift). Each arm runs ``rounds`` times, alternating; its best round counts.
"""

from __future__ import annotations

import secrets
import shutil
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Final

from giftflow.creator.milestones import ChannelFormat, Destination, MilestoneKind, Rule
from giftflow.economy.catalog.model import Channel
from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import ManualClock
from giftflow.payments.base import Checkout
from giftflow.payments.sandbox import NAME as SANDBOX
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.creator import milestones
from giftflow.service.creator.milestones import Milestones
from giftflow.service.economy import Economy, GiftRequest
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live
from giftflow.settings import Settings
from giftflow.store import milestones as store

ROSE: Final = 5655
"""1 coin."""
START_NS: Final = 1_717_416_000 * 1_000_000_000
ARMS: Final = ("baseline", "watching", "posting")
COINS_MIN: Final = 30
"""The smallest custom amount of coins the default catalog sells."""


@dataclass(frozen=True, slots=True)
class MilestoneBenchResult:
    gifts: int
    viewers: int
    baseline_gifts_per_s: float
    watching_gifts_per_s: float
    posting_gifts_per_s: float
    watching_ratio: float
    """Gifts/s with the watcher and no channel, over the baseline's."""
    posting_ratio: float
    posts: int
    posts_expected: int

    @property
    def exact(self) -> bool:
        return self.posts == self.posts_expected

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"exact": self.exact}


def bench_milestones(*, gifts: int, viewers: int, rounds: int = 2) -> MilestoneBenchResult:
    best = dict.fromkeys(ARMS, 0.0)
    posts = 0
    for _ in range(rounds):
        for arm in ARMS:
            rate, posted = _arm(arm, gifts=gifts, viewers=viewers)
            best[arm] = max(best[arm], rate)
            posts = posted if arm == "posting" else posts
    coins_each = gifts // viewers  # 1 coin a gift: levels at 1, 100, 1,000 … coins
    levels = sum(1 for threshold in (1, 100, 1_000, 10_000, 100_000) if threshold <= coins_each)
    return MilestoneBenchResult(
        gifts=gifts,
        viewers=viewers,
        baseline_gifts_per_s=best["baseline"],
        watching_gifts_per_s=best["watching"],
        posting_gifts_per_s=best["posting"],
        watching_ratio=best["watching"] / best["baseline"],
        posting_ratio=best["posting"] / best["baseline"],
        posts=posts,
        posts_expected=levels * viewers,
    )


def _arm(arm: str, *, gifts: int, viewers: int) -> tuple[float, int]:
    """Gifts/s of one arm in a fresh database, and the posts it wrote."""
    folder = Path(tempfile.mkdtemp(prefix="giftflow-bench-milestones-"))
    try:
        economy = _open(folder)
        try:
            live = Live.open(economy, InProcessBus())
            creator, fans = _people(economy, viewers, coins=max(COINS_MIN, gifts // viewers + 1))
            if arm != "baseline":
                milestones.watch(economy, live.context.settings.level_thresholds_coins)
            if arm == "posting":
                rule = Rule(MilestoneKind.SUPPORTER_LEVEL_REACHED, "{supporter}", (1, 2, 3, 4, 5))
                target = Destination(ChannelFormat.JSON, url="https://example.com/milestones")
                Milestones(economy.context, 5).create(creator, target, rules=[rule])
            session = live.start_session(creator, title="bench")
            started = time.perf_counter()
            for n in range(gifts):
                request = GiftRequest(
                    fans[n % viewers],
                    creator,
                    GiftId(ROSE),
                    event_id=f"b-{n}",
                    session_id=session.id,
                )
                economy.send_gift(request)
            rate = gifts / (time.perf_counter() - started)
            return rate, _posts(economy)
        finally:
            economy.close()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def _open(folder: Path) -> Economy:
    clock = ManualClock(START_NS)
    settings = Settings(
        database_url=f"sqlite:///{folder / 'bench.db'}",
        velocity_limit=10**9,
        payout_dir=folder / "payouts",
        environment="development",  # coins bought through the sandbox: play money
        webhooks_worker=False,  # nothing is sent: the posts are only written
    )
    sandbox = SandboxProvider(secrets.token_bytes(32), clock)
    return Economy.open(settings, clock=clock, providers={SANDBOX: sandbox})


def _people(economy: Economy, viewers: int, *, coins: int) -> tuple[UserId, list[UserId]]:
    birth = date(1990, 5, 17)
    creator = economy.register_user(
        external_id="creator",
        display_name="Creator",
        birth_date=birth,
        region="US",
        is_creator=True,
    )
    fans = []
    sandbox = economy.context.providers[SANDBOX]
    assert isinstance(sandbox, SandboxProvider)
    for n in range(viewers):
        fan = economy.register_user(
            external_id=f"fan-{n}", display_name=f"Fan {n}", birth_date=birth, region="US"
        )
        payment = economy.start_purchase(
            user_id=fan.id, channel=Channel.WEB, provider=SANDBOX, coins=coins
        )
        assert payment.provider_payment_id is not None
        checkout = Checkout(SANDBOX, payment.provider_payment_id, None)
        body, headers = sandbox.event_paid(checkout, payment.amount_minor, payment.currency)
        economy.handle_webhook(SANDBOX, body, headers)
        fans.append(fan.id)
    return creator.id, fans


def _posts(economy: Economy) -> int:
    return economy.ledger.read(store.post_count)
