"""Promotions' impressions: one row per served slot, with what became of it (viewable,
billed, invalid or unbilled and why, clicks, LIVE entries, profile visits). Fills write
them and read a viewer's for the frequency cap; the pacing hint counts them per
promotion; events mark them; reports read them whole. The flows are
``giftflow.service.promote.delivery``, ``billing`` and ``reports``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.tx import Tx

EventColumn = Literal["clicked_at", "entered_at", "visited_at"]
"""The column an impression's counted event (click, LIVE entry, profile visit) sets."""
_EVENT_COLUMNS: Final = frozenset({"clicked_at", "entered_at", "visited_at"})


@dataclass(frozen=True, slots=True)
class Counts:
    """One promotion's impressions over a window: served, viewable (and valid), and
    still awaiting their viewable event."""

    served: int
    viewable: int
    outstanding: int


@dataclass(frozen=True, slots=True)
class Seen:
    """A viewer's impression, as the frequency cap counts it."""

    promotion_id: str
    served_at: UnixNs


@dataclass(frozen=True, slots=True)
class Impression:
    """What an impression event needs of the impression it is about."""

    promotion_id: str
    viewer_id: UserId
    served_at: UnixNs
    viewable_at: UnixNs


@dataclass(frozen=True, slots=True)
class Outcome:
    """What became of an impression, as reports count it."""

    viewer_id: UserId
    state: str
    reason: str | None
    billed_millicoins: int
    viewable_at: UnixNs
    clicked_at: UnixNs
    entered_at: UnixNs
    visited_at: UnixNs


@dataclass(frozen=True, slots=True)
class NewImpression:
    """A served slot to write."""

    id: str
    promotion_id: str
    viewer_id: UserId
    slot: int
    region: str | None
    age_band: str | None
    served_at: UnixNs


def counts(
    tx: Tx, promotion_ids: Sequence[str], *, served_since_ns: int, outstanding_since_ns: int
) -> dict[str, Counts]:
    """Per promotion, of the impressions served after ``served_since_ns``: how many,
    how many turned viewable (and valid), and how many served after
    ``outstanding_since_ns`` still await their viewable event."""
    if not promotion_ids:
        return {}
    clause, parameter = tx.any_of(list(promotion_ids))
    rows = tx.named_all(
        "SELECT promotion_id, COUNT(*) AS served,"
        " SUM(CASE WHEN viewable_at > 0 AND state <> 'invalid' THEN 1 ELSE 0 END) AS viewable,"
        " SUM(CASE WHEN viewable_at = 0 AND served_at > ? THEN 1 ELSE 0 END) AS outstanding"
        f" FROM promotion_impressions WHERE promotion_id {clause} AND served_at > ?"
        " GROUP BY promotion_id",
        (outstanding_since_ns, parameter, served_since_ns),
    )
    return {
        row["promotion_id"]: Counts(
            int(row["served"]), int(row["viewable"] or 0), int(row["outstanding"] or 0)
        )
        for row in rows
    }


def viewable_delays(
    tx: Tx, promotion_ids: Sequence[str], *, served_since_ns: int, edges_ns: Sequence[int]
) -> tuple[tuple[int, ...], int]:
    """Of the impressions of ``promotion_ids`` served after ``served_since_ns`` that
    turned viewable: how many did within each of ``edges_ns`` of their serving, and how
    many in all."""
    if not promotion_ids:
        return (0,) * len(edges_ns), 0
    clause, parameter = tx.any_of(list(promotion_ids))
    columns = "".join(
        f", SUM(CASE WHEN viewable_at - served_at <= {int(edge)} THEN 1 ELSE 0 END) AS within_{i}"
        for i, edge in enumerate(edges_ns)
    )
    row = tx.named(
        f"SELECT COUNT(*) AS total{columns} FROM promotion_impressions"
        f" WHERE promotion_id {clause} AND served_at > ? AND viewable_at > 0",
        (parameter, served_since_ns),
    )
    if row is None:
        return (0,) * len(edges_ns), 0
    within = tuple(int(row[f"within_{i}"] or 0) for i in range(len(edges_ns)))
    return within, int(row["total"])


def seen_by(tx: Tx, viewer_id: UserId, *, served_since_ns: int) -> list[Seen]:
    """The viewer's impressions served after ``served_since_ns``."""
    rows = tx.named_all(
        "SELECT promotion_id, served_at FROM promotion_impressions"
        " WHERE viewer_id = ? AND served_at > ?",
        (viewer_id, served_since_ns),
    )
    return [Seen(row["promotion_id"], int(row["served_at"])) for row in rows]


def shown_count(tx: Tx, viewer_id: UserId, promotion_id: str, *, served_since_ns: int) -> int:
    """How often the promotion was served to the viewer after ``served_since_ns``."""
    row = tx.named(
        "SELECT COUNT(*) AS shown FROM promotion_impressions WHERE viewer_id = ?"
        " AND served_at > ? AND promotion_id = ?",
        (viewer_id, served_since_ns, promotion_id),
    )
    return 0 if row is None else int(row["shown"])


def insert(tx: Tx, impression: NewImpression) -> None:
    tx.execute(
        "INSERT INTO promotion_impressions (id, promotion_id, viewer_id, slot, region,"
        " age_band, served_at) VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            impression.id, impression.promotion_id, impression.viewer_id, impression.slot,
            impression.region, impression.age_band, impression.served_at,
        ),
    )  # fmt: skip


def by_id(tx: Tx, impression_id: str) -> Impression | None:
    row = tx.named(
        "SELECT promotion_id, viewer_id, served_at, viewable_at FROM promotion_impressions"
        " WHERE id = ?",
        (impression_id,),
    )
    if row is None:
        return None
    return Impression(
        promotion_id=row["promotion_id"],
        viewer_id=row["viewer_id"],
        served_at=row["served_at"],
        viewable_at=row["viewable_at"],
    )


def mark_event(tx: Tx, impression_id: str, column: EventColumn, *, now_ns: int) -> bool:
    """Set the event's column once; False when it was set already."""
    assert column in _EVENT_COLUMNS  # the column is part of the statement: never input
    tx.execute(
        f"UPDATE promotion_impressions SET {column} = ? WHERE id = ? AND {column} = 0",
        (now_ns, impression_id),
    )
    return tx.rowcount == 1


def viewable_count(
    tx: Tx, viewer_id: UserId, *, served_since_ns: int, viewable_after_ns: int
) -> int:
    """The viewer's impressions served since ``served_since_ns`` that turned viewable
    after ``viewable_after_ns``."""
    row = tx.named(
        "SELECT COUNT(*) AS viewable FROM promotion_impressions WHERE viewer_id = ?"
        " AND served_at >= ? AND viewable_at > ?",
        (viewer_id, served_since_ns, viewable_after_ns),
    )
    return 0 if row is None else int(row["viewable"])


def billed_count(tx: Tx, viewer_id: UserId, promotion_id: str, *, served_since_ns: int) -> int:
    """The promotion's impressions billed to the viewer, served since
    ``served_since_ns``."""
    row = tx.named(
        "SELECT COUNT(*) AS billed FROM promotion_impressions WHERE viewer_id = ?"
        " AND served_at >= ? AND promotion_id = ? AND state = 'billed'",
        (viewer_id, served_since_ns, promotion_id),
    )
    return 0 if row is None else int(row["billed"])


def mark_viewable(
    tx: Tx,
    impression_id: str,
    *,
    state: str,
    reason: str | None,
    billed_millicoins: int,
    now_ns: int,
) -> None:
    """The impression's viewable event: billed, invalid or unbilled (and why), once."""
    tx.execute(
        "UPDATE promotion_impressions SET state = ?, reason = ?, billed_millicoins = ?,"
        " viewable_at = ? WHERE id = ? AND viewable_at = 0",
        (state, reason, billed_millicoins, now_ns, impression_id),
    )


def outcomes(tx: Tx, promotion_ids: Sequence[str]) -> list[Outcome]:
    """Every impression of these promotions, with what became of it."""
    if not promotion_ids:
        return []
    clause, parameter = tx.any_of(list(promotion_ids))
    rows = tx.named_all(
        "SELECT viewer_id, state, reason, billed_millicoins, viewable_at, clicked_at,"
        f" entered_at, visited_at FROM promotion_impressions WHERE promotion_id {clause}",
        (parameter,),
    )
    return [
        Outcome(
            viewer_id=row["viewer_id"],
            state=row["state"],
            reason=row["reason"],
            billed_millicoins=row["billed_millicoins"],
            viewable_at=row["viewable_at"],
            clicked_at=row["clicked_at"],
            entered_at=row["entered_at"],
            visited_at=row["visited_at"],
        )
        for row in rows
    ]
