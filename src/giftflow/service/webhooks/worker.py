"""The delivery worker: claims the head of each (endpoint, room) line, sends it signed
per Standard Webhooks, logs the attempt and schedules the next one.

- **At least once**: a delivery is marked delivered only after a 2xx answer. A claim is
  a lease (``claimed_until``): a process that dies mid-send leaves it to be claimed
  again once the lease runs out.
- **In order per room**: a pass claims a line (an endpoint and a room) from its oldest
  pending delivery on, up to ``line_max`` of them, and sends them one after the other,
  stopping at the first failure: the ones behind a failed one wait until it is
  delivered or given up. Lines are sent at once, each on its own.
- **Several processes**: claims are written in a transaction of the engine, with
  ``FOR UPDATE … SKIP LOCKED`` on PostgreSQL; SQLite has one process.
- **Retries** follow ``retry_schedule_s`` with jitter; an endpoint whose deliveries
  have all failed for ``disable_after_s`` is disabled.
- **Batches under load**: a pass costs two transactions and a look for what is due
  whatever it carries, so after a pass that sent less than a full line the worker
  waits ``batch_wait_s`` and sends what arrived meanwhile in one pass; only a full
  line sends again at once (decisions/0066).
"""

from __future__ import annotations

import asyncio
import functools
import logging
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime

from standardwebhooks.webhooks import Webhook

import giftflow
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.service.ledger import Ledger
from giftflow.service.webhooks.outbox import changed
from giftflow.service.webhooks.sender import Sender, SendError
from giftflow.service.webhooks.urls import Target, UrlPolicy, WebhookUrlError
from giftflow.settings import Settings
from giftflow.store import webhook_deliveries as deliveries
from giftflow.store.tx import Tx
from giftflow.store.webhook_deliveries import STANDARD, AttemptMade, PendingDelivery

ERROR_LENGTH_MAX = 500
USER_AGENT = f"giftflow/{giftflow.__version__} (webhooks)"
log = logging.getLogger("giftflow.webhooks")


@dataclass(frozen=True, slots=True)
class DeliveryPolicy:
    retry_schedule_s: tuple[float, ...] = (5, 300, 1800, 7200, 18000, 36000, 36000, 86400, 86400)
    """The waits after each failed attempt; once they are used up the delivery is
    given up (``failed``). The default spans about 3 days and 4 hours."""
    jitter: float = 0.1
    """Each wait is stretched or shrunk by up to this fraction, at random."""
    timeout_s: float = 10.0
    disable_after_s: float = 5 * 86_400
    """An endpoint whose every attempt failed for this long is disabled."""
    batch_max: int = 64
    """Lines (an endpoint and a room) claimed per pass, sent at once."""
    line_max: int = 256
    """Deliveries claimed per line and pass, sent one after the other."""
    response_bytes_max: int = 4096
    """What is read of an answer's body before the connection is dropped."""
    batch_wait_s: float = 0.25
    """After a pass that sent less than a full line: the wait before the next one, so
    that passes under load carry many deliveries each rather than one or two."""

    @property
    def lease_ns(self) -> int:
        """How long a claim holds: longer than any send can take."""
        return int((2 * self.timeout_s + 5) * NS_PER_S)

    def wait_ns(self, failed_attempts: int, draw: float) -> int | None:
        """The wait before the next attempt after ``failed_attempts`` failures, or None
        when the schedule is used up. ``draw`` is uniform in [0, 1)."""
        if failed_attempts > len(self.retry_schedule_s):
            return None
        base = self.retry_schedule_s[failed_attempts - 1]
        return int(base * (1 + self.jitter * (2 * draw - 1)) * NS_PER_S)


Claimed = PendingDelivery
"""A delivery claimed for this pass (the store's row, with its endpoint's secrets)."""


@dataclass(frozen=True, slots=True)
class Sent:
    claimed: Claimed
    attempted_at: UnixNs
    duration_ms: int
    status_code: int | None
    error: str | None

    @property
    def ok(self) -> bool:
        return self.error is None

    @property
    def attempt(self) -> AttemptMade:
        return AttemptMade(
            self.claimed.id, self.attempted_at, self.duration_ms, self.status_code, self.error
        )


@functools.lru_cache(maxsize=256)
def _signer(secret: str) -> Webhook:
    return Webhook(secret)  # decodes the secret: once per secret, not per delivery


def signature(claimed: Claimed, timestamp_s: int, now_ns: int) -> str:
    """``webhook-signature``: with the current secret, and the previous one as well
    while a rotation's grace lasts."""
    moment = datetime.fromtimestamp(timestamp_s, UTC)
    secrets = [claimed.secret]
    if claimed.previous_secret and now_ns < claimed.previous_secret_until:
        secrets.append(claimed.previous_secret)
    return " ".join(
        _signer(secret).sign(claimed.event_id, moment, claimed.payload) for secret in secrets
    )


def headers(claimed: Claimed, now_ns: int) -> tuple[tuple[str, str], ...]:
    """A delivery's headers: Standard Webhooks' for a signed body; a Discord or
    Telegram body goes without them (those services check none, and a signature made
    for no one to verify says nothing)."""
    plain = (("content-type", "application/json"), ("user-agent", USER_AGENT))
    if claimed.body_format != STANDARD:
        return plain
    timestamp_s = int(time.time())  # the receiver checks it against its own clock
    return (
        *plain,
        ("webhook-id", claimed.event_id),
        ("webhook-timestamp", str(timestamp_s)),
        ("webhook-signature", signature(claimed, timestamp_s, now_ns)),
    )


class Deliverer:
    def __init__(
        self,
        ledger: Ledger,
        policy: DeliveryPolicy,
        urls: UrlPolicy,
        *,
        draw: Callable[[], float] = random.random,
    ) -> None:
        self.ledger = ledger
        self.policy = policy
        self.urls = urls
        self._draw = draw
        self._sender = Sender(policy.timeout_s, policy.response_bytes_max)

    async def aclose(self) -> None:
        await self._sender.aclose()

    async def run_once(self, *, look_first: bool = True) -> int:
        """One pass: claim what is due, send it, log it. Returns how many were sent.
        ``look_first``: read whether anything is due before opening a write (what an
        idle worker does; one that just sent something goes straight to the claim)."""
        now = self.ledger.clock.now_ns()
        if look_first and not await self.ledger.read_async(
            lambda tx: deliveries.anything_due(tx, now_ns=now)
        ):
            return 0
        lines = await self.ledger.write_async(self._claim)
        if not lines:
            return 0
        sent = [
            item for line in await asyncio.gather(*map(self._send_line, lines)) for item in line
        ]
        claimed = [item.id for line in lines for item in line]
        await self.ledger.write_async(lambda tx: self._record(tx, sent, claimed))
        return len(sent)

    async def run(self, stop: threading.Event, interval_s: float) -> None:
        """Pass after pass until ``stop``: at once again after a pass that sent a full
        line (more is waiting), after ``batch_wait_s`` after one that sent less, else
        after ``interval_s``."""
        sent = 0
        while not stop.is_set():
            try:
                sent = await self.run_once(look_first=not sent)
            except Exception:
                log.exception("a webhook delivery pass failed")  # the next one tries again
                sent = 0
            if sent < self.policy.line_max:
                await _sleep_unless(stop, self.policy.batch_wait_s if sent else interval_s)

    def _claim(self, tx: Tx) -> list[list[Claimed]]:
        """The lines whose oldest pending delivery is due and unclaimed, each from that
        one on, leased to this pass."""
        now = self.ledger.clock.now_ns()
        heads = deliveries.due_heads(tx, now_ns=now, limit=self.policy.batch_max)
        lines = [deliveries.line_of(tx, head, limit=self.policy.line_max) for head in heads]
        claimed = [item.id for line in lines for item in line]
        deliveries.lease(tx, claimed, until_ns=now + self.policy.lease_ns)
        return [line for line in lines if line]

    async def _send_line(self, line: list[Claimed]) -> list[Sent]:
        """One after the other, in order, up to the first failure; the host resolved
        (and checked) once for the line."""
        sent: list[Sent] = []
        resolved: dict[str, tuple[Target, str]] = {}
        for claimed in line:
            sent.append(await self._send(claimed, resolved))
            if not sent[-1].ok:
                break
        return sent

    async def _send(self, claimed: Claimed, resolved: dict[str, tuple[Target, str]]) -> Sent:
        attempted_at = self.ledger.clock.now_ns()
        started = time.perf_counter()
        status: int | None = None
        error: str | None = None
        try:
            status = await self._post(claimed, attempted_at, resolved)
            if not 200 <= status < 300:
                error = f"answered HTTP {status}"
        except WebhookUrlError as refused:
            error = str(refused)
        except SendError as failed:
            error = str(failed)
        duration_ms = int((time.perf_counter() - started) * 1000)
        return Sent(claimed, attempted_at, duration_ms, status, error and error[:ERROR_LENGTH_MAX])

    async def _post(
        self, claimed: Claimed, now_ns: int, resolved: dict[str, tuple[Target, str]]
    ) -> int:
        if claimed.url not in resolved:  # again: the name may point elsewhere by now
            target = self.urls.parse(claimed.url)
            resolved[claimed.url] = target, await self.urls.resolve(target)
        target, address = resolved[claimed.url]
        return await self._sender.post(
            target, address, headers(claimed, now_ns), claimed.payload.encode()
        )

    def _record(self, tx: Tx, sent: list[Sent], claimed: list[int]) -> None:
        """The attempts, each delivery's new state, and the leases of those a failure
        ahead of them left unsent given back."""
        now = self.ledger.clock.now_ns()
        unsent = set(claimed) - {item.claimed.id for item in sent}
        deliveries.lease(tx, sorted(unsent), until_ns=0)
        deliveries.log_attempts(tx, [item.attempt for item in sent])
        delivered = [item for item in sent if item.ok]
        deliveries.mark_delivered(tx, [item.attempt for item in delivered], at_ns=now)
        deliveries.clear_failing(tx, sorted({item.claimed.endpoint_id for item in delivered}))
        for item in sent:
            if not item.ok:
                self._failed(tx, item, now)

    def _failed(self, tx: Tx, sent: Sent, now: int) -> None:
        attempts = sent.claimed.attempts + 1
        wait = self.policy.wait_ns(attempts, self._draw())
        next_at = None if wait is None else now + wait
        deliveries.mark_failed(tx, sent.attempt, attempts=attempts, next_attempt_at=next_at)
        endpoint_id = sent.claimed.endpoint_id
        deliveries.failing_since(tx, endpoint_id, at_ns=sent.attempted_at)
        self._disable_if_dead(tx, endpoint_id, now)

    def _disable_if_dead(self, tx: Tx, endpoint_id: str, now: int) -> None:
        disabled = deliveries.disable_if_failing_since(
            tx,
            endpoint_id,
            cutoff_ns=now - int(self.policy.disable_after_s * NS_PER_S),
            reason=f"every delivery failed for {self.policy.disable_after_s:g} s",
            now_ns=now,
        )
        if disabled:
            log.warning("webhook endpoint %s disabled: its deliveries kept failing", endpoint_id)
            changed(tx)


async def _sleep_unless(stop: threading.Event, seconds: float) -> None:
    """Sleep, waking early (in slices of at most 0.1 s) when ``stop`` is set."""
    deadline = time.monotonic() + seconds
    while not stop.is_set() and (left := deadline - time.monotonic()) > 0:
        await asyncio.sleep(min(left, 0.1))


def open_deliverer(ledger: Ledger, settings: Settings) -> Deliverer:
    """A deliverer as the ``GIFTFLOW_WEBHOOKS_*`` settings say."""
    policy = DeliveryPolicy(
        retry_schedule_s=tuple(settings.webhooks_retry_schedule_s),
        jitter=settings.webhooks_retry_jitter,
        timeout_s=settings.webhooks_timeout_s,
        disable_after_s=settings.webhooks_disable_after_s,
        batch_wait_s=settings.webhooks_batch_wait_s,
    )
    return Deliverer(ledger, policy, UrlPolicy.of(settings))


async def work_until(ledger: Ledger, settings: Settings, stop: threading.Event) -> None:
    """The delivery worker until ``stop`` is set (``giftflow webhooks deliver --follow``)."""
    deliverer = open_deliverer(ledger, settings)
    try:
        await deliverer.run(stop, settings.webhooks_poll_interval_s)
    finally:
        await deliverer.aclose()


async def deliver_due(ledger: Ledger, settings: Settings, *, passes: int = 1_000) -> int:
    """Passes until nothing is due (or ``passes``): the attempts made (``giftflow
    webhooks deliver``)."""
    deliverer = open_deliverer(ledger, settings)
    sent = 0
    try:
        for _ in range(passes):
            done = await deliverer.run_once()
            if not done:
                break
            sent += done
    finally:
        await deliverer.aclose()
    return sent
