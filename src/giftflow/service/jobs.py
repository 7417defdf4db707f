"""The engine's jobs: what a caller queues (parts: transfers and the ``record`` of their
domain rows; a ``finish`` for the job as a whole), what it hears back (one outcome per
part, the committed job), and how the writer answers callers on any thread or event
loop. These types are the interface of ``giftflow.service.engine``, which exports them
(callers import them from there); the queue, the writer and the batches are its own.
"""

from __future__ import annotations

import asyncio
import contextlib
from collections import defaultdict
from collections.abc import Callable, Sequence
from concurrent.futures import Future
from dataclasses import dataclass, field
from typing import Any

from giftflow.ledger.results import TransferResult
from giftflow.ledger.transfers import Transfer
from giftflow.store.tx import Record, Tx


@dataclass(frozen=True, slots=True)
class Part:
    """Transfers that belong together (a gift's linked chain) and the domain rows they
    need. A part's linked chain never reaches into the next part."""

    transfers: Sequence[Transfer] = ()
    record: Record | None = None


@dataclass(frozen=True, slots=True)
class Done:
    """A part as committed: its results and what its ``record`` returned."""

    results: list[TransferResult]
    value: Any = None


Outcome = Done | BaseException
"""A part committed (``Done``), or the error its record raised (it was taken out)."""

Finish = Callable[[Tx, list[Outcome]], Any]
"""Called in the batch's transaction after the job's parts were recorded, with one
outcome per part; what it writes commits with them. What it raises takes the whole job
out of the batch (its parts are then not applied) and reaches the caller."""


@dataclass(frozen=True, slots=True)
class Committed:
    """A job as committed: one outcome per part, and what ``finish`` returned."""

    outcomes: list[Outcome]
    value: Any = None


Answer = Callable[[Committed | None, BaseException | None], None]
"""How the writer answers a job's caller: the committed job, or the error."""


@dataclass(slots=True)
class Job:
    """One caller's job as it waits in the engine's queue and rides in a batch."""

    parts: list[Part]
    finish: Finish | None
    answer: Answer
    loop: asyncio.AbstractEventLoop | None
    weight: int
    """Transfers, or 1 for a job that has none: what it counts against the limits."""
    taken_out: dict[int, BaseException] = field(default_factory=dict)
    """Parts whose record refused them in an earlier try of this batch."""

    @classmethod
    def of(
        cls,
        parts: Sequence[Part],
        finish: Finish | None,
        answer: Answer,
        loop: asyncio.AbstractEventLoop | None,
    ) -> Job:
        """The job of ``parts``, weighed by its transfers (1 when it has none)."""
        parts = list(parts)
        weight = sum(len(part.transfers) for part in parts)
        return cls(parts, finish, answer, loop, max(weight, 1))


def results_of(committed: Committed) -> list[TransferResult]:
    """The results of a one-part job, or the error its record raised."""
    (outcome,) = committed.outcomes
    if isinstance(outcome, BaseException):
        raise outcome
    return outcome.results


def answer_all(answered: list[tuple[Job, Committed | None]], error: BaseException | None) -> None:
    """Answer sync callers directly and each event loop once for all of its callers."""
    by_loop: dict[asyncio.AbstractEventLoop, list[tuple[Answer, Committed | None]]]
    by_loop = defaultdict(list)
    for job, committed in answered:
        if job.loop is None:
            job.answer(committed, error)
        else:
            by_loop[job.loop].append((job.answer, committed))
    for loop, answers in by_loop.items():
        # A loop that has closed (its caller gave up and ``asyncio.run`` returned) has
        # nobody left to answer; raising here would kill the writer for everyone else.
        with contextlib.suppress(RuntimeError):
            loop.call_soon_threadsafe(_answer_on_loop, answers, error)


def _answer_on_loop(
    answers: list[tuple[Answer, Committed | None]], error: BaseException | None
) -> None:
    for answer, committed in answers:
        answer(committed, error)


def resolver(future: Future[Committed]) -> Answer:
    def answer(committed: Committed | None, error: BaseException | None) -> None:
        _settle(future, committed, error)

    return answer


def results_resolver(future: Future[list[TransferResult]]) -> Answer:
    def answer(committed: Committed | None, error: BaseException | None) -> None:
        if error is None:
            assert committed is not None
            try:
                future.set_result(results_of(committed))
            except BaseException as refused:
                future.set_exception(refused)
        else:
            future.set_exception(error)

    return answer


def async_resolver(future: asyncio.Future[Committed]) -> Answer:
    def answer(committed: Committed | None, error: BaseException | None) -> None:
        if not future.cancelled():  # its caller gave up waiting
            _settle(future, committed, error)

    return answer


def _settle(
    future: Future[Committed] | asyncio.Future[Committed],
    committed: Committed | None,
    error: BaseException | None,
) -> None:
    """The writer's answer: ``error``, else what it committed."""
    if error is not None:
        future.set_exception(error)
    else:
        assert committed is not None
        future.set_result(committed)
