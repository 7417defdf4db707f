"""Subathon timers and gift rules: start, change, the timer's state, rules and their
firings (times as RFC 3339 in resources, nanoseconds in the overlay's state, as in
events)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict, StringConstraints

from giftflow import text as policy
from giftflow.creator.gift_rules import (
    ACTION_LENGTH_MAX,
    COOLDOWN_S_MAX,
    PAYLOAD_LENGTH_MAX,
    GiftRule,
)
from giftflow.creator.subathon import (
    ADD_S_MAX,
    COINS_MAX,
    DURATION_S_MAX,
    MS_PER_COIN_MAX,
    TIERS_MAX,
    Rules,
    SubathonState,
    Tier,
)
from giftflow.http.schemas.common import Request, WholeNumber, at, at_or_none, policed
from giftflow.service.creator.subathon import OverlayState, Subathon
from giftflow.store.subathon import Firing

SubathonId = Annotated[
    str, StringConstraints(min_length=4, max_length=40, pattern=r"^sa_[A-Za-z0-9]+$")
]
"""A subathon's id (``sa_…``)."""
Duration = Annotated[int, Strict(), Field(ge=1, le=DURATION_S_MAX), WholeNumber]
Coins = Annotated[int, Strict(), Field(ge=1, le=COINS_MAX), WholeNumber]
AddSeconds = Annotated[int, Strict(), Field(ge=0, le=ADD_S_MAX), WholeNumber]
MsPerCoin = Annotated[int, Strict(), Field(ge=0, le=MS_PER_COIN_MAX), WholeNumber]
Cooldown = Annotated[int, Strict(), Field(ge=0, le=COOLDOWN_S_MAX), WholeNumber]
GiftIdField = Annotated[int, Strict(), Field(ge=1, le=2**31 - 1), WholeNumber]
Action = Annotated[
    str,
    StringConstraints(min_length=1, max_length=ACTION_LENGTH_MAX, pattern=r"^[A-Za-z0-9_.:-]+$"),
]
Payload = Annotated[
    str,
    StringConstraints(max_length=PAYLOAD_LENGTH_MAX),
    policed(policy.human, max_length=PAYLOAD_LENGTH_MAX),
]


class TierBody(BaseModel):
    min_coins: Coins
    """A gift event of at least this many coins reaches the tier."""
    add_s: AddSeconds
    """Seconds it adds (the highest tier a gift reaches counts, alone)."""


Tiers = Annotated[list[TierBody], Field(max_length=TIERS_MAX)]


def rules_of(tiers: list[TierBody], ms_per_coin: int) -> Rules:
    return Rules(tuple(Tier(t.min_coins, t.add_s) for t in tiers), ms_per_coin)


class SubathonCreate(Request):
    initial_s: Duration
    """The time it starts with."""
    cap_s: Duration
    """The most it can ever run (the initial time and all gifts add), pauses not
    counted; at least ``initial_s``."""
    tiers: Tiers = Field(default_factory=list)
    ms_per_coin: MsPerCoin = 0
    """Milliseconds every coin adds, on top of the tier."""


class SubathonUpdate(Request):
    """New rules, for the gifts counted from now on (``subathon.updated``)."""

    tiers: Tiers
    ms_per_coin: MsPerCoin = 0


class TierPublic(BaseModel):
    min_coins: int
    add_s: int


class SubathonPublic(BaseModel):
    id: str
    room_id: int
    number: int
    """The room's subathons count 1, 2, …"""
    state: SubathonState
    """``running``, ``paused`` or ``ended`` (its time used up, or ended by hand), now."""
    started_at: datetime
    ends_at: datetime | None
    """When its time runs out at this pace; ``null`` while paused."""
    remaining_ms: int
    """Time left now, in milliseconds (rounded down)."""
    remaining_ns: int
    initial_s: int
    cap_s: int
    granted_ns: int
    """The initial time and what gifts added, at most ``cap_s``."""
    added_ns: int
    """What gifts added."""
    gifts: int
    """Gift events counted (a streak's every increment is one)."""
    coins: int
    tiers: list[TierPublic]
    ms_per_coin: int
    ended_at: datetime | None
    """When its end was recorded: by the creator, or by the sweep once its time ran
    out."""
    at: datetime
    """When this was read (the server's clock)."""

    @classmethod
    def of(cls, subathon: Subathon) -> Self:
        timer = subathon.timer
        ends_at = timer.ends_at
        return cls(
            id=subathon.id,
            room_id=subathon.creator_id,
            number=subathon.number,
            state=subathon.state,
            started_at=at(timer.started_at),
            ends_at=None if ends_at is None else at(ends_at),
            remaining_ms=subathon.remaining_ns // 1_000_000,
            remaining_ns=subathon.remaining_ns,
            initial_s=timer.initial_s,
            cap_s=timer.cap_s,
            granted_ns=timer.granted_ns,
            added_ns=timer.added_ns,
            gifts=timer.gifts,
            coins=timer.coins,
            tiers=[TierPublic(min_coins=t.min_coins, add_s=t.add_s) for t in timer.rules.tiers],
            ms_per_coin=timer.rules.ms_per_coin,
            ended_at=at_or_none(timer.ended_at or 0),
            at=at(subathon.at),
        )


class SubathonList(BaseModel):
    subathons: list[SubathonPublic]


class SubathonTimerPublic(BaseModel):
    subathon_id: str
    state: SubathonState
    ends_at: int | None
    """Nanoseconds since the epoch; ``null`` while paused."""
    remaining_ns: int
    paused: bool
    gifts: int
    added_ns: int
    cap_s: int
    granted_ns: int


class SubathonStatePublic(BaseModel):
    """The subathon overlay's state (times in nanoseconds, as the events')."""

    room_id: int
    at: int
    """When it was read: the server's clock."""
    last_event_id: str | None
    subathon: SubathonTimerPublic | None
    """The room's last subathon (running, paused or ended)."""

    @classmethod
    def of(cls, state: OverlayState) -> Self:
        subathon = state.subathon
        return cls(
            room_id=state.room_id,
            at=state.at,
            last_event_id=state.last_event_id,
            subathon=None
            if subathon is None
            else SubathonTimerPublic(
                subathon_id=subathon.id,
                state=subathon.state,
                ends_at=subathon.timer.ends_at,
                remaining_ns=subathon.remaining_ns,
                paused=subathon.timer.paused,
                gifts=subathon.timer.gifts,
                added_ns=subathon.timer.added_ns,
                cap_s=subathon.timer.cap_s,
                granted_ns=subathon.timer.granted_ns,
            ),
        )


# --- gift rules ---------------------------------------------------------------------------


class GiftRuleCreate(Request):
    """Fires on a gift event of at least ``min_coins``, of ``gift_id``, or both (one of
    them at least)."""

    action: Action
    """The name the room's listeners act on (letters, digits, ``_ . : -``)."""
    payload: Payload = ""
    min_coins: Coins | None = None
    gift_id: GiftIdField | None = None
    cooldown_s: Cooldown = 0
    """After it fired, it fires again from this many seconds later on."""


class GiftRulePublic(BaseModel):
    id: int
    room_id: int
    action: str
    payload: str
    min_coins: int | None
    gift_id: int | None
    cooldown_s: int
    fired: int
    last_fired_at: datetime | None
    created_at: datetime

    @classmethod
    def of(cls, rule: GiftRule) -> Self:
        return cls(
            id=rule.id,
            room_id=rule.creator_id,
            action=rule.action,
            payload=rule.payload,
            min_coins=rule.min_coins,
            gift_id=rule.gift_id,
            cooldown_s=rule.cooldown_s,
            fired=rule.fired,
            last_fired_at=None if rule.last_fired_at is None else at(rule.last_fired_at),
            created_at=at(rule.created_at),
        )


class GiftRuleList(BaseModel):
    rules: list[GiftRulePublic]


class FiringPublic(BaseModel):
    rule_id: int
    gift_event_id: str
    fired_at: datetime

    @classmethod
    def of(cls, firing: Firing) -> Self:
        return cls(
            rule_id=firing.rule_id,
            gift_event_id=str(firing.gift_event_id),
            fired_at=at(firing.fired_at),
        )


class FiringList(BaseModel):
    rule_id: int
    firings: list[FiringPublic]
