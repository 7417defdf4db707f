"""Digital products and their purchases over HTTP (docs/products.md).

Products are written by the room's creator (a creator token), an administrator or a
key with ``live:write``; any authenticated caller reads an active one. A viewer buys
(their own token, a key with ``purchases:write``) with an ``Idempotency-Key``; the
creator (their token), a key with ``live:write`` or an administrator refunds, with one
too. The buyer gets download links of the product's files while the purchase stands
(the files and their links otherwise: ``giftflow.api.routes.files``).
"""

from __future__ import annotations

from typing import Annotated, Final

from fastapi import APIRouter, Path, Query, Response

from giftflow.api.routes.files import link_secret
from giftflow.api.routes.live import WRITE, RoomIdPath, UserIdPath, may_read, may_write
from giftflow.creator.perks_links import Grant
from giftflow.creator.products import ProductState, Purchase, PurchaseNotFoundError
from giftflow.http import auth
from giftflow.http.deps import IdempotentDep, LiveDep, PrincipalDep, StateDep
from giftflow.http.principals import Principal
from giftflow.http.problems import RESPONSES
from giftflow.http.schemas import Role
from giftflow.http.schemas.products import (
    DownloadLinkPublic,
    ProductCreate,
    ProductId,
    ProductList,
    ProductPublic,
    ProductPurchaseList,
    ProductPurchasePublic,
    ProductUpdate,
    PurchaseCreate,
    PurchaseLinkCreate,
)
from giftflow.ids import UserId
from giftflow.ledger.limits import INT64_MAX
from giftflow.service.creator import perks, products
from giftflow.service.live import Live
from giftflow.service.once import Once

router = APIRouter(prefix="/v1", tags=["products"], responses=RESPONSES)
ProductIdPath = Annotated[ProductId, Path(description="A product's id (`pr_…`).")]
PurchaseIdPath = Annotated[int, Path(ge=1, le=INT64_MAX, description="A product purchase's id.")]
LimitQuery = Annotated[int, Query(ge=1, le=1_000, description="100 by default.")]
OffsetQuery = Annotated[int, Query(ge=0, le=2**31 - 1)]
BUY: Final = "purchases:write"


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
        return products.buy(live.context, product_id, UserId(body.buyer_id), once=key)

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
        link_secret(state),
        grant=Grant.PURCHASE,
        grant_id=str(purchase_id),
        file_id=body.file_id,
        user_id=purchase.buyer_id,
        ttl_s=body.ttl_s or state.settings.file_link_ttl_s,
    )
    return DownloadLinkPublic.of(issued)
