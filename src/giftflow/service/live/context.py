"""What every LIVE service shares: the economy underneath, the event bus, settings."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from giftflow.ids import UserId
from giftflow.live.battles import BOOSTER_DURATION_S_DEFAULT, DEFAULT_DURATION_S
from giftflow.live.errors import LiveNotFoundError, LiveStateError
from giftflow.live.invitations import TTL_S_DEFAULT
from giftflow.live.leaderboards import TOP_DEFAULT
from giftflow.live.levels import DEFAULT_LEVEL_THRESHOLDS_COINS, check_thresholds
from giftflow.service.economy.context import EconomyContext, PendingEvent
from giftflow.service.events.bus import EventBus
from giftflow.store import sessions
from giftflow.store.tx import Tx

T = TypeVar("T")


@dataclass(frozen=True, slots=True)
class LiveSettings:
    battle_duration_s: int = DEFAULT_DURATION_S
    booster_duration_s: int = BOOSTER_DURATION_S_DEFAULT
    invitation_ttl_s: int = TTL_S_DEFAULT
    """How long a battle invitation waits for its answers."""
    leaderboard_top: int = TOP_DEFAULT
    level_thresholds_coins: tuple[int, ...] = DEFAULT_LEVEL_THRESHOLDS_COINS

    def __post_init__(self) -> None:
        check_thresholds(self.level_thresholds_coins)


@dataclass(slots=True)
class LiveContext:
    economy: EconomyContext
    bus: EventBus
    settings: LiveSettings

    def now(self) -> int:
        return self.economy.now()

    def write(self, work: Callable[[Tx], T]) -> T:
        return self.economy.ledger.write(work)

    def read(self, work: Callable[[Tx], T]) -> T:
        return self.economy.ledger.read(work)

    def write_events(self, work: Callable[[Tx], tuple[T, list[PendingEvent]]]) -> T:
        """``write`` for work that returns its events too: those that endpoints
        subscribed to go to the outbox in its transaction, and all of them to their
        rooms once it has committed."""

        def staged(tx: Tx) -> tuple[T, list[PendingEvent]]:
            value, events = work(tx)
            self.economy.stage(tx, events)
            return value, events

        value, events = self.write(staged)
        self.publish(events)
        return value

    def publish(self, events: list[PendingEvent]) -> None:
        for event in events:
            self.bus.publish(event.room_id, event.type, event.data, at=event.at)


def event(room_id: UserId, type: str, data: Mapping[str, Any], at: int) -> PendingEvent:
    return PendingEvent(room_id, type, dict(data), at)


def live_session(tx: Tx, session_id: int) -> tuple[UserId, int]:
    """``(creator_id, ended_at)`` of a session; ``ended_at`` is 0 while it is live."""
    session = sessions.by_id(tx, session_id)
    if session is None:
        raise LiveNotFoundError(f"no session {session_id}", code="session_not_found")
    return session.creator_id, session.ended_at or 0


def require_live(tx: Tx, session_id: int) -> UserId:
    """The creator of a session that is live now."""
    creator_id, ended_at = live_session(tx, session_id)
    if ended_at:
        raise LiveStateError(f"session {session_id} has ended", code="session_ended")
    return creator_id


def optional(value: int) -> int | None:
    """Columns keep 0 for "not yet"; the domain says ``None``."""
    return value or None
