"""Subathon timers on a real database (each backend): gifts booked in the room's
sessions extend the timer in their own transaction, a streak's every increment once,
a retried event never twice; the stored state always equals the fold of its history
and an independent count from the gifts table."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from giftflow.creator.subathon import ControlKind, Rules, SubathonState, Tier
from giftflow.ids import GiftId
from giftflow.ledger.clock import NS_PER_S
from giftflow.live.errors import LiveStateError
from giftflow.live.events import EventType
from giftflow.service.creator import subathon
from giftflow.service.economy import GiftRequest
from tests.economy.conftest import DOUGHNUT, HAND_HEARTS, ROSE
from tests.live.conftest import Stage

RULES = Rules((Tier(1, 10), Tier(30, 60), Tier(100, 300)), ms_per_coin=100)
COINS = {ROSE: 1, DOUGHNUT: 30, HAND_HEARTS: 100}
FIXTURES_ONCE = settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _gifts_counted(stage: Stage, subathon_id: str) -> list[tuple[int, int, int]]:
    """``(gift event id, sent_at, coins)`` of the gifts table joined to what counted."""
    return stage.market.economy.ledger.read(
        lambda tx: tx.execute(
            "SELECT g.id, g.sent_at, g.coins FROM gifts g JOIN subathon_gifts s"
            " ON s.gift_event_id = g.id WHERE s.subathon_id = ? ORDER BY s.seq",
            (subathon_id,),
        ).fetchall()
    )


def test_gifts_in_the_rooms_sessions_extend_the_timer_once_each(stage: Stage) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    started = subathon.start(context, session.creator_id, initial_s=600, cap_s=7_200, rules=RULES)
    start_at = started.timer.started_at
    assert started.state is SubathonState.RUNNING
    assert started.timer.ends_at == start_at + 600 * NS_PER_S

    stage.advance(10)
    stage.gift(fan, session, DOUGHNUT)  # 30 coins: 60 s + 3 s
    request = stage.request(fan, session, HAND_HEARTS)  # 100 coins: 300 s + 10 s
    stage.market.economy.send_gift(request)
    again = stage.market.economy.send_gift(request)  # the platform retries the event
    assert again.replayed
    for count in (1, 2, 5):  # a streak of roses: 1, 1 and 3 more, each event a gift
        stage.market.economy.send_gift(
            GiftRequest(
                sender_id=fan.id,
                creator_id=session.creator_id,
                gift_id=GiftId(ROSE),
                streak_id="roses",
                repeat_count=count,
                session_id=session.id,
            )
        )
    now = subathon.get(context, started.id)
    added = (63 + 310 + 2 * 10) * NS_PER_S + 1 * 100_000_000 * 2 + 3 * 100_000_000 + 10 * NS_PER_S
    assert now.timer.added_ns == added
    assert now.timer.gifts == 5 and now.timer.coins == 30 + 100 + 1 + 1 + 3
    assert now.timer.ends_at == start_at + 600 * NS_PER_S + added
    assert subathon.recomputed(context, started.id) == now.timer
    extended = stage.bus.of(EventType.SUBATHON_EXTENDED, session.creator_id)
    assert [e.data["gift_coins"] for e in extended] == [30, 100, 1, 1, 3]
    assert extended[-1].data["ends_at"] == now.timer.ends_at
    assert len(_gifts_counted(stage, started.id)) == 5


def test_a_second_subathon_waits_for_the_first_to_end(stage: Stage) -> None:
    context = stage.market.economy.context
    creator = stage.creator()
    first = subathon.start(context, creator.id, initial_s=60, cap_s=60, rules=RULES)
    with pytest.raises(LiveStateError) as refused:
        subathon.start(context, creator.id, initial_s=60, cap_s=60, rules=RULES)
    assert refused.value.code == "subathon_running"
    stage.advance(60)
    second = subathon.start(context, creator.id, initial_s=60, cap_s=60, rules=RULES)
    assert (first.number, second.number) == (1, 2)
    assert subathon.current(context, creator.id) == subathon.get(context, second.id)


def test_a_gift_after_the_time_ran_out_adds_nothing(stage: Stage) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    started = subathon.start(context, session.creator_id, initial_s=5, cap_s=60, rules=RULES)
    stage.advance(5)
    stage.gift(fan, session, HAND_HEARTS)
    over = subathon.get(context, started.id)
    assert over.state is SubathonState.ENDED and over.timer.gifts == 0
    assert stage.bus.of(EventType.SUBATHON_EXTENDED, session.creator_id) == []


moves = st.lists(
    st.tuples(
        st.integers(min_value=0, max_value=90),  # seconds after the last move
        st.sampled_from(["gift", "gift", "gift", "pause", "resume", "change", "end"]),
        st.sampled_from(sorted(COINS)),
    ),
    min_size=1,
    max_size=20,
)


@FIXTURES_ONCE
@given(moves=moves, initial_s=st.integers(1, 240), extra_s=st.integers(0, 900))
def test_the_stored_timer_always_equals_the_fold_of_its_history(
    stage: Stage, moves: list[tuple[int, str, int]], initial_s: int, extra_s: int
) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    started = subathon.start(
        context, session.creator_id, initial_s=initial_s, cap_s=initial_s + extra_s, rules=RULES
    )
    kinds = {
        "pause": ControlKind.PAUSE,
        "resume": ControlKind.RESUME,
        "change": ControlKind.CHANGE,
        "end": ControlKind.END,
    }
    for after_s, what, gift_id in moves:
        stage.advance(after_s)
        if what == "gift":
            stage.gift(fan, session, gift_id)
        else:
            rules = Rules((Tier(1, after_s),), ms_per_coin=after_s) if what == "change" else None
            try:
                subathon.control(context, started.id, kinds[what], rules)
            except LiveStateError as error:  # refused moves change nothing
                assert error.code in {"subathon_ended", "subathon_paused", "subathon_not_paused"}
        stored = subathon.get(context, started.id).timer
        assert subathon.recomputed(context, started.id) == stored
    counted = _gifts_counted(stage, started.id)
    assert len(counted) == stored.gifts
    assert sum(coins for _, _, coins in counted) == stored.coins
    stage.live.end_session(session.id)


def test_the_sweep_records_a_timers_end_once_and_closes_it(stage: Stage) -> None:
    context = stage.market.economy.context
    session, fan = stage.live_session(), stage.viewer()
    started = subathon.start(context, session.creator_id, initial_s=30, cap_s=600, rules=RULES)
    stage.gift(fan, session, ROSE)  # 10 s + 0.1 s more
    assert subathon.expire_due(context) == []
    stage.advance(41)
    [closed] = subathon.expire_due(context)
    assert subathon.expire_due(context) == []  # once
    ends_at = started.timer.started_at + (40 * NS_PER_S + 100_000_000)
    assert closed.timer.ended_at == ends_at == closed.timer.ends_at
    [ended] = stage.bus.of(EventType.SUBATHON_ENDED, session.creator_id)
    assert ended.data["reason"] == "time_up" and ended.at == ends_at
    # A gift recorded afterwards with an earlier time no longer counts: it is closed.
    stage.market.economy.send_gift(
        GiftRequest(
            sender_id=fan.id,
            creator_id=session.creator_id,
            gift_id=GiftId(DOUGHNUT),
            event_id="late",
            session_id=session.id,
            sent_at=ends_at - NS_PER_S,
        )
    )
    assert subathon.get(context, started.id).timer.gifts == 1
    assert subathon.recomputed(context, started.id) == subathon.get(context, started.id).timer
