"""Analytics: a creator's sessions, follows. The analytics documents themselves (series,
report, cohorts, coin flows) are the JSON of ``giftflow.analytics``, described field by
field in docs/analytics.md, and served as built."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict

from giftflow.http.schemas.common import Request, UserId, WholeNumber
from giftflow.http.schemas.live import SessionPublic
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


class ReportLinkCreate(Request):
    expires_in_s: Annotated[int, Strict(), Field(ge=60, le=86_400), WholeNumber] | None = None
    """How long the link lives: ``GIFTFLOW_REPORT_LINK_TTL_S`` (an hour) by default, a
    day at most."""


class ReportLinkPublic(BaseModel):
    """A link that opens the session's report page in a browser, without headers. The
    URL holds a credential (read-only, this report only): share it like a password."""

    link_id: str
    """What revoking it names (``rl_`` and 28 hex digits)."""
    session_id: int
    url: str
    expires_at: datetime


class ReportLinkRevokedPublic(BaseModel):
    link_id: str
    revoked: bool
    """False: it was revoked already."""
