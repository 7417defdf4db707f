"""Running the installed ``giftflow`` command in a subprocess, as a user would."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path

GIFTFLOW = Path(sys.executable).with_name("giftflow")
TIMEOUT_S = 300


def environment(**settings: str) -> dict[str, str]:
    """The caller's environment without its ``GIFTFLOW_*`` settings, plus ``settings``
    (``database_url="…"`` is ``GIFTFLOW_DATABASE_URL``)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("GIFTFLOW_")}
    return clean | {f"GIFTFLOW_{name.upper()}": value for name, value in settings.items()}


def giftflow(
    *arguments: str, settings: Mapping[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """The command with none of the caller's ``GIFTFLOW_*`` settings (only
    ``settings``, when given), 200 columns wide."""
    # Rich wraps at the terminal's width.
    command_environment = {**environment(), **(settings or {}), "COLUMNS": "200"}
    return subprocess.run(
        [str(GIFTFLOW), *arguments],
        capture_output=True,
        text=True,
        env=command_environment,
        timeout=TIMEOUT_S,
        check=False,
    )


def said(result: subprocess.CompletedProcess[str]) -> str:
    """Everything the command printed, on one line (however Rich wrapped it)."""
    return " ".join((result.stdout + result.stderr).split())
