"""Sessions, viewers and interactions: start and end a LIVE, who joins and leaves
(watch time, concurrent viewers), follows, likes, comments and shares.

A follow is of a creator, in a LIVE or outside one. Table ``follows`` keeps each user's
first follow of a creator (what follower growth counts); a follow during a LIVE is also
an interaction of the session, with its event, like any other. The rows are
``giftflow.store.sessions``."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from giftflow.ids import UserId
from giftflow.live.errors import LiveError, LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.live.sessions import LiveSession, Presence, concurrent_viewers, watch_time_ns
from giftflow.service.economy import users
from giftflow.service.economy.context import PendingEvent
from giftflow.service.live import battles, chapters, goals, invitations, schedules
from giftflow.service.live.context import LiveContext, event, require_live
from giftflow.store import sessions as stored
from giftflow.store.tx import Tx

FOLLOWER_GAINED = "follower.gained"
"""A user's first follow of a creator, staged in its transaction for the stage watchers
(milestones count followers by it); no room hears it and no endpoint subscribes to it."""


class InteractionKind(StrEnum):
    FOLLOW = "follow"
    LIKE = "like"
    COMMENT = "comment"
    SHARE = "share"


@dataclass(frozen=True, slots=True)
class Interaction:
    id: int
    session_id: int
    user_id: UserId
    kind: InteractionKind
    chapter_id: int | None
    text: str
    at: int


@dataclass(frozen=True, slots=True)
class SessionTotals:
    """Where a session stands: who is present now and what it has received."""

    session_id: int
    concurrent_viewers: int
    gifts: int
    """Gift events booked in the session (a streak's events each count)."""
    coins: int
    watch_time_ns: int


@dataclass(frozen=True, slots=True)
class WatchTime:
    session_id: int
    per_viewer_ns: dict[UserId, int]
    total_ns: int


def find(tx: Tx, session_id: int) -> LiveSession:
    session = stored.by_id(tx, session_id)
    if session is None:
        raise LiveNotFoundError(f"no session {session_id}", code="session_not_found")
    return session


def get(context: LiveContext, session_id: int) -> LiveSession:
    return context.read(lambda tx: find(tx, session_id))


def live_of(context: LiveContext, creator_id: UserId) -> LiveSession | None:
    """The room's session that is live now, if any."""
    return context.read(lambda tx: stored.live_of(tx, creator_id))


def start(
    context: LiveContext, creator_id: UserId, title: str = "", schedule_id: str | None = None
) -> LiveSession:
    """Go live. The session takes up ``schedule_id`` (the creator's, still scheduled),
    or else the creator's scheduled LIVE due now, if any (docs/schedules.md): its plan
    and goal, and its title when ``title`` is empty."""
    now = context.now()

    def begin(tx: Tx) -> tuple[LiveSession, list[PendingEvent]]:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        already = stored.live_of(tx, creator_id)
        if already is not None:
            raise LiveStateError(f"session {already.id} is live already", code="session_live")
        session = stored.insert(tx, creator_id, title=title, now_ns=now)
        linked, events = schedules.link(
            context,
            tx,
            creator_id=creator_id,
            session_id=session.id,
            schedule_id=schedule_id,
            now=now,
        )
        if linked is not None and not title:
            stored.set_title(tx, session.id, linked.title)
            session = find(tx, session.id)
        data = {"session_id": session.id, "title": session.title}
        started = event(creator_id, EventType.SESSION_STARTED, data, now)
        return session, [started, *events]

    return context.write_events(begin)


def end(context: LiveContext, session_id: int) -> LiveSession:
    """End the session: its viewers leave, its chapter closes, its open goals expire,
    its running battle ends now and its pending battle invitations are cancelled.
    Ending an ended session changes nothing."""
    now = context.now()

    def finish(tx: Tx) -> tuple[LiveSession, list[PendingEvent]]:
        session = find(tx, session_id)
        if session.ended_at is not None:
            return session, []
        stored.end(tx, session_id, now_ns=now)
        chapters.close_current(tx, session_id, now)
        schedules.finish(tx, session_id, now)
        expired = goals.expire_open(tx, session_id)
        events = [
            *battles.end_for_session(tx, session_id, now),
            *invitations.cancel_for_session(tx, session_id, now),
        ]
        data = {
            "session_id": session_id,
            "started_at": session.started_at,
            "ended_at": now,
            "goals_expired": expired,
        }
        ended = event(session.creator_id, EventType.SESSION_ENDED, data, now)
        return find(tx, session_id), [*events, ended]

    return context.write_events(finish)


# --- viewers ---------------------------------------------------------------------------


def join(context: LiveContext, session_id: int, viewer_id: UserId) -> int:
    """The viewer enters (again: a viewer already present stays one viewer); returns
    the concurrent viewers now."""
    now = context.now()

    def enter(tx: Tx) -> tuple[UserId, int]:
        creator_id = require_live(tx, session_id)
        users.find(tx, viewer_id)
        stored.join(tx, session_id, viewer_id, now_ns=now)
        return creator_id, stored.concurrent_viewers(tx, session_id)

    creator_id, count = context.write(enter)
    data = {"session_id": session_id, "viewer_id": viewer_id, "concurrent_viewers": count}
    context.publish([event(creator_id, EventType.VIEWER_JOINED, data, now)])
    return count


def leave(context: LiveContext, session_id: int, viewer_id: UserId) -> int:
    """The viewer leaves (all their open intervals close); returns concurrent viewers."""
    now = context.now()

    def exit_(tx: Tx) -> tuple[UserId, int, int]:
        creator_id = require_live(tx, session_id)
        closed = stored.leave(tx, session_id, viewer_id, now_ns=now)
        return creator_id, closed, stored.concurrent_viewers(tx, session_id)

    creator_id, closed, count = context.write(exit_)
    if closed:
        data = {"session_id": session_id, "viewer_id": viewer_id, "concurrent_viewers": count}
        context.publish([event(creator_id, EventType.VIEWER_LEFT, data, now)])
    return count


def presences(context: LiveContext, session_id: int) -> list[Presence]:
    return context.read(lambda tx: stored.presences(tx, session_id))


def watch_time(context: LiveContext, session_id: int) -> WatchTime:
    session = get(context, session_id)
    until = context.now() if session.ended_at is None else session.ended_at
    per_viewer = watch_time_ns(presences(context, session_id), until=until)
    return WatchTime(session_id, per_viewer, sum(per_viewer.values()))


def totals(context: LiveContext, session_id: int) -> SessionTotals:
    def count(tx: Tx) -> tuple[int, stored.Received]:
        find(tx, session_id)
        return stored.concurrent_viewers(tx, session_id), stored.received(tx, session_id)

    viewers, received = context.read(count)
    watched = watch_time(context, session_id).total_ns
    return SessionTotals(session_id, viewers, received.gifts, received.coins, watched)


def viewers_at(context: LiveContext, session_id: int, at: int) -> int:
    return concurrent_viewers(presences(context, session_id), at=at)


# --- interactions ----------------------------------------------------------------------


def interact(
    context: LiveContext, session_id: int, user_id: UserId, kind: InteractionKind, text: str = ""
) -> Interaction:
    """A follow, like, comment or share, attributed to the chapter current now; a
    follow also counts as the user's follow of the creator if it is their first."""
    now = context.now()

    def add(tx: Tx) -> tuple[UserId, Interaction]:
        creator_id = require_live(tx, session_id)
        users.find(tx, user_id)
        if kind == InteractionKind.FOLLOW:
            _refuse_self_follow(creator_id, user_id)
        added, first = _add_interaction(tx, session_id, creator_id, user_id, kind, text, now)
        if first:
            _gained(context, tx, creator_id, user_id, now)
        return creator_id, added

    creator_id, interaction = context.write(add)
    _publish_interaction(context, creator_id, interaction)
    return interaction


def follow(context: LiveContext, creator_id: UserId, user_id: UserId) -> bool:
    """The user follows the creator; True if it is their first follow (only that one
    counts). While the creator is live the follow is an interaction of that session
    (with its ``interaction`` event); otherwise nothing is published."""
    now = context.now()

    def add(tx: Tx) -> tuple[Interaction | None, bool]:
        users.find(tx, user_id)
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        _refuse_self_follow(creator_id, user_id)
        session = stored.live_of(tx, creator_id)
        if session is None:
            added: tuple[Interaction | None, bool] = (
                None,
                stored.insert_follow(tx, creator_id, user_id, at_ns=now, session_id=None),
            )
        else:
            added = _add_interaction(
                tx, session.id, creator_id, user_id, InteractionKind.FOLLOW, "", now
            )
        if added[1]:
            _gained(context, tx, creator_id, user_id, now)
        return added

    interaction, first = context.write(add)
    if interaction is not None:
        _publish_interaction(context, creator_id, interaction)
    return first


def _gained(context: LiveContext, tx: Tx, creator_id: UserId, user_id: UserId, now: int) -> None:
    data = {"user_id": user_id}
    context.economy.stage(tx, [event(creator_id, FOLLOWER_GAINED, data, now)])


def _refuse_self_follow(creator_id: UserId, user_id: UserId) -> None:
    if creator_id == user_id:
        raise LiveError("a creator does not follow themself", code="self_follow")


def _add_interaction(
    tx: Tx,
    session_id: int,
    creator_id: UserId,
    user_id: UserId,
    kind: InteractionKind,
    text: str,
    now: int,
) -> tuple[Interaction, bool]:
    """The interaction's row, and for a follow the follows row in the same transaction
    (whether it was the first follow)."""
    chapter = chapters.current_id(tx, session_id)
    new_id = stored.insert_interaction(
        tx, session_id, user_id=user_id, kind=str(kind), chapter_id=chapter, text=text, now_ns=now
    )
    first = kind == InteractionKind.FOLLOW and stored.insert_follow(
        tx, creator_id, user_id, at_ns=now, session_id=session_id
    )
    return Interaction(new_id, session_id, user_id, kind, chapter, text, now), first


def _publish_interaction(
    context: LiveContext, creator_id: UserId, interaction: Interaction
) -> None:
    data = {
        "session_id": interaction.session_id,
        "user_id": interaction.user_id,
        "kind": str(interaction.kind),
        "text": interaction.text,
        "chapter_id": interaction.chapter_id,
    }
    context.publish([event(creator_id, EventType.INTERACTION, data, interaction.at)])
