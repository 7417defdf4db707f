"""Sending gifts: validation, fraud rules, streak deltas, and one linked ledger chain
per gift event whose domain rows (the gift, its streak) commit with it.

The events of one call are one job of the engine, a part each: a gateway's batch of
gifts shares one group commit, each event gets its own answer, and the caller's
idempotency key (if any) keeps the whole answer in the same transaction. This module
reads what the call needs (one read whatever its size) and runs its jobs; planning an
event is ``gift_plans``, the jobs ``gift_jobs``, ending streaks ``streaks``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

from giftflow.economy.errors import UserNotFoundError
from giftflow.economy.streaks import Streak, streak_key
from giftflow.economy.users import User
from giftflow.errors import GiftflowError
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX, AccountId, TransferId
from giftflow.service.economy.context import EconomyContext
from giftflow.service.economy.gift_jobs import Loaded, Sending
from giftflow.service.economy.gift_plans import (
    Found,
    GiftRequest,
    continues_in_call,
    event_key,
    sent_gift_id_of,
)
from giftflow.service.once import Once
from giftflow.store import earnings as stored_earnings
from giftflow.store import gifts as stored_gifts
from giftflow.store import users as stored_users
from giftflow.store.earnings import WalletRow
from giftflow.store.gifts import GiftSent
from giftflow.store.tx import Tx

__all__ = ["GiftRequest", "GiftSent", "send_gift", "send_gifts", "send_gifts_async"]


def send_gifts(
    context: EconomyContext, requests: Sequence[GiftRequest], once: Once | None = None
) -> list[GiftSent | GiftflowError]:
    """Send each gift; one result per request (a GiftSent, or the error that stopped it).
    What the requests need from the database is read in one transaction; what they
    book is written in one job of the engine, so a gateway's batch costs one read and
    a share of one group commit. With ``once``, its answer is kept in that job's
    transaction too (``AnsweredError`` when the key was answered before)."""
    found = context.ledger.read(_loader(requests, once))
    sending = Sending.plan(context, requests, once, found)
    for parts, finish in sending.jobs():
        sending.committed.append(context.ledger.commit(parts, finish))
    return sending.outcomes()


async def send_gifts_async(
    context: EconomyContext, requests: Sequence[GiftRequest], once: Once | None = None
) -> list[GiftSent | GiftflowError]:
    """``send_gifts`` from an event loop: the job is awaited with no thread in between
    (the read too, on SQLite: ``Ledger.read_async``)."""
    found = await context.ledger.read_async(_loader(requests, once))
    sending = Sending.plan(context, requests, once, found)
    for parts, finish in sending.jobs():
        sending.committed.append(await context.ledger.commit_async(parts, finish))
    return sending.outcomes()


def send_gift(context: EconomyContext, request: GiftRequest) -> GiftSent:
    outcome = send_gifts(context, [request])[0]
    if isinstance(outcome, GiftflowError):
        raise outcome
    return outcome


def _loader(requests: Sequence[GiftRequest], once: Once | None) -> Callable[[Tx], Loaded]:
    """One read for the whole call: the key's answer, then the gifts booked already,
    the people and the streaks, three statements whatever the number of gifts (and the
    senders' wallets, when a streak continues within the call)."""

    def load(tx: Tx) -> Loaded:
        stored = None if once is None else once.lookup(tx)
        if stored is not None:
            return stored, [], None
        keys: list[str | GiftflowError] = []
        for request in requests:
            try:
                keys.append(event_key(request))
            except GiftflowError as error:
                keys.append(error)
        ids = [sent_gift_id_of(key) for key in keys if isinstance(key, str)]
        booked = stored_gifts.by_ids(tx, ids)
        people = _people(tx, requests)
        streaks = _streaks(tx, requests)
        available = _spendable(tx, requests, people) if continues_in_call(requests) else None
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


def _people(tx: Tx, requests: Sequence[GiftRequest]) -> dict[UserId, User]:
    ids = [i for r in requests for i in (r.sender_id, r.creator_id) if 0 < i <= INT64_MAX]
    return stored_users.by_ids(tx, ids)


def _spendable(
    tx: Tx, requests: Sequence[GiftRequest], people: dict[UserId, User]
) -> dict[AccountId, WalletRow]:
    """What each sender's wallet can spend now and the flags of it and of the
    creator's pending earnings (a frozen one refuses the gift), by account id."""
    accounts = [people[r.sender_id].wallet for r in requests if r.sender_id in people]
    accounts += [people[r.creator_id].earnings_pending for r in requests if r.creator_id in people]
    return stored_earnings.spendable(tx, accounts)


def _streaks(tx: Tx, requests: Sequence[GiftRequest]) -> dict[str, Streak]:
    keys = [streak_key(r.sender_id, r.streak_id) for r in requests if r.streak_id is not None]
    return stored_gifts.streaks_by_ids(tx, keys)


def _found(
    request: GiftRequest,
    key: str,
    booked: dict[TransferId, GiftSent],
    people: dict[UserId, User],
    streaks: dict[str, Streak],
) -> Found | GiftflowError:
    gift = booked.get(sent_gift_id_of(key))
    if gift is not None:
        return Found(key, gift)
    for user_id in (request.sender_id, request.creator_id):
        if user_id not in people:
            return UserNotFoundError(f"no user {user_id}")
    streak = None
    if request.streak_id is not None:
        streak = streaks.get(streak_key(request.sender_id, request.streak_id))
    return Found(key, None, people[request.sender_id], people[request.creator_id], streak)
