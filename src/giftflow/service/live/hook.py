"""The gift listener: what a gift in a session changes in LIVE, written inside the
gift's own transaction (see ``EconomyContext.gift_listeners``)."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.service.economy.context import GiftBooked, PendingEvent
from giftflow.service.live import battles, goals, supporters
from giftflow.service.live.context import LiveSettings
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class LiveGiftListener:
    """A ``GiftListener``; a class so that ``Live.open`` can tell it is registered."""

    settings: LiveSettings

    def __call__(self, tx: Tx, gift: GiftBooked) -> list[PendingEvent]:
        row = tx.execute(
            "SELECT creator_id, ended_at FROM live_sessions WHERE id = ?", (gift.session_id,)
        ).fetchone()
        # A gift naming another creator's session, or one that has ended, is booked
        # (money is the ledger's business) but moves nothing in the room.
        if row is None or row[0] != gift.creator_id or row[1] != 0:
            return []
        return [
            *battles.on_gift(tx, gift),
            *goals.on_gift(tx, gift),
            *supporters.on_gift(tx, gift, top=self.settings.leaderboard_top),
        ]
