"""Operations, users and tokens, the catalog, wallets and earnings."""

from __future__ import annotations

from datetime import date
from typing import Literal

from giftflow.client.call import Call, model, path, text
from giftflow.client.models import (
    CatalogGiftList,
    CatalogRegionList,
    EarningsPublic,
    Health,
    PackList,
    SignInLinkPublic,
    StatementPublic,
    TokenPublic,
    TokenRevokedPublic,
    UserPublic,
    UserTokensRevokedPublic,
    WalletPublic,
)
from giftflow.client.requests import without_none

Role = Literal["viewer", "creator", "admin"]
Channel = Literal["web", "app_store"]


def health() -> Call[Health]:
    """``GET /health``: ``ok`` while the process answers."""
    return Call("GET", "/health", model(Health), authenticated=False)


def ready() -> Call[Health]:
    """``GET /ready``: ``ready`` when the database answers (503 ``not_ready`` otherwise)."""
    return Call("GET", "/ready", model(Health), authenticated=False)


def metrics() -> Call[str]:
    """``GET /metrics``: the Prometheus text."""
    return Call("GET", "/metrics", text)


def register_user(
    *,
    external_id: str,
    display_name: str,
    birth_date: date,
    region: str,
    is_creator: bool = False,
    identity_verified: bool = False,
) -> Call[UserPublic]:
    """``POST /v1/users``: idempotent by ``external_id`` (the same details answer the
    first user; others are 409 ``user_exists``)."""
    body = {
        "external_id": external_id,
        "display_name": display_name,
        "birth_date": birth_date.isoformat(),
        "region": region,
        "is_creator": is_creator,
        "identity_verified": identity_verified,
    }
    return Call("POST", "/v1/users", model(UserPublic), body=body, repeatable=True)


def get_user(user_id: int) -> Call[UserPublic]:
    return Call("GET", path("/v1/users/{}", user_id), model(UserPublic))


def update_user(
    user_id: int, *, is_creator: bool | None = None, identity_verified: bool | None = None
) -> Call[UserPublic]:
    """``PATCH /v1/users/{id}``: the flags given change, the others stay."""
    body = without_none(is_creator=is_creator, identity_verified=identity_verified)
    return Call("PATCH", path("/v1/users/{}", user_id), model(UserPublic), body=body)


def issue_token(user_id: int, *, role: Role = "viewer") -> Call[TokenPublic]:
    """``POST /v1/tokens``: a short-lived user token (a key with ``tokens:write``)."""
    body = {"user_id": user_id, "role": role}
    return Call("POST", "/v1/tokens", model(TokenPublic), body=body, repeatable=True)


def revoke_token(*, token_id: str | None = None) -> Call[TokenRevokedPublic]:
    """``POST /v1/tokens/revoke``: the token sent with the call, or ``token_id`` (a key
    with ``tokens:write``, an administrator)."""
    body = without_none(token_id=token_id)
    return Call("POST", "/v1/tokens/revoke", model(TokenRevokedPublic), body=body, repeatable=True)


def revoke_user_tokens(user_id: int) -> Call[UserTokensRevokedPublic]:
    """``POST /v1/users/{id}/tokens/revoke``: every token of the user issued so far."""
    where = path("/v1/users/{}/tokens/revoke", user_id)
    return Call("POST", where, model(UserTokensRevokedPublic), repeatable=True)


def create_sign_in_link(
    user_id: int, *, role: Literal["creator", "admin"] = "creator"
) -> Call[SignInLinkPublic]:
    """``POST /v1/tokens/sign-in-links``: a one-time dashboard sign-in link."""
    body = {"user_id": user_id, "role": role}
    return Call("POST", "/v1/tokens/sign-in-links", model(SignInLinkPublic), body=body)


def list_regions() -> Call[CatalogRegionList]:
    """``GET /v1/catalog/regions``: every region, its currency, channels and payout terms."""
    return Call("GET", "/v1/catalog/regions", model(CatalogRegionList))


def list_gifts(*, region: str | None = None) -> Call[CatalogGiftList]:
    """``GET /v1/catalog/gifts``: every gift, or those that can be sent in ``region``."""
    return Call("GET", "/v1/catalog/gifts", model(CatalogGiftList), query={"region": region})


def list_packs(*, region: str, channel: Channel | None = None) -> Call[PackList]:
    """``GET /v1/catalog/packs``: the region's coin packs and custom-amount rules."""
    query = {"region": region, "channel": channel}
    return Call("GET", "/v1/catalog/packs", model(PackList), query=query)


def get_wallet(user_id: int) -> Call[WalletPublic]:
    return Call("GET", path("/v1/wallets/{}", user_id), model(WalletPublic))


def get_earnings(user_id: int) -> Call[EarningsPublic]:
    """``GET /v1/earnings/{id}``: diamond units by state (matures what is due first)."""
    return Call("GET", path("/v1/earnings/{}", user_id), model(EarningsPublic))


def get_statement(user_id: int, *, limit: int | None = None) -> Call[StatementPublic]:
    """``GET /v1/earnings/{id}/statement``: every movement of the diamonds, newest first."""
    url = path("/v1/earnings/{}/statement", user_id)
    return Call("GET", url, model(StatementPublic), query={"limit": limit})
