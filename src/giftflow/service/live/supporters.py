"""Supporters: leaderboards (per session, this week, all time) and supporter levels
with the perks creators attach to them. Totals are kept in the gift's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveError
from giftflow.live.events import EventType
from giftflow.live.leaderboards import Standing, rank, top_ids
from giftflow.live.levels import Perk, PerkKind, SupporterLevel, supporter_level
from giftflow.service.economy import users
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live.context import LiveContext, event
from giftflow.service.live.names import display_names
from giftflow.store import supporters as stored
from giftflow.store.tx import Tx


def top_in(tx: Tx, session_id: int, limit: int) -> list[Standing]:
    return rank(stored.top_of_session(tx, session_id, limit=limit), limit=limit)


def standings_data(tx: Tx, standings: list[Standing]) -> list[dict[str, Any]]:
    """A ``leaderboard.changed`` event's ``top``, each supporter with their name."""
    names = display_names(tx, (s.user_id for s in standings))
    return [
        {"rank": s.rank, "user_id": s.user_id, "user_name": names[s.user_id], "coins": s.coins}
        for s in standings
    ]


def session_top(context: LiveContext, session_id: int, limit: int | None = None) -> list[Standing]:
    top = context.settings.leaderboard_top if limit is None else limit
    return context.read(lambda tx: top_in(tx, session_id, top))


def all_time_top(
    context: LiveContext, creator_id: UserId, limit: int | None = None
) -> list[Standing]:
    top = context.settings.leaderboard_top if limit is None else limit
    supports = context.read(lambda tx: stored.top_of_creator(tx, creator_id, limit=top))
    return rank(supports, limit=top)


def week_start_ns(now: int) -> int:
    """Monday 00:00 UTC of the week that holds ``now``."""
    day = datetime.fromtimestamp(now // NS_PER_S, UTC).date()
    monday = datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time(), UTC)
    return int(monday.timestamp()) * NS_PER_S


def week_top(context: LiveContext, creator_id: UserId, limit: int | None = None) -> list[Standing]:
    """This week's supporters (since Monday 00:00 UTC), from the gifts themselves."""
    top = context.settings.leaderboard_top if limit is None else limit
    since = week_start_ns(context.now())
    supports = context.read(lambda tx: stored.top_since(tx, creator_id, since_ns=since, limit=top))
    return rank(supports, limit=top)


def on_gift(tx: Tx, gift: GiftBooked, *, top: int) -> list[PendingEvent]:
    """Add the gift to the session's and the creator's totals; ``leaderboard.changed``
    when the session's ranked ids change."""
    before = top_ids(top_in(tx, gift.session_id, top))
    stored.add(
        tx,
        session_id=gift.session_id,
        creator_id=gift.creator_id,
        user_id=gift.sender_id,
        coins=gift.coins,
        at_ns=gift.sent_at,
    )
    after = top_in(tx, gift.session_id, top)
    if top_ids(after) == before:
        return []
    data = {"session_id": gift.session_id, "scope": "session", "top": standings_data(tx, after)}
    return [event(gift.creator_id, EventType.LEADERBOARD_CHANGED, data, gift.sent_at)]


# --- levels and perks -------------------------------------------------------------------


def perks(context: LiveContext, creator_id: UserId) -> list[Perk]:
    return context.read(lambda tx: stored.perks_of(tx, creator_id))


def add_perk(
    context: LiveContext, creator_id: UserId, *, level: int, kind: PerkKind, value: str = ""
) -> Perk:
    levels = len(context.settings.level_thresholds_coins)
    if not 1 <= level <= levels:
        raise LiveError(f"a perk's level is 1..{levels}", code="perk_level_invalid")

    def add(tx: Tx) -> Perk:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        return stored.insert_perk(tx, creator_id, level=level, kind=kind, value=value)

    return context.write(add)


def replace_perks(
    context: LiveContext, creator_id: UserId, wanted: Sequence[tuple[int, PerkKind, str]]
) -> list[Perk]:
    """The creator's perks become ``wanted`` (level, kind, value), all at once."""
    levels = len(context.settings.level_thresholds_coins)
    if any(not 1 <= level <= levels for level, _, _ in wanted):
        raise LiveError(f"a perk's level is 1..{levels}", code="perk_level_invalid")

    def replace(tx: Tx) -> list[Perk]:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        return stored.replace_perks(tx, creator_id, wanted)

    return context.write(replace)


def level(context: LiveContext, creator_id: UserId, user_id: UserId) -> SupporterLevel:
    """The supporter's level with this creator, from lifetime coins, and its perks."""

    def read(tx: Tx) -> tuple[int, list[Perk]]:
        return stored.supporter_coins(tx, creator_id, user_id), stored.perks_of(tx, creator_id)

    coins, creator_perks = context.read(read)
    return supporter_level(
        creator_id=creator_id,
        user_id=user_id,
        coins=coins,
        thresholds=context.settings.level_thresholds_coins,
        perks=creator_perks,
    )
