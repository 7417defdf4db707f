"""Scheduled LIVEs' viewers: who registered and when, how many of them came and gifted
once the LIVE took place, and the reminders due and sent (a row per registration and
offset, whose primary key makes each reminder go out once, whatever the number of
processes sweeping: decisions/0071). The schedules themselves are ``store.schedules``;
the flows ``giftflow.service.live.schedule_registrations`` and
``giftflow.service.live.schedule_sweep``."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.store.tx import NamedRow, Tx


@dataclass(frozen=True, slots=True)
class Registration:
    schedule_id: str
    user_id: UserId
    registered_at: UnixNs


@dataclass(frozen=True, slots=True)
class Turnout:
    """Of a LIVE's registered viewers, those who joined its session and those who sent
    a gift in it."""

    attended: int
    gifted: int


@dataclass(frozen=True, slots=True)
class DueReminder:
    """A reminder whose moment has come, with what it tells the viewer."""

    schedule_id: str
    user_id: UserId
    offset_s: int
    creator_id: UserId
    title: str
    starts_at: UnixNs


def registration_from(row: NamedRow) -> Registration:
    return Registration(
        schedule_id=row["schedule_id"],
        user_id=UserId(int(row["user_id"])),
        registered_at=int(row["registered_at"]),
    )


def by_user(tx: Tx, schedule_id: str, user_id: UserId) -> Registration | None:
    row = tx.named(
        "SELECT schedule_id, user_id, registered_at FROM schedule_registrations"
        " WHERE schedule_id = ? AND user_id = ?",
        (schedule_id, user_id),
    )
    return None if row is None else registration_from(row)


def of_schedule(tx: Tx, schedule_id: str, *, limit: int, offset: int) -> list[Registration]:
    """The LIVE's registrations, first registered first, ``limit`` of them after
    skipping ``offset``."""
    rows = tx.named_all(
        "SELECT schedule_id, user_id, registered_at FROM schedule_registrations"
        " WHERE schedule_id = ? ORDER BY registered_at, user_id LIMIT ? OFFSET ?",
        (schedule_id, limit, offset),
    )
    return [registration_from(row) for row in rows]


def insert(tx: Tx, schedule_id: str, user_id: UserId, *, now_ns: int) -> bool:
    """Register the viewer; False when they were registered already."""
    tx.execute(
        "INSERT INTO schedule_registrations (schedule_id, user_id, registered_at)"
        " VALUES (?, ?, ?) ON CONFLICT (schedule_id, user_id) DO NOTHING",
        (schedule_id, user_id, now_ns),
    )
    return tx.rowcount == 1


def delete(tx: Tx, schedule_id: str, user_id: UserId) -> bool:
    """Unregister the viewer; False when they were not registered."""
    tx.execute(
        "DELETE FROM schedule_registrations WHERE schedule_id = ? AND user_id = ?",
        (schedule_id, user_id),
    )
    return tx.rowcount == 1


def turnout(tx: Tx, schedule_id: str, *, session_id: int) -> Turnout:
    row = tx.named(
        "SELECT (SELECT COUNT(*) FROM schedule_registrations r WHERE r.schedule_id = ? AND"
        " EXISTS (SELECT 1 FROM session_viewers v"
        " WHERE v.session_id = ? AND v.viewer_id = r.user_id)) AS attended,"
        " (SELECT COUNT(*) FROM schedule_registrations r WHERE r.schedule_id = ? AND"
        " EXISTS (SELECT 1 FROM gifts g"
        " WHERE g.session_id = ? AND g.sender_id = r.user_id)) AS gifted",
        (schedule_id, session_id, schedule_id, session_id),
    )
    assert row is not None, "a SELECT without FROM answers one row"
    return Turnout(attended=int(row["attended"]), gifted=int(row["gifted"]))


# --- reminders -----------------------------------------------------------------------------

_DUE: Final = (
    "SELECT s.id AS schedule_id, g.user_id AS user_id, o.offset_s AS offset_s,"
    " s.creator_id AS creator_id, s.title AS title, s.starts_at AS starts_at"
    " FROM scheduled_lives s"
    " JOIN schedule_offsets o ON o.schedule_id = s.id"
    " JOIN schedule_registrations g ON g.schedule_id = s.id"
    " LEFT JOIN schedule_reminders m"
    "  ON m.schedule_id = s.id AND m.user_id = g.user_id AND m.offset_s = o.offset_s"
    " WHERE s.state IN ('scheduled', 'live') AND s.starts_at <= ?"
    " AND s.starts_at - CAST(o.offset_s AS BIGINT) * ? <= ?"
    " AND g.registered_at < s.starts_at - CAST(o.offset_s AS BIGINT) * ?"
    " AND m.schedule_id IS NULL"
    " ORDER BY s.starts_at, s.id, o.offset_s DESC, g.user_id LIMIT ?"
)


def due_reminders(tx: Tx, *, now_ns: int, horizon_ns: int, limit: int) -> list[DueReminder]:
    """Reminders not sent yet whose moment (``starts_at - offset``) is ``now_ns`` or
    earlier, of LIVEs ``scheduled`` or ``live`` starting by ``horizon_ns``, to viewers
    registered before that moment; in the order they fall due, ``limit`` at most."""
    rows = tx.named_all(_DUE, (horizon_ns, NS_PER_S, now_ns, NS_PER_S, limit))
    return [
        DueReminder(
            schedule_id=row["schedule_id"],
            user_id=UserId(int(row["user_id"])),
            offset_s=int(row["offset_s"]),
            creator_id=UserId(int(row["creator_id"])),
            title=row["title"],
            starts_at=int(row["starts_at"]),
        )
        for row in rows
    ]


def claim_reminder(tx: Tx, reminder: DueReminder, *, now_ns: int) -> bool:
    """Record the reminder as sent; False when another process recorded it first."""
    tx.execute(
        "INSERT INTO schedule_reminders (schedule_id, user_id, offset_s, sent_at)"
        " VALUES (?, ?, ?, ?) ON CONFLICT DO NOTHING",
        (reminder.schedule_id, reminder.user_id, reminder.offset_s, now_ns),
    )
    return tx.rowcount == 1
