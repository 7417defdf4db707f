"""Views and clicks of link-in-bio pages, counted in the process and written in batches.

Every visitor's view would otherwise be a write through the one writer, for a row that
moves no money: the page is the one every viewer of a LIVE opens. A ``Visits`` buffer
keeps them in memory and ``flush`` writes what it holds in one transaction (the app's
sweep does, every second; the app's end does; a figures read does first, in its own
process). A process that crashes loses the visits it had not written yet: at most a
sweep interval's worth (docs/decisions/0077).
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Final

from giftflow.creator.bio import Visit
from giftflow.store import bio as rows
from giftflow.store.tx import Tx

FLUSH_AT: Final = 5_000
"""A buffer this full is written at once, whatever the sweep's pace."""
Write = Callable[[Callable[[Tx], None]], None]


class Visits:
    """Thread-safe: request threads add, the sweep flushes."""

    def __init__(self, write: Write, *, flush_at: int = FLUSH_AT) -> None:
        self._write = write
        self._flush_at = flush_at
        self._pending: list[Visit] = []
        self._lock = threading.Lock()
        self._flushing = threading.Lock()

    def add(self, visit: Visit) -> None:
        """Called on the event loop too: a full buffer is written by a thread of its own,
        never by the caller."""
        with self._lock:
            self._pending.append(visit)
            full = len(self._pending) >= self._flush_at
        if full and not self._flushing.locked():
            threading.Thread(target=self._flush_quietly, daemon=True).start()

    def _flush_quietly(self) -> None:
        try:
            self.flush()
        except Exception:  # kept for the next flush (the sweep's), which logs its failure
            return

    @property
    def pending(self) -> int:
        return len(self._pending)

    def flush(self) -> int:
        """Write what is pending, in one transaction; the number written. Visits that
        fail to be written (the database away) are kept for the next flush."""
        with self._flushing:  # one flush at a time keeps the rows in their order
            with self._lock:
                taken, self._pending = self._pending, []
            if not taken:
                return 0
            try:
                self._write(lambda tx: rows.add_visits(tx, taken))
            except Exception:
                with self._lock:
                    self._pending = taken + self._pending
                raise
            return len(taken)
