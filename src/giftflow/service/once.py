"""Idempotency keys kept in the work's own transaction (the recovery point of Stripe's
idempotency keys, with one phase).

A caller's key names one operation. Before the work, a read looks the key up: a stored
answer is given again, and nothing runs. Otherwise the work runs, and its stored answer
is written by the same record, in the same batch transaction, as the work's transfers
and rows. So after any crash a key has either nothing (the work did not happen: a retry
does it) or the whole answer, never a claim without its work.

Two requests racing with one key (on two servers) both find nothing; the first batch
to commit keeps its answer, and the other's record finds that row, refuses its own work
(``AnsweredError``, so the engine applies none of it) and gives the stored answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from giftflow.errors import GiftflowError
from giftflow.store import idempotency as stored
from giftflow.store.idempotency import IN_FLIGHT
from giftflow.store.tx import RecordRejectedError, Tx


class IdempotencyKeyReusedError(GiftflowError):
    """The key was used before by this caller for another request."""

    code = "idempotency_key_reused"


class IdempotencyKeyInUseError(GiftflowError):
    """The first request with this key has not finished yet."""

    code = "idempotency_key_in_use"


@dataclass(frozen=True, slots=True)
class Answer:
    """A stored answer: a status code and the body, as the caller first received it."""

    status_code: int
    body: str
    replayed: bool = False


Render = Callable[[object], Answer | None]
"""The answer to keep for an outcome (the operation's result, or the ``GiftflowError``
that refused it); ``None`` for an outcome that may differ on a retry (a velocity limit,
a lost race), which leaves the key unspent."""


class AnsweredError(RecordRejectedError):
    """Another request with this key kept its answer first: that is the answer.

    Raised from a record (``committed`` false), the answer was seen inside a batch
    transaction and may belong to a try of that batch that was undone; ``settled``
    looks again once the batch is over (the engine answers a job it took out only
    then) with ``Once.answered``."""

    code = "idempotency_replayed"

    def __init__(self, answer: Answer, *, committed: bool) -> None:
        super().__init__("a request with this key was answered already")
        self.answer = answer
        self.committed = committed


@dataclass(slots=True)
class Once:
    """One caller's key for one request (``request_sha256``: what the request was)."""

    principal: str
    key: str
    request_sha256: str
    render: Render
    kept: Answer | None = field(default=None, compare=False)
    """The answer ``keep`` wrote, once its transaction committed."""

    def lookup(self, tx: Tx) -> Answer | None:
        """The answer stored under this key, or None; raises when the key was used for
        another request or is held by an unfinished claim."""
        row = stored.by_key(tx, self.principal, self.key)
        if row is None:
            return None
        if row.request_sha256 != self.request_sha256:
            raise IdempotencyKeyReusedError(
                "this Idempotency-Key was used for another request; use a new key"
            )
        if row.status_code == IN_FLIGHT:
            raise IdempotencyKeyInUseError("the first request with this key is still running")
        return Answer(row.status_code, row.body, replayed=True)

    def answered(self, tx: Tx) -> Answer:
        """The answer stored under this key, after an ``AnsweredError`` that was not
        ``committed``. Raises ``IdempotencyKeyInUseError`` when the answer seen then was
        undone with its batch and none is stored yet: the caller tries again."""
        answer = self.lookup(tx)
        if answer is None:
            raise IdempotencyKeyInUseError("the first request with this key is still running")
        return answer

    def keep(self, tx: Tx, outcome: object, *, now: int) -> Answer | None:
        """Store the answer for ``outcome`` in this transaction (inside a record). Raises
        ``AnsweredError`` when the key was answered meanwhile: the record's work must
        then not commit."""
        self.kept = None  # a batch tried again keeps again: only the last try counts
        answer = self.render(outcome)
        if answer is None:
            return None
        row = stored.StoredKey(self.request_sha256, answer.status_code, answer.body)
        if not stored.insert(tx, self.principal, self.key, row, now_ns=now):
            first = self.lookup(tx)
            assert first is not None, "the insert conflicted with this row"
            raise AnsweredError(first, committed=False)
        self.kept = answer
        return answer


def keeper(once: Once | None, now: Callable[[], int]) -> Callable[[Tx, object], None]:
    """A record's last step: keep ``once``'s answer for the outcome (nothing without a
    key)."""

    def keep(tx: Tx, outcome: object) -> None:
        if once is not None:
            once.keep(tx, outcome, now=now())

    return keep
