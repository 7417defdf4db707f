"""The batch engine: group commit of jobs over one store.

Callers on any thread (or event loop) queue **jobs**: one or more parts, each a list of
transfers (maybe none) with an optional ``record`` that writes the part's domain rows,
and an optional ``finish`` that writes what the job as a whole decided (an idempotency
key's stored answer). One writer thread drains the queue into batches of up to
``batch_max`` transfers, applies each batch in one durable database transaction and
only then answers every caller of the batch. A hot account receiving thousands of
gifts a second costs one balance write per batch, not one per gift, and the domain rows
of every job ride in the same transaction.

Here: the queue, the writer and how a batch is applied (a record's refusal takes its
part or job out, never the batch). The jobs' types and the answering of callers are
``giftflow.service.jobs``; they are this engine's interface, exported from here.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from giftflow.errors import GiftflowError
from giftflow.ledger.clock import Clock, SystemClock
from giftflow.ledger.results import TransferResult
from giftflow.ledger.transfers import Transfer
from giftflow.service.jobs import (
    Answer,
    Committed,
    Done,
    Finish,
    Job,
    Outcome,
    Part,
    answer_all,
    async_resolver,
    resolver,
    results_of,
    results_resolver,
)
from giftflow.store.base import LedgerStore
from giftflow.store.tx import Record, Tx

__all__ = [
    "BATCH_MAX",
    "QUEUED_MAX",
    "Answer",
    "Committed",
    "Done",
    "EngineClosedError",
    "EngineOverloadedError",
    "Finish",
    "LedgerEngine",
    "Outcome",
    "Part",
    "RequestTooLargeError",
]
BATCH_MAX = 8190
"""Transfers in one batch at most (TigerBeetle's batch size, a good fit here too)."""
QUEUED_MAX = 1_000_000
"""Transfers waiting at most; beyond it submissions are refused, not buffered."""


class EngineClosedError(GiftflowError):
    """The engine was closed: nothing more is accepted."""

    code = "engine_closed"


class EngineOverloadedError(GiftflowError):
    """More work is waiting than the engine accepts: try again shortly."""

    code = "engine_overloaded"


class RequestTooLargeError(GiftflowError):
    """One request holds more transfers than a batch may (``batch_max``)."""

    code = "request_too_large"


@dataclass(slots=True)
class _Operation:
    """Any other store call that must be ordered with the jobs (account changes)."""

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
        self._retryable: tuple[type[BaseException], ...] = getattr(store, "retryable", ())
        self._queue: list[Job | _Operation] = []
        self._queued = 0
        self._condition = threading.Condition()
        self._closed = False
        self.batches = 0
        self._writer = threading.Thread(target=self._run, name="giftflow-writer", daemon=True)
        self._writer.start()

    @property
    def queued(self) -> int:
        """Transfers (and transfer-less jobs) waiting for the writer."""
        return self._queued

    # --- submitting ----------------------------------------------------------------

    def submit(self, parts: Sequence[Part], answer: Answer, finish: Finish | None = None) -> None:
        """Queue one job; ``answer(committed, error)`` runs on the writer thread once the
        batch that holds it is durable (or failed)."""
        self._enqueue(Job.of(parts, finish, answer, None))

    def commit(self, parts: Sequence[Part], finish: Finish | None = None) -> Committed:
        """Apply a job and wait until it is durable."""
        return self.commit_future(parts, finish).result()

    def commit_future(
        self, parts: Sequence[Part], finish: Finish | None = None
    ) -> Future[Committed]:
        """Queue one job and return at once: many queued together share a group commit;
        each future resolves once its batch is durable."""
        future: Future[Committed] = Future()
        self.submit(parts, resolver(future), finish)
        return future

    async def commit_async(self, parts: Sequence[Part], finish: Finish | None = None) -> Committed:
        """Queue one job from an event loop and await it, with no thread in between: the
        writer answers every caller of a batch on their loop in one call."""
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Committed] = loop.create_future()
        self._enqueue(Job.of(parts, finish, async_resolver(future), loop))
        return await future

    def create_transfers(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> list[TransferResult]:
        """Apply transfers and wait until they are durable; one result per transfer."""
        return results_of(self.commit([Part(transfers, record)]))

    def submit_future(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> Future[list[TransferResult]]:
        """``commit_future`` of one part, resolving to its results."""
        future: Future[list[TransferResult]] = Future()
        self.submit([Part(transfers, record)], results_resolver(future))
        return future

    async def create_transfers_async(
        self, transfers: Sequence[Transfer], record: Record | None = None
    ) -> list[TransferResult]:
        """``create_transfers`` for an event loop."""
        return results_of(await self.commit_async([Part(transfers, record)]))

    def run(self, call: Callable[[], Any]) -> Any:
        """Run a store call on the writer thread, in order with the jobs."""
        operation = _Operation(call)
        self._enqueue(operation)
        return operation.future.result()

    async def run_async(self, call: Callable[[], Any]) -> Any:
        """``run`` for an event loop."""
        operation = _Operation(call)
        self._enqueue(operation)
        return await asyncio.wrap_future(operation.future)

    def _enqueue(self, item: Job | _Operation) -> None:
        weight = item.weight if isinstance(item, Job) else 0
        if weight > self.batch_max:
            raise RequestTooLargeError(
                f"a request holds at most {self.batch_max} transfers, not {weight}"
            )
        with self._condition:
            if self._closed:
                raise EngineClosedError("the ledger engine is closed")
            if self._queued + weight > self.queued_max:
                raise EngineOverloadedError(f"{self._queued} transfers are already waiting")
            self._queue.append(item)
            self._queued += weight
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

    def _next_batch(self) -> list[Job] | _Operation | None:
        with self._condition:
            while not self._queue:
                if self._closed:
                    return None
                self._condition.wait()
            if self.wait_s > 0 and isinstance(self._queue[0], Job):
                self._wait_to_fill(time.monotonic() + self.wait_s)
            return self._take()

    def _wait_to_fill(self, deadline: float) -> None:
        while self._queued < self.batch_max and not self._closed:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                return
            self._condition.wait(remaining)

    def _take(self) -> list[Job] | _Operation:
        """The first operation alone, or the longest run of jobs that fits a batch."""
        first = self._queue[0]
        if isinstance(first, _Operation):
            del self._queue[0]
            return first
        size, taken = 0, 0
        for item in self._queue:
            if isinstance(item, _Operation) or size + item.weight > self.batch_max:
                break
            size += item.weight
            taken += 1
        jobs = self._queue[:taken]
        del self._queue[:taken]
        self._queued -= size
        return jobs  # type: ignore[return-value]  # the loop took only jobs

    def _commit(self, batch: list[Job]) -> None:
        """Apply the batch; a part or job whose record refuses it is taken out and the
        rest is applied again without it. A job taken out hears why only once the
        batch has settled: its refusal may rest on rows of a try that was undone (a key
        answered by another job of this batch, say), and its caller may look again."""
        taken_out: list[tuple[Job, BaseException]] = []
        try:
            while batch:
                try:
                    committed = self._apply(batch)
                except _TakenOutError as taken:
                    job = batch[taken.job]
                    if taken.part is None:
                        del batch[taken.job]
                        taken_out.append((job, taken.error))
                    else:
                        job.taken_out[taken.part] = taken.error
                    continue
                except BaseException as error:  # every caller must hear of it
                    answer_all([(job, None) for job in batch], error)
                    return
                self.batches += 1
                answer_all(list(zip(batch, committed, strict=True)), None)
                return
        finally:
            for job, refusal in taken_out:
                answer_all([(job, None)], refusal)

    def _apply(self, batch: list[Job]) -> list[Committed]:
        transfers: list[Transfer] = []
        ends: list[int] = []
        spans: list[list[tuple[int, int] | None]] = []
        for job in batch:
            job_spans: list[tuple[int, int] | None] = []
            for index, part in enumerate(job.parts):
                if index in job.taken_out:
                    job_spans.append(None)
                    continue
                start = len(transfers)
                transfers.extend(part.transfers)
                ends.append(len(transfers))
                job_spans.append((start, len(transfers)))
            spans.append(job_spans)
        committed: list[Committed] = []

        def record(tx: Tx, results: list[TransferResult]) -> None:
            committed.clear()  # the store may run the batch again after a lost race
            for index, job in enumerate(batch):
                committed.append(self._record_job(tx, index, job, spans[index], results))

        self.store.create_transfers(
            transfers, now=self.clock.now_ns(), request_ends=ends, record=record
        )
        return committed

    def _record_job(
        self,
        tx: Tx,
        index: int,
        job: Job,
        spans: list[tuple[int, int] | None],
        results: list[TransferResult],
    ) -> Committed:
        outcomes: list[Outcome] = []
        for part_index, (part, span) in enumerate(zip(job.parts, spans, strict=True)):
            if span is None:
                outcomes.append(job.taken_out[part_index])
                continue
            own = results[span[0] : span[1]]
            value = self._guarded(index, part_index, part.record, tx, own)
            outcomes.append(Done(own, value))
        value = self._guarded(index, None, job.finish, tx, outcomes)
        return Committed(outcomes, value)

    def _guarded(
        self, job: int, part: int | None, call: Callable[[Tx, Any], Any] | None, tx: Tx, arg: Any
    ) -> Any:
        """A record's refusal (anything but a lost race, which the store retries) takes
        out its part (or job), never the batch of everyone else."""
        if call is None:
            return None
        try:
            return call(tx, arg)
        except self._retryable:
            raise
        except Exception as error:
            raise _TakenOutError(job, part, error) from error

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


class _TakenOutError(Exception):
    def __init__(self, job: int, part: int | None, error: Exception) -> None:
        self.job = job
        self.part = part
        self.error = error


def _run_operation(operation: _Operation) -> None:
    try:
        operation.future.set_result(operation.call())
    except BaseException as error:
        operation.future.set_exception(error)
