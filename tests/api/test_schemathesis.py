"""Schemathesis over the served OpenAPI: whatever a caller sends, within the schema or
deliberately outside it, no operation answers a server error (5xx).

Each operation gets a few generated requests with the API's own admin key (so they get
past authentication) and, within the schema, a fresh Idempotency-Key each (so retries
do not hide the work); once with random path parameters and once with the ids of the
scene's real users, payments, payouts, LIVE sessions, battles, battle invitations,
webhook endpoints and deliveries, milestone channels, subathons and gift rules,
products, perks, purchases and questions (so
they reach the economy)."""

from __future__ import annotations

import uuid
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.checks import not_a_server_error
from schemathesis.core.result import Ok

from tests.api.conftest import Scene, bearer

POSITIVE_EXAMPLES = 12
NEGATIVE_EXAMPLES = 5


def _real_ids(scene: Scene) -> dict[str, Any]:
    ids = scene.ids
    return {
        "user_id": ids["alice"],
        "payment_id": ids["payment"],
        "payout_id": ids["payout"],
        "batch_id": ids["batch"],
        "decision_id": ids["decision"],
        "streak_id": "combo",
        "room_id": ids["carol"],
        "creator_id": ids["carol"],
        "provider": "sandbox",
        "session_id": ids["session"],
        "battle_id": ids["battle"],
        "invitation_id": ids["invitation"],
        "endpoint_id": ids["endpoint"],
        "delivery_id": ids["delivery"],
        "promotion_id": ids["promotion"],
        "campaign_id": ids["campaign"],
        "link_id": "rl_" + "0" * 28,  # a report link's id: revoking one unknown records it
        "schedule_id": ids["schedule"],
        "channel_id": ids["milestone_channel"],
        "subathon_id": ids["subathon"],
        "rule_id": ids["gift_rule"],
        "lead_id": "ld_" + "0" * 22,  # none: deleting one unknown answers 204
        "product_id": ids["product"],
        "perk_id": ids["perk"],
        "purchase_id": int(ids["purchase"]),
        "question_id": ids["question"],
        "link": "v1.fl_x.1.perk.pk_x.1.sig",  # a download link giftflow did not sign
    }


@pytest.mark.parametrize("mode", ["positive", "negative"])
def test_no_operation_answers_a_server_error(scene: Scene, mode: str) -> None:
    world = scene.world
    document = world.client.get("/openapi.json").json()
    schema = schemathesis.openapi.from_dict(document)
    base_url = str(world.client.base_url)
    generation = schemathesis.GenerationMode(mode)
    examples = POSITIVE_EXAMPLES if mode == "positive" else NEGATIVE_EXAMPLES
    real = _real_ids(scene)
    operations = [result.ok() for result in schema.get_all_operations() if isinstance(result, Ok)]
    assert len(operations) == len(
        [op for path in document["paths"].values() for op in path.values()]
    )
    for operation in operations:
        names = {p.name for p in operation.path_parameters}
        for fixed in ({}, {name: real[name] for name in names}) if names else ({},):
            strategy = operation.as_strategy(generation, path_parameters=fixed or None)
            try:
                _exercise(strategy, base_url, bearer(world.admin_key), examples, mode)
            except Unsatisfiable:
                # Nothing of this operation's request can be made invalid (no body, no
                # parameters, or only fixed ones): the positive run covered it.
                assert generation == schemathesis.GenerationMode.NEGATIVE


def _exercise(
    strategy: Any, base_url: str, headers: dict[str, str], examples: int, mode: str
) -> None:
    @given(case=strategy)
    @settings(
        max_examples=examples,
        deadline=None,
        database=None,
        derandomize=True,
        phases=[Phase.explicit, Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    def run(case: Any) -> None:
        fresh = {"Idempotency-Key": str(uuid.uuid4())} if mode == "positive" else {}
        response = case.call(base_url=base_url, headers=headers | fresh)
        case.validate_response(response, checks=[not_a_server_error])

    run()
