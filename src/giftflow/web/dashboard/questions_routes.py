"""Priority Q&A's dashboard routes (docs/dashboard.md, *Questions*): the queue of one
of a creator's LIVEs and its Answer and Skip forms, for the creator or an
administrator. The forms close questions through the same service as
``POST /v1/questions/{id}/answer`` and ``/skip``, so the room hears
``question.answered`` and ``question.skipped`` either way."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Path, Request
from starlette.responses import Response

from giftflow.creator.perks import Question, QuestionState
from giftflow.economy.errors import NotFoundError
from giftflow.http.deps import ApiState, StateDep
from giftflow.http.principals import Principal
from giftflow.ids import UserId
from giftflow.live.sessions import LiveSession
from giftflow.service.creator import questions
from giftflow.web.dashboard.questions_page import questions_body, questions_path
from giftflow.web.dashboard.responses import PageRoute, html, see_other
from giftflow.web.dashboard.routes import CreatorIdPath, SessionIdPath, may_see_creator, top
from giftflow.web.dashboard.session import SignedInDep, require_same_origin

router = APIRouter(route_class=PageRoute, include_in_schema=False)
QuestionIdPath = Annotated[str, Path(min_length=1, max_length=40, pattern=r"^[A-Za-z0-9_-]+$")]
PAGE = "/dashboard/creators/{creator_id}/sessions/{session_id}/questions"


@router.get(PAGE)
def questions_page(
    creator_id: CreatorIdPath, session_id: SessionIdPath, principal: SignedInDep, state: StateDep
) -> Response:
    """The session's open questions in queue order, then the answered and skipped."""
    may_see_creator(principal, creator_id)
    session = _session_of(state, creator_id, session_id)
    found = questions.queue(state.live.context, session_id, state=None)
    names = {
        user_id: state.economy.user(user_id).display_name for user_id in {q.user_id for q in found}
    }
    title = session.title or f"LIVE #{session_id}"
    body = questions_body(creator_id, session_id, title, found, names)
    return html(f"{title} · Q&A", top(principal) + body)


@router.post(PAGE + "/{question_id}/answer")
def answer_question(
    creator_id: CreatorIdPath,
    session_id: SessionIdPath,
    question_id: QuestionIdPath,
    request: Request,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """``question.answered``; a closed question is a 409."""
    closed = QuestionState.ANSWERED
    return _close(request, principal, state, creator_id, session_id, question_id, closed)


@router.post(PAGE + "/{question_id}/skip")
def skip_question(
    creator_id: CreatorIdPath,
    session_id: SessionIdPath,
    question_id: QuestionIdPath,
    request: Request,
    principal: SignedInDep,
    state: StateDep,
) -> Response:
    """``question.skipped``; a closed question is a 409."""
    closed = QuestionState.SKIPPED
    return _close(request, principal, state, creator_id, session_id, question_id, closed)


def _close(
    request: Request,
    principal: Principal,
    state: ApiState,
    creator_id: UserId,
    session_id: int,
    question_id: str,
    closed: QuestionState,
) -> Response:
    """Close a question of this creator's LIVE (another LIVE's is not found here), asked
    by a same-origin form of someone who may see the creator; then back to the queue."""
    may_see_creator(principal, creator_id)
    require_same_origin(request)
    _session_of(state, creator_id, session_id)
    _question_of(state, session_id, question_id)
    questions.close(state.live.context, question_id, closed)
    return see_other(questions_path(creator_id, session_id))


def _session_of(state: ApiState, creator_id: UserId, session_id: int) -> LiveSession:
    """The LIVE, when it is this creator's: another creator's is not found here."""
    session = state.live.session(session_id)
    if session.creator_id != creator_id:
        raise NotFoundError(f"no LIVE {session_id} of this creator", code="session_not_found")
    return session


def _question_of(state: ApiState, session_id: int, question_id: str) -> Question:
    """The question, when it was asked in this LIVE: another's is not found here."""
    question = questions.get(state.live.context, question_id)
    if question.session_id != session_id:
        raise NotFoundError(f"no question {question_id} in this LIVE", code="question_not_found")
    return question
