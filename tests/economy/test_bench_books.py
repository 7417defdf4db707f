"""The serving bench's read of the books (``giftflow.bench.books``), against a real
store on each backend: what the viewers' wallets paid equals the booked gifts, each
charged once, with no key left in use."""

from __future__ import annotations

from giftflow.bench.books import read_books
from tests.economy.conftest import Market


def test_the_books_count_what_the_viewers_paid_and_the_gifts_booked(market: Market) -> None:
    creator = market.creator()
    viewers = [market.viewer(f"viewer-{n}") for n in range(3)]
    for viewer in viewers:
        market.buy(viewer, 1_000)
    sent = [market.gift(viewers[0], creator), market.gift(viewers[2], creator, quantity=3)]

    books = read_books(market.economy.context.settings.database_url, tuple(v.id for v in viewers))

    assert books.coins_spent == books.gift_coins == sum(gift.coins for gift in sent) > 0
    assert books.gifts_booked == books.coin_legs == 2
    assert books.consistent
    assert books.stuck_keys == 0
    assert books.reconciled
    assert books.gift_senders == {gift.id: gift.sender_id for gift in sent}
