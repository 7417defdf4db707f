"""What a room's overlays show, read at once: the live session, its goals, its
leaderboard, the room's newest battle, and the id of the newest event already counted.

An overlay that lost its place in the event stream (a resync) loads this and resumes
the WebSocket after ``last_event_id``. The id is read before the state, so no event
published after the state is missed; it is read again after, and the whole read is
repeated while the two differ, so that an event published during the read is not
delivered on top of a state that already counts it. Events are published after their
transaction commits, so one committed just before the read but not yet published may
still arrive once more: the events that carry state (goals, battle sides, the
leaderboard's top) carry absolute values, and applying one twice changes nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.live.battles import Battle
from giftflow.live.goals import Goal
from giftflow.live.leaderboards import Standing
from giftflow.live.sessions import LiveSession
from giftflow.service.live import battles, supporters
from giftflow.service.live.context import LiveContext
from giftflow.service.live.names import display_names
from giftflow.store import battles as stored_battles
from giftflow.store import goals as stored_goals
from giftflow.store import sessions as stored_sessions
from giftflow.store.tx import Tx

READ_ATTEMPTS: Final = 3
"""Reads while events keep arriving; the last one is answered whatever came during it."""


@dataclass(frozen=True, slots=True)
class OverlayState:
    room_id: UserId
    at: int
    """When it was read: nanoseconds on the economy's clock."""
    session: LiveSession | None
    """The room's live session; ``None`` while it is offline."""
    goals: list[Goal]
    """The live session's goals, oldest first (empty while offline)."""
    leaderboard: list[Standing]
    """The live session's top ``LiveSettings.leaderboard_top`` supporters."""
    battle: Battle | None
    """The room's newest battle: the running one, or the last that ended."""
    last_event_id: str | None
    """The newest event of the room this state already counts (``None``: none yet)."""
    names: dict[UserId, str]
    """Display names of the users it mentions: the leaderboard's supporters and the
    battle's creators."""


def _live_session(tx: Tx, room_id: UserId) -> LiveSession | None:
    return stored_sessions.live_of(tx, room_id)


def _newest_battle(tx: Tx, room_id: UserId) -> Battle | None:
    battle_id = stored_battles.newest_of_room(tx, room_id)
    return None if battle_id is None else battles.find(tx, battle_id)


def _read(context: LiveContext, room_id: UserId, last_event_id: str | None) -> OverlayState:
    top = context.settings.leaderboard_top

    def read(tx: Tx) -> OverlayState:
        session = _live_session(tx, room_id)
        leaderboard = [] if session is None else supporters.top_in(tx, session.id, top)
        battle = _newest_battle(tx, room_id)
        mentioned = [s.user_id for s in leaderboard]
        mentioned += [] if battle is None else [side.creator_id for side in battle.sides]
        return OverlayState(
            room_id=room_id,
            at=context.now(),
            session=session,
            goals=[] if session is None else stored_goals.of_session(tx, session.id),
            leaderboard=leaderboard,
            battle=battle,
            last_event_id=last_event_id,
            names=display_names(tx, mentioned),
        )

    return context.read(read)


def state(context: LiveContext, room_id: UserId) -> OverlayState:
    before = context.bus.last_id(room_id)
    for _ in range(READ_ATTEMPTS - 1):
        read = _read(context, room_id, before)
        after = context.bus.last_id(room_id)
        if after == before:
            return read
        before = after
    return _read(context, room_id, before)
