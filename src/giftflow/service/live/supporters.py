"""Supporters: leaderboards (per session, this week, all time) and supporter levels
with the perks creators attach to them. Totals are kept in the gift's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta
from typing import Any

from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveError
from giftflow.live.events import EventType
from giftflow.live.leaderboards import Standing, Support, rank, top_ids
from giftflow.live.levels import Perk, PerkKind, SupporterLevel, supporter_level
from giftflow.service.economy import users
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live.context import LiveContext, event
from giftflow.service.live.names import display_names
from giftflow.store.tx import Row, Tx

_ORDER = "ORDER BY coins DESC, last_at, user_id LIMIT ?"


def _supports(rows: list[Row]) -> list[Support]:
    return [Support(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def top_in(tx: Tx, session_id: int, limit: int) -> list[Standing]:
    rows = tx.execute(
        f"SELECT user_id, coins, last_at FROM session_supporters WHERE session_id = ? {_ORDER}",
        (session_id, limit),
    ).fetchall()
    return rank(_supports(rows), limit=limit)


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


def all_time_top(context: LiveContext, creator_id: int, limit: int | None = None) -> list[Standing]:
    top = context.settings.leaderboard_top if limit is None else limit
    rows = context.read(
        lambda tx: tx.execute(
            f"SELECT user_id, coins, last_at FROM creator_supporters WHERE creator_id = ? {_ORDER}",
            (creator_id, top),
        ).fetchall()
    )
    return rank(_supports(rows), limit=top)


def week_start_ns(now: int) -> int:
    """Monday 00:00 UTC of the week that holds ``now``."""
    day = datetime.fromtimestamp(now // NS_PER_S, UTC).date()
    monday = datetime.combine(day - timedelta(days=day.weekday()), datetime.min.time(), UTC)
    return int(monday.timestamp()) * NS_PER_S


def week_top(context: LiveContext, creator_id: int, limit: int | None = None) -> list[Standing]:
    """This week's supporters (since Monday 00:00 UTC), from the gifts themselves."""
    top = context.settings.leaderboard_top if limit is None else limit
    since = week_start_ns(context.now())
    rows = context.read(
        lambda tx: tx.execute(
            "SELECT sender_id AS user_id, SUM(coins) AS coins, MAX(sent_at) AS last_at"
            f" FROM gifts WHERE creator_id = ? AND sent_at >= ? GROUP BY sender_id {_ORDER}",
            (creator_id, since, top),
        ).fetchall()
    )
    return rank(_supports(rows), limit=top)


def on_gift(tx: Tx, gift: GiftBooked, *, top: int) -> list[PendingEvent]:
    """Add the gift to the session's and the creator's totals; ``leaderboard.changed``
    when the session's ranked ids change."""
    before = top_ids(top_in(tx, gift.session_id, top))
    for table, owner_column, owner in (
        ("session_supporters", "session_id", gift.session_id),
        ("creator_supporters", "creator_id", gift.creator_id),
    ):
        tx.execute(
            f"INSERT INTO {table} ({owner_column}, user_id, coins, last_at) VALUES (?, ?, ?, ?)"
            f" ON CONFLICT ({owner_column}, user_id) DO UPDATE"
            f" SET coins = {table}.coins + excluded.coins, last_at = excluded.last_at",
            (owner, gift.sender_id, gift.coins, gift.sent_at),
        )
    after = top_in(tx, gift.session_id, top)
    if top_ids(after) == before:
        return []
    data = {"session_id": gift.session_id, "scope": "session", "top": standings_data(tx, after)}
    return [event(gift.creator_id, EventType.LEADERBOARD_CHANGED, data, gift.sent_at)]


# --- levels and perks -------------------------------------------------------------------


def _perk_of(row: Row) -> Perk:
    return Perk(row[0], row[1], row[2], PerkKind(row[3]), row[4])


def _perks(tx: Tx, creator_id: int) -> list[Perk]:
    rows = tx.execute(
        "SELECT id, creator_id, level, kind, value FROM perks WHERE creator_id = ?"
        " ORDER BY level, id",
        (creator_id,),
    ).fetchall()
    return [_perk_of(row) for row in rows]


def perks(context: LiveContext, creator_id: int) -> list[Perk]:
    return context.read(lambda tx: _perks(tx, creator_id))


def add_perk(
    context: LiveContext, creator_id: int, *, level: int, kind: PerkKind, value: str = ""
) -> Perk:
    levels = len(context.settings.level_thresholds_coins)
    if not 1 <= level <= levels:
        raise LiveError(f"a perk's level is 1..{levels}", code="perk_level_invalid")

    def add(tx: Tx) -> Perk:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        row = tx.execute(
            "INSERT INTO perks (creator_id, level, kind, value) VALUES (?, ?, ?, ?)"
            " RETURNING id, creator_id, level, kind, value",
            (creator_id, level, str(kind), value),
        ).fetchone()
        assert row is not None
        return _perk_of(row)

    return context.write(add)


def replace_perks(
    context: LiveContext, creator_id: int, wanted: Sequence[tuple[int, PerkKind, str]]
) -> list[Perk]:
    """The creator's perks become ``wanted`` (level, kind, value), all at once."""
    levels = len(context.settings.level_thresholds_coins)
    if any(not 1 <= level <= levels for level, _, _ in wanted):
        raise LiveError(f"a perk's level is 1..{levels}", code="perk_level_invalid")

    def replace(tx: Tx) -> list[Perk]:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        tx.execute("DELETE FROM perks WHERE creator_id = ?", (creator_id,))
        if wanted:
            tx.executemany(
                "INSERT INTO perks (creator_id, level, kind, value) VALUES (?, ?, ?, ?)",
                [(creator_id, level, str(kind), value) for level, kind, value in wanted],
            )
        return _perks(tx, creator_id)

    return context.write(replace)


def level(context: LiveContext, creator_id: int, user_id: int) -> SupporterLevel:
    """The supporter's level with this creator, from lifetime coins, and its perks."""

    def read(tx: Tx) -> tuple[int, list[Perk]]:
        coins = tx.scalar(
            "SELECT coins FROM creator_supporters WHERE creator_id = ? AND user_id = ?",
            (creator_id, user_id),
        )
        return int(coins or 0), _perks(tx, creator_id)

    coins, creator_perks = context.read(read)
    return supporter_level(
        creator_id=creator_id,
        user_id=user_id,
        coins=coins,
        thresholds=context.settings.level_thresholds_coins,
        perks=creator_perks,
    )
