"""The gift listener: what a gift in a session changes in LIVE, written inside the
gift's own transaction (see ``EconomyContext.gift_listeners``)."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.service.creator import gift_rules, subathon
from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live import battles, goals, supporters
from giftflow.service.live.context import LiveSettings
from giftflow.store import sessions
from giftflow.store.tx import RecordRejectedError, Tx


class GiftSessionError(RecordRejectedError):
    """A gift names a session that is not its creator's live session: it is refused
    (not charged), or the session's totals would count money its creator never got."""


def check_session(tx: Tx, gift: GiftBooked) -> None:
    """Inside the gift's transaction, so a session that ends meanwhile cannot slip by."""
    session = sessions.by_id(tx, gift.session_id)
    if session is None:
        raise GiftSessionError(f"no live session {gift.session_id}", code="session_not_found")
    if session.creator_id != gift.creator_id:
        raise GiftSessionError(
            f"session {gift.session_id} is another creator's, not {gift.creator_id}'s",
            code="session_other_creator",
        )
    if session.ended_at is not None:
        raise GiftSessionError(f"session {gift.session_id} has ended", code="session_ended")


@dataclass(frozen=True, slots=True)
class LiveGiftListener:
    """A ``GiftListener``; a class so that ``Live.open`` can tell it is registered."""

    settings: LiveSettings

    def __call__(self, tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
        check_session(tx, gift)
        return [
            *battles.on_gift(tx, gift),
            *goals.on_gift(tx, gift),
            *supporters.on_gift(tx, gift, top=self.settings.leaderboard_top),
            *subathon.on_gift(tx, gift),
            *gift_rules.on_gift(tx, gift),
        ]
