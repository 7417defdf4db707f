"""Gifts' and streaks' rows: a gift as booked (``GiftSent``, the read model), writing
a job's gifts in one statement, the streak compare-and-sets (start, advance, end, the
timeout sweep), and what a clawback reads and reverses of a buyer's gifts. The rules are
``giftflow.economy.gifting`` and ``streaks``; the flows ``giftflow.service.economy``
(``gifting``, ``gift_jobs``, ``streaks``, ``clawbacks``); the coins and diamonds are in
the ledger's accounts."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.economy.chargebacks import SpentGift
from giftflow.economy.streaks import Streak
from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import TransferId
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = (
    "id, sender_id, creator_id, gift_id, quantity, repeat_count, streak_id, coins,"
    " diamond_units, session_id, sent_at"
)
_INSERT: Final = (
    f"INSERT INTO gifts ({COLUMNS}, share_bps, matures_at) VALUES ({', '.join('?' * 13)})"
)
STREAK_COLUMNS: Final = (
    "id, sender_id, creator_id, gift_id, repeat_count, started_at, last_at, ended_at, end_reason"
)


@dataclass(frozen=True, slots=True)
class GiftSent:
    """A gift as booked. ``quantity`` is the delta this event added: count it, and a
    streak is counted exactly once."""

    id: TransferId
    """The gift's coin transfer's id: a sent gift, not the catalog's ``gift_id``."""
    sender_id: UserId
    creator_id: UserId
    gift_id: GiftId
    quantity: int
    repeat_count: int
    streak_id: str | None
    coins: int
    diamond_units: int
    session_id: int
    sent_at: UnixNs
    replayed: bool = False


@dataclass(frozen=True, slots=True)
class NewGift:
    """A gift's row to write: the gift, its streak's key (the sender's and the client's
    streak id), the revenue share it was booked at and when its diamonds mature."""

    gift: GiftSent
    streak_key: str | None
    share_bps: int
    matures_at: UnixNs


def gift_from(row: NamedRow) -> GiftSent:
    """A ``GiftSent`` from a row of ``COLUMNS``, read by name (the client's streak id
    out of the stored key)."""
    streak = row["streak_id"].split(":", 1)[1] if row["streak_id"] else None
    return GiftSent(
        id=row["id"],
        sender_id=row["sender_id"],
        creator_id=row["creator_id"],
        gift_id=row["gift_id"],
        quantity=row["quantity"],
        repeat_count=row["repeat_count"],
        streak_id=streak,
        coins=row["coins"],
        diamond_units=row["diamond_units"],
        session_id=row["session_id"] or 0,
        sent_at=row["sent_at"],
    )


def streak_from(row: NamedRow) -> Streak:
    """A ``Streak`` from a row of ``STREAK_COLUMNS``, read by name."""
    return Streak(
        id=row["id"],
        sender_id=row["sender_id"],
        creator_id=row["creator_id"],
        gift_id=row["gift_id"],
        repeat_count=row["repeat_count"],
        started_at=row["started_at"],
        last_at=row["last_at"],
        ended_at=row["ended_at"],
        end_reason=row["end_reason"],
    )


# --- gifts ------------------------------------------------------------------------


def by_id(tx: Tx, sent_gift_id: TransferId) -> GiftSent | None:
    """The gift booked with this id (its coin transfer's), or ``None``."""
    row = tx.named(f"SELECT {COLUMNS} FROM gifts WHERE id = ?", (sent_gift_id,))
    return None if row is None else gift_from(row)


def by_ids(tx: Tx, sent_gift_ids: Sequence[TransferId]) -> dict[TransferId, GiftSent]:
    """The gifts of these ids booked already, in one statement."""
    if not sent_gift_ids:
        return {}
    clause, parameter = tx.any_of(list(dict.fromkeys(sent_gift_ids)))
    rows = tx.named_all(f"SELECT {COLUMNS} FROM gifts WHERE id {clause}", (parameter,))
    return {row["id"]: gift_from(row) for row in rows}


def _row(new: NewGift) -> tuple[object, ...]:
    gift = new.gift
    return (
        gift.id,
        gift.sender_id,
        gift.creator_id,
        gift.gift_id,
        gift.quantity,
        gift.repeat_count,
        new.streak_key,
        gift.coins,
        gift.diamond_units,
        gift.session_id or None,
        gift.sent_at,
        new.share_bps,
        new.matures_at,
    )


def insert(tx: Tx, new: NewGift) -> None:
    """Write one gift's row."""
    tx.execute(_INSERT, _row(new))


def insert_many(tx: Tx, gifts: Sequence[NewGift]) -> None:
    """Write many gifts' rows in one statement."""
    tx.executemany(_INSERT, [_row(new) for new in gifts])


def creators_maturing_from(tx: Tx, sender_id: UserId, *, since_ns: int) -> list[UserId]:
    """The creators of the sender's gifts since ``since_ns`` whose diamonds have not
    matured and are not reversed in full."""
    rows = tx.named_all(
        "SELECT DISTINCT creator_id FROM gifts WHERE sender_id = ? AND sent_at >= ?"
        " AND matured_at = 0 AND reversed_coins < coins",
        (sender_id, since_ns),
    )
    return [UserId(int(row["creator_id"])) for row in rows]


def spent_since(tx: Tx, sender_id: UserId, *, since_ns: int) -> list[SpentGift]:
    """The sender's gifts since ``since_ns`` not reversed in full, newest first (10,000
    at most): what a clawback may take back."""
    rows = tx.named_all(
        "SELECT id, creator_id, coins, reversed_coins, share_bps, matured_at FROM gifts"
        " WHERE sender_id = ? AND sent_at >= ? AND reversed_coins < coins"
        " ORDER BY sent_at DESC, id DESC LIMIT 10000",
        (sender_id, since_ns),
    )
    return [
        SpentGift(
            gift_row_id=row["id"],
            creator_id=row["creator_id"],
            coins=row["coins"],
            reversed_coins=row["reversed_coins"],
            share_bps=row["share_bps"],
            matured=row["matured_at"] != 0,
        )
        for row in rows
    ]


def reverse(tx: Tx, sent_gift_id: TransferId, *, coins: int) -> bool:
    """The compare-and-set of a reversal: ``coins`` more of an unmatured gift reversed;
    False when it matured meanwhile (or that would reverse more than it cost)."""
    tx.execute(
        "UPDATE gifts SET reversed_coins = reversed_coins + ?"
        " WHERE id = ? AND matured_at = 0 AND reversed_coins + ? <= coins",
        (coins, sent_gift_id, coins),
    )
    return tx.rowcount == 1


# --- streaks ----------------------------------------------------------------------


def streaks_by_ids(tx: Tx, keys: Sequence[str]) -> dict[str, Streak]:
    """The streaks of these keys that exist, in one statement."""
    if not keys:
        return {}
    clause, parameter = tx.any_of(list(dict.fromkeys(keys)))
    rows = tx.named_all(f"SELECT {STREAK_COLUMNS} FROM streaks WHERE id {clause}", (parameter,))
    return {row["id"]: streak_from(row) for row in rows}


def streak(tx: Tx, key: str) -> Streak | None:
    """The streak of this key, or ``None``."""
    row = tx.named(f"SELECT {STREAK_COLUMNS} FROM streaks WHERE id = ?", (key,))
    return None if row is None else streak_from(row)


def start_streak(tx: Tx, started: Streak) -> bool:
    """Write a streak's first event; False when another event started it first."""
    tx.execute(
        f"INSERT INTO streaks ({STREAK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)"
        " ON CONFLICT (id) DO NOTHING",
        (
            started.id,
            started.sender_id,
            started.creator_id,
            started.gift_id,
            started.repeat_count,
            started.started_at,
            started.last_at,
        ),
    )
    return tx.rowcount == 1


def advance_streak(tx: Tx, key: str, *, expected_count: int, count: int, now_ns: int) -> bool:
    """The compare-and-set of a streak's count: from ``expected_count`` to ``count``,
    while it runs; False when it moved on or ended meanwhile."""
    tx.execute(
        "UPDATE streaks SET repeat_count = ?, last_at = ?"
        " WHERE id = ? AND repeat_count = ? AND ended_at = 0",
        (count, now_ns, key, expected_count),
    )
    return tx.rowcount == 1


def end_streak(tx: Tx, key: str, *, now_ns: int) -> bool:
    """End a running streak on the client's word; False when it was not running."""
    tx.execute(
        "UPDATE streaks SET ended_at = ?, end_reason = 'ended' WHERE id = ? AND ended_at = 0",
        (now_ns, key),
    )
    return tx.rowcount == 1


def end_stale_streaks(tx: Tx, *, now_ns: int, last_before_ns: int) -> list[Streak]:
    """End the running streaks whose last event was at ``last_before_ns`` or earlier
    (``timeout``); the streaks ended, by key."""
    rows = tx.named_all(
        "UPDATE streaks SET ended_at = ?, end_reason = 'timeout'"
        f" WHERE ended_at = 0 AND last_at <= ? RETURNING {STREAK_COLUMNS}",
        (now_ns, last_before_ns),
    )
    return sorted(map(streak_from, rows), key=lambda ended: ended.id)


def last_session(tx: Tx, key: str) -> int | None:
    """The session of the streak's last gift (``None`` outside LIVE)."""
    session_id = tx.scalar(
        "SELECT session_id FROM gifts WHERE streak_id = ? ORDER BY sent_at DESC LIMIT 1",
        (key,),
    )
    return int(session_id) if session_id else None
