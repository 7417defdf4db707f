"""A bench's client in a process of its own (``python -m giftflow.bench.<module>``):
its configuration in a file, lines on stdin to tell it what to do, lines on stdout
when it has done it."""

from __future__ import annotations

import select
import subprocess
import sys
from pathlib import Path
from types import TracebackType
from typing import Final

from giftflow.errors import GiftflowError

WAIT_TIMEOUT_S: Final = 180.0


class ClientProcessError(GiftflowError):
    def __init__(self, message: str) -> None:
        super().__init__(message, code="bench_client_failed")


class ClientProcess:
    def __init__(self, module: str, config_json: str, config_path: Path) -> None:
        config_path.write_text(config_json)
        self.module = module
        self._process = subprocess.Popen(
            [sys.executable, "-m", module, str(config_path)],
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )

    def say(self, line: str) -> None:
        assert self._process.stdin is not None, "stdin is a pipe"
        self._process.stdin.write(line + "\n")
        self._process.stdin.flush()

    def expect(self, word: str) -> str:
        """The next line it prints, which must start with ``word``."""
        assert self._process.stdout is not None, "stdout is a pipe"
        ready, _, _ = select.select([self._process.stdout], [], [], WAIT_TIMEOUT_S)
        line = self._process.stdout.readline() if ready else "(nothing in time)"
        if not line.startswith(word):
            self._process.kill()
            raise ClientProcessError(f"{self.module} said {line!r}, not {word!r}")
        return line.strip()

    def wait(self) -> None:
        code = self._process.wait(WAIT_TIMEOUT_S)
        if code != 0:
            raise ClientProcessError(f"{self.module} exited with {code}")

    def __enter__(self) -> ClientProcess:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        trace: TracebackType | None,
    ) -> None:
        if self._process.poll() is None:
            self._process.kill()
            self._process.wait()
        for pipe in (self._process.stdin, self._process.stdout):
            if pipe is not None:
                pipe.close()
