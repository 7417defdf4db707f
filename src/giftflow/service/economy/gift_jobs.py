"""A call's gift events as the engine's jobs: one part (a linked transfer chain and its
record) per event, the gifts' rows written in one statement of the job's finish, with
the fraud decisions and the key's answer; twins (one event twice in a call) booked once.
Planning is ``gift_plans``; the calls ``gifting``."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field, replace

from giftflow.economy.errors import EconomyError, InsufficientFundsError
from giftflow.economy.fraud import Decision
from giftflow.economy.streaks import Streak
from giftflow.errors import GiftflowError
from giftflow.ledger.limits import AccountId, TransferId
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
from giftflow.service.economy.gift_plans import (
    Found,
    Funds,
    GiftRequest,
    Prepared,
    another_gift,
    frozen_error,
    prepare,
    replayed_gift,
    same_gift,
)
from giftflow.service.engine import Committed, Done, Finish, Outcome, Part
from giftflow.service.once import Answer, AnsweredError, Once
from giftflow.store import gifts as stored_gifts
from giftflow.store.earnings import WalletRow
from giftflow.store.gifts import GiftSent, NewGift
from giftflow.store.tx import Record, RecordRejectedError, Tx

Loaded = tuple[Answer | None, list[Found | GiftflowError], dict[AccountId, WalletRow] | None]
"""What one call's read found: the key's answer, what each request found (or the error
that stops it), and the senders' spendable coins (and the accounts' flags) when a streak
continues in the call."""


@dataclass(slots=True)
class Sending:
    """One call's gifts on their way: what was decided before the engine (a gift
    booked already, a refusal) and the parts that go to it."""

    context: EconomyContext
    once: Once | None
    early: list[GiftSent | GiftflowError | None]
    """Per request: its outcome decided before the engine, or None for a part."""
    prepared: list[Prepared]
    decisions: list[Decision]
    """Fraud decisions to log, in the job's transaction."""
    committed: list[Committed] = field(default_factory=list)

    @classmethod
    def plan(
        cls,
        context: EconomyContext,
        requests: Sequence[GiftRequest],
        once: Once | None,
        loaded: Loaded,
    ) -> Sending:
        stored, found, available = loaded
        if stored is not None:
            raise AnsweredError(stored, committed=True)
        sending = cls(context, once, [], [], [])
        streaks_seen: dict[str, tuple[int, Streak | None]] = {}
        funds = None if available is None else Funds.of(available)
        twins: dict[str, tuple[GiftRequest, Prepared]] = {}
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
        found: Found,
        streaks_seen: dict[str, tuple[int, Streak | None]],
        funds: Funds | None,
        twins: dict[str, tuple[GiftRequest, Prepared]],
    ) -> None:
        """Plan one request as if the call's earlier ones had been sent on their own
        first: booked already, a replay; the same event as an earlier one of the call,
        its twin (the same transfers: booked once, the second answered as a replay, or
        ``idempotency_conflict`` if it names another gift)."""
        if found.booked is not None:
            self.early.append(replayed_gift(found.booked, request))
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
                    another_gift=not same_gift(first, request),
                )
            )
            self.early.append(None)
            return
        prepared = prepare(self.context, request, found, streaks_seen, self.decisions, funds)
        twins[found.key] = (request, prepared)
        self.prepared.append(prepared)
        self.early.append(None)

    def jobs(self) -> list[tuple[list[Part], Finish | None]]:
        """One job (with the key's answer); without a key, as many as the engine's
        batch size needs, so an embedder's import of any size goes through."""
        if not self.prepared and self.once is None and not self.decisions:
            return []
        chunks: list[list[Prepared]] = [[]]
        size, limit = 0, self.context.ledger.engine.batch_max
        for prepared in self.prepared:
            weight = len(self._transfers(prepared))
            if self.once is None and chunks[-1] and size + weight > limit:
                chunks.append([])
                size = 0
            chunks[-1].append(prepared)
            size += weight
        booked_here: dict[TransferId, GiftSent] = {}
        return [
            (
                [Part(self._transfers(p), _recorder(self.context, p, booked_here)) for p in chunk],
                self._finisher(chunk, last=index == len(chunks) - 1),
            )
            for index, chunk in enumerate(chunks)
        ]

    def _transfers(self, prepared: Prepared) -> list[Transfer]:
        return prepared.plan.transfers(
            prepared.sender, prepared.creator, session_id=prepared.request.session_id
        )

    def _finisher(self, chunk: list[Prepared], *, last: bool) -> Finish:
        """The gifts' rows in one statement; with the last job, the fraud decisions
        and the key's answer."""

        def finish(tx: Tx, outcomes: list[Outcome]) -> None:
            rows = [
                prepared.row
                for prepared, outcome in zip(chunk, outcomes, strict=True)
                if isinstance(outcome, Done) and _is_new(outcome.value) and prepared.row
            ]
            if rows:
                stored_gifts.insert_many(tx, rows)
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


def _recorder(
    context: EconomyContext, prepared: Prepared, booked_here: dict[TransferId, GiftSent]
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
        prepared.row = NewGift(
            gift,
            prepared.streak_key,
            prepared.plan.share_bps,
            # The holding period in force now, from the gift's time on the economy's
            # clock (not the ledger's timestamp, a few ns later): a gift has matured
            # exactly when its hold is over, and a later change of the setting never
            # moves this.
            matures_at=(prepared.at or sent_at) + context.hold_ns,
        )
        booked_here[gift.id] = gift
        if prepared.streak_key is not None:
            _advance_streak(tx, prepared, prepared.at or sent_at)
        booked = _booked(prepared, gift)
        if booked is not None and context.gift_listeners:  # they find the row written
            stored_gifts.insert(tx, prepared.row)
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
        return another_gift()
    raise RecordRejectedError("the event this one repeats was not booked; send it again")


def _twin(tx: Tx, sent_gift_id: TransferId, booked_here: dict[TransferId, GiftSent]) -> GiftSent:
    """The gift booked by the twin event that came first: in an earlier batch (its
    row is stored) or earlier in this job (its row is not written yet)."""
    stored = stored_gifts.by_id(tx, sent_gift_id)
    if stored is not None:
        return replace(stored, replayed=True)
    assert sent_gift_id in booked_here, "a booked gift has its row or is booked in this job"
    return replace(booked_here[sent_gift_id], replayed=True)


def _sent(prepared: Prepared, sent_at: int) -> GiftSent:
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


def _booked(prepared: Prepared, gift: GiftSent) -> GiftBooked | None:
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


def _stage(context: EconomyContext, tx: Tx, gift: GiftSent, prepared: Prepared) -> None:
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


def _advance_streak(tx: Tx, prepared: Prepared, now: int) -> None:
    """Compare-and-set: the streak must still be where this event found it."""
    key = prepared.streak_key
    assert key is not None, "a streak event has its streak's key"
    if prepared.expected_count is None:
        moved = stored_gifts.start_streak(
            tx,
            Streak(
                key,
                prepared.sender.id,
                prepared.creator.id,
                prepared.plan.gift_id,
                prepared.repeat_count,
                now,
                now,
            ),
        )
    else:
        moved = stored_gifts.advance_streak(
            tx,
            key,
            expected_count=prepared.expected_count,
            count=prepared.repeat_count,
            now_ns=now,
        )
    if not moved:
        raise RecordRejectedError(
            f"streak {prepared.streak_key} moved on meanwhile; send the event again",
            code="streak_conflict",
        )


def _gift_error(failure: TransferResult) -> EconomyError:
    code = failure.code
    if code == TransferResultCode.INSUFFICIENT_FUNDS:
        return InsufficientFundsError("the wallet does not hold enough coins")
    if code == TransferResultCode.ACCOUNT_FROZEN:
        return frozen_error(sender_side=failure.detail == "debit_account_id")
    return ledger_error(failure, "the gift")
