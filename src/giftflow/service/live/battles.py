"""Battles between live sessions: started by hand, scored by gifts inside the gift's
transaction, boosted once per side, ended by hand, by the session's end, lazily by the
first gift that arrives after the time is up, or by the ``end_due`` sweep."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.battles import (
    Battle,
    check_start,
    in_window,
    mvps,
    plan_booster,
    points,
    winner,
)
from giftflow.live.errors import LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.live.leaderboards import Standing
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live.context import LiveContext, event, require_live
from giftflow.service.live.names import display_names
from giftflow.store import battles as stored
from giftflow.store.tx import Tx


def find(tx: Tx, battle_id: int) -> Battle:
    battle = stored.by_id(tx, battle_id)
    if battle is None:
        raise LiveNotFoundError(f"no battle {battle_id}", code="battle_not_found")
    return battle


def get(context: LiveContext, battle_id: int) -> Battle:
    return context.read(lambda tx: find(tx, battle_id))


def _sides_data(tx: Tx, battle: Battle) -> list[dict[str, Any]]:
    names = display_names(tx, (side.creator_id for side in battle.sides))
    return [
        {
            "session_id": side.session_id,
            "creator_id": side.creator_id,
            "creator_name": names[side.creator_id],
            "score": side.score,
            "booster": None
            if side.booster is None
            else {
                "multiplier": side.booster.multiplier,
                "started_at": side.booster.started_at,
                "ends_at": side.booster.ends_at,
            },
        }
        for side in battle.sides
    ]


def _to_every_side(battle: Battle, type: str, data: dict[str, Any], at: int) -> list[PendingEvent]:
    return [event(side.creator_id, type, data, at) for side in battle.sides]


def start(
    context: LiveContext, session_ids: Sequence[int], *, duration_s: int | None = None
) -> Battle:
    """A battle between the live sessions (co-hosts), from now for ``duration_s``. No
    one is asked: for the platform acting on every side's behalf (creators invite each
    other, ``giftflow.service.live.invitations``)."""
    if duration_s is None:
        duration_s = context.settings.battle_duration_s
    check_start(session_ids, duration_s)
    now = context.now()

    def open_battle(tx: Tx) -> tuple[Battle, list[PendingEvent]]:
        battle = begin(tx, session_ids, duration_s, now)
        return battle, started(tx, battle, now)

    battle, events = context.write(open_battle)
    context.publish(events)
    return battle


def begin(tx: Tx, session_ids: Sequence[int], duration_s: int, now: int) -> Battle:
    """Open the battle in ``tx``: every session live, none in a running battle."""
    creators = [require_live(tx, session_id) for session_id in session_ids]
    for session_id in session_ids:
        busy = running_battle(tx, session_id)
        if busy is not None:
            raise LiveStateError(f"session {session_id} is in battle {busy}", code="battle_running")
    battle_id = stored.insert(
        tx,
        sides=list(zip(session_ids, creators, strict=True)),
        started_at_ns=now,
        ends_at_ns=now + duration_s * NS_PER_S,
    )
    return find(tx, battle_id)


def running_battle(tx: Tx, session_id: int) -> int | None:
    return stored.running_of(tx, session_id)


def started(tx: Tx, battle: Battle, now: int) -> list[PendingEvent]:
    data = {
        "battle_id": battle.id,
        "started_at": battle.started_at,
        "ends_at": battle.ends_at,
        "sides": _sides_data(tx, battle),
    }
    return _to_every_side(battle, EventType.BATTLE_STARTED, data, now)


def trigger_booster(
    context: LiveContext,
    battle_id: int,
    *,
    session_id: int,
    by_user_id: UserId,
    multiplier: int,
    duration_s: int | None = None,
) -> Battle:
    """The side's host multiplies its points for a while (once per side per battle)."""
    now = context.now()
    if duration_s is None:
        duration_s = context.settings.booster_duration_s

    def boost(tx: Tx) -> tuple[Battle, list[dict[str, Any]]]:
        battle = find(tx, battle_id)
        side = battle.side(session_id)
        if side is None:
            raise LiveNotFoundError(
                f"session {session_id} is not in battle {battle_id}", code="battle_side_not_found"
            )
        booster = plan_booster(
            battle,
            side,
            by_user_id=by_user_id,
            multiplier=multiplier,
            duration_s=duration_s,
            now=now,
        )
        if not stored.set_booster(tx, battle_id, session_id=session_id, booster=booster):
            raise LiveStateError("this side has used its booster", code="booster_used")
        boosted = find(tx, battle_id)
        return boosted, _sides_data(tx, boosted)

    battle, sides = context.write(boost)
    data = {"battle_id": battle_id, "session_id": session_id, "sides": sides}
    context.publish(_to_every_side(battle, EventType.BATTLE_BOOSTER, data, now))
    return battle


def end(context: LiveContext, battle_id: int) -> Battle:
    """End the battle now (or at its end time, if that has passed)."""
    now = context.now()

    def finish(tx: Tx) -> tuple[Battle, list[PendingEvent]]:
        battle = find(tx, battle_id)
        events = close(tx, battle_id, min(now, battle.ends_at))
        return find(tx, battle_id), events

    return context.write_events(finish)


def end_due(context: LiveContext) -> list[Battle]:
    """End every battle whose time is up (the sweep); returns those it ended."""
    now = context.now()

    def sweep(tx: Tx) -> tuple[list[Battle], list[PendingEvent]]:
        due = stored.due(tx, now_ns=now)
        events = [e for battle in due for e in close(tx, battle.id, battle.ends_at)]
        return [find(tx, battle.id) for battle in due], events

    return context.write_events(sweep)


def end_for_session(tx: Tx, session_id: int, now: int) -> list[PendingEvent]:
    battle_id = stored.running_of(tx, session_id)
    if battle_id is None:
        return []
    ends_at = stored.ends_at(tx, battle_id)
    assert ends_at is not None, "a running side's battle exists"
    return close(tx, battle_id, min(now, ends_at))


def close(tx: Tx, battle_id: int, at: int) -> list[PendingEvent]:
    """End an open battle at ``at``: winner or draw, MVPs per side (``battle.ended``).
    Compare-and-set on ``ended_at``, so a battle ends exactly once."""
    if not stored.mark_ended(tx, battle_id, at_ns=at):
        return []
    battle = find(tx, battle_id)
    won = winner({side.session_id: side.score for side in battle.sides})
    stored.set_winner(tx, battle_id, won)
    sides = _sides_data(tx, battle)
    for side, data in zip(battle.sides, sides, strict=True):
        supporters = stored.supporters(tx, battle_id, session_id=side.session_id)
        data["mvps"] = _mvps_data(tx, mvps(supporters))
    winner_creator = next((s.creator_id for s in battle.sides if s.session_id == won), None)
    data = {
        "battle_id": battle_id,
        "ended_at": at,
        "winner_session_id": won,
        "winner_creator_id": winner_creator,
        "draw": won is None,
        "sides": sides,
    }
    return _to_every_side(battle, EventType.BATTLE_ENDED, data, at)


def _mvps_data(tx: Tx, standings: list[Standing]) -> list[dict[str, Any]]:
    names = display_names(tx, (s.user_id for s in standings))
    return [
        {"rank": s.rank, "user_id": s.user_id, "user_name": names[s.user_id], "points": s.coins}
        for s in standings
    ]


def on_gift(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
    battle_id = stored.running_of(tx, gift.session_id)
    # The battle's row lock: a battle ending in another process either finished before
    # (we see it ended) or waits for this gift.
    if battle_id is None or not stored.lock_running(tx, battle_id):
        return []
    battle = find(tx, battle_id)
    if gift.sent_at >= battle.ends_at:
        return close(tx, battle.id, battle.ends_at)
    side = battle.side(gift.session_id)
    if side is None or not in_window(battle.started_at, battle.ends_at, gift.sent_at):
        return []
    added = points(gift.coins, side.booster, gift.sent_at)
    stored.add_points(
        tx,
        battle.id,
        session_id=gift.session_id,
        supporter_id=gift.sender_id,
        points=added,
        at_ns=gift.sent_at,
    )
    scored = find(tx, battle.id)
    data = {
        "battle_id": battle.id,
        "session_id": gift.session_id,
        "sender_id": gift.sender_id,
        "sender_name": gift.sender_name,
        "points": added,
        "sides": _sides_data(tx, scored),
    }
    return _to_every_side(scored, EventType.BATTLE_SCORE, data, gift.sent_at)
