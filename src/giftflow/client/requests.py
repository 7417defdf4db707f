"""What a caller sends that has more than one shape: gift events, chapter plans, perks.

Each is a frozen dataclass with ``to_json``: the body the API takes, with the fields left
at ``None`` omitted so the server's defaults apply.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

ChapterKind = Literal["hook", "value", "community", "goal", "battle", "outro", "segment"]
PerkKind = Literal["badge", "qa_priority"]


def without_none(**fields: Any) -> dict[str, Any]:
    return {name: value for name, value in fields.items() if value is not None}


def milestone_rule(
    kind: str, template: str | None = None, thresholds: Sequence[int] = ()
) -> dict[str, Any]:
    """One rule of a milestone channel (``create_milestone_channel(rules=…)``):
    ``template`` with the kind's placeholders (its default when None); ``thresholds``
    for ``followers_reached`` (counts) and ``supporter_level_reached`` (levels)."""
    return without_none(kind=kind, template=template, thresholds=list(thresholds))


@dataclass(frozen=True, slots=True, kw_only=True)
class GiftEvent:
    """One gift event: ``event_id`` (and ``quantity``) for a single event, or
    ``streak_id`` with the streak's running ``repeat_count`` for a combo. Either way a
    retried event is booked once."""

    sender_id: int
    creator_id: int
    gift_id: int
    event_id: str | None = None
    quantity: int | None = None
    streak_id: str | None = None
    repeat_count: int | None = None
    session_id: int | None = None
    """The LIVE it was sent in: moves its goals, battle and leaderboard."""

    def __post_init__(self) -> None:
        if (self.event_id is None) == (self.streak_id is None):
            raise ValueError("a gift event has an event_id or a streak_id, not both or none")
        if self.streak_id is not None and (self.repeat_count is None or self.quantity is not None):
            raise ValueError("a streak event has a repeat_count and no quantity")

    def to_json(self) -> dict[str, Any]:
        body = without_none(
            sender_id=self.sender_id,
            creator_id=self.creator_id,
            gift_id=self.gift_id,
            session_id=self.session_id,
            event_id=self.event_id,
            quantity=self.quantity,
        )
        if self.streak_id is not None:
            body["streak"] = {"id": self.streak_id, "repeat_count": self.repeat_count}
        return body


@dataclass(frozen=True, slots=True, kw_only=True)
class ChapterPlan:
    kind: ChapterKind
    planned_s: int
    title: str | None = None

    def to_json(self) -> dict[str, Any]:
        return without_none(kind=self.kind, planned_s=self.planned_s, title=self.title)


@dataclass(frozen=True, slots=True, kw_only=True)
class Perk:
    level: int
    kind: PerkKind
    value: str | None = None

    def to_json(self) -> dict[str, Any]:
        return without_none(level=self.level, kind=self.kind, value=self.value)


@dataclass(frozen=True, slots=True, kw_only=True)
class Tier:
    """A subathon's tier: a gift event of at least ``min_coins`` adds ``add_s`` seconds."""

    min_coins: int
    add_s: int

    def to_json(self) -> dict[str, Any]:
        return {"min_coins": self.min_coins, "add_s": self.add_s}
