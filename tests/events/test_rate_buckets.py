"""Rate-limit buckets in Redis: one bucket whichever server process takes from it, and
requests let through when Redis does not answer."""

from __future__ import annotations

import asyncio

from giftflow.api.ratelimit import Rate, RedisBuckets


def test_redis_buckets_are_one_bucket_for_every_process(redis_url: str, redis_prefix: str) -> None:
    rate = Rate(per_s=0.5, burst=5)

    async def scenario() -> list[float]:
        processes = [RedisBuckets(redis_url, prefix=redis_prefix) for _ in range(2)]
        try:
            return [await processes[n % 2].take("user_write:user:7", rate) for n in range(7)]
        finally:
            for buckets in processes:
                await buckets.aclose()

    waits = asyncio.run(scenario())
    assert waits[:5] == [0.0] * 5 and all(wait > 0 for wait in waits[5:])
    assert waits[5] <= rate.interval_s


def test_without_redis_the_limits_let_requests_through() -> None:
    async def scenario() -> float:
        buckets = RedisBuckets("redis://127.0.0.1:1/0")  # nothing listens there
        try:
            return await buckets.take("key_write:key:x", Rate(per_s=1, burst=1))
        finally:
            await buckets.aclose()

    assert asyncio.run(scenario()) == 0.0
