"""A real ``giftflow serve`` for a bench: a subprocess (and its workers) in a session of
its own, on a free loopback port, that can be stopped, SIGKILLed and started again."""

from __future__ import annotations

import contextlib
import os
import secrets
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path
from types import TracebackType
from typing import Final

from giftflow.bench.wire import ConnectionLostError, request_once
from giftflow.errors import GiftflowError
from giftflow.http.rate_limits import Kind

START_TIMEOUT_S: Final = 90.0
STOP_TIMEOUT_S: Final = 30.0
POLL_S: Final = 0.05
STARTED: Final = b"Application startup complete."
"""What uvicorn logs when a worker's lifespan has started (once per worker)."""
VELOCITY_LIMIT: Final = 1_000_000_000
"""The fraud rule's gift events per wallet and window, out of the way: a bench sends a
few thousand a second from a thousand wallets, which the default rightly refuses."""
UNLIMITED: Final = 1_000_000_000
"""Every rate limit's burst: one bench key sends what a whole platform would."""
CONNECTIONS_MAX: Final = 100_000
"""Above any bench's WebSockets and load generators' connections."""


class ServerError(GiftflowError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bench_server_failed")


def cpu_s(pids: set[int] | None = None, *, session: int | None = None) -> float:
    """CPU time (user + system) the processes ``pids``, or every process of
    ``session``, have used so far, from ``/proc`` (Linux): what a run cost the server
    whatever else the machine ran meanwhile. 0 where ``/proc`` is not there."""
    total_ticks = 0
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rpartition(")")[2].split()
        except OSError:  # gone meanwhile
            continue
        pid = int(stat.parent.name)
        if (pids is not None and pid in pids) or (
            session is not None and int(fields[3]) == session
        ):
            total_ticks += int(fields[11]) + int(fields[12])  # utime, stime
    return total_ticks / os.sysconf("SC_CLK_TCK")


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def server_environment(
    database_url: str, *, redis_url: str | None = None, folder: Path
) -> dict[str, str]:
    """The caller's environment without its ``GIFTFLOW_*``, plus the bench server's."""
    environment = {k: v for k, v in os.environ.items() if not k.startswith("GIFTFLOW_")}
    environment |= {
        "GIFTFLOW_DATABASE_URL": database_url,
        "GIFTFLOW_TOKEN_SECRET": secrets.token_urlsafe(48),
        "GIFTFLOW_VELOCITY_LIMIT": str(VELOCITY_LIMIT),
        "GIFTFLOW_PAYOUT_DIR": str(folder / "payouts"),
        "GIFTFLOW_CONNECTIONS_MAX": str(CONNECTIONS_MAX),
    }
    environment |= {f"GIFTFLOW_RATE_LIMIT_{kind.upper()}_BURST": str(UNLIMITED) for kind in Kind}
    if redis_url is not None:
        environment["GIFTFLOW_REDIS_URL"] = redis_url
    return environment


class BenchServer:
    """``python -m giftflow serve --workers N`` with ``environment``; its output goes to
    ``log_path``. ``start`` returns once ``GET /health`` answers."""

    def __init__(self, environment: dict[str, str], *, workers: int, log_path: Path) -> None:
        self.environment = environment
        self.workers = workers
        self.log_path = log_path
        self.port = free_port()
        self.starts = 0
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def base_url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid(self) -> int:
        """The running server's first process (uvicorn's, or its supervisor's with
        ``--workers``), whose session holds every serving process."""
        assert self._process is not None, "the server is not running"
        return self._process.pid

    def cpu_s(self) -> float:
        """The CPU time the running server (all its workers: a session of its own) has
        used since it started."""
        assert self._process is not None, "the server is not running"
        return cpu_s(session=self._process.pid)

    def start(self) -> None:
        assert self._process is None, "the server is running"
        command = [sys.executable, "-m", "giftflow", "serve", "--port", str(self.port)]
        with self.log_path.open("ab") as log:
            log_offset = log.tell()
            self._process = subprocess.Popen(
                [*command, "--workers", str(self.workers)],
                env=self.environment,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # its workers too: one signal reaches them all
            )
        self.starts += 1
        self._wait_until_healthy(log_offset)

    def kill(self) -> None:
        """SIGKILL the server and every worker at once: a crash, nothing cleaned up."""
        self._signal(signal.SIGKILL)
        self._reap(STOP_TIMEOUT_S)

    def stop(self) -> None:
        """SIGINT, as Ctrl-C: the workers finish, close their economies and exit."""
        if self._process is None:
            return
        self._signal(signal.SIGINT)
        try:
            self._reap(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            self.kill()

    def log_tail(self, lines: int = 20) -> str:
        text = self.log_path.read_text(errors="replace") if self.log_path.exists() else ""
        return "\n".join(text.splitlines()[-lines:])

    def __enter__(self) -> BenchServer:
        self.start()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        self.stop()

    def _signal(self, number: signal.Signals) -> None:
        assert self._process is not None, "the server is not running"
        with contextlib.suppress(ProcessLookupError):  # gone already: _reap collects it
            os.killpg(self._process.pid, number)

    def _reap(self, timeout_s: float) -> None:
        assert self._process is not None, "the server is not running"
        self._process.wait(timeout_s)
        self._process = None

    def _wait_until_healthy(self, log_offset: int) -> None:
        """Every worker has started (the log says so) and ``/health`` answers."""
        assert self._process is not None, "the server is not running"
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                self._process = None
                raise ServerError(f"giftflow serve exited at start:\n{self.log_tail()}")
            if self._workers_started(log_offset) and self._healthy():
                return
            time.sleep(POLL_S)
        self.kill()
        raise ServerError(f"giftflow serve did not answer in {START_TIMEOUT_S:.0f} s")

    def _workers_started(self, log_offset: int) -> bool:
        with self.log_path.open("rb") as log:
            log.seek(log_offset)
            return log.read().count(STARTED) >= self.workers

    def _healthy(self) -> bool:
        try:
            return request_once(self.base_url, "GET", "/health").status == 200
        except ConnectionLostError:
            return False
