"""Rate limits per caller on a real server, with the defaults: a user's token and a
client address that keeps failing to authenticate get 429 with Retry-After once past
their burst, and nobody else is slowed (the Redis buckets: tests/events)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from api.conftest import World, assert_problem, open_world
from giftflow.settings import Settings

DEFAULTS = Settings()


@pytest.fixture
def limited(tmp_path: Path) -> Iterator[World]:
    """A world with the default limits (the shared test world lifts them)."""
    defaults = {
        name: getattr(DEFAULTS, name)
        for name in ("rate_user_write_burst", "rate_user_read_burst", "rate_auth_failure_burst")
    }
    with open_world(f"sqlite:///{tmp_path / 'economy.db'}", tmp_path / "payouts", **defaults) as w:
        yield w


def test_a_users_token_gets_429_past_its_burst_and_another_user_does_not(
    limited: World,
) -> None:
    alice, bob = limited.user("alice")["id"], limited.user("bob")["id"]
    alices, bobs = limited.token(alice, "viewer"), limited.token(bob, "viewer")
    burst = DEFAULTS.rate_user_read_burst
    answers = [limited.get(f"/v1/wallets/{alice}", alices) for _ in range(burst + 5)]
    statuses = [answer.status_code for answer in answers]
    assert statuses[: burst - 5] == [200] * (burst - 5)  # a few refill meanwhile at most
    refused = assert_problem(answers[-1], 429, "rate_limited")
    assert refused["detail"]
    assert int(answers[-1].headers["retry-after"]) >= 1
    assert limited.get(f"/v1/wallets/{bob}", bobs).status_code == 200


def test_an_address_that_keeps_failing_to_authenticate_gets_429(limited: World) -> None:
    burst = DEFAULTS.rate_auth_failure_burst
    answers = [limited.get("/v1/wallets/1", f"gfk_{n}.wrong") for n in range(burst + 5)]
    assert {answer.status_code for answer in answers[: burst - 2]} == {401}
    assert_problem(answers[-1], 429, "rate_limited")
    assert "retry-after" in answers[-1].headers
