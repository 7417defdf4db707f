"""What the HTTP API (``giftflow.api``) and the web pages (``giftflow.web``) both stand on:
who is asking (``auth``, ``principals``, ``api_keys``, ``user_tokens``, ``room_tokens``,
``report_links``, ``jwts``), the request dependencies and the app's state (``deps``),
errors and their problem+json answers (``errors``, ``problems``), idempotency, rate
limits, metrics, WebSocket caps, log redaction and the JSON schemas.

It imports neither of the two above it; the app that puts them side by side is
``giftflow.server`` (decision 0115).
"""
