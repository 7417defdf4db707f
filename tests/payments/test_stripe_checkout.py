"""Opening a Stripe Checkout Session through the official SDK.

A small HTTP server on 127.0.0.1 stands in for Stripe's API (a third party): it records
the form-encoded request the SDK sends and answers as Stripe documents.
"""

from __future__ import annotations

import json
import socket
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, cast
from urllib.parse import parse_qs

import pytest
import stripe

from giftflow.payments import Checkout, PaymentProviderError
from giftflow.payments.stripe import StripeProvider
from tests.payments.conftest import REQUEST

API_KEY = "sk_test_giftflow_0123456789"
SESSION_ID = "cs_test_a1ZxT4W8dGkq7pNcR2"
SESSION_URL = f"https://checkout.stripe.com/c/pay/{SESSION_ID}#fidkdWxOYHwnPyd1blpxYHZxWjA0"


@dataclass
class RecordedRequest:
    method: str
    path: str
    headers: dict[str, str]
    form: dict[str, list[str]]


@dataclass
class FakeStripeApi:
    """What the fake answers next, and every request it was sent."""

    status: int = 200
    body: dict[str, Any] = field(default_factory=dict)
    requests: list[RecordedRequest] = field(default_factory=list)


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    api: FakeStripeApi


class _Handler(BaseHTTPRequestHandler):
    def do_POST(self) -> None:
        api = cast(_Server, self.server).api
        raw = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        api.requests.append(
            RecordedRequest("POST", self.path, dict(self.headers), parse_qs(raw.decode()))
        )
        answer = json.dumps(api.body).encode()
        self.send_response(api.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(answer)))
        self.send_header("Request-Id", "req_giftflow_test")
        self.end_headers()
        self.wfile.write(answer)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: pytest shows what matters."""


def checkout_session_json() -> dict[str, Any]:
    """A Checkout Session as Stripe returns it for REQUEST."""
    return {
        "id": SESSION_ID,
        "object": "checkout.session",
        "amount_subtotal": 499,
        "amount_total": 499,
        "cancel_url": REQUEST.cancel_url,
        "client_reference_id": REQUEST.payment_id,
        "created": 1_767_225_540,
        "currency": "usd",
        "customer": None,
        "expires_at": 1_767_311_940,
        "livemode": False,
        "metadata": {"payment_id": "pay_0001", "user_id": "42", "coins": "500"},
        "mode": "payment",
        "payment_intent": None,
        "payment_method_types": ["card"],
        "payment_status": "unpaid",
        "status": "open",
        "success_url": REQUEST.success_url,
        "ui_mode": "hosted",
        "url": SESSION_URL,
    }


@pytest.fixture
def fake_api(monkeypatch: pytest.MonkeyPatch) -> Iterator[tuple[FakeStripeApi, str]]:
    # A proxy from the environment must not carry loopback traffic elsewhere.
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    server = _Server(("127.0.0.1", 0), _Handler)
    server.api = FakeStripeApi(body=checkout_session_json())
    # A short poll keeps shutdown() from waiting out the default half second.
    thread = threading.Thread(target=server.serve_forever, args=(0.01,), daemon=True)
    thread.start()
    try:
        yield server.api, f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join()


def provider_at(base_url: str, http_client: stripe.HTTPClient) -> StripeProvider:
    client = stripe.StripeClient(
        API_KEY,
        base_addresses={"api": base_url},
        max_network_retries=0,
        http_client=http_client,
    )
    return StripeProvider(API_KEY, "whsec_unused_here", client=client)


@pytest.fixture
def http_client() -> Iterator[stripe.HTTPClient]:
    client = stripe.RequestsClient()
    yield client
    # The SDK leaves close() unannotated; its session's sockets must not outlive the test.
    close: Callable[[], object] = client.close
    close()


def test_a_checkout_opens_a_stripe_session_and_returns_its_page(
    fake_api: tuple[FakeStripeApi, str], http_client: stripe.HTTPClient
) -> None:
    _, base_url = fake_api

    checkout = provider_at(base_url, http_client).create_checkout(REQUEST)

    assert checkout == Checkout(provider="stripe", provider_payment_id=SESSION_ID, url=SESSION_URL)


def test_the_session_request_carries_price_mode_and_metadata(
    fake_api: tuple[FakeStripeApi, str], http_client: stripe.HTTPClient
) -> None:
    api, base_url = fake_api

    provider_at(base_url, http_client).create_checkout(REQUEST)

    [sent] = api.requests
    assert (sent.method, sent.path) == ("POST", "/v1/checkout/sessions")
    assert sent.headers["Authorization"] == f"Bearer {API_KEY}"
    assert sent.headers["Idempotency-Key"] == "checkout-pay_0001"
    assert sent.form == {
        "mode": ["payment"],
        "client_reference_id": ["pay_0001"],
        "line_items[0][quantity]": ["1"],
        "line_items[0][price_data][currency]": ["usd"],
        "line_items[0][price_data][unit_amount]": ["499"],
        "line_items[0][price_data][product_data][name]": ["500 coins"],
        "metadata[payment_id]": ["pay_0001"],
        "metadata[user_id]": ["42"],
        "metadata[coins]": ["500"],
        "payment_intent_data[metadata][payment_id]": ["pay_0001"],
        "payment_intent_data[metadata][user_id]": ["42"],
        "payment_intent_data[metadata][coins]": ["500"],
        "success_url": ["https://giftflow.test/recharge/done"],
        "cancel_url": ["https://giftflow.test/recharge"],
    }


def test_a_refusal_from_stripe_becomes_a_payment_provider_error(
    fake_api: tuple[FakeStripeApi, str], http_client: stripe.HTTPClient
) -> None:
    api, base_url = fake_api
    api.status = 400
    api.body = {
        "error": {
            "code": "parameter_invalid_integer",
            "doc_url": "https://stripe.com/docs/error-codes/parameter-invalid-integer",
            "message": "Invalid integer: 4.99",
            "param": "line_items[0][price_data][unit_amount]",
            "request_log_url": "https://dashboard.stripe.com/test/logs/req_giftflow_test",
            "type": "invalid_request_error",
        }
    }

    with pytest.raises(PaymentProviderError) as raised:
        provider_at(base_url, http_client).create_checkout(REQUEST)

    error = raised.value
    assert error.code == "payment_provider_error"
    assert "Invalid integer: 4.99" in error.message
    assert (error.provider, error.http_status, error.provider_code) == (
        "stripe",
        400,
        "parameter_invalid_integer",
    )


def test_an_unreachable_stripe_becomes_a_payment_provider_error(
    http_client: stripe.HTTPClient, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("NO_PROXY", "127.0.0.1")
    monkeypatch.setenv("no_proxy", "127.0.0.1")
    with socket.socket() as probe:  # a port that was free a moment ago, now closed
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    with pytest.raises(PaymentProviderError) as raised:
        provider_at(f"http://127.0.0.1:{port}", http_client).create_checkout(REQUEST)
    assert raised.value.http_status is None
