"""Priority Q&A over HTTP (docs/products.md): the viewer themself (or a key with
``live:write``) asks in a live session, if a ``qa_priority`` perk level lets them; the
room's readers list the queue, its writers answer and skip."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Query

from giftflow.api.routes.live import WRITE, SessionIdPath, may_read, may_write
from giftflow.creator.perks import QuestionState
from giftflow.http import auth
from giftflow.http.deps import LiveDep, PrincipalDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas.products import QuestionCreate, QuestionId, QuestionList, QuestionPublic
from giftflow.ids import UserId
from giftflow.service.creator import questions
from giftflow.service.live import Live

router = APIRouter(prefix="/v1", tags=["products"], responses=RESPONSES)
QuestionIdPath = Annotated[QuestionId, Path(description="A question's id (`qn_…`).")]


@router.post("/sessions/{session_id}/questions", status_code=201, response_model=QuestionPublic)
def ask(
    session_id: SessionIdPath, body: QuestionCreate, principal: PrincipalDep, live: LiveDep
) -> QuestionPublic:
    """Put a question in the live session's priority queue (``question.submitted``):
    403 ``not_entitled`` without the room's ``qa_priority`` perk level."""
    auth.require_self_or_scope(principal, body.user_id, WRITE)
    return QuestionPublic.of(
        questions.submit(live.context, session_id, UserId(body.user_id), body.text)
    )


@router.get("/sessions/{session_id}/questions", response_model=QuestionList)
def question_queue(
    session_id: SessionIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    state: Annotated[QuestionState | None, Query(description="`queued` by default.")] = (
        QuestionState.QUEUED
    ),
) -> QuestionList:
    """The queue in the order the creator takes it: level (highest first), then
    submission time, then id."""
    may_read(principal, live.session(session_id).creator_id)
    found = questions.queue(live.context, session_id, state=state)
    return QuestionList(session_id=session_id, questions=[QuestionPublic.of(q) for q in found])


def _close(
    principal: Principal, live: Live, question_id: str, state: QuestionState
) -> QuestionPublic:
    may_write(principal, questions.get(live.context, question_id).creator_id)
    return QuestionPublic.of(questions.close(live.context, question_id, state))


@router.post("/questions/{question_id}/answer", response_model=QuestionPublic)
def answer(question_id: QuestionIdPath, principal: PrincipalDep, live: LiveDep) -> QuestionPublic:
    """``question.answered``; 409 ``question_closed`` once answered or skipped."""
    return _close(principal, live, question_id, QuestionState.ANSWERED)


@router.post("/questions/{question_id}/skip", response_model=QuestionPublic)
def skip(question_id: QuestionIdPath, principal: PrincipalDep, live: LiveDep) -> QuestionPublic:
    """``question.skipped``; 409 ``question_closed`` once answered or skipped."""
    return _close(principal, live, question_id, QuestionState.SKIPPED)
