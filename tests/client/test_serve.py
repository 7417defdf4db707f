"""The client against ``giftflow serve`` itself, as a platform meets it: a key from
``giftflow keys create``, the process on a port of its own, the sandbox's secret from
the environment, a purchase paid by a signed sandbox event."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from giftflow.client import Client, ProblemError, sandbox_event
from tests.api.test_cli import giftflow, serving
from tests.cli.conftest import environment

TOKEN_SECRET = "client-serve-token-secret-0123456789abcdef"
SANDBOX_SECRET = "client-serve-sandbox-secret-0123456789abcdef"


def test_the_client_buys_coins_from_a_giftflow_serve_process(tmp_path: Path) -> None:
    env = environment(
        database_url=f"sqlite:///{tmp_path / 'economy.db'}",
        token_secret=TOKEN_SECRET,
        environment="development",
        sandbox_webhook_secret=SANDBOX_SECRET,
        payout_dir=str(tmp_path / "payouts"),
    )
    created = giftflow(
        "keys", "create", "--name", "platform", "--scope", "admin", env=env, cwd=tmp_path
    )
    assert created.returncode == 0, created.stderr
    with (
        serving(env, tmp_path) as base,
        Client(base, credential=created.stdout.strip()) as client,
    ):
        _buy(client)


def _buy(client: Client) -> None:
    assert client.ready().status == "ready"
    fan = client.register_user(
        external_id="fan", display_name="Fan", birth_date=date(1990, 1, 1), region="US"
    )
    payment = client.start_purchase(user_id=fan.id, channel="web", provider="sandbox", coins=500)
    minted = client.deliver_webhook("sandbox", *sandbox_event(SANDBOX_SECRET, payment))
    assert minted.coins_minted == 500
    assert client.get_wallet(fan.id).coins == 500
    with pytest.raises(ProblemError) as raised:
        client.deliver_webhook("sandbox", *sandbox_event("not-the-secret", payment))
    assert (raised.value.status, raised.value.code) == (400, "webhook_signature_invalid")
