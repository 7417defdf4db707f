"""The batch engine: group commit of transfer requests over one store.

Callers on any thread (or event loop) queue requests; one writer thread drains the
queue into batches of up to ``batch_max`` transfers, waiting at most ``wait_ms`` for a
batch to fill, applies each batch in one durable database transaction and only then
answers every caller of the batch. A hot account receiving thousands of gifts a second
costs one balance write per batch, not one per gift.
"""

from __future__ import annotations

import asyncio
import contextlib
import threading
import time
from collections import defaultdict, deque
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from giftflow.errors import GiftflowError
from giftflow.ledger.clock import Clock, SystemClock
from giftflow.ledger.results import TransferResult
from giftflow.ledger.transfers import Transfer
from giftflow.store.base import LedgerStore
from giftflow.store.tx import Record, RecordRejectedError, Tx

BATCH_MAX = 8190
"""Transfers in one batch at most (TigerBeetle's batch size, a good fit here too)."""
QUEUED_MAX = 1_000_000
"""Transfers waiting at most; beyond it submissions are refused, not buffered."""


class EngineClosedError(GiftflowError):
    code = "engine_closed"


class EngineOverloadedError(GiftflowError):
    """More transfers are waiting than the engine accepts: try again shortly."""

    code = "engine_overloaded"


class RequestTooLargeError(GiftflowError):
    code = "request_too_large"


Answer = Callable[[list[TransferResult] | None, BaseException | None], None]


@dataclass(slots=True)
class _Request:
    transfers: Sequence[Transfer]
    answer: Answer
    loop: asyncio.AbstractEventLoop | None = None
    record: Record | None = None


@dataclass(slots=True)
class _Operation:
    """Any other store call that must be ordered with the transfers (account changes)."""

    call: Callable[[], Any]
    future: Future[Any] = field(default_factory=Future)


class LedgerEngine:
    """Group commit over a ``LedgerStore``; thread-safe, usable from sync and async code."""

    def __init__(
        self,
        store: LedgerStore,
        *,
        clock: Clock | None = None,
        batch_max: int = BATCH_MAX,
        wait_ms: float = 0.0,
        queued_max: int = QUEUED_MAX,
    ) -> None:
        self.store = store
        self.clock = clock or SystemClock()
        self.batch_max = batch_max
        self.wait_s = wait_ms / 1000
        self.queued_max = queued_max
        self._queue: deque[_Request | _Operation] = deque()
        self._queued = 0
        self._condition = threading.Condition()
        self._closed = False
        self.batches = 0
        self._writer = threading.Thread(target=self._run, name="giftflow-writer", daemon=True)
        self._writer.start()

    # --- submitting ----------------------------------------------------------------

    def submit(
        self, transfers: Sequence[Transfer], answer: Answer, record: Record | None = None
    ) -> None:
        """Queue one request; ``answer(results, error)`` runs on the writer thread once
        the batch that holds it is durable (or failed). ``record`` writes the request's
        domain rows in the batch's transaction (see ``giftflow.store.tx.Record``)."""
        self._enqueue(_Request(transfers, answer, None, record), len(transfers))

    def create_transfers(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> list[TransferResult]:
        """Apply transfers and wait until they are durable; one result per transfer."""
        return self.submit_future(transfers, record).result()

    def submit_future(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> Future[list[TransferResult]]:
        """Queue one request and return at once: many queued together share a group
        commit; each future resolves once its batch is durable."""
        future: Future[list[TransferResult]] = Future()
        self.submit(transfers, _resolver(future), record)
        return future

    async def create_transfers_async(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> list[TransferResult]:
        loop = asyncio.get_running_loop()
        future: asyncio.Future[list[TransferResult]] = loop.create_future()
        request = _Request(transfers, _async_resolver(future), loop, record)
        self._enqueue(request, len(transfers))
        return await future

    def run(self, call: Callable[[], Any]) -> Any:
        """Run a store call on the writer thread, in order with the transfers."""
        operation = _Operation(call)
        self._enqueue(operation, 0)
        return operation.future.result()

    async def run_async(self, call: Callable[[], Any]) -> Any:
        operation = _Operation(call)
        self._enqueue(operation, 0)
        return await asyncio.wrap_future(operation.future)

    def _enqueue(self, item: _Request | _Operation, size: int) -> None:
        if size > self.batch_max:
            raise RequestTooLargeError(
                f"a request holds at most {self.batch_max} transfers, not {size}"
            )
        with self._condition:
            if self._closed:
                raise EngineClosedError("the ledger engine is closed")
            if self._queued + size > self.queued_max:
                raise EngineOverloadedError(f"{self._queued} transfers are already waiting")
            self._queue.append(item)
            self._queued += size
            self._condition.notify()

    # --- the writer ----------------------------------------------------------------

    def _run(self) -> None:
        while True:
            batch = self._next_batch()
            if batch is None:
                return
            if isinstance(batch, _Operation):
                _run_operation(batch)
            else:
                self._commit(batch)

    def _next_batch(self) -> list[_Request] | _Operation | None:
        with self._condition:
            while not self._queue:
                if self._closed:
                    return None
                self._condition.wait()
            first = self._queue.popleft()
            if isinstance(first, _Operation):
                return first
            batch, size = [first], len(first.transfers)
            deadline = time.monotonic() + self.wait_s
            while size < self.batch_max:
                if not self._queue and not self._wait_for_more(deadline):
                    break
                following = self._queue[0]
                if isinstance(following, _Operation):
                    break
                if size + len(following.transfers) > self.batch_max:
                    break
                self._queue.popleft()
                batch.append(following)
                size += len(following.transfers)
            self._queued -= size
            return batch

    def _wait_for_more(self, deadline: float) -> bool:
        remaining = deadline - time.monotonic()
        if remaining <= 0 or self._closed:
            return False
        self._condition.wait(remaining)
        return bool(self._queue)

    def _commit(self, batch: list[_Request]) -> None:
        """Apply the batch; a request whose ``record`` is rejected leaves it (answered
        with its error) and the rest is applied again without it."""
        while batch:
            try:
                results = self._apply(batch)
            except _RequestRejectedError as rejection:
                rejected = batch.pop(rejection.index)
                _answer_all([rejected], None, rejection.error)
                continue
            except BaseException as error:  # every caller must hear of it
                _answer_all(batch, None, error)
                return
            self.batches += 1
            _answer_all(batch, results, None)
            return

    def _apply(self, batch: list[_Request]) -> list[TransferResult]:
        transfers: list[Transfer] = []
        ends: list[int] = []
        records: list[tuple[int, int, int, Record]] = []
        for index, request in enumerate(batch):
            start = len(transfers)
            transfers.extend(request.transfers)
            ends.append(len(transfers))
            if request.record is not None:
                records.append((index, start, len(transfers), request.record))
        return self.store.create_transfers(
            transfers,
            now=self.clock.now_ns(),
            request_ends=ends,
            record=_record_all(records) if records else None,
        )

    # --- lifecycle -----------------------------------------------------------------

    def stop(self) -> None:
        """Finish what is queued and stop the writer; the store stays open."""
        with self._condition:
            self._closed = True
            self._condition.notify_all()
        self._writer.join()

    def close(self) -> None:
        """Finish what is queued, stop the writer and close the store."""
        self.stop()
        self.store.close()

    def __enter__(self) -> LedgerEngine:
        return self

    def __exit__(self, *exc_info: object) -> None:
        self.close()


class _RequestRejectedError(Exception):
    def __init__(self, index: int, error: RecordRejectedError) -> None:
        self.index = index
        self.error = error


def _record_all(records: list[tuple[int, int, int, Record]]) -> Record:
    """One batch-level ``record`` that hands each request its own results."""

    def record(tx: Tx, results: list[TransferResult]) -> None:
        for index, start, end, request_record in records:
            try:
                request_record(tx, results[start:end])
            except RecordRejectedError as error:
                raise _RequestRejectedError(index, error) from error

    return record


def _run_operation(operation: _Operation) -> None:
    try:
        operation.future.set_result(operation.call())
    except BaseException as error:
        operation.future.set_exception(error)


def _answer_all(
    batch: list[_Request], results: list[TransferResult] | None, error: BaseException | None
) -> None:
    """Answer sync callers directly and each event loop once for all of its callers."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Answer, list[TransferResult] | None]]]
    by_loop = defaultdict(list)
    start = 0
    for request in batch:
        end = start + len(request.transfers)
        part = None if results is None else results[start:end]
        start = end
        if request.loop is None:
            request.answer(part, error)
        else:
            by_loop[request.loop].append((request.answer, part))
    for loop, answers in by_loop.items():
        # A loop that has closed (its caller gave up and ``asyncio.run`` returned) has
        # nobody left to answer; raising here would kill the writer for everyone else.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_answer_on_loop, answers, error)


def _answer_on_loop(
    answers: list[tuple[Answer, list[TransferResult] | None]], error: BaseException | None
) -> None:
    for answer, part in answers:
        answer(part, error)


def _resolver(future: Future[list[TransferResult]]) -> Answer:
    def answer(results: list[TransferResult] | None, error: BaseException | None) -> None:
        if error is not None:
            future.set_exception(error)
        else:
            assert results is not None
            future.set_result(results)

    return answer


def _async_resolver(future: asyncio.Future[list[TransferResult]]) -> Answer:
    def answer(results: list[TransferResult] | None, error: BaseException | None) -> None:
        if future.cancelled():
            return
        if error is not None:
            future.set_exception(error)
        else:
            assert results is not None
            future.set_result(results)

    return answer
