"""The SIGKILL audit of ``giftflow bench http --kill`` (``bench.kill.audit``) names
each way the books can go wrong, from the requests' answers and the database's rows."""

from __future__ import annotations

from giftflow.bench.books import Books
from giftflow.bench.gifter import Answer, Sent
from giftflow.bench.kill import audit

SENDER = 7


def sent(key: str, *answers: Answer | None) -> Sent:
    first, retry, rescue = (*answers, None, None, None)[:3]
    return Sent(key, SENDER, {"event_id": key}, 1, first, retry, rescue)


def ok(gift_id: int, *, replayed: bool = False, booked_before: bool = False) -> Answer:
    return Answer(201, gift_id=gift_id, replayed=replayed, booked_before=booked_before)


def books(*gift_ids: int, legs: int | None = None, stuck: int = 0) -> Books:
    return Books(
        coins_spent=len(gift_ids),
        gifts_booked=len(gift_ids),
        gift_coins=len(gift_ids),
        coin_legs=len(gift_ids) if legs is None else legs,
        stuck_keys=stuck,
        reconciled=True,
        gift_senders=dict.fromkeys(gift_ids, SENDER),
    )


NO_ANSWER = Answer(None)
IN_USE = Answer(409, code="idempotency_key_in_use")


def test_a_clean_run_is_clean() -> None:
    report = audit(
        [
            sent("a", ok(1), ok(1, replayed=True)),
            sent("b", NO_ANSWER, ok(2)),
            sent("c", NO_ANSWER, ok(3, replayed=True)),
        ],
        books(1, 2, 3),
        kills=1,
    )
    assert report.ok
    assert (report.acknowledged, report.unanswered) == (1, 2)
    assert (report.retried_done, report.retried_first_answer) == (1, 1)


def test_an_acknowledged_gift_missing_from_the_books_is_lost() -> None:
    report = audit([sent("a", ok(1), ok(1, replayed=True))], books(), kills=1)
    assert report.acknowledged_lost == 2 and not report.ok  # the answer and its replay


def test_a_key_left_in_use_is_stuck_and_the_rescue_tells_whether_it_was_booked() -> None:
    report = audit(
        [sent("a", NO_ANSWER, IN_USE, ok(1, booked_before=True))], books(1, stuck=1), kills=1
    )
    assert (report.retried_in_use, report.in_use_booked, report.stuck_keys) == (1, 1, 1)
    assert report.acknowledged_lost == 0 and report.doubled == 0 and not report.ok


def test_a_gift_charged_twice_or_answered_to_two_requests_is_doubled() -> None:
    charged_twice = audit([sent("a", ok(1), ok(1, replayed=True))], books(1, legs=2), kills=1)
    shared = audit(
        [sent("a", ok(1), ok(1, replayed=True)), sent("b", ok(1), ok(1, replayed=True))],
        books(1),
        kills=1,
    )
    assert charged_twice.doubled == 1 and shared.doubled == 1


def test_a_replay_that_is_not_the_first_answer_is_counted() -> None:
    report = audit([sent("a", ok(1), ok(2))], books(1, 2), kills=1)
    assert report.replays_differ == 1 and report.doubled == 1 and not report.ok
