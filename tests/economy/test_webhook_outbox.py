"""The webhook outbox against the gift path: whatever a batch of gifts meets (a refusal
of the ledger, a listener that takes a gift out and the batch applied again, a replay of
an event already booked, a twin in the same batch), every gift booked has exactly one
delivery row per subscribed endpoint, and nothing else has one."""

from __future__ import annotations

import itertools
import json
from pathlib import Path

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.ids import GiftId
from giftflow.ledger.clock import ManualClock
from giftflow.payments.sandbox import SandboxProvider
from giftflow.service.economy import Economy, GiftRequest
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.webhooks import endpoints
from giftflow.settings import Settings
from giftflow.store.tx import RecordRejectedError, Tx
from tests.economy.conftest import ROSE, SECRET, START_NS, Market

Gift = tuple[int, int, bool, bool]
"""(sender, quantity, in a session, the same event id as the gift before)."""
GIFTS = st.lists(
    st.tuples(st.integers(0, 2), st.integers(1, 4), st.booleans(), st.booleans()),
    min_size=1,
    max_size=12,
)


def _refuse_threes(tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
    if gift.quantity == 3:
        raise RecordRejectedError("no threes", code="live_conflict")
    return []


def _market(tmp_path: Path) -> Market:
    clock = ManualClock(START_NS)
    tokens = itertools.count(1)
    sandbox = SandboxProvider(SECRET, clock, new_token=lambda: f"{next(tokens):06d}")
    economy = Economy.open(
        Settings(
            database_url=f"sqlite:///{tmp_path / 'outbox.db'}",
            environment="development",
            velocity_limit=1_000_000,
            payout_dir=tmp_path / "payouts",
        ),
        clock=clock,
        providers={"sandbox": sandbox},
    )
    return Market(economy, clock, sandbox, tmp_path / "payouts")


def test_every_booked_gift_has_its_delivery_rows_and_nothing_else_has(tmp_path: Path) -> None:
    market = _market(tmp_path)
    economy = market.economy
    try:
        senders = [market.viewer(f"v{n}") for n in range(3)]
        creator = market.creator()
        market.buy(senders[0], 100_000)
        market.buy(senders[1], 40)  # runs dry: the ledger refuses some of its gifts
        # senders[2] has no coins at all
        for name in ("one", "two"):
            endpoints.create(
                economy.ledger,
                url=f"https://{name}.example/hooks",
                event_types=["gift.sent"],
                description="",
                created_by="test",
            )
        economy.context.gift_listeners.append(_refuse_threes)
        numbers = itertools.count()

        @settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
        @given(GIFTS)
        def check(gifts: list[Gift]) -> None:
            requests, event_id = [], ""
            for sender, quantity, in_session, twin in gifts:
                event_id = event_id if twin and event_id else f"e{next(numbers)}"
                requests.append(
                    GiftRequest(
                        senders[sender].id,
                        creator.id,
                        GiftId(ROSE),
                        quantity=quantity,
                        event_id=event_id,
                        session_id=7 if in_session else 0,
                    )
                )
            economy.send_gifts(requests)
            booked = economy.ledger.read(lambda tx: tx.execute("SELECT id FROM gifts").fetchall())
            rows = economy.ledger.read(
                lambda tx: tx.execute(
                    "SELECT endpoint_id, payload FROM webhook_deliveries"
                ).fetchall()
            )
            announced = sorted(
                (endpoint, json.loads(payload)["data"]["gift_event_id"])
                for endpoint, payload in rows
            )
            ids = sorted({endpoint for endpoint, _ in rows})
            expected = sorted((endpoint, str(row[0])) for row in booked for endpoint in ids)
            assert len(ids) == 2 or not booked
            assert announced == expected

        check()
        market.assert_reconciled()
    finally:
        economy.close()


def test_a_gift_refused_by_the_ledger_writes_no_row(tmp_path: Path) -> None:
    market = _market(tmp_path)
    try:
        viewer, creator = market.viewer(), market.creator()
        endpoints.create(
            market.economy.ledger,
            url="https://one.example/hooks",
            event_types=None,
            description="",
            created_by="test",
        )
        results = market.economy.send_gifts(
            [GiftRequest(viewer.id, creator.id, GiftId(ROSE), event_id="x")]
        )
        assert results[0].code == "insufficient_funds"  # type: ignore[union-attr]
        assert market.count("webhook_deliveries") == 0
    finally:
        market.economy.close()
