"""Analytics: a creator's sessions, follows. The analytics documents themselves (series,
report, cohorts, coin flows) are the JSON of ``giftflow.analytics``, described field by
field in docs/analytics.md, and served as built."""

from __future__ import annotations

from typing import Self

from pydantic import BaseModel

from giftflow.api.schemas.common import Request, UserId
from giftflow.api.schemas.live import SessionPublic
from giftflow.live.sessions import LiveSession


class SessionList(BaseModel):
    creator_id: int
    sessions: list[SessionPublic]
    """Newest first."""

    @classmethod
    def of(cls, creator_id: int, sessions: list[LiveSession]) -> Self:
        return cls(creator_id=creator_id, sessions=[SessionPublic.of(s) for s in sessions])


class FollowCreate(Request):
    user_id: UserId
    """Who follows (the caller themself, with a user token)."""


class FollowPublic(BaseModel):
    creator_id: int
    user_id: int
    first: bool
    """True when this was the user's first follow of the creator (the one counted)."""
