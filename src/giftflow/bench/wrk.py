"""Driving a server with wrk (the Debian package ``wrk``) and ``wrk.lua``."""

from __future__ import annotations

import json
import shutil
import subprocess
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from pathlib import Path
from typing import Final

from giftflow.bench.target import GiftTarget
from giftflow.errors import GiftflowError

SCRIPT: Final = Path(__file__).with_name("wrk.lua")
MARKER: Final = "giftflow-wrk "
TIMEOUT_S: Final = 10
"""wrk's per-request timeout: a request slower than this counts as a timeout error."""


class WrkError(GiftflowError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bench_wrk_failed")


class Workload(StrEnum):
    HEALTH = "health"
    GIFT = "gift"
    BATCH = "batch"


@dataclass(frozen=True, slots=True)
class WrkRun:
    duration_s: float
    sent: int
    """Requests wrk built and started sending."""
    answered: int
    gifts_ok: int
    """Gifts answered booked: 201s of single gifts, ``ok`` items of batches."""
    p50_ms: float
    p99_ms: float
    statuses: dict[str, int]
    errors: dict[str, int]

    @property
    def requests_per_s(self) -> float:
        return self.answered / self.duration_s

    @property
    def gifts_per_s(self) -> float:
        return self.gifts_ok / self.duration_s

    @property
    def unanswered(self) -> int:
        """Requests still in flight when wrk stopped (or dropped by an error)."""
        return self.sent - self.answered


def run_wrk(
    base_url: str,
    workload: Workload,
    *,
    target: GiftTarget,
    prefix: str,
    connections: int,
    threads: int,
    duration_s: float,
) -> WrkRun:
    """One wrk run of ``duration_s`` (whole seconds, at least 1). Keys and event ids
    start with ``prefix`` and the workload's name."""
    arguments = [
        workload.value,
        f"{prefix}-{workload.value}",
        target.api_key,
        str(target.creator_id),
        str(target.first_viewer_id),
        str(target.viewers),
        str(target.gift_id),
        str(target.batch_size),
    ]
    return run_script(
        f"{base_url}/health" if workload is Workload.HEALTH else base_url,
        arguments,
        connections=connections,
        threads=threads,
        duration_s=duration_s,
    )


def run_script(
    url: str,
    arguments: Sequence[str],
    *,
    connections: int,
    threads: int,
    duration_s: float,
) -> WrkRun:
    """One wrk run of ``wrk.lua`` at ``url`` with its ``arguments`` as they are (the
    ``page`` mode's, say), ended by its ``giftflow-wrk`` summary line."""
    command = [
        _wrk(),
        *("--threads", str(max(1, min(threads, connections)))),
        *("--connections", str(connections)),
        *("--duration", f"{max(1, round(duration_s))}s"),
        *("--timeout", f"{TIMEOUT_S}s"),
        *("--script", str(SCRIPT)),
        url,
        "--",
        *arguments,
    ]
    return _parse(subprocess.run(command, capture_output=True, text=True, check=False))


def _wrk() -> str:
    found = shutil.which("wrk")
    if found is None:
        raise WrkError("wrk is not installed (Debian and Ubuntu: apt-get install wrk)")
    return found


def _parse(done: subprocess.CompletedProcess[str]) -> WrkRun:
    lines = [line for line in done.stdout.splitlines() if line.startswith(MARKER)]
    if done.returncode != 0 or not lines:
        raise WrkError(f"wrk failed ({done.returncode}): {done.stderr.strip() or done.stdout}")
    figures = json.loads(lines[-1].removeprefix(MARKER))
    return WrkRun(
        duration_s=figures["duration_us"] / 1e6,
        sent=figures["sent"],
        answered=figures["answered"],
        gifts_ok=figures["gifts_ok"],
        p50_ms=figures["p50_us"] / 1e3,
        p99_ms=figures["p99_us"] / 1e3,
        statuses={str(k): v for k, v in figures["statuses"].items()},
        errors=figures["errors"],
    )


@dataclass(frozen=True, slots=True)
class Measure:
    """One wrk run: answers a second, gifts booked a second, latency per request."""

    requests_per_s: float
    gifts_per_s: float
    p50_ms: float
    p99_ms: float
    answered: int
    unanswered: int
    statuses: dict[str, int]
    errors: dict[str, int]
    server_cpu_us_per_request: float
    """The server's CPU time (every process of it, user and system) over the answers:
    what a request cost it, whatever else the machine ran meanwhile."""

    @classmethod
    def of(cls, run: WrkRun, server_cpu_s: float) -> Measure:
        return cls(
            requests_per_s=round(run.requests_per_s, 1),
            gifts_per_s=round(run.gifts_per_s, 1),
            p50_ms=run.p50_ms,
            p99_ms=run.p99_ms,
            answered=run.answered,
            unanswered=run.unanswered,
            statuses=run.statuses,
            errors=run.errors,
            server_cpu_us_per_request=round(server_cpu_s * 1e6 / max(run.answered, 1), 1),
        )
