"""``giftflow bench http --abuse``: do the rate limits keep one abusive key from hurting
everyone else?

One ``giftflow serve`` whose platform keys may write ``rate_limit_per_s`` requests a
second (burst: one second's worth). Several normal keys send single gifts, paced, at
``normal_share`` of their limit, each from a gifter process of its own (``gifter.py``):
first alone (the idle server's latency), then while one more key sends ``abuse_factor``
times its limit. The figures: the normal keys' p99 in both phases and their ratio
(target: within 2x), and what the abuser was answered (mostly 429 ``rate_limited``).
"""

from __future__ import annotations

import tempfile
import time
from collections import Counter
from contextlib import ExitStack
from dataclasses import asdict, dataclass, replace
from pathlib import Path
from typing import Final

from giftflow.bench.databases import fresh_databases
from giftflow.bench.figures import percentile, ratio
from giftflow.bench.gifter import GifterConfig, Sent, read_sent
from giftflow.bench.population import SCOPES, Population, populate
from giftflow.bench.processes import ClientProcess
from giftflow.bench.serving import BenchServer, server_environment
from giftflow.bench.target import GiftTarget
from giftflow.http.keys import create_api_key
from giftflow.service.economy import Economy
from giftflow.settings import Settings

VIEWERS: Final = 1_000
COINS_PER_VIEWER: Final = 100_000
TARGET_RATIO: Final = 2.0
SENDERS_PER_NORMAL_KEY: Final = 4
ABUSER_SENDERS_MAX: Final = 64


@dataclass(frozen=True, slots=True)
class AbuseOptions:
    backend: str = "sqlite"
    workers: int = 1
    duration_s: float = 10.0
    rate_limit_per_s: float = 20.0
    """Every platform key's writes a second (its burst: one second's worth)."""
    normal_keys: int = 3
    normal_share: float = 0.5
    """Each normal key sends this share of its limit."""
    abuse_factor: float = 10.0
    postgres_url: str = "postgresql://postgres@127.0.0.1:5432/postgres"


@dataclass(frozen=True, slots=True)
class Phase:
    """The normal keys' answers in one phase."""

    sent: int
    statuses: dict[str, int]
    p50_ms: float
    p99_ms: float

    @classmethod
    def of(cls, requests: list[Sent]) -> Phase:
        latencies = sorted(_latency_ms(r) for r in requests if _answered(r))
        return cls(
            sent=len(requests),
            statuses=_statuses(requests),
            p50_ms=round(percentile(latencies, 0.50), 2) if latencies else 0.0,
            p99_ms=round(percentile(latencies, 0.99), 2) if latencies else 0.0,
        )


@dataclass(frozen=True, slots=True)
class AbuseResult:
    backend: str
    workers: int
    duration_s: float
    rate_limit_per_s: float
    normal_keys: int
    normal_rate_per_s: float
    """Per normal key."""
    abuser_rate_per_s: float
    idle: Phase
    abused: Phase
    abuser_statuses: dict[str, int]
    p99_ratio: float
    """The normal keys' p99 under abuse over their p99 alone."""

    @property
    def ok(self) -> bool:
        """Within the target, and no normal key was refused."""
        refused = sum(n for status, n in self.abused.statuses.items() if status != "201")
        return self.p99_ratio <= TARGET_RATIO and refused == 0

    def as_dict(self) -> dict[str, object]:
        return asdict(self) | {"ok": self.ok}


def bench_abuse(options: AbuseOptions) -> AbuseResult:
    with (
        fresh_databases(options.backend, options.postgres_url) as url_for,
        tempfile.TemporaryDirectory(prefix="giftflow-bench-abuse-") as temporary,
    ):
        folder = Path(temporary)
        url = url_for("abuse")
        population = populate(url, viewers=VIEWERS, coins_per_viewer=COINS_PER_VIEWER)
        keys = _keys(url, options.normal_keys + 1)
        environment = server_environment(url, folder=folder) | _limits(options.rate_limit_per_s)
        server = BenchServer(environment, workers=options.workers, log_path=folder / "serve.log")
        with server:
            normal, abuser = _targets(population, keys, options.normal_keys)
            idle = _phase(server, folder, "idle", options, normal, None)
            abused = _phase(server, folder, "abused", options, normal, abuser)
    abuser_requests = abused.pop()
    idle_phase, abused_phase = Phase.of(_flat(idle)), Phase.of(_flat(abused))
    return AbuseResult(
        backend=options.backend,
        workers=options.workers,
        duration_s=options.duration_s,
        rate_limit_per_s=options.rate_limit_per_s,
        normal_keys=options.normal_keys,
        normal_rate_per_s=_normal_rate(options),
        abuser_rate_per_s=_abuser_rate(options),
        idle=idle_phase,
        abused=abused_phase,
        abuser_statuses=_statuses(abuser_requests),
        p99_ratio=ratio(abused_phase.p99_ms, idle_phase.p99_ms),
    )


def _limits(per_s: float) -> dict[str, str]:
    burst = str(max(1, round(per_s)))
    return {
        "GIFTFLOW_RATE_LIMIT_KEY_WRITE_PER_S": str(per_s),
        "GIFTFLOW_RATE_LIMIT_KEY_WRITE_BURST": burst,
    }


def _keys(url: str, count: int) -> list[str]:
    with Economy.open(Settings(database_url=url)) as economy:
        return [
            create_api_key(economy.ledger, name=f"bench-abuse-{n}", scopes=SCOPES).key
            for n in range(count)
        ]


def _targets(
    population: Population, keys: list[str], normal_keys: int
) -> tuple[list[GiftTarget], GiftTarget]:
    """Each key its own slice of the viewers."""
    whole = population.target()
    share = whole.viewers // len(keys)
    targets = [
        replace(
            whole, api_key=key, first_viewer_id=whole.first_viewer_id + n * share, viewers=share
        )
        for n, key in enumerate(keys)
    ]
    return targets[:normal_keys], targets[normal_keys]


def _normal_rate(options: AbuseOptions) -> float:
    return options.rate_limit_per_s * options.normal_share


def _abuser_rate(options: AbuseOptions) -> float:
    return options.rate_limit_per_s * options.abuse_factor


def _phase(
    server: BenchServer,
    folder: Path,
    name: str,
    options: AbuseOptions,
    normal: list[GiftTarget],
    abuser: GiftTarget | None,
) -> list[list[Sent]]:
    """Every gifter of the phase at once; their requests, the abuser's last."""
    configs = [
        _config(server, folder, f"{name}-{n}", target, _normal_rate(options), options)
        for n, target in enumerate(normal)
    ]
    if abuser is not None:
        configs.append(
            _config(server, folder, f"{name}-abuser", abuser, _abuser_rate(options), options)
        )
    with ExitStack() as stack:
        processes = [
            stack.enter_context(
                ClientProcess("giftflow.bench.gifter", c.to_json(), Path(f"{c.out}.config"))
            )
            for c in configs
        ]
        for process in processes:
            process.expect("done")
            process.wait()
    return [read_sent(Path(c.out)) for c in configs]


def _config(
    server: BenchServer,
    folder: Path,
    name: str,
    target: GiftTarget,
    rate_per_s: float,
    options: AbuseOptions,
) -> GifterConfig:
    senders = (
        SENDERS_PER_NORMAL_KEY if rate_per_s <= options.rate_limit_per_s else ABUSER_SENDERS_MAX
    )
    return GifterConfig(
        base_url=server.base_url,
        target=target,
        prefix=f"abuse-{name}-{time.time_ns()}",
        out=str(folder / f"{name}.jsonl"),
        mode="paced",
        concurrency=senders,
        rate_per_s=rate_per_s,
        duration_s=options.duration_s,
    )


def _flat(groups: list[list[Sent]]) -> list[Sent]:
    return [request for group in groups for request in group]


def _answered(request: Sent) -> bool:
    return request.first is not None and request.first.status is not None


def _latency_ms(request: Sent) -> float:
    assert request.first is not None
    return (request.first.at_ns - request.sent_ns) / 1e6


def _statuses(requests: list[Sent]) -> dict[str, int]:
    counted = Counter(
        str(r.first.status) if r.first is not None and r.first.status is not None else "none"
        for r in requests
    )
    return dict(sorted(counted.items()))
