"""Users and their tokens."""

from __future__ import annotations

from datetime import date, datetime
from enum import StrEnum
from typing import Annotated, Literal, Self

from pydantic import BaseModel, Strict

from giftflow.api.schemas.common import ClientId, Name, RegionCode, Request, UserId, at
from giftflow.economy.users import User


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
    user_id: int
    role: Role
    expires_at: datetime
