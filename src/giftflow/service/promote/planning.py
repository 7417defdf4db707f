"""Planning analytics and highlights, read from the stored facts of a creator's LIVEs
(gifts, follows, viewers' presence, chapters) and computed by
``giftflow.promote.planning`` and ``giftflow.promote.highlights``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.analytics.facts import ChapterFact, PresenceFact
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveNotFoundError, LiveStateError
from giftflow.promote.highlights import NS_PER_MINUTE, Highlight, Minute, highlights
from giftflow.promote.planning import (
    BestWindow,
    ChapterRetention,
    RegionFact,
    RegionSummary,
    WindowFact,
    best_windows,
    chapter_retention,
    regions,
)
from giftflow.service.promote.context import PromoteContext
from giftflow.store.tx import Tx

SESSIONS_MAX: Final = 50


@dataclass(frozen=True, slots=True)
class Planning:
    creator_id: int
    sessions: int
    retention: tuple[ChapterRetention, ...]
    """Per chapter of the creator's latest LIVE with chapters."""
    best_windows: tuple[BestWindow, ...]
    regions: tuple[RegionSummary, ...]

    @property
    def suggested_regions(self) -> tuple[str, ...]:
        return tuple(summary.region for summary in self.regions[:3])


def _sessions(tx: Tx, creator_id: int) -> list[tuple[int, int, int]]:
    rows = tx.execute(
        "SELECT id, started_at, ended_at FROM live_sessions WHERE creator_id = ?"
        f" ORDER BY started_at DESC LIMIT {SESSIONS_MAX}",
        (creator_id,),
    ).fetchall()
    return [(int(r[0]), int(r[1]), int(r[2])) for r in rows]


def _window_facts(tx: Tx, creator_id: int, ids: list[int]) -> list[WindowFact]:
    clause, parameter = tx.any_of(ids)
    gifts = tx.execute(
        f"SELECT sent_at, coins FROM gifts WHERE session_id {clause}", (parameter,)
    ).fetchall()
    follows = tx.execute(
        f"SELECT followed_at FROM follows WHERE creator_id = ? AND session_id {clause}",
        (creator_id, parameter),
    ).fetchall()
    joins = tx.execute(
        f"SELECT joined_at FROM session_viewers WHERE session_id {clause}", (parameter,)
    ).fetchall()
    return (
        [WindowFact(int(at), coins=int(coins)) for at, coins in gifts]
        + [WindowFact(int(row[0]), follows=1) for row in follows]
        + [WindowFact(int(row[0]), viewers=1) for row in joins]
    )


def _region_facts(tx: Tx, ids: list[int], now: int) -> list[RegionFact]:
    clause, parameter = tx.any_of(ids)
    rows = tx.execute(
        "SELECT u.region, v.viewer_id, SUM(CASE WHEN v.left_at = 0 THEN ? ELSE v.left_at END"
        " - v.joined_at) FROM session_viewers v JOIN users u ON u.id = v.viewer_id"
        f" WHERE v.session_id {clause} GROUP BY u.region, v.viewer_id",
        (now, parameter),
    ).fetchall()
    coins = tx.execute(
        "SELECT u.region, g.sender_id, SUM(g.coins) FROM gifts g JOIN users u"
        f" ON u.id = g.sender_id WHERE g.session_id {clause} GROUP BY u.region, g.sender_id",
        (parameter,),
    ).fetchall()
    paid = {(r[0], int(r[1])): int(r[2]) for r in coins}
    facts = [
        RegionFact(r[0], int(r[1]), int(r[2]) // NS_PER_S, paid.pop((r[0], int(r[1])), 0))
        for r in rows
    ]
    facts += [RegionFact(region, viewer, 0, amount) for (region, viewer), amount in paid.items()]
    return facts


def _retention(tx: Tx, sessions: list[tuple[int, int, int]], now: int) -> list[ChapterRetention]:
    for session_id, _, ended_at in sessions:
        chapters = [
            ChapterFact(int(r[0]), int(r[1]), r[2], r[3], int(r[4]), int(r[5]) or None)
            for r in tx.execute(
                "SELECT id, position, kind, title, started_at, ended_at FROM chapters"
                " WHERE session_id = ? AND started_at > 0 ORDER BY position",
                (session_id,),
            ).fetchall()
        ]
        if not chapters:
            continue
        presences = [
            PresenceFact(int(r[0]), int(r[1]), int(r[2]) or None)
            for r in tx.execute(
                "SELECT viewer_id, joined_at, left_at FROM session_viewers WHERE session_id = ?",
                (session_id,),
            ).fetchall()
        ]
        return chapter_retention(chapters, presences, ended_at or now)
    return []


def planning(context: PromoteContext, creator_id: int) -> Planning:
    now = context.now()

    def read(tx: Tx) -> Planning:
        sessions = _sessions(tx, creator_id)
        ids = [s[0] for s in sessions]
        if not ids:
            return Planning(creator_id, 0, (), (), ())
        return Planning(
            creator_id,
            len(ids),
            tuple(_retention(tx, sessions, now)),
            tuple(best_windows(_window_facts(tx, creator_id, ids))),
            tuple(regions(_region_facts(tx, ids, now))),
        )

    return context.read(read)


def _minutes(tx: Tx, session_id: int, started_at: int, ended_at: int) -> list[Minute]:
    creator_id = tx.scalar("SELECT creator_id FROM live_sessions WHERE id = ?", (session_id,))
    count = max((ended_at - started_at + NS_PER_MINUTE - 1) // NS_PER_MINUTE, 1)
    coins, follows = [0] * count, [0] * count
    for at, amount in tx.execute(
        "SELECT sent_at, coins FROM gifts WHERE session_id = ?", (session_id,)
    ).fetchall():
        coins[min(max((int(at) - started_at) // NS_PER_MINUTE, 0), count - 1)] += int(amount)
    for (at,) in tx.execute(
        "SELECT followed_at FROM follows WHERE creator_id = ? AND followed_at >= ?"
        " AND followed_at < ?",
        (creator_id, started_at, ended_at),
    ).fetchall():
        follows[min((int(at) - started_at) // NS_PER_MINUTE, count - 1)] += 1
    return [Minute(started_at + i * NS_PER_MINUTE, coins[i], follows[i]) for i in range(count)]


def session_highlights(context: PromoteContext, session_id: int) -> list[Highlight]:
    """The top moments of an ended LIVE (``session_live`` while it runs)."""

    def read(tx: Tx) -> list[Highlight]:
        row = tx.execute(
            "SELECT started_at, ended_at FROM live_sessions WHERE id = ?", (session_id,)
        ).fetchone()
        if row is None:
            raise LiveNotFoundError(f"no session {session_id}", code="session_not_found")
        if int(row[1]) == 0:
            raise LiveStateError("highlights are of an ended LIVE", code="session_live")
        return highlights(_minutes(tx, session_id, int(row[0]), int(row[1])))

    return context.read(read)
