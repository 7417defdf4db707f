"""A full engine queue answers at once, 503 with Retry-After, and the door recovers."""

from __future__ import annotations

import sqlite3
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path

import httpx

from tests.api.conftest import ROSE, World, assert_problem, open_world

QUEUE_MAX = 4
"""Transfers the test server's engine queues at most: two gifts of two transfers."""


def test_a_full_queue_answers_503_with_retry_after_and_recovers(tmp_path: Path) -> None:
    database = tmp_path / "economy.db"
    with open_world(
        f"sqlite:///{database}", tmp_path / "payouts", engine_queue_max=QUEUE_MAX
    ) as world:
        viewer = world.user("viewer")["id"]
        creator = world.user("creator", creator=True)["id"]
        world.buy(viewer, 1_000)
        coins = world.coins(viewer)
        blocker = sqlite3.connect(database, isolation_level=None)
        blocker.execute("BEGIN IMMEDIATE")  # the writer now waits for SQLite's write lock
        with ThreadPoolExecutor(max_workers=8) as pool:
            try:
                sent, refused = _until_refused(world, pool, viewer, creator)
            finally:
                blocker.execute("COMMIT")
                blocker.close()
            answers = [answer.result(timeout=60) for answer in sent]
        assert_problem(refused, 503, "engine_overloaded")
        assert refused.headers["Retry-After"] == "1"
        booked = [answer for answer in answers if answer.status_code == 201]
        for answer in answers:
            assert answer.status_code in (201, 503), answer.text
        assert booked, "the queued gifts were booked once the writer could go on"
        after = world.ok(
            world.post(
                "/v1/gifts",
                world.gift_body(viewer, creator, ROSE),
                world.admin_key,
                key=world.new_key(),
            ),
            201,
        )
        assert after["coins"] == 1
        assert world.coins(viewer) == coins - len(booked) - 1
        assert world.economy.reconcile().ok


def _until_refused(
    world: World, pool: ThreadPoolExecutor, viewer: int, creator: int
) -> tuple[list[Future[httpx.Response]], httpx.Response]:
    """Send gifts (each waits on the blocked writer in the background) until one is
    refused; the queue holds two gifts, so a refusal comes within a few tries."""
    sent: list[Future[httpx.Response]] = []
    for _ in range(7):
        body = world.gift_body(viewer, creator, ROSE)
        sent.append(
            pool.submit(world.post, "/v1/gifts", body, world.admin_key, key=world.new_key())
        )
        try:
            answer = sent[-1].result(timeout=0.5)
        except TimeoutError:
            continue
        if answer.status_code == 503:
            return sent, answer
    raise AssertionError("the engine never refused a gift while its queue was full")
