"""Rate limits per caller (docs/security.md#rate-limits): a token bucket per principal
and kind of request, and one per client address for failed authentication.

Each bucket is kept as GCRA keeps it (the generic cell rate algorithm, the token
bucket stated as one time): its theoretical arrival time ``tat``. A request at ``now``
passes when ``tat - now <= burst_s`` and moves ``tat`` on by ``1 / rate``; otherwise it
is answered 429 ``rate_limited`` with ``Retry-After``, and moves nothing.

With ``GIFTFLOW_REDIS_URL`` the buckets live in Redis (one Lua script, one round trip,
Redis's own clock), shared by every server process; without it they live in this
process, which is the whole server on SQLite. If Redis does not answer, a request is
let through (and logged): limits protect the service, they must not stop it.
"""

from __future__ import annotations

import logging
import math
import threading
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Final, Protocol

import redis.asyncio
import redis.exceptions

from giftflow.errors import GiftflowError
from giftflow.settings import Settings

log = logging.getLogger(__name__)
_PRUNE_EVERY: Final = 10_000
"""In-process buckets checked between sweeps of the ones that are full again."""


class Kind(StrEnum):
    KEY_WRITE = "key_write"
    KEY_READ = "key_read"
    USER_WRITE = "user_write"
    USER_READ = "user_read"
    AUTH_FAILURE = "auth_failure"


@dataclass(frozen=True, slots=True)
class Rate:
    per_s: float
    burst: int

    @property
    def interval_s(self) -> float:
        return 1 / self.per_s

    @property
    def tolerance_s(self) -> float:
        """How far ahead of now ``tat`` may run: ``burst`` requests at once."""
        return self.interval_s * (self.burst - 1)


class RateLimitedError(GiftflowError):
    code = "rate_limited"

    def __init__(self, message: str, *, retry_after_s: float) -> None:
        super().__init__(message)
        self.retry_after_s = max(1, math.ceil(retry_after_s))


class Buckets(Protocol):
    async def take(self, key: str, rate: Rate) -> float:
        """0 when the request passes, else the seconds until it would."""


class LocalBuckets:
    """One process's buckets."""

    def __init__(self) -> None:
        self._tat: dict[str, float] = {}
        self._lock = threading.Lock()
        self._checks = 0

    async def take(self, key: str, rate: Rate) -> float:
        now = time.monotonic()
        with self._lock:
            tat = max(self._tat.get(key, now), now)
            wait = tat - now - rate.tolerance_s
            if wait > 0:
                return wait
            self._tat[key] = tat + rate.interval_s
            self._checks += 1
            if self._checks % _PRUNE_EVERY == 0:
                self._tat = {k: t for k, t in self._tat.items() if t > now}
            return 0.0


_TAKE: Final = """
local now = redis.call('TIME')
now = tonumber(now[1]) * 1000000 + tonumber(now[2])
local interval, tolerance = tonumber(ARGV[1]), tonumber(ARGV[2])
local tat = tonumber(redis.call('GET', KEYS[1]) or now)
if tat < now then tat = now end
local wait = tat - now - tolerance
if wait > 0 then return wait end
redis.call('SET', KEYS[1], tat + interval, 'PX', math.ceil((tat + interval - now) / 1000) + 1)
return 0
"""


class RedisBuckets:
    """Buckets shared by every process on one Redis (times in microseconds)."""

    def __init__(self, url: str, *, prefix: str = "giftflow") -> None:
        self._client = redis.asyncio.Redis.from_url(url)
        self._take = self._client.register_script(_TAKE)
        self._prefix = prefix

    async def take(self, key: str, rate: Rate) -> float:
        interval, tolerance = round(rate.interval_s * 1e6), round(rate.tolerance_s * 1e6)
        try:
            wait = await self._take(keys=[f"{self._prefix}:rate:{key}"], args=[interval, tolerance])
        except redis.exceptions.RedisError as error:
            log.warning("rate limits not applied: Redis did not answer (%s)", error)
            return 0.0
        return int(wait) / 1e6

    async def aclose(self) -> None:
        await self._client.aclose()


@dataclass(frozen=True, slots=True)
class RateLimits:
    buckets: Buckets
    rates: dict[Kind, Rate]

    async def check(self, kind: Kind, who: str) -> None:
        """Raises ``RateLimitedError`` when ``who`` is over its rate of ``kind``."""
        rate = self.rates[kind]
        wait = await self.buckets.take(f"{kind}:{who}", rate)
        if wait > 0:
            raise RateLimitedError(
                f"more than {rate.per_s:g} requests a second (bursts of {rate.burst});"
                " slow down and retry after the time Retry-After says",
                retry_after_s=wait,
            )


WRITE_METHODS: Final = frozenset({"POST", "PUT", "PATCH", "DELETE"})


def kind_of(method: str, *, is_key: bool) -> Kind:
    write = method in WRITE_METHODS
    if is_key:
        return Kind.KEY_WRITE if write else Kind.KEY_READ
    return Kind.USER_WRITE if write else Kind.USER_READ


def rate_limits(settings: Settings) -> RateLimits:
    """The limits ``settings`` name, in Redis when it is configured."""
    buckets: Buckets = (
        LocalBuckets() if settings.redis_url is None else RedisBuckets(settings.redis_url)
    )
    s = settings
    return RateLimits(
        buckets,
        {
            Kind.KEY_WRITE: Rate(s.rate_key_write_per_s, s.rate_key_write_burst),
            Kind.KEY_READ: Rate(s.rate_key_read_per_s, s.rate_key_read_burst),
            Kind.USER_WRITE: Rate(s.rate_user_write_per_s, s.rate_user_write_burst),
            Kind.USER_READ: Rate(s.rate_user_read_per_s, s.rate_user_read_burst),
            Kind.AUTH_FAILURE: Rate(s.rate_auth_failure_per_s, s.rate_auth_failure_burst),
        },
    )
