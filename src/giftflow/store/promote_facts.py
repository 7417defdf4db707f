"""What Promote reads of LIVE's rows: when the viewers a promotion reached followed its
creator (attribution, in reports), and over a creator's recent sessions the moments of
gifts, follows and joins and each region's viewers, watch time and coins (planning).
Read only; one session's facts come from ``store/analytics.py``, the computations are
``giftflow.promote.attribution`` and ``giftflow.promote.planning``."""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.planning import RegionFact, WindowFact
from giftflow.store.tx import Tx


def followed_at(tx: Tx, creator_id: UserId, viewer_ids: Sequence[UserId]) -> dict[UserId, int]:
    """When each of these viewers followed the creator, for those who do."""
    if not viewer_ids:
        return {}
    clause, parameter = tx.any_of(list(viewer_ids))
    rows = tx.named_all(
        f"SELECT user_id, followed_at FROM follows WHERE creator_id = ? AND user_id {clause}",
        (creator_id, parameter),
    )
    return {UserId(int(row["user_id"])): int(row["followed_at"]) for row in rows}


def window_facts(tx: Tx, creator_id: UserId, session_ids: Sequence[int]) -> list[WindowFact]:
    """Every gift (with its coins), follow of the creator and viewer's join in these
    sessions, as moments for the best windows."""
    clause, parameter = tx.any_of(list(session_ids))
    gifts = tx.named_all(
        f"SELECT sent_at, coins FROM gifts WHERE session_id {clause}", (parameter,)
    )
    follows = tx.named_all(
        f"SELECT followed_at FROM follows WHERE creator_id = ? AND session_id {clause}",
        (creator_id, parameter),
    )
    joins = tx.named_all(
        f"SELECT joined_at FROM session_viewers WHERE session_id {clause}", (parameter,)
    )
    return (
        [WindowFact(int(row["sent_at"]), coins=int(row["coins"])) for row in gifts]
        + [WindowFact(int(row["followed_at"]), follows=1) for row in follows]
        + [WindowFact(int(row["joined_at"]), viewers=1) for row in joins]
    )


def region_facts(tx: Tx, session_ids: Sequence[int], *, now_ns: int) -> list[RegionFact]:
    """Per region and viewer of these sessions: seconds watched (until ``now_ns`` for
    who is still there) and coins given; gifters who never joined count with 0 s."""
    clause, parameter = tx.any_of(list(session_ids))
    watched = tx.named_all(
        "SELECT u.region AS region, v.viewer_id AS viewer_id,"
        " SUM(CASE WHEN v.left_at = 0 THEN ? ELSE v.left_at END - v.joined_at) AS watched_ns"
        " FROM session_viewers v JOIN users u ON u.id = v.viewer_id"
        f" WHERE v.session_id {clause} GROUP BY u.region, v.viewer_id",
        (now_ns, parameter),
    )
    given = tx.named_all(
        "SELECT u.region AS region, g.sender_id AS sender_id, SUM(g.coins) AS coins"
        " FROM gifts g JOIN users u ON u.id = g.sender_id"
        f" WHERE g.session_id {clause} GROUP BY u.region, g.sender_id",
        (parameter,),
    )
    paid = {(row["region"], int(row["sender_id"])): int(row["coins"]) for row in given}
    facts = [
        RegionFact(
            row["region"],
            UserId(int(row["viewer_id"])),
            int(row["watched_ns"]) // NS_PER_S,
            paid.pop((row["region"], int(row["viewer_id"])), 0),
        )
        for row in watched
    ]
    facts += [
        RegionFact(region, UserId(viewer), 0, coins) for (region, viewer), coins in paid.items()
    ]
    return facts
