"""Signed, expiring download links for the files of perks and products (pure).

A link is ``v1.<file id>.<user id>.<grant>.<grant id>.<expires_s>.<signature>``: the
file, the user it was made for, what entitles them (``perk`` and a perk's id, or
``purchase`` and a purchase's id), and the second it expires, signed with HMAC-SHA-256
under a key derived from the server's token secret for this purpose alone
(``giftflow:file-link``), so no other signed thing of giftflow passes for a link. The
signature is compared in constant time. A link proves only that giftflow made it for
that user: the download checks the entitlement again (a supporter who dropped below
the level, a refunded buyer, is refused).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Final

from giftflow.economy.errors import EconomyError
from giftflow.ids import UserId

TTL_MAX_S: Final = 86_400
_PURPOSE: Final = b"giftflow:file-link"
_PART: Final = re.compile(r"^[A-Za-z0-9_]{1,64}$")
_NUMBER: Final = re.compile(r"^[1-9][0-9]{0,18}$")


class LinkInvalidError(EconomyError):
    code = "download_link_invalid"


class LinkExpiredError(EconomyError):
    code = "download_link_expired"


class Grant(StrEnum):
    PERK = "perk"
    PURCHASE = "purchase"


_GRANTS: Final = frozenset(grant.value for grant in Grant)


@dataclass(frozen=True, slots=True)
class FileLink:
    file_id: str
    user_id: UserId
    grant: Grant
    grant_id: str
    expires_s: int


def _key(secret: bytes) -> bytes:
    return hmac.new(secret, _PURPOSE, hashlib.sha256).digest()


def _signature(secret: bytes, body: str) -> str:
    digest = hmac.new(_key(secret), body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).rstrip(b"=").decode()


def sign(secret: bytes, link: FileLink) -> str:
    body = ".".join(
        ["v1", link.file_id, str(link.user_id), str(link.grant), link.grant_id, str(link.expires_s)]
    )
    return f"{body}.{_signature(secret, body)}"


def read(secret: bytes, text: str, *, now_s: int) -> FileLink:
    """The link ``text`` names, once its signature and expiry are checked."""
    parts = text.split(".")
    if len(parts) != 7 or parts[0] != "v1":
        raise LinkInvalidError("this is not a download link giftflow made")
    body, signature = ".".join(parts[:6]), parts[6]
    if not hmac.compare_digest(signature.encode(), _signature(secret, body).encode()):
        raise LinkInvalidError("this is not a download link giftflow made")
    _, file_id, user, grant, grant_id, expires = parts[:6]
    if not all(_PART.match(p) for p in (file_id, grant_id)) or not (
        _NUMBER.match(user) and _NUMBER.match(expires) and grant in _GRANTS
    ):
        raise LinkInvalidError("this is not a download link giftflow made")
    if int(expires) <= now_s:
        raise LinkExpiredError("the download link has expired; ask for a new one")
    return FileLink(file_id, UserId(int(user)), Grant(grant), grant_id, int(expires))
