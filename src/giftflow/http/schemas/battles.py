"""Battles and the invitations that start them."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, Strict

from giftflow.http.schemas.common import Request, WholeNumber, at, at_or_none
from giftflow.http.schemas.live import SESSIONS_PER_BATTLE_MAX, Seconds
from giftflow.ledger.limits import INT64_MAX
from giftflow.live.battles import Battle, Booster, Side
from giftflow.live.invitations import TTL_S_MAX, Answer, Invitation, InvitationState

SessionId = Annotated[int, Strict(), Field(ge=1, le=INT64_MAX), WholeNumber]


class BattleCreate(Request):
    session_ids: Annotated[list[SessionId], Field(min_length=2, max_length=SESSIONS_PER_BATTLE_MAX)]
    duration_s: Seconds | None = None
    """300 by default."""


class BoosterCreate(Request):
    session_id: SessionId
    multiplier: Annotated[int, Strict(), Field(ge=2, le=5), WholeNumber] = 2
    duration_s: Seconds | None = None
    """30 by default; cut at the battle's end."""


class BoosterPublic(BaseModel):
    multiplier: int
    started_at: datetime
    ends_at: datetime

    @classmethod
    def of(cls, booster: Booster) -> Self:
        return cls(
            multiplier=booster.multiplier,
            started_at=at(booster.started_at),
            ends_at=at(booster.ends_at),
        )


class SidePublic(BaseModel):
    session_id: int
    creator_id: int
    score: int
    booster: BoosterPublic | None

    @classmethod
    def of(cls, side: Side) -> Self:
        booster = None if side.booster is None else BoosterPublic.of(side.booster)
        return cls(
            session_id=side.session_id,
            creator_id=side.creator_id,
            score=side.score,
            booster=booster,
        )


class BattlePublic(BaseModel):
    id: int
    state: Literal["running", "ended"]
    started_at: datetime
    ends_at: datetime
    ended_at: datetime | None
    winner_session_id: int | None
    """``null`` while running, and for a draw."""
    sides: list[SidePublic]

    @classmethod
    def of(cls, battle: Battle) -> Self:
        return cls(
            id=battle.id,
            state="running" if battle.ended_at is None else "ended",
            started_at=at(battle.started_at),
            ends_at=at(battle.ends_at),
            ended_at=at_or_none(battle.ended_at or 0),
            winner_session_id=battle.winner_session_id,
            sides=[SidePublic.of(side) for side in battle.sides],
        )


# --- invitations -------------------------------------------------------------------------


class InvitationCreate(Request):
    session_id: SessionId
    """The inviter's live session."""
    invitee_session_ids: Annotated[
        list[SessionId], Field(min_length=1, max_length=SESSIONS_PER_BATTLE_MAX - 1)
    ]
    """The live sessions invited (their hosts answer)."""
    duration_s: Seconds | None = None
    """The battle's, once every invitee accepted: 300 by default."""
    expires_in_s: Annotated[int, Strict(), Field(ge=1, le=TTL_S_MAX), WholeNumber] | None = None
    """How long the invitation waits for its answers: 60 by default."""


class InvitationAnswer(Request):
    session_id: SessionId
    """The invited session answering (its host, or a writer on the host's behalf)."""


class InviteePublic(BaseModel):
    session_id: int
    creator_id: int
    answer: Answer
    answered_at: datetime | None


class InvitationPublic(BaseModel):
    id: int
    session_id: int
    """The inviter's session."""
    creator_id: int
    state: InvitationState
    """``expired`` once ``expires_at`` passed unanswered."""
    duration_s: int
    created_at: datetime
    expires_at: datetime
    decided_at: datetime | None
    battle_id: int | None
    """The battle it started, once ``accepted``."""
    invitees: list[InviteePublic]

    @classmethod
    def of(cls, invitation: Invitation, now: int) -> Self:
        return cls(
            id=invitation.id,
            session_id=invitation.session_id,
            creator_id=invitation.creator_id,
            state=invitation.state_at(now),
            duration_s=invitation.duration_s,
            created_at=at(invitation.created_at),
            expires_at=at(invitation.expires_at),
            decided_at=at_or_none(invitation.decided_at or 0),
            battle_id=invitation.battle_id,
            invitees=[
                InviteePublic(
                    session_id=i.session_id,
                    creator_id=i.creator_id,
                    answer=i.answer,
                    answered_at=at_or_none(i.answered_at or 0),
                )
                for i in invitation.invitees
            ],
        )


class InvitationList(BaseModel):
    invitations: list[InvitationPublic]
    """Pending ones, oldest first."""
