"""Battles' rows: the battle, its sides (score and booster) and each side's supporters'
points. The rules are ``giftflow.live.battles``; the flows (start, boost, score, end)
``giftflow.service.live.battles``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.live.battles import Battle, Booster, Side
from giftflow.live.leaderboards import Support
from giftflow.store.tx import NamedRow, Tx

COLUMNS: Final = "id, started_at, ends_at, ended_at, winner_session_id"
SIDE_COLUMNS: Final = (
    "session_id, creator_id, score, booster_multiplier, booster_started_at, booster_ends_at"
)


@dataclass(frozen=True, slots=True)
class DueBattle:
    """A running battle whose time is up."""

    id: int
    ends_at: UnixNs
    """When its time was up (nanoseconds since the epoch)."""


def side_from(row: NamedRow) -> Side:
    booster = None
    if row["booster_multiplier"]:  # 0: the side has not used its booster
        booster = Booster(
            multiplier=row["booster_multiplier"],
            started_at=row["booster_started_at"],
            ends_at=row["booster_ends_at"],
        )
    return Side(
        session_id=row["session_id"],
        creator_id=row["creator_id"],
        score=row["score"],
        booster=booster,
    )


def battle_from(row: NamedRow, sides: Sequence[NamedRow]) -> Battle:
    return Battle(
        id=row["id"],
        started_at=row["started_at"],
        ends_at=row["ends_at"],
        ended_at=row["ended_at"] or None,  # 0 while it runs
        winner_session_id=row["winner_session_id"],
        sides=tuple(side_from(side) for side in sides),
    )


def by_id(tx: Tx, battle_id: int) -> Battle | None:
    """The battle with its sides in session order."""
    row = tx.named(f"SELECT {COLUMNS} FROM battles WHERE id = ?", (battle_id,))
    if row is None:
        return None
    sides = tx.named_all(
        f"SELECT {SIDE_COLUMNS} FROM battle_sides WHERE battle_id = ? ORDER BY session_id",
        (battle_id,),
    )
    return battle_from(row, sides)


def insert(tx: Tx, *, sides: Sequence[tuple[int, int]], started_at_ns: int, ends_at_ns: int) -> int:
    """A battle between ``(session_id, creator_id)`` sides; its id."""
    row = tx.named(
        "INSERT INTO battles (started_at, ends_at) VALUES (?, ?) RETURNING id",
        (started_at_ns, ends_at_ns),
    )
    assert row is not None, "INSERT … RETURNING answers its row"
    battle_id = int(row["id"])
    tx.executemany(
        "INSERT INTO battle_sides (battle_id, session_id, creator_id) VALUES (?, ?, ?)",
        [(battle_id, session_id, creator_id) for session_id, creator_id in sides],
    )
    return battle_id


def running_of(tx: Tx, session_id: int) -> int | None:
    """The id of the battle the session is in and that has not ended."""
    row = tx.named(
        "SELECT battle_id FROM battle_sides WHERE session_id = ? AND ended_at = 0", (session_id,)
    )
    return None if row is None else int(row["battle_id"])


def newest_of_room(tx: Tx, creator_id: UserId) -> int | None:
    """The id of the room's newest battle (running or ended), if it ever had one."""
    row = tx.named(
        "SELECT MAX(battle_id) AS battle_id FROM battle_sides WHERE creator_id = ?",
        (creator_id,),
    )
    return None if row is None or row["battle_id"] is None else int(row["battle_id"])


def ends_at(tx: Tx, battle_id: int) -> int | None:
    """When the battle's time is up (nanoseconds since the epoch)."""
    row = tx.named("SELECT ends_at FROM battles WHERE id = ?", (battle_id,))
    return None if row is None else int(row["ends_at"])


def due(tx: Tx, *, now_ns: int) -> list[DueBattle]:
    """Battles not ended whose time is up at ``now_ns``, in id order."""
    rows = tx.named_all(
        "SELECT id, ends_at FROM battles WHERE ended_at = 0 AND ends_at <= ? ORDER BY id",
        (now_ns,),
    )
    return [DueBattle(id=int(row["id"]), ends_at=int(row["ends_at"])) for row in rows]


def set_booster(tx: Tx, battle_id: int, *, session_id: int, booster: Booster) -> bool:
    """Compare-and-set: the side's booster, when it has none yet and the battle runs;
    False when it had one (or the side ended)."""
    tx.execute(
        "UPDATE battle_sides SET booster_multiplier = ?, booster_started_at = ?,"
        " booster_ends_at = ? WHERE battle_id = ? AND session_id = ?"
        " AND booster_multiplier = 0 AND ended_at = 0",
        (booster.multiplier, booster.started_at, booster.ends_at, battle_id, session_id),
    )
    return tx.rowcount == 1


def mark_ended(tx: Tx, battle_id: int, *, at_ns: int) -> bool:
    """Compare-and-set on ``ended_at``: end the battle and its sides at ``at_ns`` if it
    has not ended; False when it had (a battle ends exactly once)."""
    tx.execute("UPDATE battles SET ended_at = ? WHERE id = ? AND ended_at = 0", (at_ns, battle_id))
    if tx.rowcount != 1:
        return False
    tx.execute("UPDATE battle_sides SET ended_at = ? WHERE battle_id = ?", (at_ns, battle_id))
    return True


def set_winner(tx: Tx, battle_id: int, winner_session_id: int | None) -> None:
    """The winning side's session (None: a draw)."""
    tx.execute(
        "UPDATE battles SET winner_session_id = ? WHERE id = ?", (winner_session_id, battle_id)
    )


def lock_running(tx: Tx, battle_id: int) -> bool:
    """Take the battle's row lock with a no-op write; False when it has ended. A battle
    ending in another process either finished before (it has ended) or waits for this
    transaction."""
    tx.execute("UPDATE battles SET ended_at = ended_at WHERE id = ? AND ended_at = 0", (battle_id,))
    return tx.rowcount == 1


def add_points(
    tx: Tx, battle_id: int, *, session_id: int, supporter_id: UserId, points: int, at_ns: int
) -> None:
    """A gift's points: to the side's score and to its supporter's total."""
    tx.execute(
        "UPDATE battle_sides SET score = score + ? WHERE battle_id = ? AND session_id = ?",
        (points, battle_id, session_id),
    )
    tx.execute(
        "INSERT INTO battle_supporters (battle_id, session_id, user_id, points, last_at)"
        " VALUES (?, ?, ?, ?, ?) ON CONFLICT (battle_id, session_id, user_id) DO UPDATE"
        " SET points = battle_supporters.points + excluded.points, last_at = excluded.last_at",
        (battle_id, session_id, supporter_id, points, at_ns),
    )


def supporters(tx: Tx, battle_id: int, *, session_id: int) -> list[Support]:
    """Each gifter's points to one side, as the gifts scored them."""
    rows = tx.named_all(
        "SELECT user_id, points, last_at FROM battle_supporters"
        " WHERE battle_id = ? AND session_id = ?",
        (battle_id, session_id),
    )
    return [
        Support(
            user_id=UserId(int(row["user_id"])),
            coins=int(row["points"]),
            last_at=int(row["last_at"]),
        )
        for row in rows
    ]
