"""``giftflow bench http --kill K``: SIGKILL a real server K times during a burst of
single gifts, restart it, retry every unanswered request with its own key and body,
and audit the books.

The burst comes from ``giftflow.bench.gifter`` in its own process, which remembers
each request, its key and every answer. After the last restart it sends every request
again with its own key (an answered one must get its first answer back), and a
request whose key is still in use once more under a new key, so that the gift's
``event_id`` tells whether it had been booked. Then, from the database:

- acknowledged-lost: an answer ``201`` whose gift is not booked;
- doubled: a gift charged twice (more coin legs than gifts, or two requests answered
  with one gift), or an answer that named another gift than the first;
- stuck keys: ``idempotency_keys`` rows still ``status_code = 0`` after the restart.
"""

from __future__ import annotations

import time
from collections import Counter
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Final

from giftflow.bench.books import Books, read_books
from giftflow.bench.gifter import IN_USE, GifterConfig, Sent, read_sent
from giftflow.bench.population import Population
from giftflow.bench.processes import ClientProcess
from giftflow.bench.serving import BenchServer

BURST_BETWEEN_KILLS_S: Final = 1.0
BURST_CONCURRENCY: Final = 32


@dataclass(frozen=True, slots=True)
class KillReport:
    kills: int
    requests: int
    acknowledged: int
    """Answered 201 during the burst."""
    unanswered: int
    """No answer during the burst (or a 5xx): retried with the same key."""
    retried_done: int
    """… and the retry booked it (nothing had been)."""
    retried_first_answer: int
    """… and the retry got the stored first answer (``Idempotent-Replayed``)."""
    retried_in_use: int
    """… and the retry found the key still claimed (409 ``idempotency_key_in_use``)."""
    retried_other: int
    in_use_booked: int
    """Of the keys found in use, gifts that had been booked nonetheless."""
    replays_differ: int
    """Answered requests whose retry did not give back the first answer."""
    acknowledged_lost: int
    doubled: int
    stuck_keys: int
    coins_consistent: bool
    reconciled: bool

    @property
    def ok(self) -> bool:
        clean = (self.acknowledged_lost, self.doubled, self.stuck_keys, self.replays_differ)
        return not any(clean) and self.coins_consistent and self.reconciled

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"ok": self.ok}


def bench_kill(
    population: Population,
    server: BenchServer,
    *,
    database_url: str,
    kills: int,
    folder: Path,
) -> KillReport:
    """A burst against ``server`` (stopped: this starts it and stops it at the end),
    killed ``kills`` times, on the database ``population`` lives in."""
    config = GifterConfig(
        base_url=server.base_url,
        target=population.target(),
        prefix=f"kill-{time.time_ns()}",
        out=str(folder / "kill-burst.jsonl"),
        mode="burst",
        concurrency=BURST_CONCURRENCY,
        check_replays=True,
    )
    server.start()
    try:
        with ClientProcess(
            "giftflow.bench.gifter", config.to_json(), folder / "kill.json"
        ) as burst:
            for _ in range(kills):
                time.sleep(BURST_BETWEEN_KILLS_S)
                server.kill()
                server.start()
            time.sleep(BURST_BETWEEN_KILLS_S)
            burst.say("stop")
            burst.expect("done")
            burst.wait()
    finally:
        server.stop()
    books = read_books(database_url, population.viewer_ids)
    return audit(read_sent(Path(config.out)), books, kills=kills)


def audit(sent: list[Sent], books: Books, *, kills: int) -> KillReport:
    unanswered = [r for r in sent if _unanswered(r)]
    answered = [r for r in sent if not _unanswered(r)]
    retries = Counter(_retry_outcome(r) for r in unanswered)
    return KillReport(
        kills=kills,
        requests=len(sent),
        acknowledged=sum(1 for r in answered if r.first is not None and r.first.status == 201),
        unanswered=len(unanswered),
        retried_done=retries["done"],
        retried_first_answer=retries["first answer"],
        retried_in_use=retries["in use"],
        retried_other=retries["other"],
        in_use_booked=sum(1 for r in sent if r.rescue is not None and r.rescue.booked_before),
        replays_differ=sum(1 for r in answered if not _replayed_first(r)),
        acknowledged_lost=_acknowledged_lost(sent, books),
        doubled=_doubled(sent, books),
        stuck_keys=books.stuck_keys,
        coins_consistent=books.consistent,
        reconciled=books.reconciled,
    )


def _unanswered(request: Sent) -> bool:
    first = request.first
    return first is None or first.status is None or first.status >= 500


def _retry_outcome(request: Sent) -> str:
    retry = request.retry
    if retry is not None and retry.status == 201:
        return "first answer" if retry.replayed else "done"
    if retry is not None and retry.code == IN_USE:
        return "in use"
    return "other"


def _replayed_first(request: Sent) -> bool:
    """The retry of an answered request got the same status and the same gift back."""
    first, retry = request.first, request.retry
    assert first is not None, "an answered request"
    if retry is None:
        return False
    return (retry.status, retry.gift_id) == (first.status, first.gift_id) and retry.replayed


def _acknowledged_lost(sent: list[Sent], books: Books) -> int:
    """Answers 201 (first, retried or rescued) whose gift is not booked for its sender."""
    return sum(
        1
        for request in sent
        for answer in request.answers()
        if answer.status == 201 and books.gift_senders.get(answer.gift_id or 0) != request.sender_id
    )


def _doubled(sent: list[Sent], books: Books) -> int:
    """Gifts charged twice, requests answered with two gifts, gifts answered to two."""
    named = [{a.gift_id for a in r.answers() if a.status == 201} for r in sent]
    two_gifts = sum(1 for ids in named if len(ids) > 1)
    shared = sum(n - 1 for n in Counter(i for ids in named for i in ids).values() if n > 1)
    return max(0, books.coin_legs - books.gifts_booked) + two_gifts + shared
