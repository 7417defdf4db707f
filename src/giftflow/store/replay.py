"""What a replay reads back from the books for its report and the demo's tables: the
session's stored gift events, the purchases that minted coins, the viewers, and the
supporters by coins. Rows are read by column name; every value is a stored one."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class SessionGifts:
    """The gift events a session holds."""

    events: int
    """Gift events booked (a streak's repeats each one)."""
    gifts: int
    """Gifts counted: the events' quantities (a streak of n counts n, once)."""
    coins: int
    streaks: int


@dataclass(frozen=True, slots=True)
class ChannelPurchases:
    """The purchases that minted coins (every status but ``created``) on one channel."""

    channel: str
    count: int
    amount_minor: int
    coins: int


@dataclass(frozen=True, slots=True)
class Supporter:
    external_id: str
    coins: int


def session_gifts(tx: Tx, session_id: int) -> SessionGifts:
    row = tx.named(
        "SELECT COUNT(*) AS events, COALESCE(SUM(quantity), 0) AS gifts,"
        " COALESCE(SUM(coins), 0) AS coins, COUNT(DISTINCT streak_id) AS streaks"
        " FROM gifts WHERE session_id = ?",
        (session_id,),
    )
    assert row is not None, "an aggregate answers one row"
    return SessionGifts(
        events=int(row["events"]),
        gifts=int(row["gifts"]),
        coins=int(row["coins"]),
        streaks=int(row["streaks"]),
    )


def purchases_by_channel(tx: Tx) -> list[ChannelPurchases]:
    """Per channel, in the channels' order by name."""
    rows = tx.named_all(
        "SELECT channel, COUNT(*) AS purchases, SUM(amount_minor) AS amount_minor,"
        " SUM(coins) AS coins FROM payments WHERE status <> 'created'"
        " GROUP BY channel ORDER BY channel"
    )
    return [
        ChannelPurchases(
            channel=str(row["channel"]),
            count=int(row["purchases"]),
            amount_minor=int(row["amount_minor"]),
            coins=int(row["coins"]),
        )
        for row in rows
    ]


def viewers_count(tx: Tx) -> int:
    """The registered users who are not creators."""
    row = tx.named("SELECT COUNT(*) AS viewers FROM users WHERE NOT is_creator")
    assert row is not None, "an aggregate answers one row"
    return int(row["viewers"])


def supporters(tx: Tx, session_id: int) -> list[Supporter]:
    """Every sender of the session's gifts with the coins they gave, in no order."""
    rows = tx.named_all(
        "SELECT u.external_id AS external_id, SUM(g.coins) AS coins"
        " FROM gifts g JOIN users u ON u.id = g.sender_id"
        " WHERE g.session_id = ? GROUP BY u.external_id",
        (session_id,),
    )
    return [Supporter(str(row["external_id"]), int(row["coins"])) for row in rows]
