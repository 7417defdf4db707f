"""Bad input of every kind gets a 4xx problem+json with its code, and changes nothing:
the books reconcile to the same balances and no domain row appears."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest

from tests.api.conftest import LION, ROSE, Scene, assert_problem, bearer, checkout_of

UNKNOWN_USER = 4_000_000_000
HAND_HEARTS = 5660


@dataclass(frozen=True)
class Bad:
    name: str
    method: str
    path: str
    status: int
    code: str
    body: Any = None
    """JSON (placeholders like "{alice}" are filled in), unless ``raw`` is given."""
    raw: bytes | None = None
    content_type: str = "application/json"
    query: dict[str, Any] = field(default_factory=dict)
    idempotency_key: bool = True
    results_csv: bytes | None = None


def gift(**fields: Any) -> dict[str, Any]:
    """A one-off gift from alice to carol, with ``fields`` changed (None: left out)."""
    body = {"sender_id": "{alice}", "creator_id": "{carol}", "gift_id": ROSE, "event_id": "x"}
    return {key: value for key, value in (body | fields).items() if value is not None}


def purchase(**fields: Any) -> dict[str, Any]:
    body = {"user_id": "{alice}", "channel": "web", "provider": "sandbox", "coins": 100}
    return {key: value for key, value in (body | fields).items() if value is not None}


def registration(**fields: Any) -> dict[str, Any]:
    body = {"external_id": "eve", "display_name": "Eve", "birth_date": "1990-01-01"}
    return body | {"region": "US"} | fields


SPOOFERS = {
    "a right-to-left override": "\u202e",
    "a left-to-right mark": "\u200e",
    "a first strong isolate": "\u2068",
    "an Arabic letter mark": "\u061c",
    "a zero-width space": "\u200b",
    "a zero-width joiner": "\u200d",
    "a word joiner": "\u2060",
    "a byte order mark": "\ufeff",
    "a C1 control": "\x85",
}

CASES = [
    # --- ids that name nothing -------------------------------------------------------
    Bad("unknown user", "GET", f"/v1/users/{UNKNOWN_USER}", 404, "user_not_found"),
    Bad("unknown wallet", "GET", f"/v1/wallets/{UNKNOWN_USER}", 404, "user_not_found"),
    Bad("unknown payment", "GET", "/v1/payments/pay_nothing", 404, "payment_not_found"),
    Bad("unknown payout", "GET", "/v1/payouts/po_nothing", 404, "payout_not_found"),
    Bad("unknown region", "GET", "/v1/catalog/gifts", 404, "region_not_found",
        query={"region": "ZZ"}),
    Bad("unknown gift", "POST", "/v1/gifts", 404, "gift_not_found", gift(gift_id=1)),
    Bad("unknown creator", "POST", "/v1/gifts", 404, "user_not_found",
        gift(creator_id=UNKNOWN_USER)),
    Bad("unknown pack", "POST", "/v1/purchases", 404, "pack_not_found",
        purchase(coins=None, pack_id="US-web-71")),
    Bad("unknown provider", "POST", "/v1/purchases", 404, "provider_unknown",
        purchase(provider="paypal")),
    Bad("unknown partner", "POST", "/v1/payouts", 404, "partner_unknown",
        {"creator_id": "{carol}", "diamonds": 10_000, "partner": "paypal"}),
    Bad("unknown streak", "POST", "/v1/streaks/nope/end", 404, "streak_not_found",
        {"sender_id": "{alice}"}, idempotency_key=False),
    Bad("unknown decision", "POST", "/v1/admin/fraud-decisions/999999/review", 404,
        "decision_not_found", {"upheld": True}, idempotency_key=False),
    Bad("unknown batch", "GET", "/v1/admin/payout-batches/pb_nothing/file", 404, "batch_not_found"),
    Bad("freeze an unknown user", "POST", f"/v1/admin/users/{UNKNOWN_USER}/freeze", 404,
        "user_not_found"),
    Bad("token for an unknown user", "POST", "/v1/tokens", 404, "user_not_found",
        {"user_id": UNKNOWN_USER, "role": "viewer"}, idempotency_key=False),
    Bad("unknown route", "GET", "/v1/nothing", 404, "not_found"),
    Bad("unknown webhook provider", "POST", "/v1/webhooks/paypal", 404, "provider_unknown", {},
        idempotency_key=False),
    # --- wrong types and shapes ----------------------------------------------------------
    Bad("id not a number", "GET", "/v1/users/abc", 422, "validation_failed"),
    Bad("id zero", "GET", "/v1/wallets/0", 422, "validation_failed"),
    Bad("id beyond 64 bits", "GET", "/v1/wallets/99999999999999999999999", 422,
        "validation_failed"),
    Bad("coins as a string", "POST", "/v1/purchases", 422, "validation_failed",
        purchase(coins="100")),
    Bad("coins with a fraction", "POST", "/v1/purchases", 422, "validation_failed",
        purchase(coins=100.5)),
    Bad("coins beyond an exact float", "POST", "/v1/purchases", 422, "validation_failed",
        raw=b'{"user_id": {alice}, "channel": "web", "provider": "sandbox",'
        b' "coins": 9007199254740993.0}'),
    Bad("quantity as a boolean", "POST", "/v1/gifts", 422, "validation_failed",
        gift(quantity=True)),
    Bad("flag as a string", "PATCH", "/v1/users/{alice}", 422, "validation_failed",
        {"is_creator": "yes"}, idempotency_key=False),
    Bad("unknown field", "POST", "/v1/gifts", 422, "validation_failed", gift(amount=5)),
    Bad("unknown channel", "POST", "/v1/purchases", 422, "validation_failed",
        purchase(channel="fax")),
    Bad("unknown role", "POST", "/v1/tokens", 422, "validation_failed",
        {"user_id": "{alice}", "role": "god"}, idempotency_key=False),
    Bad("body is a list", "POST", "/v1/gifts", 422, "validation_failed", [gift()]),
    Bad("body is not JSON", "POST", "/v1/gifts", 400, "json_invalid", raw=b'{"sender_id": 1,'),
    Bad("body is text", "POST", "/v1/gifts", 422, "validation_failed", raw=b"gift please",
        content_type="text/plain"),
    Bad("no body", "POST", "/v1/purchases", 422, "validation_failed"),
    Bad("control character", "POST", "/v1/users", 422, "text_invalid",
        {"external_id": "a\x00b", "display_name": "A", "birth_date": "1990-01-01", "region": "US"},
        idempotency_key=False),
    Bad("name too long", "POST", "/v1/users", 422, "validation_failed",
        {"external_id": "x" * 129, "display_name": "X", "birth_date": "1990-01-01", "region": "US"},
        idempotency_key=False),
    Bad("not a date", "POST", "/v1/users", 422, "validation_failed",
        {"external_id": "z", "display_name": "Z", "birth_date": "1990-13-45", "region": "US"},
        idempotency_key=False),
    Bad("region not a code", "GET", "/v1/catalog/packs", 422, "validation_failed",
        query={"region": "usa"}),
    Bad("limit out of range", "GET", "/v1/earnings/{carol}/statement", 422, "validation_failed",
        query={"limit": 0}),
    Bad("event id and streak", "POST", "/v1/gifts", 422, "validation_failed",
        gift(streak={"id": "s", "repeat_count": 1})),
    Bad("neither event id nor streak", "POST", "/v1/gifts", 422, "validation_failed",
        gift(event_id=None)),
    Bad("quantity with a streak", "POST", "/v1/gifts", 422, "validation_failed",
        gift(event_id=None, quantity=2, streak={"id": "s", "repeat_count": 1})),
    Bad("empty batch", "POST", "/v1/gifts/batch", 422, "validation_failed", {"gifts": []}),
    Bad("batch of 1001", "POST", "/v1/gifts/batch", 422, "validation_failed",
        {"gifts": [gift(event_id=f"e{n}") for n in range(1001)]}),
    Bad("batch with one malformed gift", "POST", "/v1/gifts/batch", 422, "validation_failed",
        {"gifts": [gift(), gift(event_id="y", quantity=0)]}),
    Bad("empty reason", "POST", "/v1/payouts/{payout}/reject", 422, "validation_failed",
        {"reason": ""}),
    Bad("wrong method", "DELETE", "/v1/gifts", 405, "method_not_allowed"),
    # --- amounts: negative, zero, huge ---------------------------------------------------
    Bad("zero coins", "POST", "/v1/purchases", 422, "validation_failed", purchase(coins=0)),
    Bad("negative coins", "POST", "/v1/purchases", 422, "validation_failed", purchase(coins=-70)),
    Bad("huge coins", "POST", "/v1/purchases", 422, "validation_failed", purchase(coins=10**30)),
    Bad("coins below the custom minimum", "POST", "/v1/purchases", 422,
        "custom_amount_out_of_bounds", purchase(coins=10)),
    Bad("pack and coins", "POST", "/v1/purchases", 422, "validation_failed",
        purchase(pack_id="US-web-70")),
    Bad("neither pack nor coins", "POST", "/v1/purchases", 422, "validation_failed",
        purchase(coins=None)),
    Bad("pack of another region", "POST", "/v1/purchases", 422, "pack_not_available",
        purchase(coins=None, pack_id="JP-web-70")),
    Bad("zero quantity", "POST", "/v1/gifts", 422, "validation_failed", gift(quantity=0)),
    Bad("negative quantity", "POST", "/v1/gifts", 422, "validation_failed", gift(quantity=-1)),
    Bad("huge quantity", "POST", "/v1/gifts", 422, "validation_failed", gift(quantity=10**12)),
    Bad("zero repeat count", "POST", "/v1/gifts", 422, "validation_failed",
        gift(event_id=None, streak={"id": "s", "repeat_count": 0})),
    Bad("zero diamonds", "POST", "/v1/payouts", 422, "validation_failed",
        {"creator_id": "{carol}", "diamonds": 0}),
    Bad("negative diamonds", "POST", "/v1/payouts", 422, "validation_failed",
        {"creator_id": "{carol}", "diamonds": -10_000}),
    Bad("huge diamonds", "POST", "/v1/payouts", 422, "validation_failed",
        {"creator_id": "{carol}", "diamonds": 2**63}),
    Bad("payout below the minimum", "POST", "/v1/payouts", 422, "payout_below_minimum",
        {"creator_id": "{carol}", "diamonds": 1}),
    Bad("more diamonds than available", "POST", "/v1/payouts", 422, "insufficient_funds",
        {"creator_id": "{carol}", "diamonds": 19_000}),
    # --- against a rule ----------------------------------------------------------------
    Bad("gift beyond the wallet", "POST", "/v1/gifts", 422, "insufficient_funds",
        gift(sender_id="{bob}")),
    Bad("gift to a non-creator", "POST", "/v1/gifts", 422, "not_a_creator",
        gift(creator_id="{bob}")),
    Bad("gift from a minor", "POST", "/v1/gifts", 422, "age_restricted",
        gift(sender_id="{minnie}")),
    Bad("streak of a gift that cannot streak", "POST", "/v1/gifts", 422, "gift_not_streakable",
        gift(gift_id=LION, event_id=None, streak={"id": "lion", "repeat_count": 1})),
    Bad("streak that has ended", "POST", "/v1/gifts", 409, "streak_ended",
        gift(event_id=None, streak={"id": "combo", "repeat_count": 3})),
    Bad("event id used for another gift", "POST", "/v1/gifts", 409, "idempotency_conflict",
        gift(gift_id=HAND_HEARTS, event_id="event-0")),
    Bad("payout for a viewer", "POST", "/v1/payouts", 422, "not_a_creator",
        {"creator_id": "{alice}", "diamonds": 10_000}),
    Bad("approve an approved payout", "POST", "/v1/payouts/{exported}/approve", 409,
        "payout_state_invalid"),
    Bad("user exists with other details", "POST", "/v1/users", 409, "user_exists",
        {"external_id": "alice", "display_name": "Other", "birth_date": "1990-05-17",
         "region": "US"}, idempotency_key=False),
    Bad("creator token for a viewer", "POST", "/v1/tokens", 422, "role_not_allowed",
        {"user_id": "{alice}", "role": "creator"}, idempotency_key=False),
    # --- texts the Unicode policy refuses (giftflow.text) ---------------------------------
    *[Bad(f"display name with {what}", "POST", "/v1/users", 422, "text_invalid",
          registration(display_name=f"Eve{character}"), idempotency_key=False)
      for what, character in SPOOFERS.items()],
    Bad("display name with a lone surrogate", "POST", "/v1/users", 422, "validation_failed",
        registration(display_name="Eve\ud800"), idempotency_key=False),  # JSON refuses it
    Bad("external id with a bidi control", "POST", "/v1/users", 422, "text_invalid",
        registration(external_id="eve\u202e"), idempotency_key=False),
    Bad("external id with an emoji joiner", "POST", "/v1/users", 422, "text_invalid",
        registration(external_id="\U0001f469\u200d\U0001f4bb"), idempotency_key=False),
    Bad("event id with a zero-width space", "POST", "/v1/gifts", 422, "text_invalid",
        gift(event_id="e\u200b1")),
    Bad("session title with an override", "POST", "/v1/rooms/{dave}/sessions", 422,
        "text_invalid", {"title": "Live\u202e"}, idempotency_key=False),
    Bad("chapter title with a C1 control", "POST", "/v1/sessions/{session}/chapters", 422,
        "text_invalid", {"chapters": [{"kind": "hook", "title": "Intro\x9b", "planned_s": 60}]},
        idempotency_key=False),
    Bad("goal promise with a zero-width space", "POST", "/v1/sessions/{session}/goals", 422,
        "text_invalid", {"target_coins": 10, "promise": "d\u200bance"}, idempotency_key=False),
    Bad("perk with a byte order mark", "PUT", "/v1/rooms/{carol}/perks", 422, "text_invalid",
        {"perks": [{"level": 1, "kind": "badge", "value": "\ufeffVIP"}]}),
    Bad("comment with an isolate", "POST", "/v1/sessions/{session}/interactions", 422,
        "text_invalid", {"user_id": "{bob}", "kind": "comment", "text": "hi\u2067"},
        idempotency_key=False),
    Bad("reject reason with a line separator", "POST", "/v1/payouts/{payout}/reject", 422,
        "text_invalid", {"reason": "no\u2028"}),
    Bad("a bad text beside another mistake", "POST", "/v1/users", 422, "validation_failed",
        registration(display_name="Eve\u202e", region="usa"), idempotency_key=False),
    # --- idempotency keys ----------------------------------------------------------------
    Bad("no idempotency key", "POST", "/v1/gifts", 400, "idempotency_key_missing", gift(),
        idempotency_key=False),
    # --- partner results ---------------------------------------------------------------
    Bad("results with an unknown status", "POST", "/v1/admin/payout-batches/results", 422,
        "partner_file_invalid", results_csv=b"payout_id,status\n{exported},maybe\n"),
    Bad("results naming an unknown payout after a good line", "POST",
        "/v1/admin/payout-batches/results", 404, "payout_not_found",
        results_csv=b"payout_id,status,reference\n{exported},paid,r1\npo_nothing,paid,r2\n"),
    Bad("results not UTF-8", "POST", "/v1/admin/payout-batches/results", 422,
        "partner_file_invalid", results_csv=b"payout_id,status\n\xff\xfe,paid\n"),
    Bad("results with a control character", "POST", "/v1/admin/payout-batches/results", 422,
        "partner_file_invalid", results_csv=b"payout_id,status\npo\x00x,paid\n"),
    Bad("results naming a payout twice", "POST", "/v1/admin/payout-batches/results", 422,
        "partner_file_invalid",
        results_csv=b"payout_id,status\n{exported},paid\n{exported},failed\n"),
    Bad("results for a payout not in a batch", "POST", "/v1/admin/payout-batches/results", 409,
        "payout_state_invalid", results_csv=b"payout_id,status\n{payout},paid\n"),
]  # fmt: skip


def _fill(value: Any, ids: dict[str, Any]) -> Any:
    if isinstance(value, str) and value.startswith("{") and value.endswith("}"):
        return ids[value[1:-1]]
    if isinstance(value, dict):
        return {key: _fill(item, ids) for key, item in value.items()}
    if isinstance(value, list):
        return [_fill(item, ids) for item in value]
    return value


def _send(scene: Scene, case: Bad) -> httpx.Response:
    world, ids = scene.world, scene.ids
    headers = bearer(world.admin_key)
    if case.idempotency_key and case.method == "POST":
        headers["Idempotency-Key"] = world.new_key()
    path = case.path.format(**ids)
    request: dict[str, Any] = {"headers": headers, "params": case.query}
    if case.results_csv is not None:
        content = case.results_csv.replace(b"{exported}", ids["exported"].encode())
        content = content.replace(b"{payout}", ids["payout"].encode())
        request["files"] = {"file": ("results.csv", content, "text/csv")}
    elif case.raw is not None or case.body is not None:
        raw = case.raw if case.raw is not None else json.dumps(_fill(case.body, ids)).encode()
        raw = raw.replace(b"{alice}", str(ids["alice"]).encode())
        request["content"] = raw
        headers["Content-Type"] = case.content_type
    return world.client.request(case.method, path, **request)


@pytest.mark.parametrize("case", CASES, ids=lambda case: case.name)
def test_bad_input_is_a_problem_and_changes_nothing(scene: Scene, case: Bad) -> None:
    before = scene.world.snapshot()
    assert_problem(_send(scene, case), case.status, case.code)
    assert scene.world.snapshot() == before


def test_a_webhook_with_a_bad_signature_changes_nothing(scene: Scene) -> None:
    world = scene.world
    payment = scene.ids["payment_json"]
    payload, headers = world.sandbox.event_paid(checkout_of(payment), 1, payment["currency"])
    forged = payload.replace(b'"amount_minor":1,', b'"amount_minor":100,')
    tries = [
        (forged, headers),  # the body changed after signing
        (payload, {}),  # no signature at all
        (payload, {"Giftflow-Sandbox-Signature": "t=1,v1=00"}),  # made up
        (payload, {"Giftflow-Sandbox-Signature": "nonsense"}),  # malformed
    ]
    world.clock.advance(seconds=-400)
    stale = world.sandbox.sign(payload)  # signed 400 s ago: beyond the tolerance
    world.clock.advance(seconds=400)
    tries.append((payload, stale))
    before = world.snapshot()
    for body, signature in tries:
        response = world.webhook((body, signature))
        assert_problem(response, 400, "webhook_signature_invalid")
    assert world.snapshot() == before


def test_a_signed_event_that_disagrees_with_the_payment_mints_nothing(scene: Scene) -> None:
    world = scene.world
    payment = scene.ids["payment_json"]
    body = {
        "id": "evt_wrong_amount",
        "type": "payment.paid",
        "occurred_at_ns": world.clock.now_ns(),
        "data": {
            "payment_id": payment["id"],
            "provider_payment_id": payment["provider_payment_id"],
            "amount_minor": 1,
            "currency": payment["currency"],
        },
    }
    payload = json.dumps(body).encode()
    before = world.snapshot()
    assert_problem(world.webhook((payload, world.sandbox.sign(payload))), 422, "payment_mismatch")
    assert world.snapshot() == before


def test_a_server_error_says_nothing_of_its_cause(scene: Scene) -> None:
    """Unknown failures are a bare 500 problem: no exception text, no trace."""
    world = scene.world
    economy = world.economy
    original = economy.wallet

    def broken(user_id: int) -> Any:
        raise RuntimeError("secret detail: postgresql://user:password@db")

    economy.wallet = broken  # type: ignore[method-assign]
    try:
        response = world.get(f"/v1/wallets/{scene.ids['alice']}", world.admin_key)
    finally:
        economy.wallet = original  # type: ignore[method-assign]
    body = assert_problem(response, 500, "internal_error")
    assert "secret" not in response.text and "password" not in json.dumps(body)


def test_a_whole_float_is_the_integer_it_spells(scene: Scene) -> None:
    """JSON Schema counts 2.0 as an integer; the API takes it as exactly 2."""
    world = scene.world
    body = {"sender_id": scene.ids["alice"], "creator_id": scene.ids["carol"], "gift_id": ROSE}
    sent = world.post(
        "/v1/gifts",
        body | {"event_id": "float", "quantity": 2.0},
        world.admin_key,
        key=world.new_key(),
    )
    assert world.ok(sent, 201)["quantity"] == 2
