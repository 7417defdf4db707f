"""The refresher: while a server runs, one task of its loop reads the candidates of
fills again (``delivery.refresh_in_flight``, in a worker thread) when a fill finds them older
than ``promote_candidates_ttl_s``, so that no fill waits on that read (decisions/0109).

- **Single flight**: a stale fill marks the cache ``refreshing`` and wakes the task,
  under the cache's lock; the fills after it see the mark and ask nothing. The refresh
  clears it when its read is swapped in, or failed (the next stale fill asks again).
- **Spend safety** is not the cache's: billing decides money in the database, the
  candidates are a pacing hint, so a fill served from the index a moment longer bills
  nothing more (the impression's write checks the promotion is still active).
- **Started and stopped with the app's lifespan**, like the webhook worker: when the
  server stops, a refresh under way finishes before the economy closes, and fills after
  that read in their call again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import AsyncIterator

from giftflow.service.promote import delivery
from giftflow.service.promote.context import PromoteContext

log = logging.getLogger("giftflow.promote")


@contextlib.asynccontextmanager
async def refreshing(context: PromoteContext) -> AsyncIterator[None]:
    """Refresh the candidates off the request path while the block runs."""
    loop = asyncio.get_running_loop()
    wake, stopping = asyncio.Event(), asyncio.Event()
    task = asyncio.create_task(_refresh_when_woken(context, wake, stopping))
    cache = context.cache

    def wake_up() -> None:
        loop.call_soon_threadsafe(wake.set)  # fills run in the server's worker threads

    with cache.lock:
        cache.wake = wake_up
    try:
        yield
    finally:
        with cache.lock:
            cache.wake = None
        stopping.set()
        wake.set()
        await task  # not cancelled: a read under way finishes before the economy closes
        with cache.lock:
            cache.refreshing = False  # woken while stopping: no refresh is coming


async def _refresh_when_woken(
    context: PromoteContext, wake: asyncio.Event, stopping: asyncio.Event
) -> None:
    while True:
        await wake.wait()
        wake.clear()
        if stopping.is_set():
            return
        try:
            await asyncio.to_thread(delivery.refresh_in_flight, context)
        except Exception:
            # The stale index keeps serving; the next stale fill asks again.
            log.exception("the promotions' candidates could not be read again")
