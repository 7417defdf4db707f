"""The unauthenticated webhook route against hostile signature headers, over HTTP: every
malformed ``Giftflow-Sandbox-Signature`` is a 400 problem with a machine-readable code,
never a 500, and mints nothing. The headers are sent as raw bytes, as an attacker's
client would (a non-ASCII ``v1``, a 5,000-digit ``t``, and whatever hypothesis makes of
pieces of the real thing)."""

from __future__ import annotations

import httpx
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.payments.sandbox import SIGNATURE_HEADER
from tests.api.conftest import PROBLEM, Scene, checkout_of

GOOD_V1 = "0" * 64
BAD_HEADERS = [
    f"t=1717416000,v1={'é' * 64}".encode(),  # was a 500: compare_digest on non-ASCII
    f"t=1717416000,v1={'é' * 64}".encode("latin-1"),
    f"t={'9' * 5000},v1={GOOD_V1}".encode(),  # was a 500: int() of 5,000 digits
    f"t=1717416000,v1={GOOD_V1[:-1]}\u00ff".encode("latin-1"),
    b"t=\xd9\xa1\xd9\xa7,v1=" + GOOD_V1.encode(),  # Arabic-Indic digits
    b"t=1717416000," + b",".join([b"v1=" + GOOD_V1.encode()] * 50),
    b"garbage",
    b"t=,v1=",
]


def post(scene: Scene, header: bytes) -> httpx.Response:
    world = scene.world
    payment = scene.ids["payment_json"]
    payload, _ = world.sandbox.event_paid(checkout_of(payment), 1, payment["currency"])
    headers = {b"Content-Type": b"application/json", SIGNATURE_HEADER.encode(): header}
    return world.client.post("/v1/webhooks/sandbox", content=payload, headers=headers)


def assert_refused(response: httpx.Response) -> None:
    assert response.status_code == 400, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["code"] == "webhook_signature_invalid"


@pytest.mark.parametrize("header", BAD_HEADERS, ids=lambda header: repr(header[:24]))
def test_a_malformed_signature_header_is_a_400_problem(scene: Scene, header: bytes) -> None:
    before = scene.world.snapshot()
    assert_refused(post(scene, header))
    assert scene.world.snapshot() == before


# Pieces of a header: the right keys with wrong values, wrong keys, stray separators.
_VALUES = st.one_of(
    st.text(max_size=80),
    st.text(alphabet="0123456789", min_size=1, max_size=6000),
    st.text(alphabet="0123456789abcdefABCDEF", max_size=70),
    st.just(GOOD_V1),
)
_ITEMS = st.one_of(
    st.builds("t={}".format, _VALUES),
    st.builds("v1={}".format, _VALUES),
    st.builds("{}={}".format, st.text(max_size=5), _VALUES),
    st.text(max_size=20),
)


def _sendable(raw: bytes) -> bool:
    """What HTTP/1.1 lets a client put in a header value (h11 checks it): no control
    bytes but tab, no white space at either end."""
    return raw.strip() == raw and all(byte == 9 or 32 <= byte != 127 for byte in raw)


_HEADER = (
    st.lists(_ITEMS, max_size=8)
    .map(lambda items: ",".join(items).encode("utf-8", "surrogatepass"))
    .filter(_sendable)
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(header=_HEADER)
def test_any_signature_header_is_refused_with_a_400_never_a_500(
    scene: Scene, header: bytes
) -> None:
    assert_refused(post(scene, header))
