"""Perks that deliver, digital products and priority Q&A over HTTP (docs/products.md).

- Files: the room's creator (a creator token), an administrator or a key with
  ``live:write`` uploads the raw bytes (``Content-Type`` is the file's type,
  ``filename`` in the query); readers (``live:read``) list them.
- Delivering perks: written like files; any authenticated caller reads a room's (what a
  supporter may unlock is no secret).
- Download links: for the user themself, a key with ``live:write`` or an administrator,
  and only while the user is entitled; ``GET /v1/downloads/{link}`` needs no header
  (the link is the credential) and checks the entitlement again.
- Products: written like files; any authenticated caller reads an active one. A viewer
  buys (their own token, a key with ``purchases:write``) with an ``Idempotency-Key``;
  the creator (their token), a key with ``live:write`` or an administrator refunds, with
  one too.
- Questions: the viewer themself (or a key with ``live:write``) asks; the room's
  readers list the queue, its writers answer and skip.
"""

from __future__ import annotations

from typing import Annotated, Any, Final

from fastapi import APIRouter, Depends, Path, Query, Request, Response

from giftflow.api.routes.live import RoomIdPath, SessionIdPath, UserIdPath, may_read, may_write
from giftflow.creator.perks import QuestionState
from giftflow.creator.perks_links import Grant
from giftflow.creator.products import ProductState, Purchase, PurchaseNotFoundError
from giftflow.http import auth
from giftflow.http.deps import IdempotentDep, LiveDep, PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import Role
from giftflow.http.schemas.common import PRINTABLE
from giftflow.http.schemas.products import (
    DeliveringPerkList,
    DeliveringPerkPublic,
    DownloadLinkPublic,
    FileList,
    FilePublic,
    LinkCreate,
    PerkCreate,
    PerkId,
    ProductCreate,
    ProductId,
    ProductList,
    ProductPublic,
    ProductPurchaseList,
    ProductPurchasePublic,
    ProductUpdate,
    PurchaseCreate,
    PurchaseLinkCreate,
    QuestionCreate,
    QuestionId,
    QuestionList,
    QuestionPublic,
)
from giftflow.ledger.limits import INT64_MAX
from giftflow.service.creator import perks, products, questions
from giftflow.service.live import Live
from giftflow.service.once import Once

router = APIRouter(prefix="/v1", tags=["products"], responses=RESPONSES)
PerkIdPath = Annotated[PerkId, Path(description="A delivering perk's id (`pk_…`).")]
ProductIdPath = Annotated[ProductId, Path(description="A product's id (`pr_…`).")]
PurchaseIdPath = Annotated[int, Path(ge=1, le=INT64_MAX, description="A product purchase's id.")]
QuestionIdPath = Annotated[QuestionId, Path(description="A question's id (`qn_…`).")]
LinkPath = Annotated[str, Path(min_length=1, max_length=400, pattern=r"^[A-Za-z0-9_.-]+$")]
FilenameQuery = Annotated[
    str, Query(min_length=1, max_length=120, pattern=PRINTABLE, description="The file's name.")
]
LimitQuery = Annotated[int, Query(ge=1, le=1_000, description="100 by default.")]
OffsetQuery = Annotated[int, Query(ge=0, le=2**31 - 1)]
WRITE: Final = "live:write"
READ: Final = "live:read"
BUY: Final = "purchases:write"
_RAW_FILE: Final[dict[str, Any]] = {
    "requestBody": {
        "required": True,
        "description": "The file's bytes; ``Content-Type`` is the file's type.",
        "content": {"application/octet-stream": {"schema": {"type": "string", "format": "binary"}}},
    }
}
_BYTES: Final[dict[int | str, dict[str, Any]]] = {
    200: {"content": {"application/octet-stream": {"schema": {"type": "string"}}}}
}


def _secret(state: StateDep) -> bytes:
    secret = state.settings.token_secret
    assert secret is not None, "create_app refuses to start without a token secret"
    return secret.get_secret_value().encode()


async def raw_body(request: Request) -> bytes:
    return await request.body()


def _content_type(request: Request) -> str:
    return request.headers.get("content-type", "").split(";")[0].strip().lower()


# --- files ----------------------------------------------------------------------------


@router.post(
    "/creators/{creator_id}/files",
    status_code=201,
    response_model=FilePublic,
    openapi_extra=_RAW_FILE,
)
def upload_file(
    creator_id: RoomIdPath,
    filename: FilenameQuery,
    request: Request,
    principal: PrincipalDep,
    live: LiveDep,
    state: StateDep,
    content: Annotated[bytes, Depends(raw_body)],
) -> FilePublic:
    """Upload a file for perks and products (at most ``GIFTFLOW_FILE_MAX_BYTES``): 422
    ``file_size_invalid``, ``filename_invalid``, ``file_type_refused``."""
    may_write(principal, creator_id)
    stored = perks.upload(
        live.context,
        creator_id,
        filename=filename,
        content_type=_content_type(request),
        content=content,
        max_bytes=state.settings.file_max_bytes,
    )
    return FilePublic.of(stored)


@router.get("/creators/{creator_id}/files", response_model=FileList)
def list_files(creator_id: RoomIdPath, principal: PrincipalDep, live: LiveDep) -> FileList:
    """The creator's files, oldest first (500 at most)."""
    may_read(principal, creator_id)
    return FileList(files=[FilePublic.of(f) for f in perks.files_of(live.context, creator_id)])


# --- delivering perks -----------------------------------------------------------------


@router.post(
    "/rooms/{room_id}/delivering-perks", status_code=201, response_model=DeliveringPerkPublic
)
def add_perk(
    room_id: RoomIdPath, body: PerkCreate, principal: PrincipalDep, live: LiveDep
) -> DeliveringPerkPublic:
    """A ``file`` perk (``level``, ``file_id``), or ``early_access`` to a scheduled
    LIVE's registration (``schedule_id``, ``early_access``). 422 ``perk_invalid``,
    ``perk_level_invalid``, ``early_access_invalid``, ``perk_target_invalid``."""
    may_write(principal, room_id)
    perk = perks.add(
        live.context,
        room_id,
        level=body.level if body.early_access is None else body.early_access.level,
        kind=body.kind,
        file_id=body.file_id,
        schedule_id=body.schedule_id,
        early=None if body.early_access is None else body.early_access.value(),
    )
    return DeliveringPerkPublic.of(perk)


@router.get("/rooms/{room_id}/delivering-perks", response_model=DeliveringPerkList)
def list_perks(room_id: RoomIdPath, _: PrincipalDep, live: LiveDep) -> DeliveringPerkList:
    """The room's delivering perks, by level (a product's early access included)."""
    found = perks.of_creator(live.context, room_id)
    return DeliveringPerkList(perks=[DeliveringPerkPublic.of(p) for p in found])


@router.delete("/delivering-perks/{perk_id}", status_code=204)
def remove_perk(perk_id: PerkIdPath, principal: PrincipalDep, live: LiveDep) -> Response:
    """Its links stop working at once. 204 either way once found."""
    may_write(principal, perks.get(live.context, perk_id).creator_id)
    perks.remove(live.context, perk_id)
    return Response(status_code=204)


@router.post(
    "/delivering-perks/{perk_id}/links", status_code=201, response_model=DownloadLinkPublic
)
def perk_link(
    perk_id: PerkIdPath, body: LinkCreate, principal: PrincipalDep, live: LiveDep, state: StateDep
) -> DownloadLinkPublic:
    """A download link for a supporter the perk entitles now (403 ``not_entitled``)."""
    auth.require_self_or_scope(principal, body.user_id, WRITE)
    issued = perks.issue(
        live.context,
        _secret(state),
        grant=Grant.PERK,
        grant_id=perk_id,
        file_id=body.file_id,
        user_id=body.user_id,
        ttl_s=body.ttl_s or state.settings.file_link_ttl_s,
    )
    return DownloadLinkPublic.of(issued)


@router.get("/downloads/{link}", response_class=Response, responses=_BYTES)
def download(link: LinkPath, live: LiveDep, state: StateDep) -> Response:
    """The file, for a link not expired whose user is still entitled: 403
    ``download_link_invalid`` or ``not_entitled``, 410 ``download_link_expired``."""
    stored, content = perks.download(live.context, _secret(state), link)
    headers = {
        "Content-Disposition": f'attachment; filename="{stored.filename}"',
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "private, no-store",
        "Referrer-Policy": "no-referrer",
        "X-Content-SHA256": stored.sha256,
    }
    return Response(content, media_type=stored.content_type, headers=headers)


# --- products -------------------------------------------------------------------------


def _readable(principal: Principal, live: Live, product_id: str) -> ProductPublic:
    product = products.get(live.context, product_id)
    if product.state is not ProductState.ACTIVE:
        may_read(principal, product.creator_id)
    return ProductPublic.of(product)


@router.post("/rooms/{room_id}/products", status_code=201, response_model=ProductPublic)
def create_product(
    room_id: RoomIdPath, body: ProductCreate, principal: PrincipalDep, live: LiveDep
) -> ProductPublic:
    """A product on sale: title, price, the creator's files, optional early access."""
    may_write(principal, room_id)
    product = products.create(
        live.context,
        room_id,
        title=body.title,
        price_coins=body.price_coins,
        file_ids=body.file_ids,
        early=None if body.early_access is None else body.early_access.value(),
    )
    return ProductPublic.of(product)


@router.get("/rooms/{room_id}/products", response_model=ProductList)
def list_products(
    room_id: RoomIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    state: Annotated[ProductState | None, Query(description="Only products in this state.")] = None,
) -> ProductList:
    """The room's products (active ones for anyone; archived ones for its readers)."""
    if state is not ProductState.ACTIVE:
        may_read(principal, room_id)
    found = products.of_creator(live.context, room_id, state=state)
    return ProductList(products=[ProductPublic.of(p) for p in found])


@router.get("/products/{product_id}", response_model=ProductPublic)
def get_product(product_id: ProductIdPath, principal: PrincipalDep, live: LiveDep) -> ProductPublic:
    return _readable(principal, live, product_id)


@router.patch("/products/{product_id}", response_model=ProductPublic)
def update_product(
    product_id: ProductIdPath, body: ProductUpdate, principal: PrincipalDep, live: LiveDep
) -> ProductPublic:
    """Only the fields sent change; ``state: archived`` takes it off sale."""
    may_write(principal, products.get(live.context, product_id).creator_id)
    changes = products.Changes(
        title=body.title,
        price_coins=body.price_coins,
        file_ids=None if body.file_ids is None else tuple(body.file_ids),
        state=body.state,
    )
    return ProductPublic.of(products.update(live.context, product_id, changes))


@router.post(
    "/products/{product_id}/purchases", status_code=201, response_model=ProductPurchasePublic
)
def buy_product(
    product_id: ProductIdPath, body: PurchaseCreate, live: LiveDep, once: IdempotentDep
) -> Response:
    """Buy it for its price in coins (one ledger chain; the creator's share as diamond
    units). 409 ``product_owned``, ``product_archived``, ``not_open_yet``; 403
    ``early_access_only``; 422 ``insufficient_funds``, ``self_purchase``."""
    auth.require_self_or_scope(once.principal, body.buyer_id, BUY, admin=False)

    def work(key: Once) -> Purchase:
        return products.buy(live.context, product_id, body.buyer_id, once=key)

    return once.run(body.model_dump(mode="json"), 201, ProductPurchasePublic.of, work)


@router.get("/products/{product_id}/purchases", response_model=ProductPurchaseList)
def list_purchases(
    product_id: ProductIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> ProductPurchaseList:
    """The product's purchases, first first (its creator's readers)."""
    may_read(principal, products.get(live.context, product_id).creator_id)
    found = products.purchases_of_product(live.context, product_id, limit=limit, offset=offset)
    return ProductPurchaseList(purchases=[ProductPurchasePublic.of(p) for p in found])


@router.get("/users/{user_id}/product-purchases", response_model=ProductPurchaseList)
def buyer_statement(
    user_id: UserIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    limit: LimitQuery = 100,
    offset: OffsetQuery = 0,
) -> ProductPurchaseList:
    """The buyer's products, newest first: price, state, refund."""
    auth.require_self_or_scope(principal, user_id, "wallets:read")
    found = products.purchases_of_buyer(live.context, user_id, limit=limit, offset=offset)
    return ProductPurchaseList(purchases=[ProductPurchasePublic.of(p) for p in found])


def _purchase_for(principal: Principal, live: Live, purchase_id: int) -> ProductPurchasePublic:
    purchase = products.get_purchase(live.context, purchase_id)
    if not principal.is_user(purchase.buyer_id):
        may_read(principal, purchase.creator_id)
    return ProductPurchasePublic.of(purchase)


@router.get("/product-purchases/{purchase_id}", response_model=ProductPurchasePublic)
def get_purchase(
    purchase_id: PurchaseIdPath, principal: PrincipalDep, live: LiveDep
) -> ProductPurchasePublic:
    """For the buyer and the creator's readers."""
    return _purchase_for(principal, live, purchase_id)


@router.post("/product-purchases/{purchase_id}/refund", response_model=ProductPurchasePublic)
def refund_purchase(purchase_id: PurchaseIdPath, live: LiveDep, once: IdempotentDep) -> Response:
    """Coins back to the buyer, the pending diamonds back from the creator, the buyer's
    links refused from now on. 409 ``product_purchase_refunded``."""
    try:
        purchase = products.get_purchase(live.context, purchase_id)
    except PurchaseNotFoundError:
        auth.require_admin(once.principal)  # nobody else learns which ids exist
        raise
    auth.require_self_or_scope(once.principal, purchase.creator_id, WRITE, Role.CREATOR)

    def work(key: Once) -> Purchase:
        return products.refund(live.context, purchase_id, once=key)

    return once.run(None, 200, ProductPurchasePublic.of, work)


@router.post(
    "/product-purchases/{purchase_id}/links", status_code=201, response_model=DownloadLinkPublic
)
def purchase_link(
    purchase_id: PurchaseIdPath,
    body: PurchaseLinkCreate,
    principal: PrincipalDep,
    live: LiveDep,
    state: StateDep,
) -> DownloadLinkPublic:
    """A download link of one of the product's files, for its buyer while the purchase
    is not refunded (403 ``not_entitled``)."""
    purchase = products.get_purchase(live.context, purchase_id)
    auth.require_self_or_scope(principal, purchase.buyer_id, BUY)
    issued = perks.issue(
        live.context,
        _secret(state),
        grant=Grant.PURCHASE,
        grant_id=str(purchase_id),
        file_id=body.file_id,
        user_id=purchase.buyer_id,
        ttl_s=body.ttl_s or state.settings.file_link_ttl_s,
    )
    return DownloadLinkPublic.of(issued)


# --- priority Q&A ---------------------------------------------------------------------


@router.post("/sessions/{session_id}/questions", status_code=201, response_model=QuestionPublic)
def ask(
    session_id: SessionIdPath, body: QuestionCreate, principal: PrincipalDep, live: LiveDep
) -> QuestionPublic:
    """Put a question in the live session's priority queue (``question.submitted``):
    403 ``not_entitled`` without the room's ``qa_priority`` perk level."""
    auth.require_self_or_scope(principal, body.user_id, WRITE)
    return QuestionPublic.of(questions.submit(live.context, session_id, body.user_id, body.text))


@router.get("/sessions/{session_id}/questions", response_model=QuestionList)
def question_queue(
    session_id: SessionIdPath,
    principal: PrincipalDep,
    live: LiveDep,
    state: Annotated[QuestionState | None, Query(description="`queued` by default.")] = (
        QuestionState.QUEUED
    ),
) -> QuestionList:
    """The queue in the order the creator takes it: level (highest first), then
    submission time, then id."""
    may_read(principal, live.session(session_id).creator_id)
    found = questions.queue(live.context, session_id, state=state)
    return QuestionList(session_id=session_id, questions=[QuestionPublic.of(q) for q in found])


def _close(
    principal: Principal, live: Live, question_id: str, state: QuestionState
) -> QuestionPublic:
    may_write(principal, questions.get(live.context, question_id).creator_id)
    return QuestionPublic.of(questions.close(live.context, question_id, state))


@router.post("/questions/{question_id}/answer", response_model=QuestionPublic)
def answer(question_id: QuestionIdPath, principal: PrincipalDep, live: LiveDep) -> QuestionPublic:
    """``question.answered``; 409 ``question_closed`` once answered or skipped."""
    return _close(principal, live, question_id, QuestionState.ANSWERED)


@router.post("/questions/{question_id}/skip", response_model=QuestionPublic)
def skip(question_id: QuestionIdPath, principal: PrincipalDep, live: LiveDep) -> QuestionPublic:
    """``question.skipped``; 409 ``question_closed`` once answered or skipped."""
    return _close(principal, live, question_id, QuestionState.SKIPPED)
