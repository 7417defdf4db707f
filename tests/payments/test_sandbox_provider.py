"""The sandbox provider: its webhooks parse only when signed, fresh and untouched."""

from __future__ import annotations

import itertools
import json
from collections.abc import Callable

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.ledger.clock import ManualClock
from giftflow.payments import (
    Checkout,
    PaymentEvent,
    PaymentEventKind,
    PaymentProvider,
    WebhookPayloadError,
    WebhookSignatureError,
)
from giftflow.payments.sandbox import SIGNATURE_HEADER, SandboxProvider
from tests.payments.conftest import REQUEST

SECRET = b"sandbox-test-secret-0123456789abcdef"
NOW_NS = 1_700_000_000 * 1_000_000_000


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock(NOW_NS)


@pytest.fixture
def sandbox(clock: ManualClock) -> SandboxProvider:
    counter = itertools.count(1)
    return SandboxProvider(SECRET, clock, new_token=lambda: f"{next(counter):04d}")


@pytest.fixture
def checkout(sandbox: SandboxProvider) -> Checkout:
    return sandbox.create_checkout(REQUEST)


def test_the_sandbox_is_a_payment_provider(sandbox: SandboxProvider) -> None:
    provider: PaymentProvider = sandbox  # checked by mypy
    assert provider.name == "sandbox"


def test_a_checkout_gets_a_sandbox_id_and_no_page(checkout: Checkout) -> None:
    assert checkout == Checkout(provider="sandbox", provider_payment_id="sbx_0001", url=None)


def test_a_signed_paid_event_parses_into_a_verified_event(
    sandbox: SandboxProvider, checkout: Checkout
) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "usd", instrument="fp_card_1")

    assert sandbox.parse_webhook(payload, headers) == PaymentEvent(
        provider="sandbox",
        event_id="evt_sbx_0002",
        kind=PaymentEventKind.PAID,
        payment_id="pay_0001",
        provider_reference="sbx_0001",
        amount_minor=499,
        currency="USD",
        instrument="fp_card_1",
        occurred_at_ns=NOW_NS,
    )


@pytest.mark.parametrize(
    ("send", "kind"),
    [
        (SandboxProvider.event_refunded, PaymentEventKind.REFUNDED),
        (SandboxProvider.event_disputed, PaymentEventKind.DISPUTED),
    ],
)
def test_refunds_and_disputes_parse_with_their_amount(
    sandbox: SandboxProvider,
    checkout: Checkout,
    send: Callable[[SandboxProvider, Checkout, int, str], tuple[bytes, dict[str, str]]],
    kind: PaymentEventKind,
) -> None:
    event = sandbox.parse_webhook(*send(sandbox, checkout, 200, "USD"))

    assert event is not None
    assert (event.kind, event.amount_minor, event.payment_id) == (kind, 200, "pay_0001")
    assert event.instrument is None


def test_every_event_has_its_own_id(sandbox: SandboxProvider, checkout: Checkout) -> None:
    first = sandbox.parse_webhook(*sandbox.event_paid(checkout, 499, "USD"))
    again = sandbox.parse_webhook(*sandbox.event_paid(checkout, 499, "USD"))

    assert first is not None and again is not None
    assert first.event_id != again.event_id


def test_the_header_name_is_case_insensitive(sandbox: SandboxProvider, checkout: Checkout) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    lower = {name.lower(): value for name, value in headers.items()}

    assert sandbox.parse_webhook(payload, lower) is not None


def test_a_tampered_payload_is_rejected(sandbox: SandboxProvider, checkout: Checkout) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    tampered = payload.replace(b'"amount_minor":499', b'"amount_minor":49900')
    assert tampered != payload

    with pytest.raises(WebhookSignatureError) as raised:
        sandbox.parse_webhook(tampered, headers)
    assert raised.value.code == "webhook_signature_invalid"


def test_a_payload_signed_with_another_secret_is_rejected(
    sandbox: SandboxProvider, checkout: Checkout, clock: ManualClock
) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    receiver = SandboxProvider(b"another-secret-" + b"x" * 32, clock)

    with pytest.raises(WebhookSignatureError):
        receiver.parse_webhook(payload, headers)


def test_a_payload_without_a_signature_is_rejected(
    sandbox: SandboxProvider, checkout: Checkout
) -> None:
    payload, _ = sandbox.event_paid(checkout, 499, "USD")

    with pytest.raises(WebhookSignatureError):
        sandbox.parse_webhook(payload, {})


GOOD_V1 = "0" * 64


@pytest.mark.parametrize(
    "value",
    [
        "",
        "t=1700000000",
        "v1=00ff",
        "t=abc,v1=00ff",
        "t=1,t=2,v1=00ff",
        "garbage",
        f"t=1700000000,v1={'é' * 64}",  # non-ASCII v1: hmac.compare_digest raised TypeError
        f"t=1700000000,v1={'0' * 63}é",
        f"t={'9' * 5000},v1={GOOD_V1}",  # int() refuses more than 4,300 digits
        f"t=1700000000,v1={'A' * 64}",
        f"t={chr(0x661) * 10},v1={GOOD_V1}",  # Arabic-Indic digits: isdigit() yet not ours
        f"t=1700000000,{','.join(['v1=' + GOOD_V1] * 20)}",
        f"t=1700000000,v1={GOOD_V1},=x",
        f"t=1700000000,v1={GOOD_V1},nonsense",
        f"t=-1,v1={GOOD_V1}",
        f"t=1700000000,v1={GOOD_V1}" + " " * 3000,
    ],
)
def test_a_malformed_signature_header_is_rejected(
    sandbox: SandboxProvider, checkout: Checkout, value: str
) -> None:
    payload, _ = sandbox.event_paid(checkout, 499, "USD")

    with pytest.raises(WebhookSignatureError, match=r"no .* header|malformed"):
        sandbox.parse_webhook(payload, {SIGNATURE_HEADER: value})


@settings(max_examples=300, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(value=st.text(max_size=300))
def test_any_signature_header_is_verified_or_refused_never_an_other_error(
    sandbox: SandboxProvider, checkout: Checkout, value: str
) -> None:
    payload, _ = sandbox.event_paid(checkout, 499, "USD")

    with pytest.raises(WebhookSignatureError):
        sandbox.parse_webhook(payload, {SIGNATURE_HEADER: value})


def test_a_rotated_secret_may_send_several_signatures(
    sandbox: SandboxProvider, checkout: Checkout
) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    rotated = headers[SIGNATURE_HEADER].replace(",", f",v1={GOOD_V1},", 1)

    assert sandbox.parse_webhook(payload, {SIGNATURE_HEADER: rotated}) is not None


def test_a_signature_within_the_tolerance_is_accepted(
    sandbox: SandboxProvider, checkout: Checkout, clock: ManualClock
) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    clock.advance(seconds=300)

    assert sandbox.parse_webhook(payload, headers) is not None


def test_a_stale_signature_is_rejected_so_a_captured_webhook_cannot_be_replayed(
    sandbox: SandboxProvider, checkout: Checkout, clock: ManualClock
) -> None:
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    clock.advance(seconds=301)

    with pytest.raises(WebhookSignatureError, match="beyond 300 s"):
        sandbox.parse_webhook(payload, headers)


def test_a_signature_from_the_far_future_is_rejected(
    sandbox: SandboxProvider, checkout: Checkout, clock: ManualClock
) -> None:
    clock.advance(seconds=3600)
    payload, headers = sandbox.event_paid(checkout, 499, "USD")
    clock.set_ns(NOW_NS)

    with pytest.raises(WebhookSignatureError):
        sandbox.parse_webhook(payload, headers)


def test_the_signature_is_checked_before_the_body_is_read(sandbox: SandboxProvider) -> None:
    with pytest.raises(WebhookSignatureError):
        sandbox.parse_webhook(b"not json at all", {SIGNATURE_HEADER: "t=1700000000,v1=00"})


def test_a_well_signed_event_of_another_type_is_ignored(sandbox: SandboxProvider) -> None:
    payload = json.dumps({"id": "evt_sbx_x", "type": "payment.pending", "data": {}}).encode()

    assert sandbox.parse_webhook(payload, sandbox.sign(payload)) is None


@pytest.mark.parametrize(
    "body",
    [
        b"not json",
        b"[1, 2]",
        json.dumps({"id": "evt_1", "type": "payment.paid"}).encode(),
        json.dumps(
            {
                "id": "evt_1",
                "type": "payment.paid",
                "occurred_at_ns": NOW_NS,
                "data": {"payment_id": "pay_1", "amount_minor": "499", "currency": "USD"},
            }
        ).encode(),
        json.dumps(
            {
                "id": "evt_1",
                "type": "payment.paid",
                "occurred_at_ns": NOW_NS,
                "data": {"payment_id": "pay_1", "amount_minor": 499, "currency": "dollars"},
            }
        ).encode(),
    ],
)
def test_a_well_signed_body_of_the_wrong_shape_is_a_payload_error(
    sandbox: SandboxProvider, body: bytes
) -> None:
    with pytest.raises(WebhookPayloadError) as raised:
        sandbox.parse_webhook(body, sandbox.sign(body))
    assert raised.value.code == "webhook_payload_invalid"


def test_the_sandbox_sends_events_only_for_its_own_checkouts(sandbox: SandboxProvider) -> None:
    foreign = Checkout(provider="sandbox", provider_payment_id="sbx_elsewhere", url=None)

    with pytest.raises(ValueError, match="not opened by this sandbox"):
        sandbox.event_paid(foreign, 499, "USD")
