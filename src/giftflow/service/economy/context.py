"""What every economy service shares: the ledger, the catalog, settings, the clock,
and the extension point of LIVE: listeners of gifts booked in a session, and the event
publisher their events go out through."""

from __future__ import annotations

import functools
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from typing import Any, Protocol

from giftflow.economy.catalog.model import Catalog
from giftflow.economy.errors import LedgerRejectedError
from giftflow.economy.fraud import VelocityLimiter
from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import Clock, UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.payments.base import PaymentProvider
from giftflow.service.ledger import Ledger
from giftflow.service.webhooks.outbox import Outbox
from giftflow.settings import Settings
from giftflow.store.tx import Tx

NS_PER_DAY = 86_400 * 1_000_000_000


def random_token() -> str:
    return secrets.token_urlsafe(12).replace("-", "x").replace("_", "y")


@dataclass(frozen=True, slots=True)
class GiftBooked:
    """A gift just written in a session, as its listeners see it (inside its
    transaction). ``quantity`` is the delta this event added; ``sent_at`` is the
    ledger timestamp it was booked at."""

    id: TransferId
    session_id: int
    sender_id: UserId
    creator_id: UserId
    gift_id: GiftId
    quantity: int
    repeat_count: int
    streak_id: str | None
    coins: int
    sent_at: UnixNs
    sender_name: str = ""
    """The sender's display name, for what listeners show (gift alerts)."""


@dataclass(frozen=True, slots=True)
class PendingEvent:
    """An event a listener wants published once its transaction has committed."""

    room_id: UserId
    type: str
    data: Mapping[str, Any]
    at: int


GiftListener = Callable[[Tx, GiftBooked], list[PendingEvent]]
"""Called in the gift's database transaction, after its row is written, for gifts with
a ``session_id``. What it writes commits with the gift or not at all; it may raise
``RecordRejectedError`` to refuse the gift, nothing else."""


StageWatcher = Callable[[Tx, list[PendingEvent]], None]
"""Called in the transaction with the events it stages for webhooks out (before the
outbox sees them): what it writes commits with the change or not at all (milestone
posts, ``giftflow.service.creator.milestone_posts``)."""


class EventPublisher(Protocol):
    """What gifting needs of an event bus (``giftflow.service.events.bus.EventBus``)."""

    def publish(
        self, room_id: UserId, type: str, data: Mapping[str, Any], *, at: int
    ) -> object: ...


@dataclass(slots=True)
class EconomyContext:
    ledger: Ledger
    catalog: Catalog
    settings: Settings
    clock: Clock
    providers: dict[str, PaymentProvider] = field(default_factory=dict)
    new_token: Callable[[], str] = random_token
    gift_listeners: list[GiftListener] = field(default_factory=list)
    publisher: EventPublisher | None = None
    outbox: Outbox = field(default_factory=Outbox)
    """Webhooks out: the events platforms subscribed to, staged in the change's
    transaction (``stage``, ``notify``)."""
    stage_watchers: list[StageWatcher] = field(default_factory=list)
    velocity: VelocityLimiter = field(init=False)

    def __post_init__(self) -> None:
        self.velocity = VelocityLimiter(
            limit=self.settings.velocity_limit, window_s=self.settings.velocity_window_s
        )

    @property
    def share_bps(self) -> int:
        return self.settings.revenue_share_bps or self.catalog.revenue_share_bps

    @property
    def hold_ns(self) -> int:
        days = self.settings.hold_days
        return (self.catalog.hold_days if days is None else days) * NS_PER_DAY

    def now(self) -> int:
        return self.clock.now_ns()

    def today(self) -> date:
        return _day(self.now() // NS_PER_DAY)

    def new_id(self, prefix: str) -> str:
        return f"{prefix}_{self.new_token()}"

    def stage(self, tx: Tx, events: list[PendingEvent]) -> None:
        """Write the events that endpoints subscribed to into the outbox, in ``tx``:
        they are delivered if and only if ``tx`` commits. The stage watchers see them
        first."""
        if events:
            for watcher in self.stage_watchers:
                watcher(tx, events)
            self.outbox.stage(tx, events)

    def notify(
        self, tx: Tx, room_id: UserId, type: str, data: Callable[[], Mapping[str, Any]], at: int
    ) -> None:
        """``stage`` one event for the outbox only (no room hears it), building its
        ``data`` only when an endpoint subscribed to ``type``."""
        if self.outbox.wants(tx, type):
            self.outbox.stage(tx, [PendingEvent(room_id, type, data(), at)])

    def publish(self, events: list[PendingEvent]) -> None:
        if self.publisher is None:
            return
        for event in events:
            self.publisher.publish(event.room_id, event.type, event.data, at=event.at)


@functools.lru_cache(maxsize=4)
def _day(days_since_epoch: int) -> date:
    """The UTC date of a day number (gifts ask it twice each: cached)."""
    return datetime.fromtimestamp(days_since_epoch * 86_400, UTC).date()


def first_failure(results: list[TransferResult]) -> TransferResult | None:
    """The result that made a chain fail (not its ``linked_event_failed`` companions)."""
    for result in results:
        if not result.ok and result.code != TransferResultCode.LINKED_EVENT_FAILED:
            return result
    return None


def ledger_error(result: TransferResult, what: str) -> LedgerRejectedError:
    detail = f" ({result.detail})" if result.detail else ""
    return LedgerRejectedError(
        f"the ledger refused {what}: {result.code}{detail}", code=str(result.code)
    )
