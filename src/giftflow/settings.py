"""Settings from the environment (``GIFTFLOW_*``), one place for every knob."""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict

from giftflow.i18n.catalogs import LocaleCode

DEFAULT_DATABASE_URL = "sqlite:///giftflow.db"
"""The embedded default: a SQLite file in the working directory, no server to install."""


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix="GIFTFLOW_", extra="ignore")

    database_url: str = DEFAULT_DATABASE_URL
    catalog_version: str = "2024-05"
    catalog_path: Path | None = None
    """An operator's own economy TOML instead of the shipped one."""
    revenue_share_bps: int | None = Field(default=None, ge=1, le=10_000)
    """Creators' share of a gift's coins, as diamonds; default: the catalog's."""
    hold_days: int | None = Field(default=None, ge=0, le=365)
    """Days diamonds stay pending before they can be withdrawn; default: the catalog's."""
    product_share_bps: int | None = Field(default=None, ge=1, le=10_000)
    """Creators' share of a digital product's price, as diamonds; default: the gifts'
    revenue share."""
    file_max_bytes: int = Field(default=4 * 1024 * 1024, ge=1024, le=64 * 1024 * 1024)
    """The largest file a creator may upload for perks and products (kept in the
    database, so every server process serves it)."""
    file_link_ttl_s: int = Field(default=900, ge=60, le=86_400)
    """How long a download link of a perk's or a product's file lives."""
    streak_timeout_s: int = Field(default=10, ge=1, le=3600)
    schedule_early_s: int = Field(default=3_600, ge=0, le=86_400)
    """A session that starts this long before a scheduled LIVE's start takes it up."""
    schedule_grace_s: int = Field(default=3_600, ge=60, le=86_400)
    """A scheduled LIVE no session took up this long after its start is missed."""
    velocity_limit: int = Field(default=60, ge=1)
    """Gift events one wallet may send in ``velocity_window_s`` (fraud rule)."""
    velocity_window_s: int = Field(default=10, ge=1)
    instrument_wallet_limit: int = Field(default=3, ge=1)
    """Wallets one payment instrument may fund before they go to review (fraud rule)."""
    locale: LocaleCode = "en"
    """The language and conventions of what people read: the dashboard's and the
    overlays' texts, numbers and money (``giftflow.i18n.LOCALES``; an overlay may pick
    another with its ``lang`` option)."""
    environment: Literal["development", "production"] = "production"
    """Whether money is real. ``production`` (the default) accepts only providers that
    charge real money (Stripe with a live key); ``development`` accepts only providers
    that do not (the sandbox, Stripe in test mode). See docs/security.md."""
    sandbox_webhook_secret: SecretStr | None = None
    """Enables the ``sandbox`` payment provider (``development`` only; 32 bytes or more):
    whoever knows it can mark any open purchase paid."""
    stripe_api_key: SecretStr | None = None
    """``sk_live_…``/``rk_live_…`` in production, ``sk_test_…``/``rk_test_…`` in
    development; with ``stripe_webhook_secret``, enables the ``stripe`` provider."""
    stripe_webhook_secret: SecretStr | None = None
    token_secret: SecretStr | None = None
    """Signs users' short-lived tokens; required by ``giftflow serve``."""
    token_ttl_s: int = Field(default=900, ge=60, le=86_400)
    room_token_ttl_s: int = Field(default=30 * 86_400, ge=60, le=366 * 86_400)
    """How long a read-only room token (an overlay's, in OBS) stays valid."""
    sign_in_link_ttl_s: int = Field(default=300, ge=10, le=3600)
    """How long a one-time dashboard sign-in link can be used."""
    report_link_ttl_s: int = Field(default=3600, ge=60, le=86_400)
    """How long a report link (a post-LIVE report opened in a browser) lives, unless
    the request that makes it asks for less or more (at most a day)."""
    dashboard_session_ttl_s: int = Field(default=8 * 3600, ge=60, le=86_400)
    """How long a dashboard session lasts (its token is revoked on sign-out, and refused
    once its user loses the role it was issued for)."""
    idempotency_retention_s: int = Field(default=7 * 86_400, ge=3600)
    """How long an answered idempotency key is kept: a retry after it runs again.
    Payment events are deduplicated by their own rows, forever, whatever this says."""
    forwarded_allow_ips: str | None = None
    """Addresses of the reverse proxies whose ``X-Forwarded-For`` and
    ``X-Forwarded-Proto`` ``serve`` trusts (comma-separated, ``*`` for any); none by
    default, so a client cannot claim another address or HTTPS."""
    promote_price_per_1000_coins: int = Field(default=200, ge=1, le=1_000_000)
    """What 1,000 billed (viewable, valid) impressions of a promotion cost, in coins;
    fixed on each promotion when it is submitted."""
    promote_candidates_ttl_s: float = Field(default=1.0, gt=0, le=60)
    """How long a server keeps its list of active promotions and their spend for the
    pacing decision before reading them again (billing always reads the database)."""
    engine_queue_max: int = Field(default=100_000, ge=1)
    """Transfers (a transfer-less write counts one) waiting for the writer at most;
    beyond it a request is refused at once (HTTP 503 ``engine_overloaded`` with
    ``Retry-After``) instead of queueing without bound."""
    redis_url: str | None = None
    """Events go through Redis streams, and rate limits through Redis buckets (several
    server processes); default: in-process."""
    ws_queue_max: int = Field(default=1_000, ge=1, le=1_000_000)
    """Events one room WebSocket may have waiting to be sent; a listener further behind
    is sent ``resync`` and closed with 4409 (never more than the replay buffer)."""
    ws_send_timeout_s: float = Field(default=10.0, gt=0, le=300)
    """How long one frame may take to leave; a client that reads nothing for longer is
    treated as fallen behind (``resync``, 4409)."""
    ws_connections_max: int = Field(default=1_500, ge=1)
    """Room WebSockets one server process holds at most (below ``connections_max``, so
    that HTTP requests still get in); beyond it, close 1013."""
    ws_connections_per_token_max: int = Field(default=20, ge=1)
    """Room WebSockets one room token may hold open in one server process (a creator's
    overlays in OBS, a preview or two); beyond it, close 1013."""

    # Rate limits: token buckets per caller (docs/security.md#limits, decision 0025).
    # Each class refills at ``…_per_s`` up to ``…_burst`` requests.
    rate_limit_key_write_per_s: float = Field(default=500, gt=0)
    """A platform API key's writes (every method but GET and HEAD): the platform's server,
    acting for all its users, so high; it bounds a runaway loop or a leaked key."""
    rate_limit_key_write_burst: int = Field(default=1_000, ge=1)
    rate_limit_key_read_per_s: float = Field(default=1_000, gt=0)
    rate_limit_key_read_burst: int = Field(default=2_000, ge=1)
    rate_limit_user_write_per_s: float = Field(default=10, gt=0)
    """One user's token, writes (gifts, likes and other interactions, follows …): more
    than a person taps, far less than a script."""
    rate_limit_user_write_burst: int = Field(default=30, ge=1)
    rate_limit_user_read_per_s: float = Field(default=20, gt=0)
    rate_limit_user_read_burst: int = Field(default=60, ge=1)
    rate_limit_auth_failure_per_s: float = Field(default=1, gt=0)
    """Failed authentications (no, unknown, revoked or expired credentials) per client
    address; beyond it they are answered 429, not 401."""
    rate_limit_auth_failure_burst: int = Field(default=20, ge=1)
    rate_limit_webhook_per_s: float = Field(default=50, gt=0)
    """Webhook deliveries (unauthenticated until their signature is checked) per client
    address; a provider redelivers what was refused."""
    rate_limit_webhook_burst: int = Field(default=500, ge=1)
    # Bodies: the most a request may send, checked before anything reads it.
    body_max_bytes: int = Field(default=256 * 1024, ge=1024)
    """Every route but the two below."""
    body_max_webhook_bytes: int = Field(default=64 * 1024, ge=1024)
    """``POST /v1/webhooks/{provider}``: a provider's event is a few KiB."""
    body_max_batch_bytes: int = Field(default=4 * 1024 * 1024, ge=1024)
    """Gift batches (at most 1,000 gifts) and payout results uploads."""
    # Connections of ``giftflow serve`` (each server process).
    connections_max: int = Field(default=2_048, ge=1)
    """Open connections (WebSockets included) and requests in progress a server process
    takes; beyond it a request is answered 503 at once. Keep it below the open-file
    limit (``ulimit -n``)."""
    keep_alive_timeout_s: int = Field(default=5, ge=1, le=3600)
    """How long an idle keep-alive connection stays open."""
    header_timeout_s: float = Field(default=10, gt=0, le=3600)
    """How long a client has, from connecting or from a request's first byte, to send the
    whole request line and headers; then the connection is closed (slowloris)."""
    header_max_bytes: int = Field(default=64 * 1024, ge=1024)
    """The request line and headers together at most; beyond, 431 and closed."""
    payout_dir: Path = Path("payouts")
    """Where the ``manual`` payout partner writes batch files and reads results."""
    public_url: str = "http://127.0.0.1:8000"
    """Where people reach this server. An ``https://`` one makes the dashboard's cookie
    ``Secure`` and adds ``Strict-Transport-Security`` to every answer."""
    webhooks_allow_private: bool = False
    """Let webhook endpoints be on loopback, private or link-local addresses (a
    platform's own network, tests); by default only public addresses are sent to."""
    webhooks_allow_http: bool = False
    """Let webhook endpoints use plain http in production (development always may)."""
    webhooks_retry_schedule_s: tuple[float, ...] = Field(
        default=(5, 300, 1800, 7200, 18000, 36000, 36000, 86400, 86400), min_length=1
    )
    """Waits after each failed delivery attempt (a JSON list in the environment); once
    used up, the delivery is given up. The default spans about 3 days and 4 hours."""
    webhooks_retry_jitter: float = Field(default=0.1, ge=0, le=1)
    """Each wait stretched or shrunk by up to this fraction, at random."""
    webhooks_timeout_s: float = Field(default=10.0, gt=0, le=60)
    webhooks_disable_after_s: float = Field(default=5 * 86_400, gt=0)
    """An endpoint whose every delivery attempt failed for this long is disabled."""
    webhooks_poll_interval_s: float = Field(default=0.5, gt=0, le=60)
    """How often an idle delivery worker looks for due deliveries."""
    webhooks_batch_wait_s: float = Field(default=0.25, ge=0, le=10)
    """After a delivery pass that sent less than a full line, the wait before the next:
    under load each pass then carries what arrived meanwhile (0: at once, as before)."""
    webhooks_worker: bool = True
    """Run the delivery worker beside ``giftflow serve``: a child process it starts,
    restarts and stops (one per ``giftflow serve``, whatever its ``--workers``)."""
    region_header: str | None = Field(default=None, pattern=r"^[A-Za-z0-9-]{1,64}$")
    """The request header in which the platform's edge names the visitor's region
    (``CF-IPCountry``, ``CloudFront-Viewer-Country``); link-in-bio views count it when it
    is one of the catalog's regions. None: no region is counted (docs/bio.md)."""
    bio_confirm_ttl_s: int = Field(default=7 * 86_400, ge=3600, le=90 * 86_400)
    """How long a lead's confirmation link works (its unsubscribe and delete links
    always do)."""
    bio_page_cache_s: float = Field(default=1.0, ge=0, le=60)
    """How long a server process serves a link-in-bio page it drew before drawing it
    again (0: every time); a change through the same process shows at once."""

    @property
    def https(self) -> bool:
        return self.public_url.lower().startswith("https://")

    @property
    def webhooks_http_allowed(self) -> bool:
        return self.webhooks_allow_http or self.environment == "development"
