"""Subathon timers in the database: start, pause, resume, change of rules, end, and
the gifts that extend them, counted inside each gift's own transaction.

The ``subathons`` row keeps the folded state and moves by compare-and-set on its
``seq`` in the same transaction as the history row that explains the move (a control,
or a counted gift: one row per gift event). ``recomputed`` folds that history again
with the domain's ``replay``; the two are equal after any crash, because they commit
together (docs/subathon.md, decisions/0088).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, TypeVar

from giftflow.creator.subathon import (
    Control,
    ControlKind,
    Counted,
    Rules,
    SubathonState,
    Timer,
    count_gift,
    counts,
    moment,
    move_moment,
    replay,
)
from giftflow.creator.subathon import control as apply_control
from giftflow.creator.subathon import (
    start as start_timer,
)
from giftflow.ids import UserId
from giftflow.live.errors import LiveError, LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.service.economy import users
from giftflow.service.economy.context import EconomyContext, GiftBooked, PendingEvent
from giftflow.store import subathon as rows
from giftflow.store.subathon import StoredSubathon
from giftflow.store.tx import RecordRejectedError, Tx

T = TypeVar("T")
LIST_MAX: Final = 100
_EVENTS: Final = {
    ControlKind.PAUSE: EventType.SUBATHON_PAUSED,
    ControlKind.RESUME: EventType.SUBATHON_RESUMED,
    ControlKind.CHANGE: EventType.SUBATHON_UPDATED,
    ControlKind.END: EventType.SUBATHON_ENDED,
    ControlKind.EXPIRE: EventType.SUBATHON_ENDED,
}
_REASONS: Final = {ControlKind.END: "ended", ControlKind.EXPIRE: "time_up"}
EXPIRE_BATCH: Final = 100


@dataclass(frozen=True, slots=True)
class Subathon:
    """A subathon as read ``at`` (the server's clock)."""

    id: str
    creator_id: UserId
    number: int
    timer: Timer
    at: int

    @property
    def state(self) -> SubathonState:
        return self.timer.state(self.at)

    @property
    def remaining_ns(self) -> int:
        return self.timer.remaining_ns(self.at)


@dataclass(frozen=True, slots=True)
class OverlayState:
    room_id: UserId
    at: int
    last_event_id: str | None
    subathon: Subathon | None


def _view(stored: StoredSubathon, at: int) -> Subathon:
    return Subathon(stored.id, stored.creator_id, stored.number, stored.timer, at)


def data_of(stored: StoredSubathon, at: int) -> dict[str, Any]:
    """The ``data`` of the ``subathon.*`` events (times in nanoseconds)."""
    timer = stored.timer
    return {
        "subathon_id": stored.id,
        "number": stored.number,
        "state": str(timer.state(at)),
        "started_at": timer.started_at,
        "ends_at": timer.ends_at,
        "remaining_ns": timer.remaining_ns(at),
        "paused": timer.paused,
        "initial_s": timer.initial_s,
        "cap_s": timer.cap_s,
        "granted_ns": timer.granted_ns,
        "added_ns": timer.added_ns,
        "gifts": timer.gifts,
        "coins": timer.coins,
        "tiers": [[tier.min_coins, tier.add_s] for tier in timer.rules.tiers],
        "ms_per_coin": timer.rules.ms_per_coin,
    }


def _event(stored: StoredSubathon, type: EventType, at: int, **extra: Any) -> PendingEvent:
    return PendingEvent(stored.creator_id, type, data_of(stored, at) | extra, at)


def _write(context: EconomyContext, work: Callable[[Tx], tuple[T, list[PendingEvent]]]) -> T:
    """One transaction with its events: staged for webhooks out in it, published to
    the room once it committed."""

    def staged(tx: Tx) -> tuple[T, list[PendingEvent]]:
        value, events = work(tx)
        context.stage(tx, events)
        return value, events

    value, events = context.ledger.write(staged)
    context.publish(events)
    return value


# --- the creator's moves ----------------------------------------------------------------


def start(
    context: EconomyContext, creator_id: UserId, *, initial_s: int, cap_s: int, rules: Rules
) -> Subathon:
    """A new subathon in the room, running from now; 409 ``subathon_running`` while the
    room's last one runs (or is paused)."""
    now = context.now()
    timer = start_timer(at=now, initial_s=initial_s, cap_s=cap_s, rules=rules)
    subathon_id = context.new_id("sa")

    def add(tx: Tx) -> tuple[Subathon, list[PendingEvent]]:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        last = rows.latest_of_room(tx, creator_id)
        if last is not None and last.timer.runs_at(now):
            raise LiveStateError(
                f"subathon {last.id} still runs in room {creator_id}", code="subathon_running"
            )
        stored = rows.insert_subathon(tx, subathon_id, creator_id, timer)
        return _view(stored, now), [_event(stored, EventType.SUBATHON_STARTED, now)]

    return _write(context, add)


def _found(tx: Tx, subathon_id: str) -> StoredSubathon:
    stored = rows.find_subathon(tx, subathon_id)
    if stored is None:
        raise LiveNotFoundError(f"no subathon {subathon_id}", code="subathon_not_found")
    return stored


def control(
    context: EconomyContext, subathon_id: str, kind: ControlKind, rules: Rules | None = None
) -> Subathon:
    """Pause, resume, change the rules (``rules``) or end it, now; 409 for a move its
    state does not allow (``subathon_ended``, ``subathon_paused``, ``subathon_not_paused``)."""
    now = context.now()

    def move(tx: Tx) -> tuple[Subathon, list[PendingEvent]]:
        stored = _found(tx, subathon_id)
        entry = Control(kind, move_moment(stored.timer, now), rules)
        timer = apply_control(stored.timer, entry)
        seq = stored.seq + 1
        rows.insert_control(tx, stored.id, seq, entry)
        if not rows.save_timer(tx, stored, timer, seq):
            raise LiveStateError(f"subathon {subathon_id} moved meanwhile", code="conflict")
        moved = stored.moved(timer, seq)
        return _view(moved, now), [_ended_or(moved, kind, entry.at)]

    return _write(context, move)


def _ended_or(stored: StoredSubathon, kind: ControlKind, at: int) -> PendingEvent:
    reason = _REASONS.get(kind)
    extra = {} if reason is None else {"reason": reason}
    return _event(stored, _EVENTS[kind], at, **extra)


def expire_due(context: EconomyContext) -> list[Subathon]:
    """Record the end of the running timers whose time ran out (``subathon.ended``,
    ``reason: time_up``); the app's sweep calls it every second. A timer another
    process closed meanwhile is left alone."""
    now = context.now()

    def close(tx: Tx) -> tuple[list[Subathon], list[PendingEvent]]:
        closed: list[Subathon] = []
        events: list[PendingEvent] = []
        for stored in rows.ran_out(tx, now, limit=EXPIRE_BATCH):
            ends_at = stored.timer.ends_at
            assert ends_at is not None
            entry = Control(ControlKind.EXPIRE, ends_at)
            timer = apply_control(stored.timer, entry)
            seq = stored.seq + 1
            if not rows.save_timer(tx, stored, timer, seq):
                continue
            rows.insert_control(tx, stored.id, seq, entry)
            moved = stored.moved(timer, seq)
            closed.append(_view(moved, now))
            events.append(_ended_or(moved, ControlKind.EXPIRE, ends_at))
        return closed, events

    return _write(context, close)


# --- reading ------------------------------------------------------------------------------


def get(context: EconomyContext, subathon_id: str) -> Subathon:
    now = context.now()
    return context.ledger.read(lambda tx: _view(_found(tx, subathon_id), now))


def current(context: EconomyContext, creator_id: UserId) -> Subathon | None:
    """The room's last subathon (running, paused, or the one that ended last)."""
    now = context.now()
    stored = context.ledger.read(lambda tx: rows.latest_of_room(tx, creator_id))
    return None if stored is None else _view(stored, now)


def of_room(context: EconomyContext, creator_id: UserId) -> list[Subathon]:
    """The room's subathons, the last first (at most 100)."""
    now = context.now()
    stored = context.ledger.read(lambda tx: rows.of_room(tx, creator_id, limit=LIST_MAX))
    return [_view(s, now) for s in stored]


def overlay(context: EconomyContext, room_id: UserId, last_event_id: str | None) -> OverlayState:
    """The overlay's state; ``last_event_id`` read by the caller before it."""
    subathon = current(context, room_id)
    return OverlayState(room_id, context.now(), last_event_id, subathon)


def recomputed(context: EconomyContext, subathon_id: str) -> Timer:
    """The timer folded again from its start and its recorded history."""

    def read(tx: Tx) -> Timer:
        stored = _found(tx, subathon_id)
        first = start_timer(
            at=stored.timer.started_at,
            initial_s=stored.timer.initial_s,
            cap_s=stored.timer.cap_s,
            rules=stored.start_rules,
        )
        return replay(first, [entry for _, entry in rows.history(tx, stored.id)])

    return context.ledger.read(read)


# --- gifts ----------------------------------------------------------------------------------


def on_gift(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
    """Count the gift on the room's running subathon, in the gift's transaction: each
    gift event (a streak's every increment) once, its coins by the rules in force."""
    stored = rows.latest_of_room(tx, gift.creator_id)
    if stored is None:
        return []
    at = moment(stored.timer, gift.sent_at)
    if not counts(stored.timer, at):
        return []
    entry = Counted(gift.id, at, gift.coins)
    timer, added = count_gift(stored.timer, entry)
    seq = stored.seq + 1
    if not rows.insert_counted(tx, stored.id, seq, entry, added):
        return []  # this gift event counted already
    if not rows.save_count(tx, stored, timer, seq):
        raise RecordRejectedError(
            f"subathon {stored.id} moved meanwhile; send the gift again", code="conflict"
        )
    moved = stored.moved(timer, seq)
    extra = {
        "gift_event_id": str(gift.id),
        "sender_id": gift.sender_id,
        "sender_name": gift.sender_name,
        "gift_id": gift.gift_id,
        "gift_coins": gift.coins,
        "gift_added_ns": added,
    }
    return [_event(moved, EventType.SUBATHON_EXTENDED, at, **extra)]
