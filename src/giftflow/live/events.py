"""Versioned LIVE events: what every change in a room tells its listeners.

An event belongs to one room (a creator's channel: the room id is the creator's user
id). The event bus assigns its ``id``, an opaque string that grows within the room, so a
listener that reconnects with the last id it saw resumes without gaps or duplicates.
Every event's ``data`` schema is documented in docs/events.md; a change to a schema
that breaks listeners bumps ``version``.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from enum import StrEnum
from typing import Any, Final

from giftflow.ids import UserId

EVENT_VERSION: Final = 1


class EventType(StrEnum):
    SESSION_STARTED = "session.started"
    SESSION_ENDED = "session.ended"
    VIEWER_JOINED = "viewer.joined"
    VIEWER_LEFT = "viewer.left"
    INTERACTION = "interaction"
    """A follow, like, comment or share (``data.kind``)."""
    GIFT_SENT = "gift.sent"
    """Carries the streak's ``delta``: count it, and a streak is counted once."""
    STREAK_ENDED = "streak.ended"
    GOAL_CREATED = "goal.created"
    GOAL_PROGRESS = "goal.progress"
    GOAL_COMPLETED = "goal.completed"
    BATTLE_INVITED = "battle.invited"
    """A session's host invited others to a battle: to every room in the invitation."""
    BATTLE_ACCEPTED = "battle.accepted"
    BATTLE_DECLINED = "battle.declined"
    BATTLE_INVITATION_CANCELLED = "battle.invitation_cancelled"
    BATTLE_STARTED = "battle.started"
    BATTLE_SCORE = "battle.score"
    BATTLE_BOOSTER = "battle.booster"
    BATTLE_ENDED = "battle.ended"
    LEADERBOARD_CHANGED = "leaderboard.changed"
    CHAPTER_CHANGED = "chapter.changed"
    SCHEDULE_CREATED = "schedule.created"
    """A LIVE was scheduled (docs/schedules.md)."""
    SCHEDULE_UPDATED = "schedule.updated"
    SCHEDULE_CANCELLED = "schedule.cancelled"
    SCHEDULE_STARTED = "schedule.started"
    """A session took the scheduled LIVE up: it is live."""
    SCHEDULE_MISSED = "schedule.missed"
    """No session took it up within the grace period after its start."""
    SCHEDULE_REMINDER = "schedule.reminder"
    """Webhooks out only: one per registered viewer and reminder offset."""
    SUBATHON_STARTED = "subathon.started"
    """A subathon timer started in the room (docs/subathon.md)."""
    SUBATHON_PAUSED = "subathon.paused"
    SUBATHON_RESUMED = "subathon.resumed"
    SUBATHON_UPDATED = "subathon.updated"
    """Its rules changed, for the gifts counted from then on."""
    SUBATHON_ENDED = "subathon.ended"
    """It ended: ``reason`` ``ended`` (the creator) or ``time_up`` (the sweep recorded
    that its time ran out)."""
    SUBATHON_EXTENDED = "subathon.extended"
    """A gift counted: the time it added (0 once the cap is reached) and the new end."""
    GIFT_RULE_FIRED = "gift_rule.fired"
    """A creator's gift rule fired on a gift: its action and payload, for the room's
    listeners and, through webhooks out, the platform."""
    QUESTION_SUBMITTED = "question.submitted"
    """A viewer put a question in the session's priority Q&A queue (docs/products.md)."""
    QUESTION_ANSWERED = "question.answered"
    QUESTION_SKIPPED = "question.skipped"


@dataclass(frozen=True, slots=True)
class Event:
    room_id: UserId
    type: str
    at: int
    """When it happened, nanoseconds since the epoch (the injected clock)."""
    data: Mapping[str, Any] = field(default_factory=dict)
    id: str = ""
    """Assigned by the bus on publish; empty before."""
    version: int = EVENT_VERSION
    frame: str = field(default="", compare=False, repr=False)
    """The event's JSON text, made once by ``framed`` when the bus has numbered it, and
    then sent as is to every listener."""

    def framed(self) -> Event:
        """This event with its frame made (the last step: another ``replace`` after it
        would keep a frame that no longer says the same)."""
        return replace(self, frame=replace(self, frame="").to_json())

    def to_json(self) -> str:
        if self.frame:
            return self.frame
        return json.dumps(
            {
                "id": self.id,
                "room_id": self.room_id,
                "type": self.type,
                "version": self.version,
                "at": self.at,
                "data": dict(self.data),
            },
            separators=(",", ":"),
        )

    @classmethod
    def from_json(cls, text: str) -> Event:
        body = json.loads(text)
        return cls(
            room_id=UserId(int(body["room_id"])),
            type=str(body["type"]),
            at=int(body["at"]),
            data=dict(body["data"]),
            id=str(body["id"]),
            version=int(body["version"]),
        )
