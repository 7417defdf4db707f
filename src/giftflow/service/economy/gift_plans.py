"""Planning a gift event before the engine: what the database holds for it (``Found``),
who may send what to whom, the streak delta it adds, the fraud rules, and the transfers
it will book (``Prepared``). The engine's jobs are ``gift_jobs``; the calls ``gifting``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from giftflow.economy import fraud as rules
from giftflow.economy.catalog.errors import GiftNotFoundError
from giftflow.economy.errors import (
    AccountFrozenError,
    EconomyError,
    InsufficientFundsError,
    NotACreatorError,
    SelfGiftingError,
    StreakError,
    VelocityLimitedError,
)
from giftflow.economy.fraud import Decision
from giftflow.economy.gifting import GIFT_QUANTITY_MAX, GiftPlan, plan_gift
from giftflow.economy.ids import derived_id
from giftflow.economy.streaks import Streak, delta_for, streak_key
from giftflow.economy.users import User, require_adult
from giftflow.ids import GiftId, UserId
from giftflow.ledger.accounts import AccountFlags
from giftflow.ledger.clock import UnixNs
from giftflow.ledger.limits import AccountId, TransferId
from giftflow.service.economy.context import EconomyContext, PendingEvent
from giftflow.store.earnings import WalletRow
from giftflow.store.gifts import GiftSent, NewGift


@dataclass(frozen=True, slots=True)
class GiftRequest:
    """One gift event. Either ``event_id`` (the client's unique id for a one-off
    event, with ``quantity``) or ``streak_id`` with its rising ``repeat_count``."""

    sender_id: UserId
    creator_id: UserId
    gift_id: GiftId
    quantity: int = 1
    event_id: str | None = None
    streak_id: str | None = None
    repeat_count: int | None = None
    session_id: int = 0
    sent_at: UnixNs | None = None
    """When a recorded gift was sent, for importing a history through the Python API
    (``giftflow replay``): not after now, and a replay goes in time order. The HTTP API
    never sets it: a live gift is sent when the ledger books it."""


@dataclass(slots=True)
class Prepared:
    """One gift event planned: what it books, for whom, and the streak it moves."""

    request: GiftRequest
    plan: GiftPlan
    sender: User
    creator: User
    streak_key: str | None
    expected_count: int | None
    repeat_count: int
    events: list[PendingEvent] = field(default_factory=list)
    """What the gift's listeners asked to publish once it has committed."""
    row: NewGift | None = None
    """The gift's row, when its job's finish writes it with the others."""
    counted_at: UnixNs | None = None
    """When the velocity rule counted this event (None: a streak's later event, not
    counted): released if the gift is not sent after all."""
    at: int = 0
    """When the event happened by the economy's clock (or its recorded time): what a
    streak's timeout counts from, so a streak has ended exactly ``STREAK_TIMEOUT_S``
    after its last event, not a few nanoseconds later (the ledger's timestamp)."""
    another_gift: bool = False
    """A twin (the same event as an earlier one of its call) that names another gift:
    it carries the first's transfers, is refused ``idempotency_conflict`` once they are
    booked, and never books them in its own name."""


def event_key(request: GiftRequest) -> str:
    """The event's unique name: the sender's client event id, or the streak and count."""
    if request.streak_id is not None:
        key = streak_key(request.sender_id, request.streak_id)
        return f"streak:{key}:{request.repeat_count}"
    if not request.event_id:
        raise EconomyError("a gift event needs an event_id or a streak", code="event_id_missing")
    return f"event:{request.sender_id}:{request.event_id}"


@dataclass(frozen=True, slots=True)
class Found:
    """What the database holds for one request: the gift if it was booked already,
    else the sender, the creator and the streak it continues."""

    key: str
    booked: GiftSent | None
    sender: User | None = None
    creator: User | None = None
    streak: Streak | None = None


@dataclass(slots=True)
class Funds:
    """The coins each sender's wallet could spend when the call was read, less what the
    call's earlier gifts will take: read only for a call where a streak continues from
    an earlier event of the same call, whose plan depends on whether that one is paid."""

    available: dict[AccountId, int]
    frozen: frozenset[AccountId] = frozenset()
    """The accounts read that are frozen: the ledger would refuse a gift that moves
    coins from or to one (``account_frozen``)."""

    @classmethod
    def of(cls, accounts: dict[AccountId, WalletRow]) -> Funds:
        return cls(
            {account: row.spendable_coins for account, row in accounts.items()},
            frozenset(a for a, row in accounts.items() if row.flags & AccountFlags.FROZEN),
        )

    def afford(self, wallet: AccountId, coins: int) -> bool:
        left = self.available.get(wallet)
        if left is None:
            return True
        if coins > left:
            return False
        self.available[wallet] = left - coins
        return True


def continues_in_call(requests: Sequence[GiftRequest]) -> bool:
    """Whether some streak has two events in the call."""
    keys = [streak_key(r.sender_id, r.streak_id) for r in requests if r.streak_id is not None]
    return len(keys) != len(set(keys))


def sent_gift_id_of(key: str) -> TransferId:
    """The id of the gift an event books (its coin transfer's, derived from the key)."""
    return derived_id("gift-coins", key)


def same_gift(first: GiftRequest | GiftSent, again: GiftRequest) -> bool:
    """Whether an event sent again names the gift it named first: its sender, receiver
    and gift, and a one-off event's quantity (a streak event adds its count's delta, so
    its own quantity names nothing). One rule for a replay of a booked event and for an
    event repeated within a call, so that a call answers as its items one at a time."""
    same = (first.sender_id, first.creator_id, first.gift_id) == (
        again.sender_id,
        again.creator_id,
        again.gift_id,
    )
    return same and (again.streak_id is not None or first.quantity == again.quantity)


def another_gift() -> EconomyError:
    """The refusal of an event id used before for another gift."""
    return EconomyError(
        "this event id was already used for another gift", code="idempotency_conflict"
    )


def replayed_gift(booked: GiftSent, request: GiftRequest) -> GiftSent:
    """The gift an event booked already, as its replay answers it."""
    gift = replace(booked, replayed=True)
    if not same_gift(gift, request):
        raise another_gift()
    return gift


def prepare(
    context: EconomyContext,
    request: GiftRequest,
    found: Found,
    streaks_seen: dict[str, tuple[int, Streak | None]],
    decisions: list[Decision],
    funds: Funds | None = None,
) -> Prepared:
    """What one gift will book; the fraud decisions it triggers go to ``decisions``
    (logged in the job's transaction, the refusal's too). A streak's count is noted in
    ``streaks_seen`` only once the event is prepared: an event refused here leaves
    its streak as it was for the call's later events. With ``funds`` (a call where a
    streak continues from an earlier event of the same call), what the wallet cannot
    pay after the call's earlier gifts is refused here."""
    now = _sent_at(context, request)
    sender, creator, streak = found.sender, found.creator, found.streak
    assert sender is not None and creator is not None, "found for a gift not yet booked"
    _check_people(context, sender, creator, decisions)
    gift = context.catalog.gift(request.gift_id)
    if not gift.available_in(sender.region):
        raise GiftNotFoundError(request.gift_id)
    counted = _quantity(context, request, gift.streakable, streak, streaks_seen, now)
    quantity, expected, skey, count = (
        counted.added,
        counted.continues,
        counted.streak_key,
        counted.count,
    )
    # A streak's later events are one gesture (a held-down gift button): the velocity
    # rule counts one-off events and the start of each streak.
    decision = None if expected is not None else context.velocity.check(sender.id, now)
    if decision is not None:
        decisions.append(decision)
        raise VelocityLimitedError(decision.detail)
    plan = plan_gift(
        event_key=found.key,
        gift_id=gift.id,
        gift_coins=gift.coins,
        quantity=quantity,
        share_bps=context.share_bps,
    )
    if funds is not None and not funds.frozen.isdisjoint((sender.wallet, creator.earnings_pending)):
        # As with funds below: refused here as the ledger would refuse it, so that a
        # later event of its streak continues the streak as it stands.
        if expected is None:
            context.velocity.release(sender.id, now)
        raise frozen_error(sender_side=sender.wallet in funds.frozen)
    if funds is not None and not funds.afford(sender.wallet, plan.coins):
        # An earlier gift of this call empties the wallet first: refused here, as it
        # would be sent after it on its own, so a later event of its streak is planned
        # against the streak as it stands, not as if this one had been booked.
        if expected is None:
            context.velocity.release(sender.id, now)
        raise InsufficientFundsError("the wallet does not hold enough coins")
    if skey is not None:
        # What the call's later events of this streak continue: the stored streak, or
        # the one this event starts (its gift and creator, which they must keep).
        first = streaks_seen[skey][1] if skey in streaks_seen else found.streak
        if first is None:
            first = Streak(
                skey, request.sender_id, request.creator_id, request.gift_id, count, now, now
            )
        streaks_seen[skey] = (count, first)
    counted_at = None if expected is not None else now
    return Prepared(
        request, plan, sender, creator, skey, expected, count, counted_at=counted_at, at=now
    )


def frozen_error(*, sender_side: bool) -> AccountFrozenError:
    """The refusal of a gift whose sender's wallet (or else creator's earnings) is
    frozen: found by the ledger's transfer, or ahead of it in a call (``Funds``)."""
    whose = "sender's wallet" if sender_side else "creator's earnings"
    return AccountFrozenError(f"the {whose} is frozen")


def _sent_at(context: EconomyContext, request: GiftRequest) -> int:
    now = context.now()
    if request.sent_at is None:
        return now
    if not 0 < request.sent_at <= now:
        raise EconomyError("a recorded gift was sent before now", code="sent_at_invalid")
    return request.sent_at


def _check_people(
    context: EconomyContext, sender: User, creator: User, decisions: list[Decision]
) -> None:
    decision = rules.self_gifting(sender.id, creator.id)
    if decision is not None:
        decisions.append(decision)
        raise SelfGiftingError("a creator cannot send gifts to themself")
    if not creator.is_creator:
        raise NotACreatorError(f"user {creator.id} is not a creator")
    adult = context.catalog.adult_age_years
    today = context.today()
    require_adult(sender, today, minimum_age=adult, role="sender")
    require_adult(creator, today, minimum_age=adult, role="creator")


@dataclass(frozen=True, slots=True)
class _Quantity:
    added: int
    """Gifts this event adds (a streak event: its count minus the count it continues)."""
    continues: int | None
    """The streak count it continues; ``None`` for a one-off gift or a streak's start."""
    streak_key: str | None
    """The streak's key, ``None`` for a one-off gift."""
    count: int
    """The count after this event (a one-off gift: its quantity)."""


def _quantity(
    context: EconomyContext,
    request: GiftRequest,
    streakable: bool,
    streak: Streak | None,
    streaks_seen: dict[str, tuple[int, Streak | None]],
    now: int,
) -> _Quantity:
    """How many gifts an event adds, and the streak it continues or starts."""
    if request.streak_id is None:
        if not 0 < request.quantity <= GIFT_QUANTITY_MAX:
            raise EconomyError(f"quantity must be 1..{GIFT_QUANTITY_MAX}", code="quantity_invalid")
        return _Quantity(request.quantity, None, None, request.quantity)
    if not streakable:
        raise StreakError(f"gift {request.gift_id} cannot streak", code="gift_not_streakable")
    key = streak_key(request.sender_id, request.streak_id)
    if key in streaks_seen:  # an earlier event of this request continued it
        count, streak = streaks_seen[key]
        streak = (
            replace(streak, repeat_count=count, last_at=now)
            if streak
            else Streak(
                key, request.sender_id, request.creator_id, request.gift_id, count, now, now
            )
        )
    repeat_count = request.repeat_count or 0
    delta = delta_for(
        streak,
        repeat_count=repeat_count,
        gift_id=request.gift_id,
        creator_id=request.creator_id,
        now=now,
        timeout_s=context.settings.streak_timeout_s,
    )
    if delta > GIFT_QUANTITY_MAX:
        raise StreakError(
            f"a streak event adds at most {GIFT_QUANTITY_MAX}", code="quantity_invalid"
        )
    return _Quantity(delta, None if streak is None else streak.repeat_count, key, repeat_count)
