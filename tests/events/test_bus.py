"""The event bus contract, on the in-process bus and on Redis alike: one order per room,
replay after the last id seen, a gap said out loud, publishers never held up."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator

import pytest

from giftflow.ids import UserId
from giftflow.live.events import EVENT_VERSION, Event
from giftflow.service.events import EventBus, ReplayGapError
from tests.events.conftest import RECEIVE_TIMEOUT_S, BusFactory, publish, take

ROOM = 7


def ids(events: list[Event]) -> list[str]:
    return [event.id for event in events]


async def all_until_gap(events: AsyncIterator[Event]) -> list[Event]:
    received: list[Event] = []

    async def collect() -> None:
        async for event in events:
            received.append(event)

    with pytest.raises(ReplayGapError):
        await asyncio.wait_for(collect(), RECEIVE_TIMEOUT_S)
    return received


def test_events_arrive_in_publish_order_with_ids_that_grow(bus: EventBus) -> None:
    async def scenario() -> None:
        first = bus.publish(UserId(ROOM), "session.started", {}, at=1)
        events = bus.subscribe(UserId(ROOM), after=first.id)
        sent = publish(bus, ROOM, 50)
        received = await take(events, 50)
        assert received == sent
        assert ids(received) == sorted(ids(received)) and len(set(ids(received))) == 50
        assert received[0].version == EVENT_VERSION and received[0].room_id == ROOM
        assert [event.data["n"] for event in received] == list(range(50))

    asyncio.run(scenario())


def test_replay_after_an_id_resumes_without_gap_or_duplicate(bus: EventBus) -> None:
    async def scenario() -> None:
        sent = publish(bus, ROOM, 10)
        events = bus.subscribe(UserId(ROOM), after=sent[3].id)
        assert await take(events, 6) == sent[4:]
        later = publish(bus, ROOM, 5, start=10)
        assert await take(events, 5) == later

    asyncio.run(scenario())


def test_replay_after_the_latest_id_waits_for_new_events(bus: EventBus) -> None:
    async def scenario() -> None:
        sent = publish(bus, ROOM, 3)
        events = bus.subscribe(UserId(ROOM), after=sent[-1].id)
        waiting = asyncio.ensure_future(take(events, 1))
        await asyncio.sleep(0)
        assert not waiting.done()
        (later,) = publish(bus, ROOM, 1, start=3)
        assert await waiting == [later]

    asyncio.run(scenario())


def test_without_an_id_a_subscriber_gets_only_what_comes_after_it(bus: EventBus) -> None:
    async def scenario() -> None:
        old = publish(bus, ROOM, 3)
        events = bus.subscribe(UserId(ROOM))
        first = asyncio.ensure_future(take(events, 1))
        news: list[Event] = []
        while not first.done():  # the subscription starts some time after the call
            news += publish(bus, ROOM, 1, start=100 + len(news))
            await asyncio.sleep(0.01)
        (received,) = await first
        assert received in news and received not in old

    asyncio.run(scenario())


def test_rooms_are_separate(bus: EventBus) -> None:
    async def scenario() -> None:
        mine = publish(bus, ROOM, 2)
        publish(bus, ROOM + 1, 5)
        events = bus.subscribe(UserId(ROOM), after=mine[0].id)
        more = publish(bus, ROOM, 1, start=2)
        assert await take(events, 2) == [mine[1], *more]

    asyncio.run(scenario())


def test_an_id_older_than_the_buffer_is_a_gap(new_bus: BusFactory) -> None:
    # Redis trims whole stream nodes (about 100 entries): publish well past that.
    bus = new_bus(buffer=10)
    sent = publish(bus, ROOM, 400)

    async def scenario() -> None:
        assert await all_until_gap(bus.subscribe(UserId(ROOM), after=sent[0].id)) == []
        assert await take(bus.subscribe(UserId(ROOM), after=sent[-6].id), 5) == sent[-5:]

    asyncio.run(scenario())


@pytest.mark.parametrize("after", ["not-an-id", "", "99999999999999999999", "-1"])
def test_an_id_the_room_never_had_is_a_gap(bus: EventBus, after: str) -> None:
    publish(bus, ROOM, 3)

    async def scenario() -> None:
        assert await all_until_gap(bus.subscribe(UserId(ROOM), after=after)) == []

    asyncio.run(scenario())


def test_many_subscribers_see_the_same_sequence(bus: EventBus) -> None:
    async def scenario() -> None:
        first = bus.publish(UserId(ROOM), "session.started", {}, at=0)
        subscribers = [bus.subscribe(UserId(ROOM), after=first.id) for _ in range(5)]
        sent = publish(bus, ROOM, 100)
        received = await asyncio.gather(*(take(events, 100) for events in subscribers))
        assert all(events == sent for events in received)

    asyncio.run(scenario())


def test_processes_sharing_a_bus_see_one_order(new_bus: BusFactory) -> None:
    """Two buses opened on the same Redis are what two server processes hold."""
    left, right = new_bus(), new_bus()

    async def scenario() -> None:
        first = left.publish(UserId(ROOM), "session.started", {}, at=0)
        on_left, on_right = (
            left.subscribe(UserId(ROOM), after=first.id),
            right.subscribe(UserId(ROOM), after=first.id),
        )
        sent = [
            (left, right)[n % 2].publish(UserId(ROOM), "gift.sent", {"n": n}, at=n)
            for n in range(40)
        ]
        assert await take(on_left, 40) == sent
        assert await take(on_right, 40) == sent

    asyncio.run(scenario())


def test_publishing_from_threads_loses_nothing_and_keeps_one_order(new_bus: BusFactory) -> None:
    bus = new_bus(buffer=10_000)
    threads, per_thread = 8, 200

    def publisher(thread: int) -> None:
        for n in range(per_thread):
            bus.publish(UserId(ROOM), "gift.sent", {"thread": thread, "n": n}, at=n)

    async def scenario() -> list[list[Event]]:
        first = bus.publish(UserId(ROOM), "session.started", {}, at=0)
        subscribers = [bus.subscribe(UserId(ROOM), after=first.id) for _ in range(3)]
        readers = [asyncio.ensure_future(take(s, threads * per_thread)) for s in subscribers]
        workers = [threading.Thread(target=publisher, args=(t,)) for t in range(threads)]
        for worker in workers:
            worker.start()
        received = await asyncio.gather(*readers)
        for worker in workers:
            await asyncio.to_thread(worker.join)
        return received

    received = asyncio.run(scenario())
    events = received[0]
    assert all(other == events for other in received[1:])
    assert ids(events) == sorted(ids(events)) and len(set(ids(events))) == threads * per_thread
    assert [int(event_id) for event_id in ids(events)] == list(range(2, 2 + threads * per_thread))
    for thread in range(threads):
        own = [event.data["n"] for event in events if event.data["thread"] == thread]
        assert own == list(range(per_thread))


def test_a_subscriber_that_falls_behind_gets_a_gap_and_holds_up_nobody(
    new_bus: BusFactory,
) -> None:
    bus = new_bus(buffer=10)

    async def scenario() -> None:
        first = bus.publish(UserId(ROOM), "session.started", {}, at=0)
        slow = bus.subscribe(UserId(ROOM), after=first.id)
        reading = asyncio.ensure_future(take(slow, 1))
        one = publish(bus, ROOM, 1)
        assert await reading == one  # subscribed and up to date
        sent = publish(bus, ROOM, 400, start=1)  # returns at once: nobody waits for it
        received = await all_until_gap(slow)
        assert received == sent[: len(received)]

    asyncio.run(scenario())


def test_closing_the_bus_ends_its_subscriptions(bus: EventBus) -> None:
    async def scenario() -> None:
        first = bus.publish(UserId(ROOM), "session.started", {}, at=0)
        events = bus.subscribe(UserId(ROOM), after=first.id)
        waiting = asyncio.ensure_future(take(events, 1))
        await asyncio.sleep(0)
        bus.close()
        with pytest.raises(StopAsyncIteration):
            await waiting

    asyncio.run(scenario())


def test_last_id_names_the_newest_event_of_the_room(bus: EventBus) -> None:
    assert bus.last_id(UserId(ROOM)) is None
    sent = publish(bus, ROOM, 3)
    assert bus.last_id(UserId(ROOM)) == sent[-1].id
    assert bus.last_id(UserId(ROOM + 1)) is None


def test_subscribing_after_the_last_id_misses_nothing_published_since(bus: EventBus) -> None:
    async def scenario() -> None:
        publish(bus, ROOM, 2)
        events = bus.subscribe(UserId(ROOM), after=bus.last_id(UserId(ROOM)))
        later = publish(bus, ROOM, 3, start=2)
        assert await take(events, 3) == later

    asyncio.run(scenario())
