"""Files, delivering perks, digital products, their purchases and the priority Q&A
queue (docs/products.md)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated, Self

from pydantic import BaseModel, Field, Strict, StringConstraints

from giftflow import text as policy
from giftflow.creator.perks import (
    EARLY_S_MAX,
    QUESTION_LENGTH_MAX,
    DeliveringPerk,
    DeliveryKind,
    EarlyAccess,
    Question,
    QuestionState,
)
from giftflow.creator.products import (
    FILES_PER_PRODUCT_MAX,
    PRICE_COINS_MAX,
    TITLE_LENGTH_MAX,
    Product,
    ProductState,
    Purchase,
    PurchaseState,
    StoredFile,
)
from giftflow.http.schemas.common import Request, UserId, WholeNumber, at, at_or_none, policed
from giftflow.http.schemas.live import ScheduleId
from giftflow.http.schemas.promote import Moment, ns
from giftflow.service.creator.perks import IssuedLink
from giftflow.service.creator.products import Listing

FileId = Annotated[
    str, StringConstraints(min_length=4, max_length=40, pattern=r"^fl_[A-Za-z0-9]+$")
]
"""A file's id (``fl_…``)."""
ProductId = Annotated[
    str, StringConstraints(min_length=4, max_length=40, pattern=r"^pr_[A-Za-z0-9]+$")
]
"""A product's id (``pr_…``)."""
PerkId = Annotated[
    str, StringConstraints(min_length=4, max_length=40, pattern=r"^pk_[A-Za-z0-9]+$")
]
"""A delivering perk's id (``pk_…``)."""
QuestionId = Annotated[
    str, StringConstraints(min_length=4, max_length=40, pattern=r"^qn_[A-Za-z0-9]+$")
]
"""A question's id (``qn_…``)."""
Level = Annotated[int, Strict(), Field(ge=1, le=100), WholeNumber]
Price = Annotated[int, Strict(), Field(ge=1, le=PRICE_COINS_MAX), WholeNumber]
EarlySeconds = Annotated[int, Strict(), Field(ge=0, le=EARLY_S_MAX), WholeNumber]
ProductTitle = Annotated[
    str,
    StringConstraints(min_length=1, max_length=TITLE_LENGTH_MAX),
    policed(policy.human, max_length=TITLE_LENGTH_MAX),
]
QuestionText = Annotated[
    str,
    StringConstraints(min_length=1, max_length=QUESTION_LENGTH_MAX),
    policed(policy.human, max_length=QUESTION_LENGTH_MAX),
]
FileIds = Annotated[list[FileId], Field(min_length=1, max_length=FILES_PER_PRODUCT_MAX)]
LinkTtl = Annotated[int, Strict(), Field(ge=60, le=86_400), WholeNumber]


class FilePublic(BaseModel):
    id: str
    creator_id: int
    filename: str
    content_type: str
    size_bytes: int
    sha256: str
    """Hex SHA-256 of the bytes, as stored; each download carries it too."""
    created_at: datetime

    @classmethod
    def of(cls, stored: StoredFile) -> Self:
        return cls(
            id=stored.id,
            creator_id=stored.creator_id,
            filename=stored.filename,
            content_type=stored.content_type,
            size_bytes=stored.size_bytes,
            sha256=stored.sha256,
            created_at=at(stored.created_at),
        )


class FileList(BaseModel):
    files: list[FilePublic]


class EarlyAccessCreate(Request):
    level: Level
    """Supporters at this level and above get in early."""
    opens_at: Moment
    """When it opens to everyone."""
    early_s: EarlySeconds
    """How long before ``opens_at`` the supporters get in (30 days at most)."""

    def value(self) -> EarlyAccess:
        return EarlyAccess(self.level, ns(self.opens_at), self.early_s)


class EarlyAccessPublic(BaseModel):
    level: int
    opens_at: datetime
    early_at: datetime
    """When the supporters at ``level`` and above get in."""

    @classmethod
    def of(cls, early: EarlyAccess | None) -> Self | None:
        if early is None:
            return None
        return cls(level=early.level, opens_at=at(early.opens_at), early_at=at(early.early_at))


class DeliveringPerkCreate(Request):
    """``file``: ``level`` and ``file_id``; ``early_access``: ``schedule_id`` and
    ``early_access`` (its ``level`` is the perk's)."""

    kind: DeliveryKind
    level: Level = 1
    file_id: FileId | None = None
    schedule_id: ScheduleId | None = None
    early_access: EarlyAccessCreate | None = None


class DeliveringPerkPublic(BaseModel):
    id: str
    creator_id: int
    level: int
    kind: DeliveryKind
    file_id: str | None
    product_id: str | None
    schedule_id: str | None
    early_access: EarlyAccessPublic | None
    created_at: datetime

    @classmethod
    def of(cls, perk: DeliveringPerk) -> Self:
        return cls(
            id=perk.id,
            creator_id=perk.creator_id,
            level=perk.level,
            kind=perk.kind,
            file_id=perk.file_id,
            product_id=perk.product_id,
            schedule_id=perk.schedule_id,
            early_access=EarlyAccessPublic.of(perk.early),
            created_at=at(perk.created_at),
        )


class DeliveringPerkList(BaseModel):
    perks: list[DeliveringPerkPublic]


class DownloadLinkCreate(Request):
    user_id: UserId
    """Who downloads: the link is theirs alone."""
    file_id: FileId
    ttl_s: LinkTtl | None = None
    """How long the link lives (``GIFTFLOW_FILE_LINK_TTL_S`` by default, a day at most)."""


class DownloadLinkPublic(BaseModel):
    url: str
    """``/v1/downloads/<link>``: open it (no header needed) before it expires."""
    file_id: str
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedLink) -> Self:
        return cls(
            url=f"/v1/downloads/{issued.link}",
            file_id=issued.file_id,
            expires_at=at(issued.expires_at),
        )


class ProductCreate(Request):
    title: ProductTitle
    price_coins: Price
    file_ids: FileIds
    """The creator's files the product delivers (distinct)."""
    early_access: EarlyAccessCreate | None = None
    """On sale to supporters at ``level`` and above ``early_s`` before everyone."""


class ProductUpdate(Request):
    """Only the fields sent change."""

    title: ProductTitle | None = None
    price_coins: Price | None = None
    file_ids: FileIds | None = None
    state: ProductState | None = None


class ProductPublic(BaseModel):
    id: str
    creator_id: int
    title: str
    price_coins: int
    state: ProductState
    file_ids: list[str]
    early_access: EarlyAccessPublic | None
    buy_path: str
    created_at: datetime
    updated_at: datetime

    @classmethod
    def of(cls, product: Product) -> Self:
        return cls(
            id=product.id,
            creator_id=product.creator_id,
            title=product.title,
            price_coins=product.price_coins,
            state=product.state,
            file_ids=list(product.file_ids),
            early_access=EarlyAccessPublic.of(product.early),
            buy_path=f"/v1/products/{product.id}/purchases",
            created_at=at(product.created_at),
            updated_at=at(product.updated_at),
        )


class ProductList(BaseModel):
    products: list[ProductPublic]


class ListingPublic(BaseModel):
    product_id: str
    title: str
    price_coins: int
    buy_path: str
    opens_at: datetime | None

    @classmethod
    def of(cls, listing: Listing) -> Self:
        return cls(
            product_id=listing.product_id,
            title=listing.title,
            price_coins=listing.price_coins,
            buy_path=listing.buy_path,
            opens_at=None if listing.opens_at is None else at(listing.opens_at),
        )


class PurchaseCreate(Request):
    buyer_id: UserId


class ProductPurchasePublic(BaseModel):
    id: str
    """The purchase's id (decimal digits: the coin transfer's id)."""
    product_id: str
    title: str
    buyer_id: int
    creator_id: int
    price_coins: int
    share_bps: int
    diamond_units: int
    """The creator's share, in diamond units (``price_coins * share_bps``)."""
    state: PurchaseState
    purchased_at: datetime
    matures_at: datetime
    matured_at: datetime | None
    refunded_at: datetime | None
    clawed_back_units: int
    """The diamond units the refund took back (0 when they had matured)."""

    @classmethod
    def of(cls, purchase: Purchase) -> Self:
        return cls(
            id=str(purchase.id),
            product_id=purchase.product_id,
            title=purchase.title,
            buyer_id=purchase.buyer_id,
            creator_id=purchase.creator_id,
            price_coins=purchase.price_coins,
            share_bps=purchase.share_bps,
            diamond_units=purchase.diamond_units,
            state=purchase.state,
            purchased_at=at(purchase.purchased_at),
            matures_at=at(purchase.matures_at),
            matured_at=at_or_none(purchase.matured_at),
            refunded_at=at_or_none(purchase.refunded_at),
            clawed_back_units=purchase.clawed_back_units,
        )


class ProductPurchaseList(BaseModel):
    purchases: list[ProductPurchasePublic]


class PurchaseLinkCreate(Request):
    file_id: FileId
    ttl_s: LinkTtl | None = None


class QuestionCreate(Request):
    user_id: UserId
    text: QuestionText


class QuestionPublic(BaseModel):
    id: str
    session_id: int
    creator_id: int
    user_id: int
    level: int
    text: str
    state: QuestionState
    submitted_at: datetime
    closed_at: datetime | None

    @classmethod
    def of(cls, question: Question) -> Self:
        return cls(
            id=question.id,
            session_id=question.session_id,
            creator_id=question.creator_id,
            user_id=question.user_id,
            level=question.level,
            text=question.text,
            state=question.state,
            submitted_at=at(question.submitted_at),
            closed_at=at_or_none(question.closed_at),
        )


class QuestionList(BaseModel):
    session_id: int
    questions: list[QuestionPublic]
    """In queue order: level (highest first), then submission time, then id."""
