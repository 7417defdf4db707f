"""Crash safety: what the engine acknowledged survives SIGKILL, and no gift is half-applied.

A writer process (``crash_writer.py``) sends linked gift pairs from several threads and
prints the ids of each request once its durable answer is in. The test kills it with
SIGKILL mid-burst and reopens the database: every acknowledged id is there, every gift
has both halves or neither, and the books reconcile. Then a second writer restarts on the
same database, is stopped normally, and the books still hold.
"""

from __future__ import annotations

import queue
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from pathlib import Path
from typing import IO, Protocol

import pytest

from giftflow.ledger.limits import TransferId
from giftflow.store import open_store

WRITER = Path(__file__).with_name("crash_writer.py")
ACKNOWLEDGED_BEFORE_KILL = 3_000
ACKNOWLEDGED_AFTER_RESTART = 1_000
GIFT_CODES = frozenset({2, 3})
"""The transfer codes ``crash_writer.py`` gives the two halves of a gift."""
WAIT_S = 60.0
"""How long to wait for a writer's output: a guard against hanging, not a speed limit."""


class WriterProcess:
    """One run of ``crash_writer.py``. A thread moves its stdout lines onto a queue, so
    that every wait has a deadline."""

    def __init__(self, url: str, run: int, errors: IO[str]) -> None:
        self.errors = errors
        self.process = subprocess.Popen(
            [sys.executable, str(WRITER), url, str(run)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=errors,
            text=True,
        )
        self.acknowledged: list[TransferId] = []
        self.stopped = False
        self._lines: queue.Queue[str | None] = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            self._lines.put(line)
        self._lines.put(None)

    def wait_for_acknowledged(self, count: int) -> None:
        deadline = time.monotonic() + WAIT_S
        while len(self.acknowledged) < count:
            try:
                line = self._lines.get(timeout=max(0.0, deadline - time.monotonic()))
            except queue.Empty:
                pytest.fail(f"only {len(self.acknowledged)} ids acknowledged: {self._stderr()}")
            if line is None:
                pytest.fail(f"the writer exited early: {self._stderr()}")
            self._take(line)

    def kill(self) -> None:
        """SIGKILL: no handler runs, nothing is flushed or closed."""
        self.process.send_signal(signal.SIGKILL)
        self.process.wait(WAIT_S)
        self._drain()

    def stop(self) -> None:
        """The normal way out: a line on stdin; it drains, closes and says so."""
        assert self.process.stdin is not None
        self.process.stdin.write("stop\n")
        self.process.stdin.close()
        assert self.process.wait(WAIT_S) == 0, self._stderr()
        self._drain()
        assert self.stopped, "the writer did not report a normal stop"

    def _drain(self) -> None:
        """Take the lines still in the pipe: acknowledged before the end, they count."""
        while (line := self._lines.get(timeout=WAIT_S)) is not None:
            self._take(line)

    def _take(self, line: str) -> None:
        if not line.endswith("\n"):
            return  # cut short by the kill: never acknowledged whole
        word, *rest = line.split()
        if word == "error":
            pytest.fail(f"the writer failed: {line}")
        if word == "ack":
            self.acknowledged.extend(TransferId(int(transfer_id)) for transfer_id in rest)
        self.stopped = self.stopped or word == "stopped"

    def _stderr(self) -> str:
        self.errors.flush()
        return Path(self.errors.name).read_text()


class WriterStarter(Protocol):
    def __call__(self, url: str, *, run: int) -> WriterProcess: ...


@pytest.fixture
def start_writer(tmp_path: Path) -> Iterator[WriterStarter]:
    """Starts writer processes; kills any still running at the end of the test."""
    started: list[WriterProcess] = []
    logs: list[IO[str]] = []

    def start(url: str, *, run: int) -> WriterProcess:
        errors = (tmp_path / f"writer-{run}.stderr").open("w+")
        logs.append(errors)
        started.append(WriterProcess(url, run, errors))
        return started[-1]

    yield start
    for writer in started:
        if writer.process.poll() is None:
            writer.process.kill()
            writer.process.wait(WAIT_S)
        for pipe in (writer.process.stdin, writer.process.stdout):
            if pipe is not None:
                pipe.close()
    for log in logs:
        log.close()


def assert_books_hold(url: str, acknowledged: list[TransferId]) -> None:
    """Every acknowledged id is stored, every gift whole, every id once, books reconciled."""
    assert len(set(acknowledged)) == len(acknowledged), "an id was acknowledged twice"
    store = open_store(url)
    try:
        found = {transfer.id for transfer in store.lookup_transfers(acknowledged)}
        missing = set(acknowledged) - found
        assert not missing, f"{len(missing)} acknowledged transfers are lost"
        transfers = list(store.iter_transfers())
        gifts = {t.id for t in transfers if t.code in GIFT_CODES}
        halves = sorted(transfer_id for transfer_id in gifts if transfer_id ^ 1 not in gifts)
        assert not halves, f"half-applied gifts: {halves[:10]}"
        assert len({transfer.id for transfer in transfers}) == len(transfers)
        report = store.reconcile()
        assert report.ok, (report.mismatches[:10], report.problems[:10])
    finally:
        store.close()


def test_acknowledged_gifts_survive_sigkill_whole_and_a_restart_keeps_the_books(
    database_url: str, start_writer: WriterStarter
) -> None:
    killed = start_writer(database_url, run=1)
    killed.wait_for_acknowledged(ACKNOWLEDGED_BEFORE_KILL)
    killed.kill()

    assert_books_hold(database_url, killed.acknowledged)

    restarted = start_writer(database_url, run=2)
    restarted.wait_for_acknowledged(ACKNOWLEDGED_AFTER_RESTART)
    restarted.stop()

    assert not set(killed.acknowledged) & set(restarted.acknowledged)
    assert_books_hold(database_url, killed.acknowledged + restarted.acknowledged)
