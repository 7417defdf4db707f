"""Rate limits: a token bucket per caller and class of request.

Every authenticated ``/v1`` request takes a token from its principal's bucket (the API
key's id, or the user id of a user token) of its class: writes (every method but GET
and HEAD) or reads. Failed authentications take one from their client address's
``auth_failure`` bucket, and webhook deliveries from the address's ``webhook`` bucket.
An empty bucket is 429 ``rate_limited`` with ``Retry-After`` (whole seconds). The rates
are settings (``GIFTFLOW_RATE_LIMIT_*``, docs/security.md#limits).

Buckets live in Redis when ``GIFTFLOW_REDIS_URL`` is set (one Lua script: one round trip,
atomic, Redis's clock), so every server process sharing that Redis shares them; else in
the process. While Redis does not answer, each process falls back to its own buckets
(limits then hold per process) and tries Redis again a second later. See
docs/decisions/0025-rate-limits-in-redis-or-in-the-process.md.
"""

from __future__ import annotations

import logging
import math
import time
from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

import redis
import redis.asyncio

from giftflow.http.errors import RateLimitedError
from giftflow.http.principals import Principal
from giftflow.settings import Settings

log = logging.getLogger("giftflow.api")
READ_METHODS: Final = frozenset({"GET", "HEAD"})
LOCAL_BUCKETS_MAX: Final = 100_000
"""Buckets one process keeps at most; full ones are forgotten first (they refill to
where a new one starts)."""
REDIS_TIMEOUT_S: Final = 0.25
REDIS_RETRY_S: Final = 1.0
"""How long a process uses its own buckets after Redis failed to answer."""
REDIS_PREFIX: Final = "giftflow:rate"
_TAKE: Final = """
local rate = tonumber(ARGV[1])
local burst = tonumber(ARGV[2])
local clock = redis.call('TIME')
local now_us = tonumber(clock[1]) * 1000000 + tonumber(clock[2])
local state = redis.call('HMGET', KEYS[1], 'tokens', 'at_us')
local tokens = tonumber(state[1]) or burst
local at_us = tonumber(state[2]) or now_us
tokens = math.min(burst, tokens + math.max(0, now_us - at_us) * rate / 1000000)
local wait_ms = 0
if tokens >= 1 then
  tokens = tokens - 1
else
  wait_ms = math.ceil((1 - tokens) * 1000 / rate)
end
redis.call('HSET', KEYS[1], 'tokens', tostring(tokens), 'at_us', tostring(now_us))
redis.call('PEXPIRE', KEYS[1], math.ceil(burst * 1000 / rate) + 1000)
return wait_ms
"""
"""Takes a token when there is one (answers 0), else answers the milliseconds until
there is; the bucket expires once it would be full again."""


class Kind(StrEnum):
    KEY_WRITE = "key_write"
    KEY_READ = "key_read"
    USER_WRITE = "user_write"
    USER_READ = "user_read"
    AUTH_FAILURE = "auth_failure"
    WEBHOOK = "webhook"


@dataclass(frozen=True, slots=True)
class Rate:
    per_s: float
    burst: int


def rates_of(settings: Settings) -> dict[Kind, Rate]:
    return {
        kind: Rate(
            getattr(settings, f"rate_limit_{kind.value}_per_s"),
            getattr(settings, f"rate_limit_{kind.value}_burst"),
        )
        for kind in Kind
    }


class Buckets(Protocol):
    async def take(self, bucket: str, rate: Rate) -> float:
        """Take a token from ``bucket``: 0 when there was one, else the seconds until
        there is."""
        ...

    async def aclose(self) -> None: ...


class LocalBuckets:
    """Buckets in this process's memory: no await, no lock (one event loop)."""

    def __init__(self, now_s: Callable[[], float] = time.monotonic) -> None:
        self._now_s = now_s
        self._buckets: dict[str, tuple[float, float]] = {}
        """Per bucket: its tokens, and when they were counted."""

    async def take(self, bucket: str, rate: Rate) -> float:
        return self.take_now(bucket, rate)

    def take_now(self, bucket: str, rate: Rate) -> float:
        now = self._now_s()
        tokens, at = self._buckets.get(bucket, (float(rate.burst), now))
        tokens = min(float(rate.burst), tokens + (now - at) * rate.per_s)
        wait_s = 0.0 if tokens >= 1 else (1 - tokens) / rate.per_s
        if not wait_s:
            tokens -= 1
        if bucket not in self._buckets and len(self._buckets) >= LOCAL_BUCKETS_MAX:
            self._forget(now, rate)
        self._buckets[bucket] = (tokens, now)
        return wait_s

    def _forget(self, now: float, rate: Rate) -> None:
        """Drop the buckets that refilled (as good as new), else the older half."""
        full_after_s = rate.burst / rate.per_s
        stale = [name for name, (_, at) in self._buckets.items() if now - at >= full_after_s]
        if len(stale) < len(self._buckets) // 10:
            stale = list(self._buckets)[: len(self._buckets) // 2]
        for name in stale:
            del self._buckets[name]

    async def aclose(self) -> None:
        self._buckets.clear()


class RedisBuckets:
    """Buckets in Redis, shared by every process that uses it; this process's own
    buckets while Redis does not answer (fail open to per-process limits)."""

    def __init__(
        self, url: str, *, prefix: str = REDIS_PREFIX, now_s: Callable[[], float] = time.monotonic
    ) -> None:
        self._client = redis.asyncio.Redis.from_url(
            url, socket_timeout=REDIS_TIMEOUT_S, socket_connect_timeout=REDIS_TIMEOUT_S
        )
        self._take = self._client.register_script(_TAKE)
        self._prefix = prefix
        self._now_s = now_s
        self._local = LocalBuckets(now_s)
        self._down_until = -math.inf

    async def take(self, bucket: str, rate: Rate) -> float:
        if self._now_s() < self._down_until:
            return self._local.take_now(bucket, rate)
        try:
            wait_ms = await self._take(
                keys=[f"{self._prefix}:{bucket}"], args=[rate.per_s, rate.burst]
            )
        except (redis.RedisError, OSError) as error:  # Redis away or too slow: fall back
            self._fell_back(error)
            return self._local.take_now(bucket, rate)
        return int(wait_ms) / 1000

    def _fell_back(self, error: Exception) -> None:
        log.warning(
            "rate limits: Redis did not answer (%s); this process's own buckets for %.0f s",
            type(error).__name__,
            REDIS_RETRY_S,
        )
        self._down_until = self._now_s() + REDIS_RETRY_S

    async def aclose(self) -> None:
        await self._client.aclose()


def open_buckets(settings: Settings) -> Buckets:
    """In Redis when ``GIFTFLOW_REDIS_URL`` is set, else in the process."""
    return LocalBuckets() if settings.redis_url is None else RedisBuckets(settings.redis_url)


class RateLimiter:
    """Which bucket a request takes from, and the 429 when it is empty.

    A refusal also notes, in this process, until when that bucket is empty for sure
    (its next token is due then, and nobody adds tokens but time): until then
    ``refused_early`` answers the bucket's next requests without a round trip, before
    the body is read or the credential looked up (``early.py``)."""

    def __init__(self, rates: dict[Kind, Rate], buckets: Buckets) -> None:
        self._rates = rates
        self.buckets = buckets
        self._empty_until: dict[str, float] = {}

    async def admit(self, principal: Principal, method: str) -> None:
        """An authenticated request, in its principal's bucket of its class."""
        await self._take(kind_of(principal.is_key, method), principal.name)

    async def failed(self, address: str) -> None:
        """An authentication that failed from ``address``: raises ``RateLimitedError``
        once the address failed too often (the caller raises its 401 otherwise)."""
        await self._take(Kind.AUTH_FAILURE, address)

    async def webhook(self, address: str) -> None:
        await self._take(Kind.WEBHOOK, address)

    def refused_early(self, kind: Kind, who: str) -> RateLimitedError | None:
        """The refusal a request of ``who`` in ``kind`` would get, when its bucket is
        known to be empty; None when it may hold a token."""
        until = self._empty_until.get(f"{kind.value}:{who}")
        wait_s = 0.0 if until is None else until - time.monotonic()
        return RateLimitedError(kind, max(1, math.ceil(wait_s))) if wait_s > 0 else None

    async def _take(self, kind: Kind, who: str) -> None:
        bucket = f"{kind.value}:{who}"
        wait_s = await self.buckets.take(bucket, self._rates[kind])
        if wait_s > 0:
            self._note_empty(bucket, wait_s)
            raise RateLimitedError(kind, max(1, math.ceil(wait_s)))

    def _note_empty(self, bucket: str, wait_s: float) -> None:
        now = time.monotonic()
        if len(self._empty_until) >= LOCAL_BUCKETS_MAX:
            self._empty_until = {b: t for b, t in self._empty_until.items() if t > now}
            if len(self._empty_until) >= LOCAL_BUCKETS_MAX:
                self._empty_until.clear()
        self._empty_until[bucket] = now + wait_s


def kind_of(is_key: bool, method: str) -> Kind:
    read = method in READ_METHODS
    if is_key:
        return Kind.KEY_READ if read else Kind.KEY_WRITE
    return Kind.USER_READ if read else Kind.USER_WRITE
