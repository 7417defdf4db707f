"""``giftflow bench replay``: a real donation log replayed through the economy, batched
(as ``giftflow replay`` does) against the same donations booked one call at a time
(one viewer, one purchase, one donation per call), measured in the same run."""

from __future__ import annotations

import resource
import shutil
import tempfile
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from giftflow.replay.run import Replay, ReplayOptions, open_world
from giftflow.replay.source import Donation, Run, event_name, read_donations, read_runs
from giftflow.service.events import InProcessBus
from giftflow.service.live import Live
from giftflow.store.replay import viewers_count


@dataclass(frozen=True, slots=True)
class ReplayBenchResult:
    event: str
    donations: int
    viewers: int
    batched_s: float
    batched_donations_per_s: float
    baseline_donations: int
    baseline_s: float
    baseline_donations_per_s: float
    ratio: float
    peak_rss_mb: float
    reconciled: bool

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def bench_replay(
    donations_path: Path, runs_path: Path | None, *, baseline_donations: int
) -> ReplayBenchResult:
    donations = read_donations(donations_path)
    runs = read_runs(runs_path) if runs_path is not None else []
    event = event_name(donations_path)
    batched_s, viewers, reconciled = _timed(donations, runs, event, ReplayOptions())
    sample = donations[:baseline_donations]
    one_by_one = ReplayOptions(batch_events=1, chunk=1)
    baseline_s, _, baseline_ok = _timed(sample, [], event, one_by_one)
    batched_rate = len(donations) / batched_s
    baseline_rate = len(sample) / baseline_s
    return ReplayBenchResult(
        event=event,
        donations=len(donations),
        viewers=viewers,
        batched_s=batched_s,
        batched_donations_per_s=batched_rate,
        baseline_donations=len(sample),
        baseline_s=baseline_s,
        baseline_donations_per_s=baseline_rate,
        ratio=batched_rate / baseline_rate,
        peak_rss_mb=resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024,
        reconciled=reconciled and baseline_ok,
    )


def _timed(
    donations: Sequence[Donation], runs: Sequence[Run], event: str, options: ReplayOptions
) -> tuple[float, int, bool]:
    """Seconds to replay into a fresh SQLite file, viewers registered, reconciled."""
    folder = Path(tempfile.mkdtemp(prefix="giftflow-bench-replay-"))
    try:
        with open_world(folder / "replay.db", options, donations[0].at_ns) as world:
            live = Live.open(world.economy, InProcessBus())
            started = time.perf_counter()
            Replay(world, options).run(donations, runs, name=event, live=live)
            elapsed = time.perf_counter() - started
            viewers = world.economy.ledger.read(viewers_count)
            return elapsed, viewers, world.economy.reconcile().ok
    finally:
        shutil.rmtree(folder, ignore_errors=True)
