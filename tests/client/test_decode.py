"""Answers into the client's dataclasses: lenient where a newer server may be ahead,
strict where the client would otherwise be wrong."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from giftflow.client.decode import DecodeError, decode
from giftflow.client.models import GiftBatchError, GiftBatchOk, GiftBatchPublic, PayoutList

PAYOUT = {
    "id": "po_1",
    "creator_id": 2,
    "diamonds": 12_000,
    "gross_minor": 6_000,
    "fee_minor": 40,
    "net_minor": 5_960,
    "currency": "USD",
    "region": "US",
    "partner": "manual",
    "state": "held",
    "batch_id": None,
    "partner_reference": None,
    "failure_reason": None,
    "payee": None,
    "requested_at": "2024-06-03T12:00:00Z",
    "updated_at": "2024-06-03T12:00:00.000001Z",
}


def test_an_answer_becomes_its_dataclass_with_times_as_datetimes() -> None:
    payouts = decode(PayoutList, {"payouts": [PAYOUT]})
    (payout,) = payouts.payouts
    assert payout.requested_at == datetime(2024, 6, 3, 12, tzinfo=UTC)
    assert payout.batch_id is None and payout.net_minor == 5_960


def test_fields_and_states_a_newer_server_adds_are_kept_or_ignored() -> None:
    newer = PAYOUT | {"state": "queued_at_partner", "matures_at": "2024-06-10T12:00:00Z"}
    (payout,) = decode(PayoutList, {"payouts": [newer]}).payouts
    assert str(payout.state) == "queued_at_partner"  # typed as the states known today


@pytest.mark.parametrize(
    ("change", "where"),
    [
        ({"diamonds": "12000"}, "answer.payouts.0.diamonds"),
        ({"diamonds": True}, "answer.payouts.0.diamonds"),
        ({"requested_at": "yesterday"}, "answer.payouts.0.requested_at"),
    ],
)
def test_a_wrong_json_type_is_refused_where_it_is(change: dict[str, object], where: str) -> None:
    with pytest.raises(DecodeError) as raised:
        decode(PayoutList, {"payouts": [PAYOUT | change]})
    assert raised.value.where == where


def test_a_missing_field_is_refused() -> None:
    incomplete = {name: value for name, value in PAYOUT.items() if name != "currency"}
    with pytest.raises(DecodeError, match="currency: missing"):
        decode(PayoutList, {"payouts": [incomplete]})


def test_batch_results_are_told_apart_by_their_status() -> None:
    error = {"status": "error", "code": "insufficient_funds", "detail": "not enough coins"}
    gift = {
        "id": 1,
        "sender_id": 1,
        "creator_id": 2,
        "gift_id": 5655,
        "quantity": 1,
        "repeat_count": 1,
        "streak_id": None,
        "coins": 1,
        "diamond_units": 5_000,
        "session_id": 0,
        "sent_at": "2024-06-03T12:00:00Z",
        "replayed": False,
    }
    batch = decode(GiftBatchPublic, {"results": [{"status": "ok", "gift": gift}, error]})
    assert [type(result) for result in batch.results] == [GiftBatchOk, GiftBatchError]
