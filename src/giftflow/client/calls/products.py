"""Perks that deliver, digital products and priority Q&A: files, delivering perks,
download links, products, purchases (keyed: they move coins), refunds (keyed), the
buyer's statement, questions."""

from __future__ import annotations

import operator
from collections.abc import Callable, Sequence
from typing import Any, Literal

import httpx

from giftflow.client.call import Call, keyed, model, nothing, path
from giftflow.client.models import (
    DeliveringPerkList,
    DeliveringPerkPublic,
    DownloadLinkPublic,
    FileList,
    FilePublic,
    ProductList,
    ProductPublic,
    ProductPurchaseList,
    ProductPurchasePublic,
    QuestionList,
    QuestionPublic,
)
from giftflow.client.requests import without_none

ProductState = Literal["active", "archived"]
EarlyAccess = dict[str, Any]
"""``{"level": 2, "opens_at": "2026-12-24T18:00:00Z", "early_s": 86400}``."""
DOWNLOADS = "/v1/downloads/"
_content: Callable[[httpx.Response], bytes] = operator.attrgetter("content")
QuestionState = Literal["queued", "answered", "skipped"]


def upload_file(
    creator_id: int, filename: str, content: bytes, *, content_type: str
) -> Call[FilePublic]:
    """``POST /v1/creators/{id}/files``: the raw bytes, ``content_type`` the file's."""
    return Call(
        "POST",
        path("/v1/creators/{}/files", creator_id),
        model(FilePublic),
        query={"filename": filename},
        content=content,
        headers={"Content-Type": content_type},
    )


def list_files(creator_id: int) -> Call[FileList]:
    return Call("GET", path("/v1/creators/{}/files", creator_id), model(FileList))


def add_file_perk(room_id: int, *, level: int, file_id: str) -> Call[DeliveringPerkPublic]:
    body = {"kind": "file", "level": level, "file_id": file_id}
    url = path("/v1/rooms/{}/delivering-perks", room_id)
    return Call("POST", url, model(DeliveringPerkPublic), body=body)


def add_schedule_early_access(
    room_id: int, schedule_id: str, early: EarlyAccess
) -> Call[DeliveringPerkPublic]:
    """Registration for ``schedule_id`` opens to supporters first (``early_access``)."""
    body = {"kind": "early_access", "schedule_id": schedule_id, "early_access": early}
    url = path("/v1/rooms/{}/delivering-perks", room_id)
    return Call("POST", url, model(DeliveringPerkPublic), body=body)


def list_delivering_perks(room_id: int) -> Call[DeliveringPerkList]:
    url = path("/v1/rooms/{}/delivering-perks", room_id)
    return Call("GET", url, model(DeliveringPerkList))


def remove_perk(perk_id: str) -> Call[None]:
    url = path("/v1/delivering-perks/{}", perk_id)
    return Call("DELETE", url, nothing, repeatable=True)


def perk_link(
    perk_id: str, *, user_id: int, file_id: str, ttl_s: int | None = None
) -> Call[DownloadLinkPublic]:
    body = without_none(user_id=user_id, file_id=file_id, ttl_s=ttl_s)
    url = path("/v1/delivering-perks/{}/links", perk_id)
    return Call("POST", url, model(DownloadLinkPublic), body=body)


def download(link_url: str) -> Call[bytes]:
    """The file behind a link's ``url`` (``/v1/downloads/…``): no credential needed."""
    url = path("/v1/downloads/{}", link_url.removeprefix(DOWNLOADS))
    return Call("GET", url, _content, authenticated=False, repeatable=True)


def create_product(
    room_id: int,
    *,
    title: str,
    price_coins: int,
    file_ids: Sequence[str],
    early: EarlyAccess | None = None,
) -> Call[ProductPublic]:
    body = without_none(
        title=title, price_coins=price_coins, file_ids=list(file_ids), early_access=early
    )
    return Call("POST", path("/v1/rooms/{}/products", room_id), model(ProductPublic), body=body)


def list_products(room_id: int, *, state: ProductState | None = None) -> Call[ProductList]:
    query = without_none(state=state)
    return Call("GET", path("/v1/rooms/{}/products", room_id), model(ProductList), query=query)


def get_product(product_id: str) -> Call[ProductPublic]:
    return Call("GET", path("/v1/products/{}", product_id), model(ProductPublic))


def update_product(
    product_id: str,
    *,
    title: str | None = None,
    price_coins: int | None = None,
    file_ids: Sequence[str] | None = None,
    state: ProductState | None = None,
) -> Call[ProductPublic]:
    body = without_none(
        title=title,
        price_coins=price_coins,
        file_ids=None if file_ids is None else list(file_ids),
        state=state,
    )
    url = path("/v1/products/{}", product_id)
    return Call("PATCH", url, model(ProductPublic), body=body, repeatable=True)


def buy_product(
    product_id: str, *, buyer_id: int, idempotency_key: str | None = None
) -> Call[ProductPurchasePublic]:
    url = path("/v1/products/{}/purchases", product_id)
    call = Call("POST", url, model(ProductPurchasePublic), body={"buyer_id": buyer_id})
    return keyed(call, idempotency_key)


def list_product_purchases(
    product_id: str, *, limit: int | None = None, offset: int | None = None
) -> Call[ProductPurchaseList]:
    query = without_none(limit=limit, offset=offset)
    url = path("/v1/products/{}/purchases", product_id)
    return Call("GET", url, model(ProductPurchaseList), query=query)


def buyer_product_purchases(
    user_id: int, *, limit: int | None = None, offset: int | None = None
) -> Call[ProductPurchaseList]:
    """The buyer's statement of products."""
    query = without_none(limit=limit, offset=offset)
    url = path("/v1/users/{}/product-purchases", user_id)
    return Call("GET", url, model(ProductPurchaseList), query=query)


def get_product_purchase(purchase_id: int | str) -> Call[ProductPurchasePublic]:
    url = path("/v1/product-purchases/{}", int(purchase_id))
    return Call("GET", url, model(ProductPurchasePublic))


def refund_product_purchase(
    purchase_id: int | str, *, idempotency_key: str | None = None
) -> Call[ProductPurchasePublic]:
    url = path("/v1/product-purchases/{}/refund", int(purchase_id))
    return keyed(Call("POST", url, model(ProductPurchasePublic)), idempotency_key)


def purchase_link(
    purchase_id: int | str, *, file_id: str, ttl_s: int | None = None
) -> Call[DownloadLinkPublic]:
    body = without_none(file_id=file_id, ttl_s=ttl_s)
    url = path("/v1/product-purchases/{}/links", int(purchase_id))
    return Call("POST", url, model(DownloadLinkPublic), body=body)


def ask_question(session_id: int, *, user_id: int, text: str) -> Call[QuestionPublic]:
    url = path("/v1/sessions/{}/questions", session_id)
    return Call("POST", url, model(QuestionPublic), body={"user_id": user_id, "text": text})


def question_queue(session_id: int, *, state: QuestionState | None = None) -> Call[QuestionList]:
    query = without_none(state=state)
    url = path("/v1/sessions/{}/questions", session_id)
    return Call("GET", url, model(QuestionList), query=query)


def answer_question(question_id: str) -> Call[QuestionPublic]:
    url = path("/v1/questions/{}/answer", question_id)
    return Call("POST", url, model(QuestionPublic))


def skip_question(question_id: str) -> Call[QuestionPublic]:
    url = path("/v1/questions/{}/skip", question_id)
    return Call("POST", url, model(QuestionPublic))
