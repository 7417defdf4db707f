"""Perks that deliver: the creators' files, the perks that deliver them (or early
access), signed download links for the entitled, and the download itself, which
checks the entitlement again (docs/products.md).

A file's bytes live in the database, so every server process serves every file; a
file is written in one transaction with its metadata and never changes (its SHA-256 is
kept and sent with each download). Nothing here moves money.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

from giftflow.creator import perks_links
from giftflow.creator.perks import (
    DeliveringPerk,
    DeliveryKind,
    EarlyAccess,
    NotEntitledError,
    PerkError,
    check_early,
    check_level,
    entitled,
)
from giftflow.creator.perks_links import FileLink, Grant
from giftflow.creator.products import (
    PurchaseState,
    StoredFile,
    StoredFileNotFoundError,
    check_file,
)
from giftflow.economy.errors import NotACreatorError
from giftflow.ids import UserId
from giftflow.ledger.clock import NS_PER_S, UnixNs
from giftflow.live.levels import level_for
from giftflow.service.economy import users
from giftflow.service.live import schedules
from giftflow.service.live.context import LiveContext
from giftflow.store import delivering_perks, files, product_purchases, products, supporters
from giftflow.store.tx import Tx


@dataclass(frozen=True, slots=True)
class IssuedLink:
    link: str
    """The signed last part of ``/v1/downloads/<link>``: a credential, shown once."""
    file_id: str
    expires_at: UnixNs


def require_creator(tx: Tx, creator_id: UserId) -> None:
    if not users.find(tx, creator_id).is_creator:
        raise NotACreatorError(f"user {creator_id} is not a creator")


def level_in(tx: Tx, context: LiveContext, creator_id: UserId, user_id: UserId) -> int:
    """The user's supporter level with the creator, as the database holds it now."""
    coins = supporters.supporter_coins(tx, creator_id, user_id)
    return level_for(coins, context.settings.level_thresholds_coins)


# --- files ----------------------------------------------------------------------------


def upload(
    context: LiveContext,
    creator_id: UserId,
    *,
    filename: str,
    content_type: str,
    content: bytes,
    max_bytes: int,
) -> StoredFile:
    check_file(filename, content_type, len(content), max_bytes=max_bytes)
    stored = StoredFile(
        id=context.economy.new_id("fl"),
        creator_id=creator_id,
        filename=filename,
        content_type=content_type,
        size_bytes=len(content),
        sha256=hashlib.sha256(content).hexdigest(),
        created_at=context.now(),
    )

    def add(tx: Tx) -> StoredFile:
        require_creator(tx, creator_id)
        files.insert(tx, stored, content)
        return stored

    return context.write(add)


def files_of(context: LiveContext, creator_id: UserId) -> list[StoredFile]:
    return context.read(lambda tx: files.of_creator(tx, creator_id))


def get_file(context: LiveContext, file_id: str) -> StoredFile:
    return context.read(lambda tx: files.find(tx, file_id))


def own_file(tx: Tx, creator_id: UserId, file_id: str) -> StoredFile:
    """The creator's file (another creator's is as good as missing)."""
    stored = files.find(tx, file_id)
    if stored.creator_id != creator_id:
        raise StoredFileNotFoundError(f"no file {file_id} of creator {creator_id}")
    return stored


# --- delivering perks -----------------------------------------------------------------


def add(
    context: LiveContext,
    creator_id: UserId,
    *,
    level: int,
    kind: DeliveryKind,
    file_id: str | None = None,
    schedule_id: str | None = None,
    early: EarlyAccess | None = None,
) -> DeliveringPerk:
    """A ``file`` perk (``file_id``), or ``early_access`` to a scheduled LIVE's
    registration (``schedule_id`` and ``early``); a product's early access comes with
    the product (``products.create``)."""
    levels = len(context.settings.level_thresholds_coins)
    check_level(level, levels)
    if kind is DeliveryKind.FILE and (file_id is None or schedule_id or early):
        raise PerkError("a file perk names one file and nothing else", code="perk_invalid")
    if kind is DeliveryKind.EARLY_ACCESS:
        if schedule_id is None or early is None or file_id is not None:
            raise PerkError(
                "an early-access perk names a scheduled LIVE and when it opens",
                code="perk_invalid",
            )
        early = EarlyAccess(level, early.opens_at, early.early_s)
        check_early(early, levels)
    perk = DeliveringPerk(
        id=context.economy.new_id("pk"),
        creator_id=creator_id,
        level=level,
        kind=kind,
        file_id=file_id,
        product_id=None,
        schedule_id=schedule_id,
        early=early,
        created_at=context.now(),
    )

    def write(tx: Tx) -> DeliveringPerk:
        require_creator(tx, creator_id)
        if file_id is not None:
            own_file(tx, creator_id, file_id)
        if schedule_id is not None:
            _own_schedule(tx, creator_id, schedule_id)
        delivering_perks.insert_perk(tx, perk)
        return perk

    return context.write(write)


def _own_schedule(tx: Tx, creator_id: UserId, schedule_id: str) -> None:
    if schedules.find(tx, schedule_id).creator_id != creator_id:
        raise PerkError(
            f"scheduled LIVE {schedule_id} is another creator's", code="perk_target_invalid"
        )
    if products.early_of_schedule(tx, schedule_id) is not None:
        raise PerkError(
            f"scheduled LIVE {schedule_id} has its early access already",
            code="perk_target_invalid",
        )


def of_creator(context: LiveContext, creator_id: UserId) -> list[DeliveringPerk]:
    return context.read(lambda tx: delivering_perks.perks_of(tx, creator_id))


def get(context: LiveContext, perk_id: str) -> DeliveringPerk:
    return context.read(lambda tx: delivering_perks.find_perk(tx, perk_id))


def remove(context: LiveContext, perk_id: str) -> bool:
    """Remove a perk (a product's early access goes with its product): its links stop
    working at once, since each download checks the perk again."""

    def delete(tx: Tx) -> bool:
        perk = delivering_perks.find_perk(tx, perk_id)
        if perk.product_id is not None:
            raise PerkError(
                "a product's early access changes with the product", code="perk_target_invalid"
            )
        return delivering_perks.delete_perk(tx, perk_id)

    return context.write(delete)


# --- links and downloads ----------------------------------------------------------------


def _check_perk_grant(tx: Tx, context: LiveContext, link: FileLink) -> None:
    perk = delivering_perks.find_perk(tx, link.grant_id)
    if perk.kind is not DeliveryKind.FILE or perk.file_id != link.file_id:
        raise NotEntitledError(f"perk {perk.id} does not deliver file {link.file_id}")
    level = level_in(tx, context, perk.creator_id, link.user_id)
    if not entitled(level, perk.level):
        raise NotEntitledError(
            f"the file is for supporters of level {perk.level} and above; user"
            f" {link.user_id} is at level {level}"
        )


def _check_purchase_grant(tx: Tx, link: FileLink) -> None:
    if not link.grant_id.isdigit():
        raise NotEntitledError("no such purchase")
    purchase = product_purchases.find_purchase(tx, int(link.grant_id))
    if purchase.buyer_id != link.user_id or purchase.state is not PurchaseState.PAID:
        raise NotEntitledError(f"purchase {purchase.id} does not entitle user {link.user_id}")
    if not products.file_in_product(tx, purchase.product_id, link.file_id):
        raise NotEntitledError(f"product {purchase.product_id} does not deliver {link.file_id}")


def check(tx: Tx, context: LiveContext, link: FileLink) -> None:
    """Whether the link's user is entitled to its file now (raises ``not_entitled``)."""
    if link.grant is Grant.PERK:
        _check_perk_grant(tx, context, link)
    else:
        _check_purchase_grant(tx, link)


def issue(
    context: LiveContext,
    secret: bytes,
    *,
    grant: Grant,
    grant_id: str,
    file_id: str,
    user_id: UserId,
    ttl_s: int,
) -> IssuedLink:
    """A link to ``file_id`` for ``user_id``, if they are entitled now; it expires
    after ``ttl_s`` seconds (a day at most) on the economy's clock."""
    now_s = context.now() // NS_PER_S
    link = FileLink(file_id, user_id, grant, grant_id, now_s + min(ttl_s, perks_links.TTL_MAX_S))
    context.read(lambda tx: check(tx, context, link))
    return IssuedLink(perks_links.sign(secret, link), file_id, link.expires_s * NS_PER_S)


def download(context: LiveContext, secret: bytes, text: str) -> tuple[StoredFile, bytes]:
    """The file a link names, with its bytes, once the link and the entitlement are
    checked again (one read)."""
    link = perks_links.read(secret, text, now_s=context.now() // NS_PER_S)

    def read(tx: Tx) -> tuple[StoredFile, bytes]:
        check(tx, context, link)
        return files.find(tx, link.file_id), files.content(tx, link.file_id)

    return context.read(read)
