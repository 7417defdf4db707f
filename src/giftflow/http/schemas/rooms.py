"""Rooms: the read-only tokens their overlays listen with, and the state they show."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Literal, Self

from pydantic import BaseModel

from giftflow.ids import UserId
from giftflow.live.battles import Battle, Side
from giftflow.live.goals import Goal, GoalKind, GoalState
from giftflow.live.leaderboards import Standing
from giftflow.live.sessions import LiveSession
from giftflow.service.live import OverlayState


class RoomTokenPublic(BaseModel):
    token: str
    """Goes in the WebSocket URL: ``/v1/rooms/{room_id}/events?token=...``."""
    room_id: int
    scope: Literal["room:read"] = "room:read"
    generation: int
    """The room's token generation: revoking the room's tokens starts the next."""
    expires_at: datetime


class RoomTokensRevokedPublic(BaseModel):
    room_id: int
    generation: int
    """The generation now in force: tokens issued from now on carry it."""


# --- the overlay state: shaped like the events' data (docs/events.md), times in ns -------


class OverlaySessionPublic(BaseModel):
    session_id: int
    title: str
    started_at: int
    """Nanoseconds since the epoch, as in the events."""

    @classmethod
    def of(cls, session: LiveSession) -> Self:
        return cls(session_id=session.id, title=session.title, started_at=session.started_at)


class OverlayGoalPublic(BaseModel):
    """A ``goal.progress`` event's data, less ``added`` and ``sender_id``."""

    goal_id: int
    session_id: int
    kind: GoalKind
    target: int
    gift_id: int | None
    promise: str
    deadline_at: int | None
    progress: int
    state: GoalState

    @classmethod
    def of(cls, goal: Goal) -> Self:
        return cls(
            goal_id=goal.id,
            session_id=goal.session_id,
            kind=goal.kind,
            target=goal.target,
            gift_id=goal.gift_id,
            promise=goal.promise,
            deadline_at=goal.deadline_at,
            progress=goal.progress,
            state=goal.state,
        )


class OverlayStandingPublic(BaseModel):
    rank: int
    user_id: int
    user_name: str
    """The supporter's display name."""
    coins: int


class OverlayLeaderboardPublic(BaseModel):
    """A ``leaderboard.changed`` event's data."""

    session_id: int
    scope: Literal["session"] = "session"
    top: list[OverlayStandingPublic]

    @classmethod
    def of(cls, session_id: int, standings: list[Standing], names: Mapping[UserId, str]) -> Self:
        top = [
            OverlayStandingPublic(
                rank=s.rank, user_id=s.user_id, user_name=names[s.user_id], coins=s.coins
            )
            for s in standings
        ]
        return cls(session_id=session_id, top=top)


class OverlayBoosterPublic(BaseModel):
    multiplier: int
    started_at: int
    ends_at: int


class OverlaySidePublic(BaseModel):
    session_id: int
    creator_id: int
    creator_name: str
    """The side's creator's display name."""
    score: int
    booster: OverlayBoosterPublic | None

    @classmethod
    def of(cls, side: Side, names: Mapping[UserId, str]) -> Self:
        booster = side.booster
        return cls(
            session_id=side.session_id,
            creator_id=side.creator_id,
            creator_name=names[side.creator_id],
            score=side.score,
            booster=None
            if booster is None
            else OverlayBoosterPublic(
                multiplier=booster.multiplier,
                started_at=booster.started_at,
                ends_at=booster.ends_at,
            ),
        )


class OverlayBattlePublic(BaseModel):
    """A ``battle.score`` event's data (running) or a ``battle.ended`` one's, less MVPs."""

    battle_id: int
    started_at: int
    ends_at: int
    ended_at: int | None
    """``null`` while it runs."""
    winner_session_id: int | None
    winner_creator_id: int | None
    draw: bool
    """An ended battle without a winner; ``false`` while it runs."""
    sides: list[OverlaySidePublic]

    @classmethod
    def of(cls, battle: Battle, names: Mapping[UserId, str]) -> Self:
        won = battle.side(battle.winner_session_id) if battle.winner_session_id else None
        return cls(
            battle_id=battle.id,
            started_at=battle.started_at,
            ends_at=battle.ends_at,
            ended_at=battle.ended_at,
            winner_session_id=battle.winner_session_id,
            winner_creator_id=None if won is None else won.creator_id,
            draw=battle.is_over and won is None,
            sides=[OverlaySidePublic.of(side, names) for side in battle.sides],
        )


class OverlayStatePublic(BaseModel):
    room_id: int
    at: int
    """When the state was read: nanoseconds on the server's clock (as an event's ``at``)."""
    last_event_id: str | None
    """The newest event of the room this state counts: connect the WebSocket with
    ``last_event_id`` set to it (``null``: no event yet, connect from the start)."""
    session: OverlaySessionPublic | None
    """The live session; ``null`` while the room is offline."""
    goals: list[OverlayGoalPublic]
    """The live session's goals, oldest first."""
    leaderboard: OverlayLeaderboardPublic | None
    """The live session's top supporters; ``null`` while offline."""
    battle: OverlayBattlePublic | None
    """The room's newest battle: running, or the last one that ended."""

    @classmethod
    def of(cls, state: OverlayState) -> Self:
        session = state.session
        return cls(
            room_id=state.room_id,
            at=state.at,
            last_event_id=state.last_event_id,
            session=None if session is None else OverlaySessionPublic.of(session),
            goals=[OverlayGoalPublic.of(goal) for goal in state.goals],
            leaderboard=None
            if session is None
            else OverlayLeaderboardPublic.of(session.id, state.leaderboard, state.names),
            battle=None
            if state.battle is None
            else OverlayBattlePublic.of(state.battle, state.names),
        )
