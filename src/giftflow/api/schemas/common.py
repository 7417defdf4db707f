"""Shared field types, times, and problem details."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, Strict, StringConstraints

USER_ID_MAX = 4_294_967_295
"""Users' ids are unsigned 32-bit (they are packed into ledger account ids)."""
INT32_MAX = 2**31 - 1
COINS_MAX = 1_000_000_000
"""A purchase of more coins is refused before the catalog is asked."""
DIAMONDS_MAX = 1_000_000_000_000
BATCH_GIFTS_MAX = 1_000
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""No control characters (PostgreSQL refuses NUL in text; none belongs in a name)."""
TOKEN = r"^[A-Za-z0-9_-]+$"


def _whole_number(value: object) -> object:
    """JSON Schema counts ``2.0`` as the integer 2; so do we, when the float is exact
    (at most 2**53). Anything else (``2.5``, ``"2"``, ``true``) is refused."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


WholeNumber = BeforeValidator(_whole_number)
UserId = Annotated[int, Strict(), Field(ge=1, le=USER_ID_MAX), WholeNumber]
Name = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PRINTABLE)]
ClientId = Annotated[str, StringConstraints(min_length=1, max_length=128, pattern=PRINTABLE)]
Reason = Annotated[str, StringConstraints(min_length=1, max_length=255, pattern=PRINTABLE)]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
ProviderName = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=TOKEN)]
PackId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=TOKEN)]


def at(timestamp_ns: int) -> datetime:
    """A ledger timestamp (ns since the epoch) as a UTC time, to the microsecond."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=timestamp_ns // 1_000)


def at_or_none(timestamp_ns: int) -> datetime | None:
    """``0`` means "not yet" in the domain's rows."""
    return at(timestamp_ns) if timestamp_ns else None


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


class FieldProblem(BaseModel):
    location: str
    """Where: ``body.gifts.3.quantity``, ``query.region``, ``header.idempotency-key``."""
    message: str
    type: str


class Problem(BaseModel):
    """RFC 9457 problem details, with giftflow's stable ``code``."""

    type: str
    title: str
    status: int
    detail: str
    code: str
    instance: str | None = None
    errors: list[FieldProblem] | None = None


class Health(BaseModel):
    status: Literal["ok", "ready"]
