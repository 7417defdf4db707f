"""Gift rules in the database: a creator's rules per room, and their firing inside
each gift's own transaction.

A rule fires by compare-and-set on its firing count, with a ``gift_rule_firings`` row
per rule and gift event, in the gift's transaction: the cooldown is judged on the
rule's last firing as committed, so two server processes on one database never fire
one rule twice within its cooldown, and a gift retried or redelivered (booked once)
fires it once (docs/subathon.md, decisions/0090).
"""

from __future__ import annotations

from typing import Any, Final

from giftflow.creator.gift_rules import RULES_PER_ROOM_MAX, GiftRule, check
from giftflow.ids import GiftId, UserId
from giftflow.live.errors import LiveError, LiveNotFoundError, LiveStateError
from giftflow.live.events import EventType
from giftflow.service.economy import users
from giftflow.service.economy.context import EconomyContext, GiftBooked, PendingEvent
from giftflow.store import subathon as rows
from giftflow.store.subathon import Firing
from giftflow.store.tx import Tx

FIRINGS_MAX: Final = 1_000


def create(
    context: EconomyContext,
    creator_id: UserId,
    *,
    action: str,
    payload: str = "",
    min_coins: int | None = None,
    gift_id: GiftId | None = None,
    cooldown_s: int = 0,
) -> GiftRule:
    check(min_coins=min_coins, gift_id=gift_id, cooldown_s=cooldown_s)
    if gift_id is not None:
        context.catalog.gift(gift_id)  # raises for a gift the catalog lacks
    now = context.now()

    def add(tx: Tx) -> GiftRule:
        if not users.find(tx, creator_id).is_creator:
            raise LiveError(f"user {creator_id} is not a creator", code="not_a_creator")
        if rows.count_rules(tx, creator_id) >= RULES_PER_ROOM_MAX:
            raise LiveStateError(
                f"a room has at most {RULES_PER_ROOM_MAX} gift rules", code="gift_rules_full"
            )
        return rows.insert_rule(
            tx,
            creator_id,
            action=action,
            payload=payload,
            min_coins=min_coins,
            gift_id=gift_id,
            cooldown_s=cooldown_s,
            now=now,
        )

    return context.ledger.write(add)


def _found(tx: Tx, rule_id: int) -> GiftRule:
    rule = rows.find_rule(tx, rule_id)
    if rule is None:
        raise LiveNotFoundError(f"no gift rule {rule_id}", code="gift_rule_not_found")
    return rule


def get(context: EconomyContext, rule_id: int) -> GiftRule:
    return context.ledger.read(lambda tx: _found(tx, rule_id))


def of_room(context: EconomyContext, creator_id: UserId) -> list[GiftRule]:
    return context.ledger.read(lambda tx: rows.rules_of_room(tx, creator_id))


def delete(context: EconomyContext, rule_id: int) -> bool:
    """The rule stops firing; True the first time."""
    now = context.now()
    return context.ledger.write(lambda tx: rows.delete_rule(tx, rule_id, now))


def firings(context: EconomyContext, rule_id: int) -> list[Firing]:
    """The rule's last firings, newest first (at most 1,000)."""

    def read(tx: Tx) -> list[Firing]:
        _found(tx, rule_id)
        return rows.firings(tx, rule_id, limit=FIRINGS_MAX)

    return context.ledger.read(read)


def data_of(rule: GiftRule, gift: GiftBooked, at: int) -> dict[str, Any]:
    """The ``data`` of ``gift_rule.fired``."""
    return {
        "rule_id": rule.id,
        "action": rule.action,
        "payload": rule.payload,
        "fired": rule.fired + 1,
        "gift_event_id": str(gift.id),
        "session_id": gift.session_id,
        "sender_id": gift.sender_id,
        "sender_name": gift.sender_name,
        "gift_id": gift.gift_id,
        "coins": gift.coins,
        "fired_at": at,
    }


def on_gift(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
    """Fire the room's rules this gift event qualifies for and whose cooldown is over."""
    events: list[PendingEvent] = []
    for rule in rows.rules_of_room(tx, gift.creator_id):
        at = rule.moment(gift.sent_at)
        if rule.fires(gift_id=gift.gift_id, coins=gift.coins, at=at) and rows.fire_rule(
            tx, rule, gift.id, at
        ):
            data = data_of(rule, gift, at)
            events.append(PendingEvent(gift.creator_id, EventType.GIFT_RULE_FIRED, data, at))
    return events
