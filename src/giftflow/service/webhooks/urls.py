"""Where webhooks may go: http(s) URLs whose host resolves only to public addresses.

Checked when an endpoint is registered or changed, and again before every delivery
(the name may point elsewhere by then: DNS rebinding), where the request then goes to
the address that was checked. ``allow_private`` lets loopback and private networks
through (a platform's own network, tests); ``allow_http`` lets plain http through
(development).
"""

from __future__ import annotations

import asyncio
import ipaddress
import socket
from dataclasses import dataclass
from urllib.parse import urlsplit

from giftflow.errors import GiftflowError
from giftflow.settings import Settings

URL_LENGTH_MAX = 2048


class WebhookUrlError(GiftflowError):
    """An endpoint URL giftflow will not send to."""

    code = "webhook_url_refused"


@dataclass(frozen=True, slots=True)
class Target:
    """A URL taken apart: what the request connects to and what it names."""

    url: str
    scheme: str
    host: str
    port: int


@dataclass(frozen=True, slots=True)
class UrlPolicy:
    allow_private: bool = False
    allow_http: bool = False

    @classmethod
    def of(cls, settings: Settings) -> UrlPolicy:
        return cls(settings.webhooks_allow_private, settings.webhooks_http_allowed)

    def parse(self, url: str) -> Target:
        """The URL's parts, or ``WebhookUrlError`` for one giftflow never sends to."""
        if len(url) > URL_LENGTH_MAX:
            raise WebhookUrlError(f"a webhook URL has at most {URL_LENGTH_MAX} characters")
        if not (url.isascii() and url.isprintable()) or " " in url:
            # The request line goes out as ASCII: a host in punycode (xn--…) and a path
            # percent-encoded are the URL's one spelling on the wire.
            raise WebhookUrlError(
                "a webhook URL is printable ASCII: punycode for the host (xn--…),"
                " percent-encoding for the path"
            )
        try:
            parts = urlsplit(url)
            port = parts.port
        except ValueError as error:
            raise WebhookUrlError(f"not a URL: {error}") from None
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise WebhookUrlError("a webhook URL is https://host/path")
        if parts.scheme == "http" and not self.allow_http:
            raise WebhookUrlError(
                "webhooks go over https (GIFTFLOW_WEBHOOKS_ALLOW_HTTP allows http)"
            )
        if parts.username is not None or parts.password is not None or parts.fragment:
            raise WebhookUrlError("a webhook URL carries no user, password or fragment")
        default = 443 if parts.scheme == "https" else 80
        return Target(url, parts.scheme, parts.hostname, port or default)

    async def resolve(self, target: Target) -> str:
        """The address to connect to: every address the host resolves to must be
        public (unless private ones are allowed); the first one is used."""
        try:
            found = await asyncio.get_running_loop().getaddrinfo(
                target.host, target.port, type=socket.SOCK_STREAM
            )
        except (OSError, UnicodeError) as error:
            raise WebhookUrlError(f"{target.host} does not resolve: {error}") from None
        addresses = list(dict.fromkeys(str(info[4][0]) for info in found))
        if not addresses:
            raise WebhookUrlError(f"{target.host} does not resolve")
        for address in addresses:
            self._check_address(target.host, address)
        return addresses[0]

    def _check_address(self, host: str, address: str) -> None:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
        if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
            ip = ip.ipv4_mapped
        if self.allow_private and not (ip.is_multicast or ip.is_unspecified):
            return
        if not ip.is_global or ip.is_multicast:
            raise WebhookUrlError(
                f"{host} resolves to {ip}, not a public address"
                " (GIFTFLOW_WEBHOOKS_ALLOW_PRIVATE allows private networks)"
            )

    async def check(self, url: str) -> Target:
        target = self.parse(url)
        await self.resolve(target)
        return target
