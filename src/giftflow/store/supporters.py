"""Supporters' rows: each supporter's coins per session and per creator (kept in the
gift's transaction), this week's supporters from the gifts themselves, and the perks a
creator attaches to supporter levels. The rules are ``giftflow.live.leaderboards`` and
``giftflow.live.levels``; the flows ``giftflow.service.live.supporters``."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from giftflow.ids import UserId
from giftflow.live.leaderboards import Support
from giftflow.live.levels import Perk, PerkKind
from giftflow.store.tx import NamedRow, Tx

_ORDER: Final = "ORDER BY coins DESC, last_at, user_id LIMIT ?"
"""The leaderboards' order: most coins first, then who got there first."""
PERK_COLUMNS: Final = "id, creator_id, level, kind, value"


def support_from(row: NamedRow) -> Support:
    return Support(
        user_id=UserId(int(row["user_id"])), coins=int(row["coins"]), last_at=int(row["last_at"])
    )


def top_of_session(tx: Tx, session_id: int, *, limit: int) -> list[Support]:
    """The session's ``limit`` biggest supporters, in leaderboard order."""
    rows = tx.named_all(
        f"SELECT user_id, coins, last_at FROM session_supporters WHERE session_id = ? {_ORDER}",
        (session_id, limit),
    )
    return [support_from(row) for row in rows]


def top_of_creator(tx: Tx, creator_id: UserId, *, limit: int) -> list[Support]:
    """The creator's ``limit`` biggest supporters of all time, in leaderboard order."""
    rows = tx.named_all(
        f"SELECT user_id, coins, last_at FROM creator_supporters WHERE creator_id = ? {_ORDER}",
        (creator_id, limit),
    )
    return [support_from(row) for row in rows]


def top_since(tx: Tx, creator_id: UserId, *, since_ns: int, limit: int) -> list[Support]:
    """The creator's ``limit`` biggest gifters since ``since_ns``, from the gifts."""
    rows = tx.named_all(
        "SELECT sender_id AS user_id, SUM(coins) AS coins, MAX(sent_at) AS last_at"
        f" FROM gifts WHERE creator_id = ? AND sent_at >= ? GROUP BY sender_id {_ORDER}",
        (creator_id, since_ns, limit),
    )
    return [support_from(row) for row in rows]


def add(
    tx: Tx, *, session_id: int, creator_id: UserId, user_id: UserId, coins: int, at_ns: int
) -> None:
    """Add a gift's coins to the supporter's totals in the session and with the creator."""
    for table, owner_column, owner in (
        ("session_supporters", "session_id", session_id),
        ("creator_supporters", "creator_id", creator_id),
    ):
        tx.execute(
            f"INSERT INTO {table} ({owner_column}, user_id, coins, last_at) VALUES (?, ?, ?, ?)"
            f" ON CONFLICT ({owner_column}, user_id) DO UPDATE"
            f" SET coins = {table}.coins + excluded.coins, last_at = excluded.last_at",
            (owner, user_id, coins, at_ns),
        )


def supporter_coins(tx: Tx, creator_id: UserId, user_id: UserId) -> int:
    """The coins the user gifted the creator in all (what their level counts)."""
    row = tx.named(
        "SELECT coins FROM creator_supporters WHERE creator_id = ? AND user_id = ?",
        (creator_id, user_id),
    )
    return 0 if row is None else int(row["coins"])


def perk_from(row: NamedRow) -> Perk:
    return Perk(
        id=row["id"],
        creator_id=row["creator_id"],
        level=row["level"],
        kind=PerkKind(row["kind"]),
        value=row["value"],
    )


def perks_of(tx: Tx, creator_id: UserId) -> list[Perk]:
    """The creator's perks, by level then age."""
    rows = tx.named_all(
        f"SELECT {PERK_COLUMNS} FROM perks WHERE creator_id = ? ORDER BY level, id", (creator_id,)
    )
    return [perk_from(row) for row in rows]


def insert_perk(tx: Tx, creator_id: UserId, *, level: int, kind: PerkKind, value: str) -> Perk:
    """A new perk the creator attaches to supporter level ``level``."""
    row = tx.named(
        "INSERT INTO perks (creator_id, level, kind, value) VALUES (?, ?, ?, ?)"
        f" RETURNING {PERK_COLUMNS}",
        (creator_id, level, str(kind), value),
    )
    assert row is not None  # INSERT … RETURNING answers the row it wrote
    return perk_from(row)


def replace_perks(
    tx: Tx, creator_id: UserId, wanted: Sequence[tuple[int, PerkKind, str]]
) -> list[Perk]:
    """The creator's perks become ``wanted`` (level, kind, value); returns them."""
    tx.execute("DELETE FROM perks WHERE creator_id = ?", (creator_id,))
    if wanted:
        tx.executemany(
            "INSERT INTO perks (creator_id, level, kind, value) VALUES (?, ?, ?, ?)",
            [(creator_id, level, str(kind), value) for level, kind, value in wanted],
        )
    return perks_of(tx, creator_id)
