"""A scheduled LIVE as an iCalendar file (RFC 5545): one ``VEVENT`` in a ``VCALENDAR``,
with an alarm per reminder offset, so a viewer's calendar shows it and reminds them.

Pure text: lines end with CRLF, content lines are folded at 75 octets (never inside a
UTF-8 sequence), texts are escaped (RFC 5545 section 3.3.11), times are UTC
(``19970714T173000Z``).
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from giftflow.live.schedules import ScheduledLive, ScheduleState

PRODID: Final = "-//giftflow//scheduled LIVEs//EN"
LINE_OCTETS_MAX: Final = 75
MEDIA_TYPE: Final = "text/calendar; charset=utf-8"


def utc(at_ns: int) -> str:
    """A UTC DATE-TIME: ``20240603T120000Z`` (seconds; the format has no fraction)."""
    moment = datetime(1970, 1, 1, tzinfo=UTC) + timedelta(seconds=at_ns // 1_000_000_000)
    return moment.strftime("%Y%m%dT%H%M%SZ")


def escape(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace(";", "\\;")
        .replace(",", "\\,")
        .replace("\r\n", "\\n")
        .replace("\n", "\\n")
    )


def fold(line: str) -> str:
    """One content line folded into lines of at most 75 octets (the continuations start
    with a space, which counts)."""
    parts: list[str] = []
    current, size, limit = "", 0, LINE_OCTETS_MAX
    for char in line:
        octets = len(char.encode())
        if size + octets > limit:
            parts.append(current)
            current, size, limit = " ", 1, LINE_OCTETS_MAX
        current += char
        size += octets
    parts.append(current)
    return "\r\n".join(parts)


def description(live: ScheduledLive) -> str:
    lines = [f"{c.title or c.kind} ({c.planned_s // 60} min)" for c in live.chapters]
    if live.goal is not None and live.goal.promise:
        lines.append(f"Goal: {live.goal.promise}")
    return "\n".join(lines)


def _alarms(live: ScheduledLive) -> list[str]:
    lines: list[str] = []
    for offset_s in live.reminder_offsets_s:
        lines += [
            "BEGIN:VALARM",
            "ACTION:DISPLAY",
            f"DESCRIPTION:{escape(live.title or 'LIVE')}",
            f"TRIGGER:-PT{offset_s}S",
            "END:VALARM",
        ]
    return lines


def ics(live: ScheduledLive, *, host: str, url: str | None = None) -> str:
    """The calendar file; ``host`` makes the UID globally unique, ``url`` (optional)
    is where the LIVE is watched."""
    cancelled = live.state is ScheduleState.CANCELLED
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        "METHOD:CANCEL" if cancelled else "METHOD:PUBLISH",
        "BEGIN:VEVENT",
        f"UID:{live.id}@{host}",
        f"DTSTAMP:{utc(live.updated_at)}",
        f"DTSTART:{utc(live.starts_at)}",
        f"DTEND:{utc(live.ends_at)}",
        f"SUMMARY:{escape(live.title or 'LIVE')}",
        f"SEQUENCE:{live.sequence}",
        f"STATUS:{'CANCELLED' if cancelled else 'CONFIRMED'}",
        "TRANSP:TRANSPARENT",
    ]
    text = description(live)
    if text:
        lines.append(f"DESCRIPTION:{escape(text)}")
    if url:
        lines.append(f"URL:{url}")
    if not cancelled:
        lines += _alarms(live)
    lines += ["END:VEVENT", "END:VCALENDAR"]
    return "".join(f"{fold(line)}\r\n" for line in lines)
