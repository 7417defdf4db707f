"""The gift alerts' chime, made by giftflow itself: a short two-note bell as a WAV
file, synthesised once with the standard library (no asset to license, no
third-party URL; docs/decisions/0062), made on first use and kept."""

from __future__ import annotations

import functools
import io
import math
import wave
from typing import Final

RATE_HZ: Final = 22_050
NOTES_HZ: Final = (880, 1_320)
"""A5, then the fifth above it: a bright, short 'ding-ding'."""
NOTE_MS: Final = 180
PEAK: Final = 12_000
"""Of 32,767: loud enough over a stream, not clipping when mixed."""


def _note(frequency_hz: int) -> list[int]:
    count = RATE_HZ * NOTE_MS // 1000
    samples = []
    for index in range(count):
        envelope = (count - index) / count  # a bell dies away
        value = PEAK * envelope * math.sin(2 * math.pi * frequency_hz * index / RATE_HZ)
        samples.append(round(value))
    return samples


@functools.cache
def chime_wav() -> bytes:
    """16-bit mono PCM at 22.05 kHz, about 0.36 s (16 KB)."""
    samples = [s for frequency in NOTES_HZ for s in _note(frequency)]
    buffer = io.BytesIO()
    with wave.open(buffer, "wb") as out:
        out.setnchannels(1)
        out.setsampwidth(2)
        out.setframerate(RATE_HZ)
        out.writeframes(b"".join(s.to_bytes(2, "little", signed=True) for s in samples))
    return buffer.getvalue()
