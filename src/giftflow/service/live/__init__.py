"""LIVE as one object over an ``Economy`` and an ``EventBus``.

    live = Live.open(economy, bus)
    session = live.start_session(creator.id, title="Friday art stream")
    goal = live.create_goal(session.id, kind=GoalKind.COINS, target=1_000,
                            promise="speed-paint at 1k")
    economy.send_gift(GiftRequest(..., session_id=session.id))  # goal.progress …

Opening registers a gift listener with the economy: every gift sent with a
``session_id`` moves the session's goals, battle and leaderboard in the gift's own
database transaction, and its events are published once it has committed.
"""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.live.battles import Battle
from giftflow.live.chapters import Chapter, ChapterPlan
from giftflow.live.errors import LiveError
from giftflow.live.goals import Goal, GoalKind
from giftflow.live.invitations import Invitation
from giftflow.live.leaderboards import Standing
from giftflow.live.levels import Perk, PerkKind, SupporterLevel
from giftflow.live.schedules import Figures, PlannedGoal, ScheduledLive, ScheduleState
from giftflow.live.sessions import LiveSession
from giftflow.service.economy import Economy
from giftflow.service.events.bus import EventBus
from giftflow.service.live import (
    battles,
    chapters,
    goals,
    invitations,
    overlay,
    schedule_figures,
    schedule_registrations,
    schedule_sweep,
    schedules,
    sessions,
    supporters,
)
from giftflow.service.live.chapters import record as record_chapter_windows
from giftflow.service.live.context import LiveContext, LiveSettings
from giftflow.service.live.hook import LiveGiftListener
from giftflow.service.live.overlay import OverlayState
from giftflow.service.live.schedule_figures import Countdown
from giftflow.service.live.schedule_registrations import Registration
from giftflow.service.live.schedules import Changes
from giftflow.service.live.sessions import (
    Interaction,
    InteractionKind,
    SessionTotals,
    WatchTime,
)
from giftflow.store.chapters import ChapterTotals

__all__ = [
    "Changes",
    "ChapterTotals",
    "Countdown",
    "Interaction",
    "InteractionKind",
    "Live",
    "LiveSettings",
    "OverlayState",
    "Registration",
    "SessionTotals",
    "WatchTime",
]


class Live:
    def __init__(self, context: LiveContext) -> None:
        self.context = context

    @classmethod
    def open(cls, economy: Economy, bus: EventBus, settings: LiveSettings | None = None) -> Live:
        """LIVE over ``economy``; gifts in sessions go out on ``bus`` as well."""
        settings = settings or LiveSettings()
        listeners = economy.context.gift_listeners
        if any(isinstance(listener, LiveGiftListener) for listener in listeners):
            # A second listener would count every gift twice.
            raise LiveError("LIVE is already open over this economy", code="live_open")
        economy.context.publisher = bus
        listeners.append(LiveGiftListener(settings))
        return cls(LiveContext(economy.context, bus, settings))

    # --- sessions and viewers ---------------------------------------------------------

    def start_session(
        self, creator_id: int, *, title: str = "", schedule_id: str | None = None
    ) -> LiveSession:
        """Go live; the session takes up ``schedule_id``, or the creator's scheduled
        LIVE due now (docs/schedules.md)."""
        return sessions.start(self.context, creator_id, title, schedule_id)

    def end_session(self, session_id: int) -> LiveSession:
        return sessions.end(self.context, session_id)

    def live_session(self, creator_id: int) -> LiveSession | None:
        """The room's session that is live now, if any."""
        return sessions.live_of(self.context, creator_id)

    def session(self, session_id: int) -> LiveSession:
        return sessions.get(self.context, session_id)

    def join(self, session_id: int, viewer_id: int) -> int:
        return sessions.join(self.context, session_id, viewer_id)

    def leave(self, session_id: int, viewer_id: int) -> int:
        return sessions.leave(self.context, session_id, viewer_id)

    def session_totals(self, session_id: int) -> SessionTotals:
        return sessions.totals(self.context, session_id)

    def watch_time(self, session_id: int) -> WatchTime:
        return sessions.watch_time(self.context, session_id)

    def viewers_at(self, session_id: int, at: int) -> int:
        return sessions.viewers_at(self.context, session_id, at)

    def interact(
        self, session_id: int, user_id: int, kind: InteractionKind, *, text: str = ""
    ) -> Interaction:
        return sessions.interact(self.context, session_id, user_id, kind, text)

    def follow(self, creator_id: int, user_id: int) -> bool:
        """The user follows the creator, live or not; True for their first follow."""
        return sessions.follow(self.context, creator_id, user_id)

    # --- chapters ---------------------------------------------------------------------

    def plan_chapters(self, session_id: int, plans: Sequence[ChapterPlan]) -> list[Chapter]:
        return chapters.plan(self.context, session_id, plans)

    def advance_chapter(self, session_id: int) -> Chapter:
        return chapters.advance(self.context, session_id)

    def record_chapters(
        self, session_id: int, chapters: Sequence[tuple[str, int, int]]
    ) -> list[Chapter]:
        """An ended session's schedule: ``(title, started_at_ns, ended_at_ns)`` each."""
        return record_chapter_windows(self.context, session_id, chapters)

    def chapters(self, session_id: int) -> list[Chapter]:
        return chapters.chapters(self.context, session_id)

    def chapter_totals(self, session_id: int) -> list[ChapterTotals]:
        return chapters.totals(self.context, session_id)

    # --- goals ------------------------------------------------------------------------

    def create_goal(
        self,
        session_id: int,
        *,
        kind: GoalKind,
        target: int,
        gift_id: int | None = None,
        promise: str = "",
        deadline_s: int | None = None,
    ) -> Goal:
        return goals.create(
            self.context,
            session_id,
            kind=kind,
            target=target,
            gift_id=gift_id,
            promise=promise,
            deadline_s=deadline_s,
        )

    def goal(self, goal_id: int) -> Goal:
        return goals.get(self.context, goal_id)

    def goals(self, session_id: int) -> list[Goal]:
        return goals.of_session(self.context, session_id)

    # --- battles ----------------------------------------------------------------------

    def start_battle(self, session_ids: Sequence[int], *, duration_s: int | None = None) -> Battle:
        return battles.start(self.context, session_ids, duration_s=duration_s)

    def trigger_booster(
        self,
        battle_id: int,
        *,
        session_id: int,
        by_user_id: int,
        multiplier: int,
        duration_s: int | None = None,
    ) -> Battle:
        return battles.trigger_booster(
            self.context,
            battle_id,
            session_id=session_id,
            by_user_id=by_user_id,
            multiplier=multiplier,
            duration_s=duration_s,
        )

    def invite_to_battle(
        self,
        session_id: int,
        invitee_session_ids: Sequence[int],
        *,
        duration_s: int | None = None,
        ttl_s: int | None = None,
    ) -> Invitation:
        """Invite other live sessions to a battle; it starts once every one accepts."""
        return invitations.invite(
            self.context, session_id, invitee_session_ids, duration_s=duration_s, ttl_s=ttl_s
        )

    def accept_battle_invitation(self, invitation_id: int, *, session_id: int) -> Invitation:
        return invitations.accept(self.context, invitation_id, session_id)

    def decline_battle_invitation(self, invitation_id: int, *, session_id: int) -> Invitation:
        return invitations.decline(self.context, invitation_id, session_id)

    def withdraw_battle_invitation(self, invitation_id: int) -> Invitation:
        return invitations.withdraw(self.context, invitation_id)

    def battle_invitation(self, invitation_id: int) -> Invitation:
        return invitations.get(self.context, invitation_id)

    def battle_invitations(self, room_id: int) -> list[Invitation]:
        """The room's pending invitations, sent and received."""
        return invitations.of_room(self.context, room_id)

    def end_battle(self, battle_id: int) -> Battle:
        return battles.end(self.context, battle_id)

    def end_due_battles(self) -> list[Battle]:
        return battles.end_due(self.context)

    def battle(self, battle_id: int) -> Battle:
        return battles.get(self.context, battle_id)

    # --- supporters -------------------------------------------------------------------

    def session_leaderboard(self, session_id: int, *, limit: int | None = None) -> list[Standing]:
        return supporters.session_top(self.context, session_id, limit)

    def week_leaderboard(self, creator_id: int, *, limit: int | None = None) -> list[Standing]:
        return supporters.week_top(self.context, creator_id, limit)

    def all_time_leaderboard(self, creator_id: int, *, limit: int | None = None) -> list[Standing]:
        return supporters.all_time_top(self.context, creator_id, limit)

    def add_perk(self, creator_id: int, *, level: int, kind: PerkKind, value: str = "") -> Perk:
        return supporters.add_perk(self.context, creator_id, level=level, kind=kind, value=value)

    def replace_perks(
        self, creator_id: int, perks: Sequence[tuple[int, PerkKind, str]]
    ) -> list[Perk]:
        return supporters.replace_perks(self.context, creator_id, perks)

    def perks(self, creator_id: int) -> list[Perk]:
        return supporters.perks(self.context, creator_id)

    # --- overlays ---------------------------------------------------------------------

    def overlay_state(self, room_id: int) -> OverlayState:
        """What the room's overlays show now, and the newest event it counts."""
        return overlay.state(self.context, room_id)

    def supporter_level(self, creator_id: int, user_id: int) -> SupporterLevel:
        return supporters.level(self.context, creator_id, user_id)

    # --- scheduled LIVEs ----------------------------------------------------------------

    def schedule_live(
        self,
        creator_id: int,
        *,
        title: str,
        starts_at: int,
        chapters: Sequence[ChapterPlan] = (),
        goal: PlannedGoal | None = None,
        reminder_offsets_s: Sequence[int] | None = None,
    ) -> ScheduledLive:
        return schedules.create(
            self.context,
            creator_id,
            title=title,
            starts_at=starts_at,
            chapters=chapters,
            goal=goal,
            reminder_offsets_s=reminder_offsets_s,
        )

    def scheduled_live(self, schedule_id: str) -> ScheduledLive:
        return schedules.get(self.context, schedule_id)

    def scheduled_lives(
        self, creator_id: int, *, state: ScheduleState | None = None
    ) -> list[ScheduledLive]:
        return schedules.of_room(self.context, creator_id, state=state)

    def update_scheduled_live(self, schedule_id: str, changes: Changes) -> ScheduledLive:
        return schedules.update(self.context, schedule_id, changes)

    def cancel_scheduled_live(self, schedule_id: str) -> ScheduledLive:
        return schedules.cancel(self.context, schedule_id)

    def register(self, schedule_id: str, user_id: int) -> tuple[Registration, bool]:
        """The viewer registers for a scheduled LIVE; True the first time."""
        return schedule_registrations.register(self.context, schedule_id, user_id)

    def unregister(self, schedule_id: str, user_id: int) -> bool:
        return schedule_registrations.unregister(self.context, schedule_id, user_id)

    def registrations(
        self, schedule_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Registration]:
        return schedule_registrations.registrations(
            self.context, schedule_id, limit=limit, offset=offset
        )

    def is_registered(self, schedule_id: str, user_id: int) -> bool:
        return schedule_registrations.is_registered(self.context, schedule_id, user_id)

    def schedule_figures(self, schedule_id: str) -> Figures:
        return schedule_figures.figures(self.context, schedule_id)

    def schedule_figures_of_session(self, session_id: int) -> Figures | None:
        return schedule_figures.figures_of_session(self.context, session_id)

    def schedule_counts(self, creator_id: int) -> dict[str, int]:
        """The creator's scheduled LIVEs per state (missed ones counted at once)."""
        return schedule_figures.counts(self.context, creator_id)

    def countdown(self, room_id: int) -> Countdown:
        return schedule_figures.countdown(self.context, room_id)

    def sweep_schedules(self) -> int:
        """Mark missed LIVEs, then send the reminders due; returns reminders sent."""
        schedule_sweep.mark_missed(self.context)
        return schedule_sweep.remind_due(self.context)
