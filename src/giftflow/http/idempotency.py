"""``Idempotency-Key`` for every money-moving POST: a retry gets the first answer.

The key, the work and its answer commit together (``giftflow.service.once``): the
route's work looks the key up, does the work and keeps its answer (a row in
``idempotency_keys`` for the caller and the key, with the SHA-256 of the request) in
the same batch transaction as the work's transfers. Then, for the same caller and key:

- the same request again: the stored status and body, with ``Idempotent-Replayed: true``;
- another request (other body or endpoint): 409 ``idempotency_key_reused``;
- while the first is still running in this server: 409 ``idempotency_key_in_use``; on
  another server, whichever commits first is the answer and the other gives it again.

Every answer is kept, refusals included (a gift refused for insufficient funds stays
refused under that key: use a new key for a new attempt), except answers that may
differ on a retry: server errors, write conflicts and velocity limits leave the key
unspent. A server that dies mid-request leaves nothing: the retry does the work.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Final, TypeVar

from fastapi.responses import Response
from pydantic import BaseModel

from giftflow.errors import GiftflowError
from giftflow.http import problem_codes, problems
from giftflow.http.principals import Principal
from giftflow.http.schemas import Problem
from giftflow.ledger.clock import Clock
from giftflow.service.ledger import Ledger

if TYPE_CHECKING:
    from giftflow.http.deps import ApiState
from giftflow.service.once import Answer, AnsweredError, IdempotencyKeyInUseError, Once
from giftflow.store.tx import Tx

HEADER: Final = "Idempotency-Key"
REPLAYED_HEADER: Final = "Idempotent-Replayed"
KEY_PATTERN: Final = r"^[\x21-\x7e]{1,255}$"
"""Visible ASCII, 1 to 255 characters (a UUID is a good choice)."""
MEDIA_TYPE: Final = "application/json"

_KEY_CODES: Final = frozenset({"idempotency_key_reused", "idempotency_key_in_use"})
"""Refusals that concern the key itself, not the request: never kept under it."""

T = TypeVar("T")
Public = Callable[[T], BaseModel | GiftflowError]
"""What the caller is answered for the work's result: a response body, or a refusal."""


def fingerprint(method: str, path: str, body: Any) -> str:
    """SHA-256 of the request as the API understood it: a body that differs only in
    spacing, key order or a default left out is the same request."""
    canonical = json.dumps(
        {"method": method, "path": path, "body": body}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(slots=True)
class InFlight:
    """The keys this server is working on: a second request with one of them waits for
    nothing and is told so (409), instead of racing the first through the engine."""

    _held: set[tuple[str, str]] = field(default_factory=set)
    _lock: threading.Lock = field(default_factory=threading.Lock)

    @contextmanager
    def hold(self, principal: str, key: str) -> Iterator[None]:
        name = (principal, key)
        with self._lock:
            if name in self._held:
                raise IdempotencyKeyInUseError("the first request with this key is still running")
            self._held.add(name)
        try:
            yield
        finally:
            with self._lock:
                self._held.discard(name)


@dataclass(frozen=True, slots=True)
class Idempotent:
    """One request's key, ready to run the request's work at most once."""

    state: ApiState
    principal: Principal
    """Who asks: keys are theirs (``principal.name``)."""
    key: str
    method: str
    path: str

    @property
    def ledger(self) -> Ledger:
        return self.state.economy.ledger

    def once(self, body: Any, status_code: int, public: Public[Any]) -> Once:
        """The service-level key for this request: ``body`` is the request as JSON-able
        data, ``public`` turns the work's result into the answer to keep."""
        digest = fingerprint(self.method, self.path, body)
        return Once(self.principal.name, self.key, digest, self._render(status_code, public))

    def run(
        self, body: Any, status_code: int, public: Public[T], work: Callable[[Once], T]
    ) -> Response:
        """Look the key up, then run ``work(once)``, which keeps its answer with
        ``once.keep`` in its own last transaction."""
        once = self.once(body, status_code, public)
        with self.state.in_flight.hold(self.principal.name, self.key):
            stored = self.ledger.read(once.lookup)
            if stored is not None:
                return answered(stored)
            try:
                result = work(once)
            except AnsweredError as replay:
                return self._replayed(once, replay)
            except GiftflowError as error:
                return self._refused(once, error)
        return self._respond(once, status_code, public, result)

    # run_async mirrors run with awaits (the work, and keeping a refusal): one body
    # cannot serve both.
    async def run_async(
        self,
        body: Any,
        status_code: int,
        public: Public[T],
        work: Callable[[Once], Awaitable[T]],
    ) -> Response:
        """``run`` for work that looks the key up itself, in the read it makes anyway
        (``Economy.send_gifts_async``), on the event loop."""
        once = self.once(body, status_code, public)
        with self.state.in_flight.hold(self.principal.name, self.key):
            try:
                result = await work(once)
            except AnsweredError as replay:
                return await self._replayed_async(once, replay)
            except GiftflowError as error:
                refusal = error
            else:
                return self._respond(once, status_code, public, result)
        if once.render(refusal) is not None:
            try:
                await self.ledger.write_async(_keeping(once, refusal, self.ledger.clock))
            except AnsweredError as replay:
                return await self._replayed_async(once, replay)
        return problems.response(self._problem(refusal))

    def _refused(self, once: Once, error: GiftflowError) -> Response:
        """A refusal before (or instead of) the work's commit: nothing of the work was
        stored, so its answer is kept in a transaction of its own."""
        if once.render(error) is not None:
            try:
                self.ledger.write(_keeping(once, error, self.ledger.clock))
            except AnsweredError as replay:
                return self._replayed(once, replay)
        return problems.response(self._problem(error))

    def _replayed(self, once: Once, replay: AnsweredError) -> Response:
        """The key's answer after another request kept one first: as committed (a
        record saw it inside a batch that may have been undone since)."""
        try:
            answer = replay.answer if replay.committed else self.ledger.read(once.answered)
        except GiftflowError as error:  # undone and not answered yet, or another body's
            return problems.response(self._problem(error))
        return answered(answer)

    async def _replayed_async(self, once: Once, replay: AnsweredError) -> Response:
        """``_replayed`` on the event loop (one body cannot serve both)."""
        try:
            if replay.committed:
                answer = replay.answer
            else:
                answer = await self.ledger.read_async(once.answered)
        except GiftflowError as error:
            return problems.response(self._problem(error))
        return answered(answer)

    def _respond(self, once: Once, status_code: int, public: Public[T], result: T) -> Response:
        if once.kept is not None:
            return _response(once.kept)
        body = public(result)  # an answer not kept: it may differ on a retry
        if isinstance(body, GiftflowError):
            return problems.response(self._problem(body))
        return Response(body.model_dump_json(), status_code=status_code, media_type=MEDIA_TYPE)

    def _render(self, status_code: int, public: Public[Any]) -> Callable[[object], Answer | None]:
        def render(outcome: object) -> Answer | None:
            body = outcome if isinstance(outcome, GiftflowError) else public(outcome)
            if isinstance(body, GiftflowError):
                problem = self._problem(body)
                if not problem_codes.is_final(problem) or body.code in _KEY_CODES:
                    return None
                return Answer(problem.status, problem.model_dump_json(exclude_none=True))
            return Answer(status_code, body.model_dump_json())

        return render

    def _problem(self, error: GiftflowError) -> Problem:
        return problems.from_error(error, instance=self.path)


def _keeping(once: Once, refusal: GiftflowError, clock: Clock) -> Callable[[Tx], object]:
    """Keep a refusal that nothing else was written with (its own job in a batch)."""
    return lambda tx: once.keep(tx, refusal, now=clock.now_ns())


def _response(answer: Answer) -> Response:
    if answer.status_code >= 400:
        problem = Problem.model_validate_json(answer.body)
        headers = {REPLAYED_HEADER: "true"} if answer.replayed else None
        return problems.response(problem, headers=headers)
    headers = {REPLAYED_HEADER: "true"} if answer.replayed else {}
    return Response(
        answer.body, status_code=answer.status_code, media_type=MEDIA_TYPE, headers=headers
    )


def answered(answer: Answer) -> Response:
    """The stored answer, given again."""
    return _response(Answer(answer.status_code, answer.body, replayed=True))
