"""Replaying a recorded donation log as one creator's LIVE, through the real economy.

Each donor is a viewer (a non-empty ``donor_id`` is one viewer across the file, an empty
one a new anonymous viewer per donation). Before the LIVE every viewer buys, through the
sandbox provider's signed ``paid`` webhook (the only way coins are minted), custom
amounts of coins that add up to what they will give. Then the donations, in time
order, become catalog gifts (``giftflow.demo.gifts``: greedy, largest first, the Rose
closes the rest) booked with the donation's own time. Donations go to the economy in
batches, so they share the engine's group commits: that is what makes 40,000 donations
a matter of seconds.

Nothing here computes a figure of the report: the report is read back from what the
economy stored (``giftflow.replay.report``).
"""

from __future__ import annotations

import secrets
from collections import Counter
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Final, TypeVar

from giftflow.demo.gifts import GiftLine, coins_for_donation, decompose, gift_palette
from giftflow.demo.stream import Donation, Run
from giftflow.economy.catalog.model import Channel, CustomPackRule, Gift
from giftflow.economy.gifting import GIFT_QUANTITY_MAX
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ledger.clock import ManualClock, OffsetClock
from giftflow.payments.base import Checkout
from giftflow.payments.sandbox import NAME as SANDBOX
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import (
    Economy,
    GiftRequest,
    GiftSent,
    Payment,
    PaymentOutcome,
    PurchaseOrder,
    Registration,
    WebhookDelivery,
)
from giftflow.service.events.memory import InProcessBus
from giftflow.service.live import Live
from giftflow.settings import Settings

REGION: Final = "US"
CHANNEL: Final = Channel.WEB
VIEWER_BIRTH_DATE: Final = date(1980, 1, 1)
"""Donors' ages are unknown; every viewer is registered as an adult."""
CREATOR_BIRTH_DATE: Final = date(1985, 6, 1)
BATCH_EVENTS: Final = 2_000
"""Gift events sent to the economy in one call (their donations share group commits)."""
CHUNK: Final = 2_000
"""Viewers registered, and purchases opened, per call."""
UNLIMITED_VELOCITY: Final = 1_000_000_000
"""A recorded history is not rate-limited: its donations already happened."""
_NS_PER_S: Final = 1_000_000_000
T = TypeVar("T")
_LEAD_NS: Final = 3_600 * _NS_PER_S
"""The viewers buy their coins an hour before the LIVE starts."""


class ReplayError(GiftflowError):
    """The replay could not book what the log says (a purchase that minted nothing)."""

    code = "replay_failed"


@dataclass(frozen=True, slots=True)
class ReplayOptions:
    coins_per_usd: int = 100
    share_bps: int = 5_000
    title: str = ""
    batch_events: int = BATCH_EVENTS
    chunk: int = CHUNK
    """1 and 1 book one donation, viewer and purchase per call: the bench's baseline."""


@dataclass(frozen=True, slots=True)
class ReplayProgress:
    stage: str
    done: int
    total: int


@dataclass(frozen=True, slots=True)
class BookedDonation:
    donation: Donation
    viewer_key: str
    coins: int
    refused: tuple[str, ...]
    """The error code of each gift event the economy refused (none, normally)."""


@dataclass(slots=True)
class ReplayResult:
    session_id: int
    creator: User
    started_at: int
    ended_at: int
    runs: list[Run]
    booked: list[BookedDonation] = field(default_factory=list)

    @property
    def refused(self) -> Counter[str]:
        return Counter(code for booked in self.booked for code in booked.refused)


def viewer_key(donation: Donation) -> str:
    """One viewer per donor id; a new anonymous viewer for every anonymous donation."""
    return donation.donor_id or f"anonymous:{donation.line}"


def open_economy(database: Path, options: ReplayOptions, start_ns: int) -> Economy:
    clock = ManualClock(start_ns - _LEAD_NS)
    sandbox = SandboxProvider(secrets.token_bytes(32), clock)
    settings = Settings(
        database_url=f"sqlite:///{database}",
        revenue_share_bps=options.share_bps,
        velocity_limit=UNLIMITED_VELOCITY,
        payout_dir=database.parent / "payouts",
        environment="development",  # coins bought through the sandbox: play money
    )
    return Economy.open(settings, clock=clock, providers={SANDBOX: sandbox})


class Replay:
    """One replay over one economy (``open_economy``) with its manual clock."""

    def __init__(
        self,
        economy: Economy,
        options: ReplayOptions,
        on_progress: Callable[[ReplayProgress], None] | None = None,
    ) -> None:
        self.economy = economy
        self.options = options
        self.live = Live.open(economy, InProcessBus())
        self._clock = _manual_clock(economy)
        self._sandbox = _sandbox(economy)
        self._palette = gift_palette(economy.catalog.gifts_available(REGION))
        self._progress = on_progress or (lambda progress: None)

    def run(self, donations: Sequence[Donation], runs: Sequence[Run], *, name: str) -> ReplayResult:
        coins = [
            coins_for_donation(d.amount_usd_cents, self.options.coins_per_usd) for d in donations
        ]
        creator = self.economy.register_user(
            external_id=f"replay:{name}",
            display_name=self.options.title or name,
            birth_date=CREATOR_BIRTH_DATE,
            region=REGION,
            is_creator=True,
        )
        viewers = self._register(donations)
        self._fund(viewers, donations, coins)
        start_ns, end_ns = _window(donations, runs)
        self._clock.set_ns(max(self._clock.now_ns(), start_ns))
        session = self.live.start_session(creator.id, title=self.options.title or name)
        result = ReplayResult(session.id, creator, start_ns, end_ns, list(runs))
        self._gifts(result, donations, coins, viewers)
        self._clock.set_ns(max(self._clock.now_ns(), end_ns))
        self.live.end_session(session.id)
        self._clock.set_ns(end_ns + self.economy.context.settings.streak_timeout_s * _NS_PER_S)
        self.economy.end_stale_streaks()
        windows = [(run.game, run.start_ns, run.end_ns) for run in runs]
        if windows:
            self.live.record_chapters(session.id, windows)
        return result

    # --- viewers and their coins -------------------------------------------------------

    def _register(self, donations: Sequence[Donation]) -> dict[str, User]:
        keys = list(dict.fromkeys(viewer_key(donation) for donation in donations))
        viewers: dict[str, User] = {}
        for chunk in _chunks(keys, self.options.chunk):
            registered = self.economy.register_users(
                [
                    Registration(
                        f"replay:{key}",
                        "Anonymous" if key.startswith("anonymous:") else key,
                        VIEWER_BIRTH_DATE,
                        REGION,
                    )
                    for key in chunk
                ]
            )
            viewers.update(zip(chunk, registered, strict=True))
            self._progress(ReplayProgress("viewers", len(viewers), len(keys)))
        return viewers

    def _fund(
        self, viewers: dict[str, User], donations: Sequence[Donation], coins: Sequence[int]
    ) -> None:
        needed: Counter[str] = Counter()
        for donation, amount in zip(donations, coins, strict=True):
            needed[viewer_key(donation)] += amount
        rule = self.economy.catalog.custom_rule(REGION, CHANNEL)
        orders = [
            PurchaseOrder(viewers[key].id, CHANNEL, SANDBOX, coins=amount)
            for key, total in needed.items()
            for amount in custom_amounts(total, rule)
        ]
        done = 0
        for chunk in _chunks(orders, self.options.chunk):
            payments = self.economy.start_purchases(chunk)
            deliveries = [WebhookDelivery(*self._paid(payment)) for payment in payments]
            outcomes = self.economy.handle_webhooks(SANDBOX, deliveries)
            for payment, outcome in zip(payments, outcomes, strict=True):
                _check_minted(payment, outcome)
            done += len(chunk)
            self._progress(ReplayProgress("purchases", done, len(orders)))

    def _paid(self, payment: Payment) -> tuple[bytes, dict[str, str]]:
        assert payment.provider_payment_id is not None, "a sandbox checkout has an id"
        checkout = Checkout(SANDBOX, payment.provider_payment_id, None)
        instrument = f"replay-card-{payment.user_id}"
        return self._sandbox.event_paid(
            checkout, payment.amount_minor, payment.currency, instrument=instrument
        )

    # --- the LIVE ----------------------------------------------------------------------

    def _gifts(
        self,
        result: ReplayResult,
        donations: Sequence[Donation],
        coins: Sequence[int],
        viewers: dict[str, User],
    ) -> None:
        for batch in _batches(donations, coins, self._palette, self.options.batch_events):
            self._clock.set_ns(max(self._clock.now_ns(), batch[-1][0].at_ns))
            requests: list[GiftRequest] = []
            spans: list[tuple[Donation, int, int, int]] = []
            for donation, amount, lines in batch:
                sender = viewers[viewer_key(donation)].id
                first = len(requests)
                requests += gift_requests(
                    donation,
                    lines,
                    sender_id=sender,
                    creator_id=result.creator.id,
                    session_id=result.session_id,
                )
                spans.append((donation, amount, first, len(requests)))
            outcomes = self.economy.send_gifts(requests)
            for donation, amount, first, last in spans:
                refused = tuple(o.code for o in outcomes[first:last] if not isinstance(o, GiftSent))
                result.booked.append(
                    BookedDonation(donation, viewer_key(donation), amount, refused)
                )
            self.economy.end_stale_streaks()
            self._progress(ReplayProgress("donations", len(result.booked), len(donations)))


def gift_requests(
    donation: Donation,
    lines: Sequence[GiftLine],
    *,
    sender_id: int,
    creator_id: int,
    session_id: int,
) -> list[GiftRequest]:
    """A streakable gift given several times is one streak, reported with its final
    count; any other gift one event with a quantity (split at the quantity limit)."""
    requests = []
    for line in lines:
        key = f"donation-{donation.line}-{line.gift.id}"
        one = GiftRequest(
            sender_id, creator_id, line.gift.id, session_id=session_id, sent_at=donation.at_ns
        )
        if line.is_streak and line.count <= GIFT_QUANTITY_MAX:
            requests.append(replace(one, streak_id=key, repeat_count=line.count))
            continue
        for part, start in enumerate(range(0, line.count, GIFT_QUANTITY_MAX)):
            quantity = min(GIFT_QUANTITY_MAX, line.count - start)
            requests.append(replace(one, event_id=f"{key}-{part}", quantity=quantity))
    return requests


def custom_amounts(total: int, rule: CustomPackRule) -> list[int]:
    """Custom purchases adding up to at least ``total`` coins: as many of the largest
    allowed amount as needed, the rest at least the smallest allowed amount."""
    amounts = []
    remaining = total
    while remaining > 0:
        amount = max(rule.min_coins, min(remaining, rule.max_coins))
        amounts.append(amount)
        remaining -= amount
    return amounts


def _check_minted(payment: Payment, outcome: PaymentOutcome | GiftflowError | None) -> None:
    if isinstance(outcome, GiftflowError):
        raise ReplayError(f"payment {payment.id} failed: {outcome.code}: {outcome}") from outcome
    if outcome is None or outcome.coins_minted != payment.coins:
        raise ReplayError(f"payment {payment.id} did not mint its {payment.coins} coins")


def _window(donations: Sequence[Donation], runs: Sequence[Run]) -> tuple[int, int]:
    """The LIVE runs from the first donation or run to one second after the last."""
    starts = [d.at_ns for d in donations[:1]] + [run.start_ns for run in runs[:1]]
    ends = [d.at_ns + _NS_PER_S for d in donations[-1:]] + [r.end_ns for r in runs]
    if not starts:
        raise ReplayError("the log holds no donation and no run")
    start = min(starts)
    return start, max(*ends, start + _NS_PER_S)


def _batches(
    donations: Sequence[Donation], coins: Sequence[int], palette: Sequence[Gift], size: int
) -> Iterator[list[tuple[Donation, int, list[GiftLine]]]]:
    batch: list[tuple[Donation, int, list[GiftLine]]] = []
    events = 0
    for donation, amount in zip(donations, coins, strict=True):
        lines = decompose(amount, palette)
        batch.append((donation, amount, lines))
        events += len(lines)
        if events >= size:
            yield batch
            batch, events = [], 0
    if batch:
        yield batch


def _chunks(items: Sequence[T], size: int) -> Iterator[Sequence[T]]:
    for start in range(0, len(items), size):
        yield items[start : start + size]


def _manual_clock(economy: Economy) -> ManualClock:
    clock = economy.context.clock
    if isinstance(clock, OffsetClock):  # a development economy's test clock, over it
        clock = clock.base
    if not isinstance(clock, ManualClock):
        raise TypeError("a replay drives a manual clock")
    return clock


def _sandbox(economy: Economy) -> SandboxProvider:
    provider = economy.context.providers.get(SANDBOX)
    if not isinstance(provider, SandboxProvider):
        raise TypeError("a replay buys coins through the sandbox provider")
    return provider
