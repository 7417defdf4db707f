"""Credentials never reach the server's log.

Room tokens travel in URLs (an OBS browser source cannot send headers), and so do
dashboard sign-in codes and report links; uvicorn logs each request's path with its
query string (the access log, and the WebSocket lines of its error log). A filter on
both loggers replaces the value of every ``token``, ``access_token`` or ``code`` query
parameter, the code in a sign-in path and the link in a report link's or a download
link's path (``/reports/<link>``, ``/v1/downloads/<link>``) with ``[redacted]`` before
the line is written; a problem's ``instance`` (which giftflow's own log lines name) is
redacted the same way. Headers (``Authorization``) are never logged by uvicorn.
"""

from __future__ import annotations

import logging
import re
from typing import Final

REDACTED: Final = "[redacted]"
LOGGERS: Final = ("uvicorn.access", "uvicorn.error")
_QUERY = re.compile(r"([?&](?:token|access_token|code)=)[^&\s\"']*", re.IGNORECASE)
_PATHS = re.compile(r"(/dashboard/sign-in/|/reports/|/v1/downloads/)[^\s\"'?]+")
"""Paths whose last part is a credential: a sign-in code, a report link, a download
link (docs/products.md)."""


def redact(text: str) -> str:
    return _PATHS.sub(rf"\g<1>{REDACTED}", _QUERY.sub(rf"\g<1>{REDACTED}", text))


class RedactCredentials(logging.Filter):
    """Rewrites a record's message and arguments; never drops a record."""

    def filter(self, record: logging.LogRecord) -> bool:
        if isinstance(record.msg, str):
            record.msg = redact(record.msg)
        if isinstance(record.args, tuple):
            record.args = tuple(redact(a) if isinstance(a, str) else a for a in record.args)
        return True


def redact_credentials_in_logs() -> None:
    """Install the filter on uvicorn's loggers, once per process."""
    for name in LOGGERS:
        logger = logging.getLogger(name)
        if not any(isinstance(f, RedactCredentials) for f in logger.filters):
            logger.addFilter(RedactCredentials())
