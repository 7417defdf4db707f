"""Replaying a recorded donation log as a LIVE: the one pipeline ``giftflow replay``
and ``giftflow demo`` book through (decision 0095).

``source`` reads the log, ``world`` opens the economy it books into, ``gifts`` and
``events`` turn donations into gift events (one streak encoding), ``audience`` and
``funding`` are the choices a story makes (who donates, how they pay), ``run`` books,
``report`` reads the figures back from what was stored. See docs/replay.md.
"""
