"""Priority Q&A on the dashboard (docs/dashboard.md, *Questions*): the queue of one of
the creator's LIVEs, worked through during the LIVE. Pure functions from the queue's
questions (with each asker's display name) to HTML: the open ones in queue order, each
with an Answer and a Skip form posting back, then the answered and skipped ones."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Final

from giftflow.creator.perks import Question, QuestionState
from giftflow.i18n import N_, number
from giftflow.i18n import gettext as _
from giftflow.ids import UserId
from giftflow.render.charts import esc
from giftflow.render.report_page import table
from giftflow.web.dashboard.creator_page import time_of

QUESTION_STATES: Final = (N_("queued"), N_("answered"), N_("skipped"))
"""A question's states, as the page shows them (``QuestionState``'s values)."""


def questions_path(creator_id: UserId, session_id: int) -> str:
    return f"/dashboard/creators/{creator_id}/sessions/{session_id}/questions"


def questions_body(
    creator_id: UserId,
    session_id: int,
    title: str,
    questions: Sequence[Question],
    names: Mapping[UserId, str],
) -> str:
    """``questions`` in queue order (every state); ``names`` the askers' display names."""
    open_ones = [q for q in questions if q.state is QuestionState.QUEUED]
    closed = [q for q in questions if q.state is not QuestionState.QUEUED]
    back = _("{title} · report").format(title=title)
    header = (
        f'<header data-session="{session_id}"><p class="eyebrow">{esc(_("Priority Q&A"))}</p>'
        f"<h1>{esc(title)}</h1>"
        f'<p class="meta"><a href="/dashboard/creators/{creator_id}">&larr; '
        f"{esc(_('dashboard'))}</a> · "
        f'<a href="/dashboard/creators/{creator_id}/sessions/{session_id}">{esc(back)}</a>'
        "</p></header>"
    )
    action = questions_path(creator_id, session_id)
    return (
        header
        + _section(_("In the queue"), "queued", open_ones, names, action)
        + _section(_("Answered and skipped"), "closed", closed, names, None)
    )


def _section(
    heading: str,
    kind: str,
    questions: Sequence[Question],
    names: Mapping[UserId, str],
    action: str | None,
) -> str:
    opening = f'<section data-questions="{kind}"><h2>{esc(heading)}</h2>'
    if not questions:
        return f'{opening}<p class="empty">{esc(_("No questions."))}</p></section>'
    rows = [_row(q, names, action) for q in questions]
    asker, text = _("Asked by"), _("Question")
    last = _("Answer or skip") if action else _("State")
    columns = [asker, _("Level"), text, _("Asked at (UTC)"), last]
    return f"{opening}{table(columns, rows, text=[asker, text, last])}</section>"


def _row(question: Question, names: Mapping[UserId, str], action: str | None) -> str:
    name = names.get(question.user_id, _("user {id}").format(id=question.user_id))
    state = str(question.state)
    last = _forms(f"{action}/{esc(question.id)}") if action else esc(_(state))
    return (
        f'<tr data-question="{esc(question.id)}" data-state="{esc(state)}">'
        f'<td class="text" data-field="asker" data-user="{question.user_id}">{esc(name)}</td>'
        f'<td data-field="level">{number(question.level)}</td>'
        f'<td class="text" data-field="text">{esc(question.text)}</td>'
        f"<td>{time_of(question.submitted_at)}</td>"
        f'<td class="text actions" data-field="state">{last}</td></tr>'
    )


def _forms(base: str) -> str:
    return (
        f'<form method="post" action="{base}/answer">'
        f'<button type="submit" class="primary">{esc(_("Answer"))}</button></form>'
        f'<form method="post" action="{base}/skip">'
        f'<button type="submit">{esc(_("Skip"))}</button></form>'
    )
