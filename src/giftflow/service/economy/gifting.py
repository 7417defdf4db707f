"""Sending gifts: validation, fraud rules, streak deltas, and one linked ledger chain
per gift event whose domain rows (the gift, its streak) commit with it.

The events of one call are one job of the engine, a part each: a gateway's batch of
gifts shares one group commit, each event gets its own answer, and the caller's
idempotency key (if any) keeps the whole answer in the same transaction.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from giftflow.economy import fraud as rules
from giftflow.economy.catalog.errors import GiftNotFoundError
from giftflow.economy.errors import (
    AccountFrozenError,
    EconomyError,
    InsufficientFundsError,
    NotACreatorError,
    SelfGiftingError,
    StreakError,
    UserNotFoundError,
    VelocityLimitedError,
)
from giftflow.economy.fraud import Decision
from giftflow.economy.gifting import GIFT_QUANTITY_MAX, GiftPlan, plan_gift
from giftflow.economy.ids import derived_id
from giftflow.economy.streaks import Streak, delta_for, streak_key
from giftflow.economy.users import User, require_adult
from giftflow.errors import GiftflowError
from giftflow.ledger.limits import INT64_MAX
from giftflow.ledger.results import TransferResult, TransferResultCode
from giftflow.ledger.transfers import Transfer
from giftflow.live.events import EventType
from giftflow.service.economy import fraud
from giftflow.service.economy.context import (
    EconomyContext,
    GiftBooked,
    PendingEvent,
    first_failure,
    ledger_error,
)
from giftflow.service.engine import Committed, Done, Finish, Outcome, Part
from giftflow.service.once import Answer, AnsweredError, Once
from giftflow.store import users as stored_users
from giftflow.store.tx import Record, RecordRejectedError, Row, Tx


@dataclass(frozen=True, slots=True)
class GiftRequest:
    """One gift event. Either ``event_id`` (the client's unique id for a one-off
    event, with ``quantity``) or ``streak_id`` with its rising ``repeat_count``."""

    sender_id: int
    creator_id: int
    gift_id: int
    quantity: int = 1
    event_id: str | None = None
    streak_id: str | None = None
    repeat_count: int | None = None
    session_id: int = 0
    sent_at: int | None = None
    """When a recorded gift was sent, for importing a history through the Python API
    (``giftflow replay``): not after now, and a replay goes in time order. The HTTP API
    never sets it: a live gift is sent when the ledger books it."""


@dataclass(frozen=True, slots=True)
class GiftSent:
    """A gift as booked. ``quantity`` is the delta this event added: count it, and a
    streak is counted exactly once."""

    id: int
    sender_id: int
    creator_id: int
    gift_id: int
    quantity: int
    repeat_count: int
    streak_id: str | None
    coins: int
    diamond_units: int
    session_id: int
    sent_at: int
    replayed: bool = False


_GIFT_COLUMNS = (
    "id, sender_id, creator_id, gift_id, quantity, repeat_count, streak_id, coins,"
    " diamond_units, session_id, sent_at"
)
_INSERT_GIFT = (
    f"INSERT INTO gifts ({_GIFT_COLUMNS}, share_bps, matures_at) VALUES ({', '.join('?' * 13)})"
)
_STREAK_COLUMNS = (
    "id, sender_id, creator_id, gift_id, repeat_count, started_at, last_at, ended_at, end_reason"
)


def gift_of(row: Row, *, replayed: bool = False) -> GiftSent:
    streak = row[6].split(":", 1)[1] if row[6] else None
    return GiftSent(
        row[0],
        row[1],
        row[2],
        row[3],
        row[4],
        row[5],
        streak,
        row[7],
        row[8],
        row[9] or 0,
        row[10],
        replayed,
    )


def streak_of(row: Row) -> Streak:
    return Streak(*row)


@dataclass(slots=True)
class _Prepared:
    request: GiftRequest
    plan: GiftPlan
    sender: User
    creator: User
    streak_key: str | None
    expected_count: int | None
    repeat_count: int
    events: list[PendingEvent] = field(default_factory=list)
    """What the gift's listeners asked to publish once it has committed."""
    row: tuple[object, ...] | None = None
    """The gift's row, when its job's finish writes it with the others."""
    counted_at: int | None = None
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
    if request.streak_id is not None:
        key = streak_key(request.sender_id, request.streak_id)
        return f"streak:{key}:{request.repeat_count}"
    if not request.event_id:
        raise EconomyError("a gift event needs an event_id or a streak", code="event_id_missing")
    return f"event:{request.sender_id}:{request.event_id}"


def send_gifts(
    context: EconomyContext, requests: Sequence[GiftRequest], once: Once | None = None
) -> list[GiftSent | GiftflowError]:
    """Send each gift; one result per request (a GiftSent, or the error that stopped it).
    What the requests need from the database is read in one transaction; what they
    book is written in one job of the engine, so a gateway's batch costs one read and
    a share of one group commit. With ``once``, its answer is kept in that job's
    transaction too (``AnsweredError`` when the key was answered before)."""
    found = context.ledger.read(_loader(requests, once))
    sending = _Sending.plan(context, requests, once, found)
    for parts, finish in sending.jobs():
        sending.committed.append(context.ledger.commit(parts, finish))
    return sending.outcomes()


async def send_gifts_async(
    context: EconomyContext, requests: Sequence[GiftRequest], once: Once | None = None
) -> list[GiftSent | GiftflowError]:
    """``send_gifts`` from an event loop: the job is awaited with no thread in between
    (the read too, on SQLite: ``Ledger.read_async``)."""
    found = await context.ledger.read_async(_loader(requests, once))
    sending = _Sending.plan(context, requests, once, found)
    for parts, finish in sending.jobs():
        sending.committed.append(await context.ledger.commit_async(parts, finish))
    return sending.outcomes()


def send_gift(context: EconomyContext, request: GiftRequest) -> GiftSent:
    outcome = send_gifts(context, [request])[0]
    if isinstance(outcome, GiftflowError):
        raise outcome
    return outcome


@dataclass(frozen=True, slots=True)
class _Found:
    """What the database holds for one request: the gift if it was booked already,
    else the sender, the creator and the streak it continues."""

    key: str
    booked: Row | None
    sender: User | None = None
    creator: User | None = None
    streak: Streak | None = None


@dataclass(slots=True)
class _Funds:
    """The coins each sender's wallet could spend when the call was read, less what the
    call's earlier gifts will take: read only for a call where a streak continues from
    an earlier event of the same call, whose plan depends on whether that one is paid."""

    available: dict[int, int]

    def afford(self, wallet: int, coins: int) -> bool:
        left = self.available.get(wallet)
        if left is None:
            return True
        if coins > left:
            return False
        self.available[wallet] = left - coins
        return True


def _continues_in_call(requests: Sequence[GiftRequest]) -> bool:
    """Whether some streak has two events in the call."""
    keys = [streak_key(r.sender_id, r.streak_id) for r in requests if r.streak_id is not None]
    return len(keys) != len(set(keys))


@dataclass(slots=True)
class _Sending:
    """One call's gifts on their way: what was decided before the engine (a gift
    booked already, a refusal) and the parts that go to it."""

    context: EconomyContext
    once: Once | None
    early: list[GiftSent | GiftflowError | None]
    """Per request: its outcome decided before the engine, or None for a part."""
    prepared: list[_Prepared]
    decisions: list[Decision]
    """Fraud decisions to log, in the job's transaction."""
    committed: list[Committed] = field(default_factory=list)

    @classmethod
    def plan(
        cls,
        context: EconomyContext,
        requests: Sequence[GiftRequest],
        once: Once | None,
        loaded: _Loaded,
    ) -> _Sending:
        stored, found, available = loaded
        if stored is not None:
            raise AnsweredError(stored, committed=True)
        sending = cls(context, once, [], [], [])
        streaks_seen: dict[str, tuple[int, Streak | None]] = {}
        funds = None if available is None else _Funds(available)
        twins: dict[str, tuple[GiftRequest, _Prepared]] = {}
        for request, item in zip(requests, found, strict=True):
            try:
                if isinstance(item, GiftflowError):
                    raise item
                sending.add(request, item, streaks_seen, funds, twins)
            except GiftflowError as error:
                sending.early.append(error)
        return sending

    def add(
        self,
        request: GiftRequest,
        found: _Found,
        streaks_seen: dict[str, tuple[int, Streak | None]],
        funds: _Funds | None,
        twins: dict[str, tuple[GiftRequest, _Prepared]],
    ) -> None:
        """Plan one request as if the call's earlier ones had been sent on their own
        first: booked already, a replay; the same event as an earlier one of the call,
        its twin (the same transfers: booked once, the second answered as a replay, or
        ``idempotency_conflict`` if it names another gift)."""
        if found.booked is not None:
            self.early.append(_replayed(found.booked, request))
            return
        twin = twins.get(found.key)
        if twin is not None:
            first, prepared = twin
            # Its answer waits for the first's: booked, a replay, or `idempotency_conflict`
            # if it names another gift, as one at a time; refused by the ledger, the same
            # refusal (the first's transfers met it).
            self.prepared.append(
                replace(
                    prepared,
                    events=[],
                    row=None,
                    counted_at=None,
                    another_gift=not _same_gift(first, request),
                )
            )
            self.early.append(None)
            return
        prepared = _prepare(self.context, request, found, streaks_seen, self.decisions, funds)
        twins[found.key] = (request, prepared)
        self.prepared.append(prepared)
        self.early.append(None)

    def jobs(self) -> list[tuple[list[Part], Finish | None]]:
        """One job (with the key's answer); without a key, as many as the engine's
        batch size needs, so an embedder's import of any size goes through."""
        if not self.prepared and self.once is None and not self.decisions:
            return []
        chunks: list[list[_Prepared]] = [[]]
        size, limit = 0, self.context.ledger.engine.batch_max
        for prepared in self.prepared:
            weight = len(self._transfers(prepared))
            if self.once is None and chunks[-1] and size + weight > limit:
                chunks.append([])
                size = 0
            chunks[-1].append(prepared)
            size += weight
        booked_here: dict[int, GiftSent] = {}
        return [
            (
                [Part(self._transfers(p), _recorder(self.context, p, booked_here)) for p in chunk],
                self._finisher(chunk, last=index == len(chunks) - 1),
            )
            for index, chunk in enumerate(chunks)
        ]

    def _transfers(self, prepared: _Prepared) -> list[Transfer]:
        return prepared.plan.transfers(
            prepared.sender, prepared.creator, session_id=prepared.request.session_id
        )

    def _finisher(self, chunk: list[_Prepared], *, last: bool) -> Finish:
        """The gifts' rows in one statement; with the last job, the fraud decisions
        and the key's answer."""

        def finish(tx: Tx, outcomes: list[Outcome]) -> None:
            rows = [
                prepared.row
                for prepared, outcome in zip(chunk, outcomes, strict=True)
                if isinstance(outcome, Done) and _is_new(outcome.value) and prepared.row
            ]
            if rows:
                tx.executemany(_INSERT_GIFT, rows)
            if not last:
                return
            now = self.context.now()
            for decision in self.decisions:
                fraud.insert(tx, decision, now, self.context)
            if self.once is not None:
                self.once.keep(tx, self._merged(outcomes), now=now)

        return finish

    def _merged(self, outcomes: list[Outcome]) -> list[GiftSent | GiftflowError]:
        """The early outcomes with the parts' in request order (a finish sees only its
        own job's parts: with a key there is one job)."""
        booked = iter(outcomes)
        return [
            _part_outcome(next(booked)) if outcome is None else outcome for outcome in self.early
        ]

    def outcomes(self) -> list[GiftSent | GiftflowError]:
        parts = [outcome for job in self.committed for outcome in job.outcomes]
        results = self._merged(parts)
        for prepared, outcome in zip(self.prepared, parts, strict=True):
            if isinstance(outcome, Done) and _is_new(outcome.value):
                self.context.publish(prepared.events)
            elif prepared.counted_at is not None:
                self.context.velocity.release(prepared.sender.id, prepared.counted_at)
        return results


def _part_outcome(outcome: Outcome) -> GiftSent | GiftflowError:
    if isinstance(outcome, GiftflowError):
        return outcome
    if isinstance(outcome, BaseException):
        raise outcome
    value = outcome.value
    assert isinstance(value, GiftSent | GiftflowError), "a gift's record returns its outcome"
    return value


def _is_new(value: object) -> bool:
    return isinstance(value, GiftSent) and not value.replayed


_Loaded = tuple[Answer | None, list["_Found | GiftflowError"], dict[int, int] | None]


def _loader(requests: Sequence[GiftRequest], once: Once | None) -> Callable[[Tx], _Loaded]:
    """One read for the whole call: the key's answer, then the gifts booked already,
    the people and the streaks, three statements whatever the number of gifts (and the
    senders' wallets, when a streak continues within the call)."""

    def load(tx: Tx) -> _Loaded:
        stored = None if once is None else once.lookup(tx)
        if stored is not None:
            return stored, [], None
        keys: list[str | GiftflowError] = []
        for request in requests:
            try:
                keys.append(event_key(request))
            except GiftflowError as error:
                keys.append(error)
        ids: list[int | str] = [_gift_id(key) for key in keys if isinstance(key, str)]
        booked = _rows_by_id(tx, "gifts", _GIFT_COLUMNS, ids)
        people = _people(tx, requests)
        streaks = _streaks(tx, requests)
        available = _spendable(tx, requests, people) if _continues_in_call(requests) else None
        return (
            None,
            [
                key
                if isinstance(key, GiftflowError)
                else _found(request, key, booked, people, streaks)
                for request, key in zip(requests, keys, strict=True)
            ],
            available,
        )

    return load


def _gift_id(key: str) -> int:
    return derived_id("gift-coins", key)


def _rows_by_id(tx: Tx, table: str, columns: str, ids: Sequence[int | str]) -> dict[Any, Row]:
    if not ids:
        return {}
    clause, parameter = tx.any_of(list(dict.fromkeys(ids)))
    rows = tx.execute(f"SELECT {columns} FROM {table} WHERE id {clause}", (parameter,))
    return {row[0]: row for row in rows.fetchall()}


def _people(tx: Tx, requests: Sequence[GiftRequest]) -> dict[int, User]:
    ids = [i for r in requests for i in (r.sender_id, r.creator_id) if 0 < i <= INT64_MAX]
    return stored_users.by_ids(tx, ids)


def _spendable(tx: Tx, requests: Sequence[GiftRequest], people: dict[int, User]) -> dict[int, int]:
    """What each sender's wallet can spend now, by wallet account id."""
    wallets: list[int | str] = [
        people[r.sender_id].wallet for r in requests if r.sender_id in people
    ]
    rows = _rows_by_id(
        tx, "accounts", "id, credits_posted - debits_posted - debits_pending", wallets
    )
    return {int(account): int(row[1]) for account, row in rows.items()}


def _streaks(tx: Tx, requests: Sequence[GiftRequest]) -> dict[str, Streak]:
    keys: list[int | str] = [
        streak_key(r.sender_id, r.streak_id) for r in requests if r.streak_id is not None
    ]
    return {
        key: streak_of(row)
        for key, row in _rows_by_id(tx, "streaks", _STREAK_COLUMNS, keys).items()
    }


def _found(
    request: GiftRequest,
    key: str,
    booked: dict[Any, Row],
    people: dict[int, User],
    streaks: dict[str, Streak],
) -> _Found | GiftflowError:
    row = booked.get(_gift_id(key))
    if row is not None:
        return _Found(key, row)
    for user_id in (request.sender_id, request.creator_id):
        if user_id not in people:
            return UserNotFoundError(f"no user {user_id}")
    streak = None
    if request.streak_id is not None:
        streak = streaks.get(streak_key(request.sender_id, request.streak_id))
    return _Found(key, None, people[request.sender_id], people[request.creator_id], streak)


def _gift_row(tx: Tx, gift_row_id: int) -> Row | None:
    return tx.execute(f"SELECT {_GIFT_COLUMNS} FROM gifts WHERE id = ?", (gift_row_id,)).fetchone()


def _same_gift(first: GiftRequest | GiftSent, again: GiftRequest) -> bool:
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


def _another_gift() -> EconomyError:
    return EconomyError(
        "this event id was already used for another gift", code="idempotency_conflict"
    )


def _replayed(row: Row, request: GiftRequest) -> GiftSent:
    gift = gift_of(row, replayed=True)
    if not _same_gift(gift, request):
        raise _another_gift()
    return gift


def _prepare(
    context: EconomyContext,
    request: GiftRequest,
    found: _Found,
    streaks_seen: dict[str, tuple[int, Streak | None]],
    decisions: list[Decision],
    funds: _Funds | None = None,
) -> _Prepared:
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
    return _Prepared(
        request, plan, sender, creator, skey, expected, count, counted_at=counted_at, at=now
    )


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


def _recorder(
    context: EconomyContext, prepared: _Prepared, booked_here: dict[int, GiftSent]
) -> Record:
    """The gift's rows with its transfers; returns the gift as booked (or the refusal
    its transfers met). Its ``gifts`` row goes with its job's others, in one statement
    of the job's finish, unless listeners will look at it (a gift in a session): then
    it is written here, before them. ``booked_here``: the gifts this job booked, for a
    twin event later in it."""

    def record(tx: Tx, results: list[TransferResult]) -> GiftSent | GiftflowError:
        failure = first_failure(results)
        if failure is not None:
            return _gift_error(failure)
        prepared.row = None
        if prepared.another_gift:
            return _conflicting_twin(results)
        if results[0].code == TransferResultCode.EXISTS:  # a twin of this event won a race
            prepared.events = []
            return _twin(tx, prepared.plan.coin_transfer_id, booked_here)
        sent_at = (
            results[0].timestamp if prepared.request.sent_at is None else prepared.request.sent_at
        )
        gift = _sent(prepared, sent_at)
        prepared.row = (
            gift.id,
            gift.sender_id,
            gift.creator_id,
            gift.gift_id,
            gift.quantity,
            gift.repeat_count,
            prepared.streak_key,
            gift.coins,
            gift.diamond_units,
            gift.session_id or None,
            sent_at,
            prepared.plan.share_bps,
            # The holding period in force now, from the gift's time on the economy's
            # clock (not the ledger's timestamp, a few ns later): a gift has matured
            # exactly when its hold is over, and a later change of the setting never
            # moves this.
            (prepared.at or sent_at) + context.hold_ns,
        )
        booked_here[gift.id] = gift
        if prepared.streak_key is not None:
            _advance_streak(tx, prepared, prepared.at or sent_at)
        booked = _booked(prepared, gift)
        if booked is not None and context.gift_listeners:  # they find the row written
            tx.execute(_INSERT_GIFT, prepared.row)
            prepared.row = None
        # A batch whose record is refused runs again: the events of the last run count.
        prepared.events = _notify(context, tx, booked)
        _stage(context, tx, gift, prepared)
        return gift

    return record


def _conflicting_twin(results: list[TransferResult]) -> EconomyError:
    """A twin naming another gift: the first's transfers exist (it was booked), so the
    event id was used for another gift; if the first was taken out of the job after all
    (a lost race), its transfers would be booked here: refused, to be sent again."""
    if results[0].code == TransferResultCode.EXISTS:
        return _another_gift()
    raise RecordRejectedError("the event this one repeats was not booked; send it again")


def _twin(tx: Tx, gift_id: int, booked_here: dict[int, GiftSent]) -> GiftSent:
    """The gift booked by the twin event that came first: in an earlier batch (its
    row is stored) or earlier in this job (its row is not written yet)."""
    row = _gift_row(tx, gift_id)
    if row is not None:
        return gift_of(row, replayed=True)
    assert gift_id in booked_here, "a booked gift has its row or is booked in this job"
    return replace(booked_here[gift_id], replayed=True)


def _sent(prepared: _Prepared, sent_at: int) -> GiftSent:
    plan, request = prepared.plan, prepared.request
    return GiftSent(
        id=plan.coin_transfer_id,
        sender_id=prepared.sender.id,
        creator_id=prepared.creator.id,
        gift_id=plan.gift_id,
        quantity=plan.quantity,
        repeat_count=prepared.repeat_count,
        streak_id=request.streak_id,
        coins=plan.coins,
        diamond_units=plan.units,
        session_id=request.session_id,
        sent_at=sent_at,
    )


def _booked(prepared: _Prepared, gift: GiftSent) -> GiftBooked | None:
    if not gift.session_id:
        return None
    return GiftBooked(
        id=gift.id,
        session_id=gift.session_id,
        sender_id=gift.sender_id,
        creator_id=gift.creator_id,
        gift_id=gift.gift_id,
        quantity=gift.quantity,
        repeat_count=gift.repeat_count,
        streak_id=gift.streak_id,
        coins=gift.coins,
        sent_at=gift.sent_at,
        sender_name=prepared.sender.display_name,
    )


def _notify(context: EconomyContext, tx: Tx, booked: GiftBooked | None) -> list[PendingEvent]:
    """``gift.sent`` for every gift in a session, then what its listeners add."""
    if booked is None:
        return []
    events = [
        PendingEvent(
            booked.creator_id,
            EventType.GIFT_SENT,
            _sent_data(booked, booked.sender_name),
            booked.sent_at,
        )
    ]
    for listener in context.gift_listeners:
        events.extend(listener(tx, booked))
    return events


def _stage(context: EconomyContext, tx: Tx, gift: GiftSent, prepared: _Prepared) -> None:
    """The gift's events for webhooks out: a session's (with what its listeners added),
    or ``gift.sent`` alone for a gift outside LIVE (no room hears that one)."""
    if prepared.events:
        context.stage(tx, prepared.events)
        return
    name = prepared.sender.display_name
    data = lambda: _sent_data(gift, name)  # noqa: E731 (built only when subscribed)
    context.notify(tx, gift.creator_id, EventType.GIFT_SENT, data, gift.sent_at)


def _sent_data(gift: GiftBooked | GiftSent, sender_name: str) -> dict[str, object]:
    return {
        "gift_event_id": str(gift.id),
        "session_id": gift.session_id or None,
        "sender_id": gift.sender_id,
        "sender_name": sender_name,
        "gift_id": gift.gift_id,
        "delta": gift.quantity,
        "repeat_count": gift.repeat_count,
        "streak_id": gift.streak_id,
        "coins": gift.coins,
    }


def _advance_streak(tx: Tx, prepared: _Prepared, now: int) -> None:
    """Compare-and-set: the streak must still be where this event found it."""
    if prepared.expected_count is None:
        tx.execute(
            f"INSERT INTO streaks ({_STREAK_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, 0, NULL)"
            " ON CONFLICT (id) DO NOTHING",
            (
                prepared.streak_key,
                prepared.sender.id,
                prepared.creator.id,
                prepared.plan.gift_id,
                prepared.repeat_count,
                now,
                now,
            ),
        )
    else:
        tx.execute(
            "UPDATE streaks SET repeat_count = ?, last_at = ?"
            " WHERE id = ? AND repeat_count = ? AND ended_at = 0",
            (prepared.repeat_count, now, prepared.streak_key, prepared.expected_count),
        )
    if tx.rowcount != 1:
        raise RecordRejectedError(
            f"streak {prepared.streak_key} moved on meanwhile; send the event again",
            code="streak_conflict",
        )


def _gift_error(failure: TransferResult) -> EconomyError:
    code = failure.code
    if code == TransferResultCode.INSUFFICIENT_FUNDS:
        return InsufficientFundsError("the wallet does not hold enough coins")
    if code == TransferResultCode.ACCOUNT_FROZEN:
        whose = "sender's wallet" if failure.detail == "debit_account_id" else "creator's earnings"
        return AccountFrozenError(f"the {whose} is frozen")
    return ledger_error(failure, "the gift")


def end_streak(context: EconomyContext, sender_id: int, client_streak_id: str) -> Streak:
    """End a streak on the client's word; ending an ended streak changes nothing."""
    key = streak_key(sender_id, client_streak_id)
    now = context.now()

    def end(tx: Tx) -> tuple[Streak, list[PendingEvent]]:
        tx.execute(
            "UPDATE streaks SET ended_at = ?, end_reason = 'ended' WHERE id = ? AND ended_at = 0",
            (now, key),
        )
        ended = tx.rowcount == 1
        row = tx.execute(f"SELECT {_STREAK_COLUMNS} FROM streaks WHERE id = ?", (key,)).fetchone()
        if row is None:
            raise StreakError(f"no streak {client_streak_id}", code="streak_not_found")
        streak = streak_of(row)
        return streak, _streak_ended(tx, streak) if ended else []

    streak, events = context.ledger.write(end)
    context.publish(events)
    return streak


def end_stale_streaks(context: EconomyContext) -> list[Streak]:
    """End the streaks that had no event for the timeout; returns those just ended."""
    now = context.now()
    cutoff = now - context.settings.streak_timeout_s * 1_000_000_000

    def sweep(tx: Tx) -> tuple[list[Streak], list[PendingEvent]]:
        rows = tx.execute(
            f"UPDATE streaks SET ended_at = ?, end_reason = 'timeout'"
            f" WHERE ended_at = 0 AND last_at <= ? RETURNING {_STREAK_COLUMNS}",
            (now, cutoff),
        ).fetchall()
        streaks = sorted(map(streak_of, rows), key=lambda streak: streak.id)
        return streaks, [event for streak in streaks for event in _streak_ended(tx, streak)]

    streaks, events = context.ledger.write(sweep)
    context.publish(events)
    return streaks


def _streak_ended(tx: Tx, streak: Streak) -> list[PendingEvent]:
    """``streak.ended`` to the creator's room, for a streak whose last event was in a
    session (streaks outside LIVE have no room to tell)."""
    session_id = tx.scalar(
        "SELECT session_id FROM gifts WHERE streak_id = ? ORDER BY sent_at DESC LIMIT 1",
        (streak.id,),
    )
    if not session_id:
        return []
    data = {
        "session_id": int(session_id),
        "streak_id": streak.id.split(":", 1)[1],
        "sender_id": streak.sender_id,
        "gift_id": streak.gift_id,
        "repeat_count": streak.repeat_count,
        "started_at": streak.started_at,
        "ended_at": streak.ended_at,
        "reason": streak.end_reason,
    }
    return [PendingEvent(streak.creator_id, EventType.STREAK_ENDED, data, streak.ended_at)]
