"""What a missing PostgreSQL or Redis server means to a test: a skip, and in CI a
failure (a missing server there is a broken build, not a reason to test less)."""

from __future__ import annotations

import os
from typing import NoReturn

import pytest
import redis

CONNECT_TIMEOUT_S = 3


def skip_or_fail(server: str, reason: str) -> NoReturn:
    if os.environ.get("CI") == "true":
        pytest.fail(f"{server} is required in CI: {reason}", pytrace=False)
    pytest.skip(f"{server} unavailable: {reason}")


def reachable_redis(url: str) -> str:
    """``url``, once the Redis there answers a ping (skips, or fails in CI, when not)."""
    client = redis.Redis.from_url(url, socket_connect_timeout=CONNECT_TIMEOUT_S)
    try:
        client.ping()
    except redis.RedisError as error:
        skip_or_fail("Redis", str(error))
    finally:
        client.close()
    return url
