"""The environment says whether money is real: production opens only providers that
charge real money, development only providers that do not, so the sandbox (whose
secret marks any purchase paid) never runs beside a live provider or in production."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from pydantic import SecretStr

from giftflow.errors import ConfigurationError
from giftflow.ledger.clock import ManualClock
from giftflow.payments.policy import SANDBOX_SECRET_MIN_BYTES
from giftflow.payments.sandbox import SandboxProvider
from giftflow.payments.stripe import StripeProvider
from giftflow.service.economy import Economy
from giftflow.settings import Settings

SECRET = "s" * SANDBOX_SECRET_MIN_BYTES
WEBHOOK_SECRET = "whsec_giftflow_policy_test"


def settings(tmp_path: Path, **fields: Any) -> Settings:
    return Settings(database_url=f"sqlite:///{tmp_path / 'economy.db'}", **fields)


def refused(tmp_path: Path, **fields: Any) -> str:
    """Opening is refused, and the database was never touched."""
    with pytest.raises(ConfigurationError) as raised:
        Economy.open(settings(tmp_path, **fields))
    assert raised.value.code == "configuration_invalid"
    assert not (tmp_path / "economy.db").exists()
    return str(raised.value)


def test_the_default_environment_is_production() -> None:
    assert Settings().environment == "production"


def test_production_refuses_the_sandbox_its_secret_would_enable(tmp_path: Path) -> None:
    message = refused(tmp_path, sandbox_webhook_secret=SecretStr(SECRET))
    assert "'sandbox'" in message and "GIFTFLOW_ENVIRONMENT=development" in message


def test_production_refuses_a_sandbox_handed_in_by_an_embedder(tmp_path: Path) -> None:
    sandbox = SandboxProvider(SECRET.encode(), ManualClock(0))
    with pytest.raises(ConfigurationError, match="production refuses it"):
        Economy.open(settings(tmp_path), providers={"sandbox": sandbox})


def test_development_opens_the_sandbox_from_its_secret(tmp_path: Path) -> None:
    fields = {"environment": "development", "sandbox_webhook_secret": SecretStr(SECRET)}
    with Economy.open(settings(tmp_path, **fields)) as economy:
        assert isinstance(economy.context.providers["sandbox"], SandboxProvider)


@pytest.mark.parametrize("length", [0, 1, 16, SANDBOX_SECRET_MIN_BYTES - 1])
def test_a_sandbox_secret_shorter_than_32_bytes_is_refused(tmp_path: Path, length: int) -> None:
    message = refused(
        tmp_path, environment="development", sandbox_webhook_secret=SecretStr("x" * length)
    )
    assert f"{length} bytes" in message and "32 or more" in message


def test_a_short_secret_is_refused_by_the_sandbox_itself() -> None:
    with pytest.raises(ConfigurationError, match="32 or more"):
        SandboxProvider(b"dev-sandbox-secret", ManualClock(0))


@pytest.mark.parametrize("key", ["sk_live_51Hx0000", "rk_live_51Hx0000", "sk_51Hx_unknown"])
def test_development_refuses_a_live_stripe_key_beside_the_sandbox(tmp_path: Path, key: str) -> None:
    message = refused(
        tmp_path,
        environment="development",
        sandbox_webhook_secret=SecretStr(SECRET),
        stripe_api_key=SecretStr(key),
        stripe_webhook_secret=SecretStr(WEBHOOK_SECRET),
    )
    assert "'stripe'" in message and "real money" in message


def test_development_refuses_a_live_stripe_key_on_its_own(tmp_path: Path) -> None:
    message = refused(
        tmp_path,
        environment="development",
        stripe_api_key=SecretStr("sk_live_51Hx0000"),
        stripe_webhook_secret=SecretStr(WEBHOOK_SECRET),
    )
    assert "development never touches real money" in message


@pytest.mark.parametrize("key", ["sk_test_51Hx0000", "rk_test_51Hx0000"])
def test_production_refuses_a_stripe_test_key_whose_payments_cost_nothing(
    tmp_path: Path, key: str
) -> None:
    message = refused(
        tmp_path, stripe_api_key=SecretStr(key), stripe_webhook_secret=SecretStr(WEBHOOK_SECRET)
    )
    assert "'stripe'" in message and "production refuses it" in message


def test_production_opens_stripe_with_a_live_key(tmp_path: Path) -> None:
    fields = {
        "stripe_api_key": SecretStr("sk_live_51Hx0000"),
        "stripe_webhook_secret": SecretStr(WEBHOOK_SECRET),
    }
    with Economy.open(settings(tmp_path, **fields)) as economy:
        assert set(economy.context.providers) == {"stripe"}
        assert economy.context.providers["stripe"].real_money


def test_development_opens_the_sandbox_beside_stripe_in_test_mode(tmp_path: Path) -> None:
    fields = {
        "environment": "development",
        "sandbox_webhook_secret": SecretStr(SECRET),
        "stripe_api_key": SecretStr("sk_test_51Hx0000"),
        "stripe_webhook_secret": SecretStr(WEBHOOK_SECRET),
    }
    with Economy.open(settings(tmp_path, **fields)) as economy:
        assert set(economy.context.providers) == {"sandbox", "stripe"}


@pytest.mark.parametrize("present", ["stripe_api_key", "stripe_webhook_secret"])
def test_half_a_stripe_configuration_is_refused(tmp_path: Path, present: str) -> None:
    value = "sk_live_51Hx0000" if present == "stripe_api_key" else WEBHOOK_SECRET
    assert "or neither" in refused(tmp_path, **{present: SecretStr(value)})


def test_stripe_test_and_live_keys_are_told_apart() -> None:
    assert not StripeProvider("sk_test_x", WEBHOOK_SECRET).real_money
    assert not StripeProvider("rk_test_x", WEBHOOK_SECRET).real_money
    assert StripeProvider("sk_live_x", WEBHOOK_SECRET).real_money
    assert StripeProvider("rk_live_x", WEBHOOK_SECRET).real_money
