"""``giftflow replay``: a recorded donation log replayed as a LIVE, and its report.

``source`` reads the log, ``run`` books it through the real economy and LIVE,
``report`` reads the figures back from what was stored. See docs/replay.md.
"""
