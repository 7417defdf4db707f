"""Priority Q&A: during a LIVE, the viewers a ``qa_priority`` perk entitles put
questions in the session's queue; the creator lists it in order (level, highest first,
then submission time) and answers or skips each. Every change is one transaction with
its room event (``question.submitted``, ``question.answered``, ``question.skipped``,
each with the queue's length), so an overlay or the dashboard shows the queue live.
"""

from __future__ import annotations

from giftflow.creator.perks import (
    NotEntitledError,
    PerkError,
    Question,
    QuestionState,
    check_question,
    entitled,
    qa_level,
)
from giftflow.ids import UserId
from giftflow.live.errors import LiveStateError
from giftflow.live.events import EventType
from giftflow.live.levels import Perk, PerkKind
from giftflow.service.creator.perks import level_in
from giftflow.service.economy import users
from giftflow.service.economy.context import PendingEvent
from giftflow.service.live import sessions
from giftflow.service.live.context import LiveContext, event
from giftflow.store import questions as stored
from giftflow.store.tx import Tx


def data_of(question: Question, queued: int) -> dict[str, object]:
    return {
        "question_id": question.id,
        "session_id": question.session_id,
        "user_id": question.user_id,
        "level": question.level,
        "text": question.text,
        "state": str(question.state),
        "submitted_at": question.submitted_at,
        "queued": queued,
    }


def _event(tx: Tx, question: Question, type: EventType, at: int) -> PendingEvent:
    queued = len(stored.queue(tx, question.session_id, QuestionState.QUEUED))
    return event(question.creator_id, type, data_of(question, queued), at)


def submit(context: LiveContext, session_id: int, user_id: UserId, text: str) -> Question:
    """Put the viewer's question in the queue of a session that is live, if a
    ``qa_priority`` perk entitles them (``not_entitled`` otherwise)."""
    checked = check_question(text)
    now = context.now()
    question_id = context.economy.new_id("qn")

    def add(tx: Tx) -> tuple[Question, list[PendingEvent]]:
        session = sessions.find(tx, session_id)
        if not session.is_live:
            raise LiveStateError(f"session {session_id} has ended", code="session_ended")
        users.find(tx, user_id)
        if user_id == session.creator_id:
            raise PerkError("a creator does not ask their own queue", code="self_question")
        level = level_in(tx, context, session.creator_id, user_id)
        perks = [
            Perk(0, session.creator_id, lv, PerkKind.QA_PRIORITY, "")
            for lv in stored.qa_levels(tx, session.creator_id)
        ]
        lowest = qa_level(perks)
        if lowest is None or not entitled(level, lowest):
            raise NotEntitledError("priority Q&A is for supporters of this creator's perk level")
        question = Question(
            question_id, session_id, session.creator_id, user_id, level, checked,
            QuestionState.QUEUED, now, 0,
        )  # fmt: skip
        stored.insert_question(tx, question)
        return question, [_event(tx, question, EventType.QUESTION_SUBMITTED, now)]

    return context.write_events(add)


def queue(
    context: LiveContext, session_id: int, *, state: QuestionState | None = QuestionState.QUEUED
) -> list[Question]:
    """The session's questions in the order the creator takes them (500 at most)."""

    def read(tx: Tx) -> list[Question]:
        sessions.find(tx, session_id)
        return stored.queue(tx, session_id, state)

    return context.read(read)


def get(context: LiveContext, question_id: str) -> Question:
    return context.read(lambda tx: stored.find_question(tx, question_id))


def close(context: LiveContext, question_id: str, state: QuestionState) -> Question:
    """Answer or skip a queued question; doing it again to a closed one is
    ``question_closed``."""
    now = context.now()
    kind = (
        EventType.QUESTION_ANSWERED
        if state is QuestionState.ANSWERED
        else (EventType.QUESTION_SKIPPED)
    )

    def change(tx: Tx) -> tuple[Question, list[PendingEvent]]:
        question = stored.find_question(tx, question_id)
        if not stored.close_question(tx, question_id, state, now):
            raise LiveStateError(
                f"question {question_id} is {question.state} already", code="question_closed"
            )
        closed = stored.find_question(tx, question_id)
        return closed, [_event(tx, closed, kind, now)]

    return context.write_events(change)
