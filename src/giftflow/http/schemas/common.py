"""Shared field types, times, and problem details."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Annotated, Final, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Discriminator,
    Field,
    Strict,
    StringConstraints,
)
from pydantic_core import PydanticCustomError

from giftflow import text
from giftflow.ids import GiftId
from giftflow.text import TextError

USER_ID_MAX = 4_294_967_295
"""Users' ids are unsigned 32-bit (they are packed into ledger account ids)."""
INT32_MAX = 2**31 - 1
COINS_MAX = 1_000_000_000
"""A purchase of more coins is refused before the catalog is asked."""
DIAMONDS_MAX = 1_000_000_000_000
BATCH_GIFTS_MAX = 1_000
PRINTABLE = r"^[^\x00-\x1f\x7f]*$"
"""No C0 control characters (for path parameters; bodies' texts follow ``giftflow.text``)."""
TEXT_INVALID = "text_invalid"
TOKEN = r"^[A-Za-z0-9_-]+$"


def _whole_number(value: object) -> object:
    """JSON Schema counts ``2.0`` as the integer 2; so do we, when the float is exact
    (at most 2**53). Anything else (``2.5``, ``"2"``, ``true``) is refused."""
    if isinstance(value, float) and value.is_integer() and abs(value) <= 2**53:
        return int(value)
    return value


def policed(policy: Callable[[str], str], *, max_length: int) -> AfterValidator:
    """A text checked by the Unicode policy (``giftflow.text``): refused as a field
    problem of type ``text_invalid`` (the problem's code too, when it is the only kind),
    its length checked again once normalised (NFC rarely lengthens a text)."""

    def check(value: str) -> str:
        try:
            checked = policy(value)
        except TextError as error:
            raise PydanticCustomError(TEXT_INVALID, "{detail}", {"detail": error.message}) from None
        if len(checked) > max_length:
            detail = f"{len(checked)} characters once normalised (NFC), more than {max_length}"
            raise PydanticCustomError(TEXT_INVALID, "{detail}", {"detail": detail})
        return checked

    return AfterValidator(check)


WholeNumber = BeforeValidator(_whole_number)
UserId = Annotated[int, Strict(), Field(ge=1, le=USER_ID_MAX), WholeNumber]
Name = Annotated[
    str, StringConstraints(min_length=1, max_length=128), policed(text.human, max_length=128)
]
"""A name people read (a display name): NFC, no control, bidi or invisible character."""
ClientId = Annotated[
    str,
    StringConstraints(min_length=1, max_length=128),
    policed(text.identifier, max_length=128),
]
"""An id of the caller's choosing, kept as sent: no control, bidi or invisible character."""
Reason = Annotated[
    str, StringConstraints(min_length=1, max_length=255), policed(text.human, max_length=255)
]
RegionCode = Annotated[str, StringConstraints(pattern=r"^[A-Z]{2}$")]
ProviderName = Annotated[str, StringConstraints(min_length=1, max_length=32, pattern=TOKEN)]
PackId = Annotated[str, StringConstraints(min_length=1, max_length=64, pattern=TOKEN)]


def at(timestamp_ns: int) -> datetime:
    """A ledger timestamp (ns since the epoch) as a UTC time, to the microsecond."""
    return datetime(1970, 1, 1, tzinfo=UTC) + timedelta(microseconds=timestamp_ns // 1_000)


def at_or_none(timestamp_ns: int) -> datetime | None:
    """``0`` means "not yet" in the domain's rows."""
    return at(timestamp_ns) if timestamp_ns else None


def gift_id_or_none(value: int | None) -> GiftId | None:
    """A request's optional catalog gift id as the services take it: the wire keeps
    plain ints, the edge turns each into its id type once."""
    return None if value is None else GiftId(value)


class Request(BaseModel):
    model_config = ConfigDict(extra="forbid")


BRANCH: Final = "branch:"
"""What the tag of every alternative of a request's union starts with. Pydantic names
the alternative it tried in an error's location (``body.<tag>.quantity``); the problem
drops these parts, so a location names only what the client sent (``body.quantity``)."""


def branch(name: str) -> str:
    """The tag of a union's alternative: ``Tag(branch("event"))``, and the same string
    from the union's discriminator."""
    return BRANCH + name


def two_branches(key: str, model: type[BaseModel], *, present: str, absent: str) -> Discriminator:
    """The discriminator of a union of two alternatives: ``present`` for a body (a dict)
    with ``key``, or a ``model``; ``absent`` for anything else."""

    def kind(value: object) -> str:
        if isinstance(value, dict):
            return branch(present) if key in value else branch(absent)
        return branch(present) if isinstance(value, model) else branch(absent)

    return Discriminator(kind)


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
    facts: dict[str, int | str | bool | None] | None = None
    """The numbers behind a refusal, named with their units (``available_diamonds``,
    ``minimum_minor`` with ``currency``); times (``*_at``) in RFC 3339."""


class Health(BaseModel):
    status: Literal["ok", "ready"]
