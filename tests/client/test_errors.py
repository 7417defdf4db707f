"""Problems as typed errors, Idempotency-Keys a retry can reuse, and the retry policy,
against a real server (a port nobody listens on for a lost connection)."""

from __future__ import annotations

import socket
import time
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from giftflow.client import (
    NO_RETRY,
    Call,
    Client,
    GiftEvent,
    GiftflowError,
    ProblemError,
    RateLimitedError,
    Retry,
    TransportError,
    calls,
    models,
)
from giftflow.client.calls import money
from tests.api.conftest import LION, ROSE, World, open_world
from tests.client.conftest import base_url

ADULT = date(1990, 5, 17)


def _pair(admin: Client) -> tuple[int, int]:
    viewer = admin.register_user(external_id="v", display_name="V", birth_date=ADULT, region="US")
    creator = admin.register_user(
        external_id="c", display_name="C", birth_date=ADULT, region="US", is_creator=True
    )
    return viewer.id, creator.id


def test_a_problem_is_a_giftflow_error_with_status_code_and_detail(admin: Client) -> None:
    with pytest.raises(GiftflowError) as raised:
        admin.get_user(4_000_000)
    error = raised.value
    assert isinstance(error, ProblemError)
    assert (error.status, error.code) == (404, "user_not_found")
    assert error.detail and error.type == "urn:giftflow:problem:user_not_found"
    assert error.idempotency_key is None  # a read takes no key


def test_a_validation_problem_names_each_field(admin: Client) -> None:
    with pytest.raises(ProblemError) as raised:
        admin.register_user(external_id="x", display_name="X", birth_date=ADULT, region="usa")
    assert (raised.value.status, raised.value.code) == (422, "validation_failed")
    assert [problem.location for problem in raised.value.errors] == ["body.region"]


def test_credentials_are_checked_by_the_server(world: World, admin: Client) -> None:
    with pytest.raises(ProblemError) as raised:
        admin.with_credential(None).get_wallet(1)
    assert (raised.value.status, raised.value.code) == (401, "unauthenticated")
    with pytest.raises(ProblemError) as raised:
        admin.with_credential(world.key("users:read")).get_wallet(1)
    assert (raised.value.status, raised.value.code) == (403, "scope_missing")


def test_a_refused_gift_carries_the_key_and_stays_refused_under_it(admin: Client) -> None:
    viewer, creator = _pair(admin)
    lion = GiftEvent(sender_id=viewer, creator_id=creator, gift_id=LION, event_id="l1")
    with pytest.raises(ProblemError) as raised:
        admin.send_gift(lion)
    refused = raised.value
    assert refused.code == "insufficient_funds" and refused.idempotency_key
    with pytest.raises(ProblemError) as again:
        admin.send_gift(lion, idempotency_key=refused.idempotency_key)
    assert again.value.code == "insufficient_funds"  # the first answer, replayed


def test_a_call_sent_again_with_its_key_is_applied_once(world: World, admin: Client) -> None:
    keys = iter(["key-1", "key-2"])
    viewer, _ = _pair(admin)

    def purchase(coins: int, key: str | None = None) -> Call[models.PaymentPublic]:
        return money.start_purchase(
            user_id=viewer, channel="web", provider="sandbox", coins=coins, idempotency_key=key
        )

    with Client(base_url(world), credential=world.admin_key, new_key=lambda: next(keys)) as client:
        payment = client.send(purchase(50))  # sent with "key-1"
        assert client.send(purchase(50, "key-1")) == payment  # the same key: once
        with pytest.raises(ProblemError) as raised:
            client.send(purchase(60, "key-1"))
        assert (raised.value.code, raised.value.idempotency_key) == (
            "idempotency_key_reused",
            "key-1",
        )
        assert client.send(purchase(50)).id != payment.id  # "key-2": a new payment


def _closed_port() -> str:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}"


def test_a_lost_connection_is_retried_and_then_raised_with_the_key() -> None:
    waits: list[float] = []
    retry = Retry(attempts_max=3, backoff_s=0.1)
    client = Client(_closed_port(), credential="gf_1_x", retry=retry, sleep=waits.append)
    with client, pytest.raises(TransportError) as raised:
        client.send_gift(GiftEvent(sender_id=1, creator_id=2, gift_id=ROSE, event_id="e"))
    assert waits == [0.1, 0.2]  # three attempts, the backoff doubling
    assert raised.value.code == "transport_error" and raised.value.idempotency_key


@pytest.fixture
def limited(database_url: str, tmp_path: Path) -> Iterator[World]:
    """A world whose keys may read once a second, in bursts of one."""
    limits: dict[str, Any] = {"rate_limit_key_read_burst": 1, "rate_limit_key_read_per_s": 1.0}
    with open_world(database_url, tmp_path / "payouts", **limits) as opened:
        yield opened


def test_429_exposes_retry_after_and_is_waited_out(limited: World) -> None:
    waits: list[float] = []
    url, key = base_url(limited), limited.admin_key
    with Client(url, credential=key, retry=NO_RETRY) as client:
        client.list_gifts()
        with pytest.raises(RateLimitedError) as raised:
            client.list_gifts()
    assert (raised.value.status, raised.value.code) == (429, "rate_limited")
    assert raised.value.retry_after_s == 1

    def sleep(seconds: float) -> None:
        waits.append(seconds)
        time.sleep(seconds)

    with Client(url, credential=key, sleep=sleep) as client:
        assert client.send(calls.accounts.list_gifts()).gifts  # waited, then answered
    assert waits == [1.0]
