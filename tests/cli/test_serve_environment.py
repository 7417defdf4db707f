"""``giftflow serve`` refuses, before it listens, a payment provider that does not
belong in its environment: the sandbox in production, a live key in development."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cli.conftest import giftflow, said

TOKEN_SECRET = "serve-test-token-secret-0123456789abcdef"
SANDBOX_SECRET = "serve-test-sandbox-secret-0123456789abcdef"


def serve(tmp_path: Path, **settings: str) -> str:
    """``giftflow serve`` with these settings: it must exit 2 with a clear message."""
    environment = {
        "GIFTFLOW_DATABASE_URL": f"sqlite:///{tmp_path / 'economy.db'}",
        "GIFTFLOW_TOKEN_SECRET": TOKEN_SECRET,
    } | {f"GIFTFLOW_{name.upper()}": value for name, value in settings.items()}
    result = giftflow("serve", "--port", "1", settings=environment)
    assert result.returncode == 2, said(result)
    assert "Traceback" not in said(result)
    assert not (tmp_path / "economy.db").exists()
    return said(result)


def test_serve_refuses_the_sandbox_in_the_default_production_environment(
    tmp_path: Path,
) -> None:
    output = serve(tmp_path, sandbox_webhook_secret=SANDBOX_SECRET)
    assert "configuration_invalid" in output
    assert "GIFTFLOW_ENVIRONMENT=development" in output


def test_serve_refuses_the_sandbox_beside_a_live_stripe_key(tmp_path: Path) -> None:
    output = serve(
        tmp_path,
        environment="development",
        sandbox_webhook_secret=SANDBOX_SECRET,
        stripe_api_key="sk_live_51Hx0000",
        stripe_webhook_secret="whsec_giftflow_serve_test",
    )
    assert "configuration_invalid" in output and "real money" in output


@pytest.mark.parametrize("secret", ["x", "dev-sandbox-secret"])
def test_serve_refuses_a_short_sandbox_secret(tmp_path: Path, secret: str) -> None:
    output = serve(tmp_path, environment="development", sandbox_webhook_secret=secret)
    assert "32 or more" in output
