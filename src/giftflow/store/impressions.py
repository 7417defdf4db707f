"""Promotions' impressions: one row per served slot, with what became of it (viewable,
billed, invalid or unbilled and why, clicks, LIVE entries, profile visits). Fills write
them and read a viewer's for the frequency cap; the pacing hint counts them per
promotion, whole once and then by their changes (an insert and a viewable event each
take their transaction's change number, decisions/0123); events mark them; reports read
them whole. The flows are ``giftflow.service.promote.delivery``, ``candidates``,
``billing`` and ``reports``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Final, Literal

from giftflow.ids import UserId
from giftflow.ledger.clock import UnixNs
from giftflow.store.promote_changes import next_seq
from giftflow.store.tx import Tx

EventColumn = Literal["clicked_at", "entered_at", "visited_at"]
"""The column an impression's counted event (click, LIVE entry, profile visit) sets."""
_EVENT_COLUMNS: Final = frozenset({"clicked_at", "entered_at", "visited_at"})
_VIEWABLE: Final = "CASE WHEN viewable_at > 0 AND state <> 'invalid' THEN 1 ELSE 0 END"
"""1 for an impression that turned viewable and valid (what pacing's viewable rate
counts), else 0."""


@dataclass(frozen=True, slots=True)
class Counts:
    """One promotion's impressions over a window: served, and of those viewable (and
    valid)."""

    served: int
    viewable: int


@dataclass(frozen=True, slots=True)
class Unseen:
    """An impression still awaiting its viewable event."""

    id: str
    promotion_id: str
    served_at: UnixNs


@dataclass(frozen=True, slots=True)
class Change:
    """An impression written after a change number: served since (``new``), or its
    viewable event since."""

    id: str
    promotion_id: str
    served_at: UnixNs
    new: bool
    """Inserted after the number; otherwise the change is its viewable event."""
    viewable: bool
    """Viewable and valid (what the viewable rate counts)."""
    viewable_at: UnixNs
    """When its viewable event came (valid or not; 0: not yet): settled, no longer
    outstanding."""

    @property
    def settled(self) -> bool:
        return self.viewable_at > 0


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


def counts(tx: Tx, *, served_since_ns: int) -> dict[str, Counts]:
    """Per promotion, of the impressions served after ``served_since_ns``: how many,
    and how many turned viewable (and valid)."""
    rows = tx.named_all(
        f"SELECT promotion_id, COUNT(*) AS served, SUM({_VIEWABLE}) AS viewable"
        " FROM promotion_impressions WHERE served_at > ? GROUP BY promotion_id",
        (served_since_ns,),
    )
    return {
        row["promotion_id"]: Counts(int(row["served"]), int(row["viewable"] or 0)) for row in rows
    }


def unseen(tx: Tx, *, served_since_ns: int) -> list[Unseen]:
    """The impressions served after ``served_since_ns`` whose viewable event has not
    come."""
    rows = tx.named_all(
        "SELECT id, promotion_id, served_at FROM promotion_impressions"
        " WHERE served_at > ? AND viewable_at = 0",
        (served_since_ns,),
    )
    return [Unseen(row["id"], row["promotion_id"], int(row["served_at"])) for row in rows]


def changed_since(tx: Tx, seq: int) -> list[Change]:
    """The impressions inserted, or marked viewable, after change number ``seq``."""
    rows = tx.named_all(
        f"SELECT id, promotion_id, served_at, served_seq, viewable_at, {_VIEWABLE} AS viewable"
        " FROM promotion_impressions WHERE change_seq > ?",
        (seq,),
    )
    return [
        Change(
            id=row["id"],
            promotion_id=row["promotion_id"],
            served_at=int(row["served_at"]),
            new=int(row["served_seq"]) > seq,
            viewable=bool(row["viewable"]),
            viewable_at=int(row["viewable_at"]),
        )
        for row in rows
    ]


def left_window(
    tx: Tx, *, served_after_ns: int, served_until_ns: int, seq: int
) -> dict[str, Counts]:
    """Per promotion, of the impressions inserted by change number ``seq`` and served
    in (``served_after_ns``, ``served_until_ns``]: how many, and how many of them were
    viewable (and valid) by ``seq``. What a window counted at ``seq`` loses when its
    start moves from the one bound to the other."""
    rows = tx.named_all(
        "SELECT promotion_id, COUNT(*) AS served,"
        f" SUM(CASE WHEN change_seq <= ? THEN {_VIEWABLE} ELSE 0 END) AS viewable"
        " FROM promotion_impressions WHERE served_at > ? AND served_at <= ?"
        " AND served_seq <= ? GROUP BY promotion_id",
        (seq, served_after_ns, served_until_ns, seq),
    )
    return {
        row["promotion_id"]: Counts(int(row["served"]), int(row["viewable"] or 0)) for row in rows
    }


def viewable_delays(
    tx: Tx, *, served_since_ns: int, minute_ns: int, edges_ns: Sequence[int]
) -> dict[int, tuple[int, tuple[int, ...]]]:
    """Of the impressions served after ``served_since_ns`` whose viewable event came,
    per minute of serving (``served_at // minute_ns``): how many, and how many came
    within each of ``edges_ns`` of their serving."""
    columns = "".join(
        f", SUM(CASE WHEN viewable_at - served_at <= {int(edge)} THEN 1 ELSE 0 END) AS within_{i}"
        for i, edge in enumerate(edges_ns)
    )
    rows = tx.named_all(
        f"SELECT served_at / {int(minute_ns)} AS minute, COUNT(*) AS total{columns}"
        " FROM promotion_impressions WHERE served_at > ? AND viewable_at > 0 GROUP BY minute",
        (served_since_ns,),
    )
    return {
        int(row["minute"]): (
            int(row["total"]),
            tuple(int(row[f"within_{i}"] or 0) for i in range(len(edges_ns))),
        )
        for row in rows
    }


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
    seq = next_seq(tx)
    tx.execute(
        "INSERT INTO promotion_impressions (id, promotion_id, viewer_id, slot, region,"
        " age_band, served_at, served_seq, change_seq) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            impression.id, impression.promotion_id, impression.viewer_id, impression.slot,
            impression.region, impression.age_band, impression.served_at, seq, seq,
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
    """The impression's viewable event: billed, invalid or unbilled (and why), once. It
    is the only change of an impression after its insert that takes a change number
    (``left_window`` relies on it); clicks and the like do not count for pacing."""
    tx.execute(
        "UPDATE promotion_impressions SET state = ?, reason = ?, billed_millicoins = ?,"
        " viewable_at = ?, change_seq = ? WHERE id = ? AND viewable_at = 0",
        (state, reason, billed_millicoins, now_ns, next_seq(tx), impression_id),
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
