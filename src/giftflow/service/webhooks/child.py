"""The delivery worker as a child process of ``giftflow serve`` (decisions/0112).

``DeliveryChild`` runs ``giftflow webhooks deliver --follow --parent-pid <this pid>`` in
a session of its own, restarts it after it exits unbidden (waiting ``BACKOFF_FIRST_S``,
doubling up to ``BACKOFF_MAX_S``; a child that ran ``HEALTHY_AFTER_S`` starts the
backoff over), and stops it with SIGTERM (it finishes its pass) when the server stops.

The child binds itself to its parent (``bind_to_parent``): on Linux the kernel sends it
SIGTERM when the thread that started it ends (``prctl(PR_SET_PDEATHSIG)``), a
SIGKILLed server included; elsewhere it watches its parent's pid. So the supervising
thread is the one that starts every child and lives as long as it does.
"""

from __future__ import annotations

import ctypes
import logging
import os
import signal
import subprocess
import sys
import threading
import time
from collections.abc import Mapping, Sequence
from typing import Final

BACKOFF_FIRST_S: Final = 1.0
BACKOFF_MAX_S: Final = 30.0
HEALTHY_AFTER_S: Final = 30.0
"""A child that ran this long before it exited was healthy: the next wait is the first."""
PARENT_WATCH_S: Final = 1.0
"""Where ``prctl`` is not there: how often the child looks whether its parent is."""
PR_SET_PDEATHSIG: Final = 1
log = logging.getLogger("giftflow.webhooks")


def follow_command(parent_pid: int) -> list[str]:
    """``giftflow webhooks deliver --follow``, bound to ``parent_pid``."""
    follow = ["webhooks", "deliver", "--follow", "--parent-pid", str(parent_pid)]
    return [sys.executable, "-m", "giftflow", *follow]


class DeliveryChild:
    """The supervised child; ``start`` once, ``stop`` once."""

    def __init__(
        self,
        environment: Mapping[str, str],
        *,
        stop_timeout_s: float,
        command: Sequence[str] | None = None,
    ) -> None:
        self._environment = dict(environment)
        self._command = list(command or follow_command(os.getpid()))
        self._stop_timeout_s = stop_timeout_s
        self._stopping = threading.Event()
        self._lock = threading.Lock()
        self._process: subprocess.Popen[bytes] | None = None
        self._thread = threading.Thread(
            target=self._supervise, name="giftflow-webhooks-child", daemon=True
        )
        self.starts = 0

    @property
    def pid(self) -> int | None:
        """The running child's pid (None between two)."""
        with self._lock:
            process = self._process
        return None if process is None or process.poll() is not None else process.pid

    def start(self) -> None:
        self._thread.start()

    def stop(self) -> None:
        """SIGTERM the child, wait for it to finish its pass (SIGKILL after
        ``stop_timeout_s``), and end the supervision."""
        self._stopping.set()
        with self._lock:
            process = self._process
        if process is not None and process.poll() is None:
            process.terminate()
            try:
                process.wait(self._stop_timeout_s)
            except subprocess.TimeoutExpired:
                process.kill()
        self._thread.join()

    def _supervise(self) -> None:
        backoff_s = BACKOFF_FIRST_S
        while not self._stopping.is_set():
            started = time.monotonic()
            code = self._run_one()
            if self._stopping.is_set():
                return
            if time.monotonic() - started >= HEALTHY_AFTER_S:
                backoff_s = BACKOFF_FIRST_S
            log.warning(
                "the webhook delivery worker exited with %s; restarting it in %g s",
                code,
                backoff_s,
            )
            if self._stopping.wait(backoff_s):
                return
            backoff_s = min(backoff_s * 2, BACKOFF_MAX_S)

    def _run_one(self) -> int:
        """One child, from its start to its exit; its exit code."""
        with self._lock:
            if self._stopping.is_set():
                return 0
            self._process = subprocess.Popen(
                self._command,
                env=self._environment,
                stdin=subprocess.DEVNULL,
                start_new_session=True,  # a terminal's Ctrl-C is the server's to pass on
            )
            self.starts += 1
        return self._process.wait()


def bind_to_parent(parent_pid: int, stop: threading.Event) -> None:
    """Set ``stop`` when the parent dies, however it dies (the child's SIGTERM handler
    sets it on Linux, where the kernel sends one; a watching thread elsewhere). A
    parent already gone (it died before this ran) sets it at once."""
    if sys.platform == "linux":
        libc = ctypes.CDLL(None, use_errno=True)
        if libc.prctl(PR_SET_PDEATHSIG, signal.SIGTERM, 0, 0, 0) != 0:
            raise OSError(ctypes.get_errno(), "prctl(PR_SET_PDEATHSIG) failed")
    else:
        threading.Thread(
            target=watch_parent, args=(parent_pid, stop), name="giftflow-parent", daemon=True
        ).start()
    if os.getppid() != parent_pid:
        stop.set()


def watch_parent(
    parent_pid: int, stop: threading.Event, interval_s: float = PARENT_WATCH_S
) -> None:
    """Until ``stop``: set it once this process's parent is no longer ``parent_pid``
    (an orphan is adopted by another process)."""
    while not stop.wait(interval_s):
        if os.getppid() != parent_pid:
            stop.set()
