"""``giftflow bench promote --door N``: N feed fills through the door, beside the
in-process decision that ``bench_promote`` times.

``promotions`` promotions (1,000 coins over 24 hours each, 100 creators; half automatic,
the rest in one region each) are created, submitted and approved through the Python API
on a fresh SQLite database; then a real ``giftflow serve`` (one worker, on loopback)
answers ``POST /v1/promote/fill`` for a platform key, one request at a time on one
kept-alive connection, 4 slots each, viewers and regions at random. Each fill is timed
by the client's wall clock, from the request's first byte sent to the answer's last
byte read: the whole door (HTTP parsing, the key's check, the candidates' refresh from
the database every ``promote_candidates_ttl_s``, the decision, the impressions'
group-committed write, the JSON answer). ``fill_cpu_p99_ms`` of ``bench_promote`` is
the decision alone; on a loaded machine both wall clocks include the waits for a core.
"""

from __future__ import annotations

import asyncio
import random
import tempfile
import time
from dataclasses import asdict, dataclass
from datetime import date
from pathlib import Path
from typing import Final

from pydantic import SecretStr

from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import percentile
from giftflow.bench.population import SANDBOX_SECRET, PopulationError, fund
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.bench.wire import connect_to
from giftflow.http.keys import create_api_key
from giftflow.ledger.clock import NS_PER_S
from giftflow.promote.promotions import Audience, ContentKind, Goal, Plan
from giftflow.service.economy import Economy, Registration
from giftflow.service.promote import Promote
from giftflow.settings import Settings

CREATORS: Final = 100
BUDGET_COINS: Final = 1_000
HOURS: Final = 24
SLOTS: Final = 4
VIEWERS: Final = 20_000
REGIONS: Final = ("US", "GB", "DE", "FR", "BR")
FEED_SCOPES: Final = ("promote:write",)


@dataclass(frozen=True, slots=True)
class DoorResult:
    promotions: int
    fills: int
    served: int
    """Placements the fills answered."""
    fill_door_p50_ms: float
    fill_door_p99_ms: float
    """Wall clock of ``POST /v1/promote/fill`` as the platform sees it (see the module's
    docstring)."""
    seed_s: float
    """Creating, submitting and approving the promotions (not part of a fill)."""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def bench_promote_door(*, promotions: int, fills: int, seed: int = 12) -> DoorResult:
    rng = random.Random(seed)
    with (
        fresh_databases("sqlite", "") as url_for,
        tempfile.TemporaryDirectory(prefix="giftflow-bench-promote-") as temporary,
    ):
        url = url_for("promote-door")
        began = time.perf_counter()
        key = _seed(url, promotions, rng)
        seeded = time.perf_counter() - began
        folder = Path(temporary)
        environment = server_environment(url, folder=folder)
        with BenchServer(environment, workers=1, log_path=folder / "serve.log") as server:
            walls, served = asyncio.run(_fills(server.base_url, key, fills, rng))
    times = sorted(walls) or [0.0]
    return DoorResult(
        promotions=promotions,
        fills=fills,
        served=served,
        fill_door_p50_ms=round(percentile(times, 0.5), 4),
        fill_door_p99_ms=round(percentile(times, 0.99), 4),
        seed_s=round(seeded, 1),
    )


def _seed(url: str, promotions: int, rng: random.Random) -> str:
    """The creators (funded by sandbox checkouts), their promotions running from now,
    and the platform's key."""
    settings = Settings(
        database_url=url,
        environment="development",  # the bench's coins come from the sandbox: play money
        sandbox_webhook_secret=SecretStr(SANDBOX_SECRET),
    )
    with Economy.open(settings) as economy:
        registrations = [
            Registration(f"bench-creator-{n}", f"Creator {n}", date(1990, 1, 1), "US", True, True)
            for n in range(CREATORS)
        ]
        creators = [user.id for user in economy.register_users(registrations)]
        each = -(-promotions // CREATORS)
        fund(economy, creators, each * BUDGET_COINS)
        promote = Promote.open(economy)
        starts = economy.context.clock.now_ns()
        for number in range(promotions):
            plan = _plan(number, starts, rng)
            draft = promote.create(creator_id=creators[number % CREATORS], plan=plan)
            promote.submit(draft.id)
            promote.approve(draft.id)
        return create_api_key(economy.ledger, name="bench promote", scopes=FEED_SCOPES).key


def _plan(number: int, starts: int, rng: random.Random) -> Plan:
    audience = Audience(regions=frozenset({rng.choice(REGIONS)})) if number % 2 else Audience()
    return Plan(
        ContentKind.VIDEO,
        f"content-{number}",
        Goal.VIEWS,
        BUDGET_COINS,
        starts,
        starts + HOURS * 3_600 * NS_PER_S,
        audience,
    )


async def _fills(
    base_url: str, key: str, fills: int, rng: random.Random
) -> tuple[list[float], int]:
    connection = connect_to(base_url, {"Authorization": f"Bearer {key}"})
    walls: list[float] = []
    served = 0
    try:
        for _ in range(fills):
            body = {
                "viewer_id": 1_000_000 + rng.randrange(VIEWERS),
                "region": rng.choice(REGIONS),
                "slots": SLOTS,
            }
            started = time.perf_counter_ns()
            reply = await connection.request("POST", "/v1/promote/fill", body=body)
            walls.append((time.perf_counter_ns() - started) / 1e6)
            if reply.status != 200:
                raise PopulationError(f"a fill was answered {reply.status}: {reply.body[:200]!r}")
            served += len(reply.json()["placements"])
    finally:
        connection.close()
    return walls, served
