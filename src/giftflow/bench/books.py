"""The books after a serving bench, read straight from its database (the server is
stopped): what the viewers' wallets paid, which gifts are booked, which idempotency
keys are still claimed, and whether the ledger reconciles as ``giftflow reconcile``
proves it."""

from __future__ import annotations

from dataclasses import dataclass

from giftflow.economy.chart import TransferCode
from giftflow.store import books, idempotency, open_store
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class Books:
    coins_spent: int
    """Debits posted on the viewers' wallets: the only thing that spends them here."""
    gifts_booked: int
    gift_coins: int
    """The ``gifts`` rows and their coins."""
    coin_legs: int
    """``GIFT_COINS`` transfers: one per booked gift, or a gift was charged twice."""
    stuck_keys: int
    """Idempotency keys still claimed, never answered (``status_code = 0``)."""
    reconciled: bool
    gift_senders: dict[int, int]
    """Each booked gift's id and its sender."""

    @property
    def consistent(self) -> bool:
        """The wallets paid exactly the booked gifts, each once."""
        return self.coins_spent == self.gift_coins and self.coin_legs == self.gifts_booked


@dataclass(frozen=True, slots=True)
class BooksCheck:
    """Coins spent = acknowledged gifts' coins + those booked but unanswered."""

    acknowledged_coins: int
    in_flight_coins: int
    """Booked but not acknowledged: at most the gifts of the requests left unanswered."""
    in_flight_coins_max: int
    coins_spent: int
    gift_coins: int
    doubled: int
    stuck_keys: int
    reconciled: bool

    @property
    def ok(self) -> bool:
        booked = self.acknowledged_coins + self.in_flight_coins
        spent_is_booked = self.coins_spent == self.gift_coins == booked
        in_flight = 0 <= self.in_flight_coins <= self.in_flight_coins_max
        return spent_is_booked and in_flight and self.doubled == 0 and self.reconciled

    @classmethod
    def of(cls, books: Books, *, acknowledged_coins: int, unanswered_coins: int) -> BooksCheck:
        return cls(
            acknowledged_coins=acknowledged_coins,
            in_flight_coins=books.gift_coins - acknowledged_coins,
            in_flight_coins_max=unanswered_coins,
            coins_spent=books.coins_spent,
            gift_coins=books.gift_coins,
            doubled=max(0, books.coin_legs - books.gifts_booked),
            stuck_keys=books.stuck_keys,
            reconciled=books.reconciled,
        )


def read_books(database_url: str, viewer_ids: tuple[int, ...]) -> Books:
    store = open_store(database_url)
    try:
        reconciled = store.reconcile().ok
        return store.read(lambda tx: _books(tx, viewer_ids, reconciled=reconciled))
    finally:
        store.close()


def _books(tx: Tx, viewer_ids: tuple[int, ...], *, reconciled: bool) -> Books:
    first, last = min(viewer_ids), max(viewer_ids)
    assert last - first + 1 == len(viewer_ids), "the bench's viewers have consecutive ids"
    booked = books.gifts(tx)
    return Books(
        coins_spent=books.wallet_debits(tx, owner_id_first=first, owner_id_last=last),
        gifts_booked=len(booked),
        gift_coins=sum(gift.coins for gift in booked),
        coin_legs=books.transfer_count(tx, TransferCode.GIFT_COINS),
        stuck_keys=idempotency.in_flight_count(tx),
        reconciled=reconciled,
        gift_senders={gift.id: gift.sender_id for gift in booked},
    )
