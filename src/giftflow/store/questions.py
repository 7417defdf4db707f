"""The priority Q&A queue: questions asked in a live session, in queue order, and the
creator's ``qa_priority`` perk levels that let a viewer ask; as typed functions over
``Tx`` that read rows by column name."""

from __future__ import annotations

from typing import Final

from giftflow.creator.perks import QUEUE_LIST_MAX, PerkNotFoundError, Question, QuestionState
from giftflow.ids import UserId
from giftflow.store.tx import NamedRow, Tx

_QUESTION: Final = (
    "id, session_id, creator_id, user_id, level, text, state, submitted_at, closed_at"
)


def _question_of(row: NamedRow) -> Question:
    return Question(
        id=row["id"],
        session_id=int(row["session_id"]),
        creator_id=UserId(int(row["creator_id"])),
        user_id=UserId(int(row["user_id"])),
        level=int(row["level"]),
        text=row["text"],
        state=QuestionState(row["state"]),
        submitted_at=int(row["submitted_at"]),
        closed_at=int(row["closed_at"]),
    )


def insert_question(tx: Tx, question: Question) -> None:
    tx.execute(
        f"INSERT INTO questions ({_QUESTION}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
        (
            question.id,
            question.session_id,
            question.creator_id,
            question.user_id,
            question.level,
            question.text,
            str(question.state),
            question.submitted_at,
            question.closed_at,
        ),
    )


def find_question(tx: Tx, question_id: str) -> Question:
    row = tx.named(f"SELECT {_QUESTION} FROM questions WHERE id = ?", (question_id,))
    if row is None:
        raise PerkNotFoundError(f"no question {question_id}", code="question_not_found")
    return _question_of(row)


def queue(tx: Tx, session_id: int, state: QuestionState | None) -> list[Question]:
    """The session's questions in queue order: level (highest first), then submission
    time, then id."""
    where = "" if state is None else " AND state = ?"
    parameters = (session_id,) if state is None else (session_id, str(state))
    rows = tx.named_all(
        f"SELECT {_QUESTION} FROM questions WHERE session_id = ?{where}"
        f" ORDER BY level DESC, submitted_at, id LIMIT {QUEUE_LIST_MAX}",
        parameters,
    )
    return [_question_of(row) for row in rows]


def close_question(tx: Tx, question_id: str, state: QuestionState, now: int) -> bool:
    """Compare-and-set: only a queued question is answered or skipped."""
    tx.execute(
        "UPDATE questions SET state = ?, closed_at = ? WHERE id = ? AND state = 'queued'",
        (str(state), now, question_id),
    )
    return tx.rowcount == 1


def qa_levels(tx: Tx, creator_id: UserId) -> list[int]:
    """The levels of the creator's ``qa_priority`` perks."""
    rows = tx.named_all(
        "SELECT level FROM perks WHERE creator_id = ? AND kind = 'qa_priority'", (creator_id,)
    )
    return [int(row["level"]) for row in rows]
