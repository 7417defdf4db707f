"""The milestone channels' operations through the client against the real server: each
answer type read from a real answer, a test post delivered to a loopback receiver."""

from __future__ import annotations

import asyncio
import json
from datetime import date

import pytest

from giftflow.client import Client, ProblemError
from giftflow.client.requests import milestone_rule
from giftflow.service.webhooks.worker import deliver_due
from tests.api.conftest import World
from tests.api.receiver import receiving

ADULT = date(1990, 5, 17)


def test_every_milestone_operation_answers_its_type(world: World, admin: Client) -> None:
    carol = admin.register_user(
        external_id="carol", display_name="Carol", birth_date=ADULT, region="US", is_creator=True
    ).id
    with receiving() as receiver:
        made = admin.create_milestone_channel(
            carol,
            format="discord",
            url=receiver.url,
            link_url="https://example.com/carol",
            rules=[milestone_rule("followers_reached", thresholds=[10, 100])],
        )
        assert made.signing_secret is None and made.rules[0].thresholds == [10, 100]
        assert [c.id for c in admin.list_milestone_channels(carol).channels] == [made.id]
        renamed = admin.update_milestone_channel(made.id, name="Fans")
        assert renamed.name == "Fans" and admin.get_milestone_channel(made.id).name == "Fans"
        posted = admin.send_test_post(made.id, kind="followers_reached")
        assert posted.kind == "test" and posted.state == "pending"
        economy = world.economy
        assert asyncio.run(deliver_due(economy.ledger, economy.context.settings)) == 1
        (received,) = receiver.ok()
        assert json.loads(received.body)["content"] == (
            "Carol has 1000 followers! https://example.com/carol"
        )
        (listed,) = admin.list_milestone_posts(made.id).posts
        assert listed.id == posted.id and listed.state == "delivered"
        with pytest.raises(ProblemError) as refused:
            admin.update_milestone_channel(
                made.id, rules=[milestone_rule("live_started", "{creator} at {level}")]
            )
        assert refused.value.code == "milestone_placeholder_unknown"
        admin.delete_milestone_channel(made.id)
        assert admin.list_milestone_channels(carol).channels == []
