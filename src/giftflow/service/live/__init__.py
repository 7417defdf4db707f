"""LIVE as one object over an ``Economy`` and an ``EventBus``.

    live = Live.open(economy, bus)
    session = live.start_session(creator.id, title="Friday art stream")
    goal = live.create_goal(session.id, kind=GoalKind.COINS, target=1_000,
                            promise="speed-paint at 1k")
    economy.send_gift(GiftRequest(..., session_id=session.id))  # goal.progress …

Opening registers a gift listener with the economy: every gift sent with a
``session_id`` moves the session's goals, battle and leaderboard in the gift's own
database transaction, and its events are published once it has committed.

Over 400 lines: the facade is one short, documented method per LIVE operation, and
splitting it would split the one object callers learn.
"""

from __future__ import annotations

from collections.abc import Sequence

from giftflow.ids import GiftId, UserId
from giftflow.ledger.clock import UnixNs
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
    """LIVE's facade: sessions and viewers, chapters, goals, battles and their
    invitations, supporters and perks, overlays' state and scheduled LIVEs, over one
    economy. Refusals are ``GiftflowError`` subclasses with a ``code`` (``LiveError``,
    ``LiveNotFoundError``, ``LiveStateError`` for LIVE's own rules)."""

    def __init__(self, context: LiveContext) -> None:
        """LIVE over ``context``; ``Live.open`` is how callers get one (it registers the gift
        listener)."""
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
        self, creator_id: UserId, *, title: str = "", schedule_id: str | None = None
    ) -> LiveSession:
        """Go live; the session takes up ``schedule_id``, or the creator's scheduled
        LIVE due now (docs/schedules.md)."""
        return sessions.start(self.context, creator_id, title, schedule_id)

    def end_session(self, session_id: int) -> LiveSession:
        """End the session: viewers leave, the chapter closes, open goals expire, the battle ends,
        pending invitations are cancelled (``session.ended``); ending it again changes nothing.
        ``LiveNotFoundError`` (``session_not_found``)."""
        return sessions.end(self.context, session_id)

    def live_session(self, creator_id: UserId) -> LiveSession | None:
        """The room's session that is live now, if any."""
        return sessions.live_of(self.context, creator_id)

    def session(self, session_id: int) -> LiveSession:
        """The session; ``LiveNotFoundError`` (``session_not_found``) when there is none."""
        return sessions.get(self.context, session_id)

    def join(self, session_id: int, viewer_id: UserId) -> int:
        """The viewer enters the live session (``viewer.joined``); returns the concurrent viewers.
        ``LiveNotFoundError`` (``session_not_found``), ``LiveStateError`` (``session_ended``),
        ``UserNotFoundError``."""
        return sessions.join(self.context, session_id, viewer_id)

    def leave(self, session_id: int, viewer_id: UserId) -> int:
        """The viewer leaves (``viewer.left`` if they were there); returns the concurrent viewers.
        ``LiveNotFoundError`` (``session_not_found``), ``LiveStateError`` (``session_ended``)."""
        return sessions.leave(self.context, session_id, viewer_id)

    def session_totals(self, session_id: int) -> SessionTotals:
        """The session's concurrent viewers, gifts, coins and watch time; ``LiveNotFoundError``
        (``session_not_found``)."""
        return sessions.totals(self.context, session_id)

    def watch_time(self, session_id: int) -> WatchTime:
        """Each viewer's watch time in the session (up to now while it is live) and the total;
        ``LiveNotFoundError`` (``session_not_found``)."""
        return sessions.watch_time(self.context, session_id)

    def viewers_at(self, session_id: int, at: int) -> int:
        """How many viewers watched the session at the instant ``at`` (nanoseconds)."""
        return sessions.viewers_at(self.context, session_id, at)

    def interact(
        self, session_id: int, user_id: UserId, kind: InteractionKind, *, text: str = ""
    ) -> Interaction:
        """A like, comment, share or follow in the live session, counted in the current chapter
        (``interaction``). ``LiveNotFoundError`` (``session_not_found``), ``LiveStateError``
        (``session_ended``), ``LiveError`` (``self_follow``), ``UserNotFoundError``."""
        return sessions.interact(self.context, session_id, user_id, kind, text)

    def follow(self, creator_id: UserId, user_id: UserId) -> bool:
        """The user follows the creator, live or not; True for their first follow."""
        return sessions.follow(self.context, creator_id, user_id)

    # --- chapters ---------------------------------------------------------------------

    def plan_chapters(self, session_id: int, plans: Sequence[ChapterPlan]) -> list[Chapter]:
        """Append chapters to the live session's plan; returns the whole plan. ``LiveError``
        (``chapter_invalid``), ``LiveNotFoundError`` (``session_not_found``), ``LiveStateError``
        (``session_ended``)."""
        return chapters.plan(self.context, session_id, plans)

    def advance_chapter(self, session_id: int) -> Chapter:
        """End the current chapter and start the next planned one (``chapter.changed``).
        ``LiveStateError`` (``chapters_exhausted``, ``session_ended``), ``LiveNotFoundError``
        (``session_not_found``)."""
        return chapters.advance(self.context, session_id)

    def record_chapters(
        self, session_id: int, chapters: Sequence[tuple[str, int, int]]
    ) -> list[Chapter]:
        """An ended session's schedule: ``(title, started_at_ns, ended_at_ns)`` each."""
        return record_chapter_windows(self.context, session_id, chapters)

    def chapters(self, session_id: int) -> list[Chapter]:
        """The session's chapters in order (an unknown session has none)."""
        return chapters.chapters(self.context, session_id)

    def chapter_totals(self, session_id: int) -> list[ChapterTotals]:
        """Gifts, coins and interactions of each chapter that started (none for an unknown
        session)."""
        return chapters.totals(self.context, session_id)

    # --- goals ------------------------------------------------------------------------

    def create_goal(
        self,
        session_id: int,
        *,
        kind: GoalKind,
        target: int,
        gift_id: GiftId | None = None,
        promise: str = "",
        deadline_s: int | None = None,
    ) -> Goal:
        """A goal for the live session (``goal.created``); ``deadline_s`` counts from now.
        ``LiveError`` (``goal_target_invalid``, ``goal_gift_invalid``), ``GiftNotFoundError``,
        ``LiveNotFoundError`` (``session_not_found``), ``LiveStateError`` (``session_ended``)."""
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
        """The goal; ``LiveNotFoundError`` (``goal_not_found``) when there is none."""
        return goals.get(self.context, goal_id)

    def goals(self, session_id: int) -> list[Goal]:
        """The session's goals, oldest first (an unknown session has none)."""
        return goals.of_session(self.context, session_id)

    # --- battles ----------------------------------------------------------------------

    def start_battle(self, session_ids: Sequence[int], *, duration_s: int | None = None) -> Battle:
        """A battle between the live sessions from now for ``duration_s`` (the settings' default);
        ``LiveError`` (``battle_sides_invalid``, ``battle_duration_invalid``),
        ``LiveNotFoundError`` (``session_not_found``), ``LiveStateError`` (``session_ended``,
        ``battle_running``)."""
        return battles.start(self.context, session_ids, duration_s=duration_s)

    def trigger_booster(
        self,
        battle_id: int,
        *,
        session_id: int,
        by_user_id: UserId,
        multiplier: int,
        duration_s: int | None = None,
    ) -> Battle:
        """The side's host multiplies its points for ``duration_s`` (``battle.booster``), once per
        side. ``LiveNotFoundError`` (``battle_not_found``, ``battle_side_not_found``),
        ``LiveError`` (``battle_not_running``, ``booster_forbidden``, ``booster_invalid``,
        ``booster_used``)."""
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
        """The invitee's host says yes; the last yes starts the battle. ``LiveNotFoundError``
        (``battle_invitation_not_found``, ``battle_invitee_not_found``), ``LiveStateError``
        (``battle_invitation_expired``, ``battle_invitation_closed``); answering again changes
        nothing."""
        return invitations.accept(self.context, invitation_id, session_id)

    def decline_battle_invitation(self, invitation_id: int, *, session_id: int) -> Invitation:
        """The invitee's host says no: the invitation is declined for everyone.
        ``LiveNotFoundError`` (``battle_invitation_not_found``, ``battle_invitee_not_found``),
        ``LiveStateError`` (``battle_invitation_expired``, ``battle_invitation_closed``)."""
        return invitations.decline(self.context, invitation_id, session_id)

    def withdraw_battle_invitation(self, invitation_id: int) -> Invitation:
        """The inviter takes the invitation back (twice changes nothing). ``LiveNotFoundError``
        (``battle_invitation_not_found``), ``LiveStateError`` (``battle_invitation_expired``,
        ``battle_invitation_closed``)."""
        return invitations.withdraw(self.context, invitation_id)

    def battle_invitation(self, invitation_id: int) -> Invitation:
        """The invitation; ``LiveNotFoundError`` (``battle_invitation_not_found``) when there is
        none."""
        return invitations.get(self.context, invitation_id)

    def battle_invitations(self, room_id: UserId) -> list[Invitation]:
        """The room's pending invitations, sent and received."""
        return invitations.of_room(self.context, room_id)

    def end_battle(self, battle_id: int) -> Battle:
        """End the battle now (or at its end time, if that has passed): winner and MVPs
        (``battle.ended``); ending an ended one changes nothing. ``LiveNotFoundError``
        (``battle_not_found``)."""
        return battles.end(self.context, battle_id)

    def end_due_battles(self) -> list[Battle]:
        """End every battle whose time is up (the sweep); returns those it ended."""
        return battles.end_due(self.context)

    def battle(self, battle_id: int) -> Battle:
        """The battle; ``LiveNotFoundError`` (``battle_not_found``) when there is none."""
        return battles.get(self.context, battle_id)

    # --- supporters -------------------------------------------------------------------

    def session_leaderboard(self, session_id: int, *, limit: int | None = None) -> list[Standing]:
        """The session's top supporters by coins (``limit``: the settings' top by default); an
        unknown session has none."""
        return supporters.session_top(self.context, session_id, limit)

    def week_leaderboard(self, creator_id: UserId, *, limit: int | None = None) -> list[Standing]:
        """The creator's top supporters since Monday 00:00 UTC, from the gifts themselves."""
        return supporters.week_top(self.context, creator_id, limit)

    def all_time_leaderboard(
        self, creator_id: UserId, *, limit: int | None = None
    ) -> list[Standing]:
        """The creator's top supporters of all time by coins."""
        return supporters.all_time_top(self.context, creator_id, limit)

    def add_perk(self, creator_id: UserId, *, level: int, kind: PerkKind, value: str = "") -> Perk:
        """A perk for the creator's supporter level ``level``. ``LiveError``
        (``perk_level_invalid``, ``not_a_creator``), ``UserNotFoundError``."""
        return supporters.add_perk(self.context, creator_id, level=level, kind=kind, value=value)

    def replace_perks(
        self, creator_id: UserId, perks: Sequence[tuple[int, PerkKind, str]]
    ) -> list[Perk]:
        """The creator's perks become ``perks`` (level, kind, value), all at once; returns them.
        ``LiveError`` (``perk_level_invalid``, ``not_a_creator``), ``UserNotFoundError``."""
        return supporters.replace_perks(self.context, creator_id, perks)

    def perks(self, creator_id: UserId) -> list[Perk]:
        """The creator's perks, by level (none for an unknown user)."""
        return supporters.perks(self.context, creator_id)

    # --- overlays ---------------------------------------------------------------------

    def overlay_state(self, room_id: UserId) -> OverlayState:
        """What the room's overlays show now, and the newest event it counts."""
        return overlay.state(self.context, room_id)

    def supporter_level(self, creator_id: UserId, user_id: UserId) -> SupporterLevel:
        """The user's supporter level with the creator, from their lifetime coins, with the perks it
        unlocks."""
        return supporters.level(self.context, creator_id, user_id)

    # --- scheduled LIVEs ----------------------------------------------------------------

    def schedule_live(
        self,
        creator_id: UserId,
        *,
        title: str,
        starts_at: UnixNs,
        chapters: Sequence[ChapterPlan] = (),
        goal: PlannedGoal | None = None,
        reminder_offsets_s: Sequence[int] | None = None,
    ) -> ScheduledLive:
        """A scheduled LIVE of the creator (``schedule.created``). ``LiveError`` (``not_a_creator``,
        ``scheduled_live_start_invalid``, ``reminder_offsets_invalid``, ``chapter_invalid``, a
        goal's codes), ``GiftNotFoundError``, ``UserNotFoundError``."""
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
        """The scheduled LIVE; ``LiveNotFoundError`` (``scheduled_live_not_found``) when there is
        none."""
        return schedules.get(self.context, schedule_id)

    def scheduled_lives(
        self, creator_id: UserId, *, state: ScheduleState | None = None
    ) -> list[ScheduledLive]:
        """The room's scheduled LIVEs, newest start first (only those in ``state``, if given), at
        most 500."""
        return schedules.of_room(self.context, creator_id, state=state)

    def update_scheduled_live(self, schedule_id: str, changes: Changes) -> ScheduledLive:
        """Change a LIVE still scheduled (``schedule.updated``); reminders sent are not sent again.
        ``LiveNotFoundError`` (``scheduled_live_not_found``), ``LiveStateError``
        (``scheduled_live_state_invalid``), ``LiveError`` (the same checks as ``schedule_live``)."""
        return schedules.update(self.context, schedule_id, changes)

    def cancel_scheduled_live(self, schedule_id: str) -> ScheduledLive:
        """Cancel a scheduled LIVE (``schedule.cancelled``); cancelling it again changes nothing.
        ``LiveNotFoundError`` (``scheduled_live_not_found``), ``LiveStateError``
        (``scheduled_live_state_invalid``)."""
        return schedules.cancel(self.context, schedule_id)

    def register(self, schedule_id: str, user_id: UserId) -> tuple[Registration, bool]:
        """The viewer registers for a scheduled LIVE; True the first time."""
        return schedule_registrations.register(self.context, schedule_id, user_id)

    def unregister(self, schedule_id: str, user_id: UserId) -> bool:
        """The viewer's registration is removed; True if there was one. ``LiveNotFoundError``
        (``scheduled_live_not_found``)."""
        return schedule_registrations.unregister(self.context, schedule_id, user_id)

    def registrations(
        self, schedule_id: str, *, limit: int = 100, offset: int = 0
    ) -> list[Registration]:
        """A page of the LIVE's registrations, oldest first. ``LiveNotFoundError``
        (``scheduled_live_not_found``)."""
        return schedule_registrations.registrations(
            self.context, schedule_id, limit=limit, offset=offset
        )

    def is_registered(self, schedule_id: str, user_id: UserId) -> bool:
        """True if the user is registered for the scheduled LIVE."""
        return schedule_registrations.is_registered(self.context, schedule_id, user_id)

    def schedule_figures(self, schedule_id: str) -> Figures:
        """The scheduled LIVE's figures (registered, attended, gifted); ``LiveNotFoundError``
        (``scheduled_live_not_found``)."""
        return schedule_figures.figures(self.context, schedule_id)

    def schedule_figures_of_session(self, session_id: int) -> Figures | None:
        """The figures of the scheduled LIVE the session took up, or ``None``."""
        return schedule_figures.figures_of_session(self.context, session_id)

    def schedule_counts(self, creator_id: UserId) -> dict[str, int]:
        """The creator's scheduled LIVEs per state (missed ones counted at once)."""
        return schedule_figures.counts(self.context, creator_id)

    def countdown(self, room_id: UserId) -> Countdown:
        """What the room's countdown overlay shows now: its live or next scheduled LIVE, and the
        newest event it counts."""
        return schedule_figures.countdown(self.context, room_id)

    def sweep_schedules(self) -> int:
        """Mark missed LIVEs, then send the reminders due; returns reminders sent."""
        schedule_sweep.mark_missed(self.context)
        return schedule_sweep.remind_due(self.context)
