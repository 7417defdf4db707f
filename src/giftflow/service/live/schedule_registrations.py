"""Viewers registering for a scheduled LIVE: register (while it is ``scheduled`` and,
with an early-access perk, once it opens to them), unregister, who is registered. The
reminders the registrations get are ``schedule_sweep``; the rows
``giftflow.store.schedule_registrations``."""

from __future__ import annotations

from giftflow.creator.perks import require_open
from giftflow.ids import UserId
from giftflow.live.errors import LiveError
from giftflow.live.levels import level_for
from giftflow.live.schedules import ScheduledLive
from giftflow.service.economy import users
from giftflow.service.live.context import LiveContext
from giftflow.service.live.schedules import find, require_scheduled
from giftflow.store import products, supporters
from giftflow.store import schedule_registrations as stored
from giftflow.store.schedule_registrations import Registration
from giftflow.store.tx import Tx

__all__ = ["Registration", "is_registered", "register", "registrations", "unregister"]


def register(context: LiveContext, schedule_id: str, user_id: UserId) -> tuple[Registration, bool]:
    """The viewer registers (True the first time; again changes nothing). Only while
    the LIVE is ``scheduled``; the creator does not register for their own. A LIVE
    with an early-access perk opens to everyone at the perk's ``opens_at``, to its
    supporters ``early_s`` before (docs/products.md); one without is open at once."""
    now = context.now()

    def add(tx: Tx) -> tuple[Registration, bool]:
        live = find(tx, schedule_id)
        users.find(tx, user_id)
        if user_id == live.creator_id:
            raise LiveError(
                "a creator does not register for their own LIVE", code="self_registration"
            )
        existing = stored.by_user(tx, schedule_id, user_id)
        if existing is not None:
            return existing, False
        require_scheduled(live)
        _require_open(tx, context, live, user_id, now)
        added = stored.insert(tx, schedule_id, user_id, now_ns=now)
        return Registration(schedule_id, user_id, now), added

    return context.write(add)


def _require_open(
    tx: Tx, context: LiveContext, live: ScheduledLive, user_id: UserId, now: int
) -> None:
    early = products.early_of_schedule(tx, live.id)
    if early is None:
        return
    coins = supporters.supporter_coins(tx, live.creator_id, user_id)
    level = level_for(coins, context.settings.level_thresholds_coins)
    require_open(early, level=level, now=now, what=f"registration for {live.id}")


def unregister(context: LiveContext, schedule_id: str, user_id: UserId) -> bool:
    """True if the viewer was registered. Reminders already sent stay sent: registering
    again does not repeat them."""

    def remove(tx: Tx) -> bool:
        find(tx, schedule_id)
        return stored.delete(tx, schedule_id, user_id)

    return context.write(remove)


def registrations(
    context: LiveContext, schedule_id: str, *, limit: int, offset: int = 0
) -> list[Registration]:
    """The LIVE's registrations, first registered first."""

    def read(tx: Tx) -> list[Registration]:
        find(tx, schedule_id)
        return stored.of_schedule(tx, schedule_id, limit=limit, offset=offset)

    return context.read(read)


def is_registered(context: LiveContext, schedule_id: str, user_id: UserId) -> bool:
    return context.read(lambda tx: stored.by_user(tx, schedule_id, user_id) is not None)
