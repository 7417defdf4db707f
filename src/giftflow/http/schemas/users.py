"""Users and their tokens."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Field, Strict

from giftflow.economy.users import User
from giftflow.http.schemas.common import ClientId, Name, RegionCode, Request, UserId, at


class UserCreate(Request):
    external_id: ClientId
    """The platform's own id for the user; registering it again with the same
    details returns the user registered first."""
    display_name: Name
    birth_date: date
    region: RegionCode
    is_creator: Annotated[bool, Strict()] = False
    identity_verified: Annotated[bool, Strict()] = False


class UserUpdate(Request):
    is_creator: Annotated[bool, Strict()] | None = None
    identity_verified: Annotated[bool, Strict()] | None = None


class UserPublic(BaseModel):
    id: int
    external_id: str
    display_name: str
    birth_date: date
    region: str
    is_creator: bool
    identity_verified: bool
    created_at: datetime

    @classmethod
    def of(cls, user: User) -> Self:
        return cls(
            id=user.id,
            external_id=user.external_id,
            display_name=user.display_name,
            birth_date=user.birth_date,
            region=user.region,
            is_creator=user.is_creator,
            identity_verified=user.identity_verified,
            created_at=at(user.created_at),
        )


class Role(StrEnum):
    VIEWER = "viewer"
    CREATOR = "creator"
    ADMIN = "admin"


class TokenCreate(Request):
    user_id: UserId
    role: Role = Role.VIEWER


class TokenPublic(BaseModel):
    token: str
    token_type: Literal["bearer"] = "bearer"
    token_id: str
    """What revoking this one token names (``POST /v1/tokens/revoke``)."""
    user_id: int
    role: Role
    expires_at: datetime


TokenId = Annotated[str, Field(pattern=r"^[0-9a-f]{32}$")]


class TokenRevoke(Request):
    token_id: TokenId | None = None
    """The token to revoke; none: the token this request is sent with."""


class TokenRevokedPublic(BaseModel):
    token_id: str
    revoked: bool
    """False when it was revoked already."""


class UserTokensRevokedPublic(BaseModel):
    user_id: int
    not_before: datetime
    """Every token of the user issued before this time is refused."""


class SignInRole(StrEnum):
    CREATOR = "creator"
    ADMIN = "admin"


class SignInLinkCreate(Request):
    user_id: UserId
    role: SignInRole = SignInRole.CREATOR


class SignInLinkPublic(BaseModel):
    url: str
    """Open once, within ``expires_at``, in the person's browser: the dashboard asks
    them to confirm, then signs them in (the code is used up)."""
    user_id: int
    role: SignInRole
    expires_at: datetime
