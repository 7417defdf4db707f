"""The creators' files: their metadata and their bytes, read by column name."""

from __future__ import annotations

from typing import Final

from giftflow.creator.products import StoredFile, StoredFileNotFoundError
from giftflow.ids import UserId
from giftflow.store.tx import NamedRow, Tx

_META: Final = "id, creator_id, filename, content_type, size_bytes, sha256, created_at"
LIST_MAX: Final = 500


def _file_of(row: NamedRow) -> StoredFile:
    return StoredFile(
        id=row["id"],
        creator_id=UserId(int(row["creator_id"])),
        filename=row["filename"],
        content_type=row["content_type"],
        size_bytes=int(row["size_bytes"]),
        sha256=row["sha256"],
        created_at=int(row["created_at"]),
    )


def insert(tx: Tx, stored: StoredFile, content: bytes) -> None:
    tx.execute(
        f"INSERT INTO creator_files ({_META}, content) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            stored.id,
            stored.creator_id,
            stored.filename,
            stored.content_type,
            stored.size_bytes,
            stored.sha256,
            stored.created_at,
            content,
        ),
    )


def find(tx: Tx, file_id: str) -> StoredFile:
    row = tx.named(f"SELECT {_META} FROM creator_files WHERE id = ?", (file_id,))
    if row is None:
        raise StoredFileNotFoundError(f"no file {file_id}")
    return _file_of(row)


def of_creator(tx: Tx, creator_id: UserId) -> list[StoredFile]:
    rows = tx.named_all(
        f"SELECT {_META} FROM creator_files WHERE creator_id = ?"
        f" ORDER BY created_at, id LIMIT {LIST_MAX}",
        (creator_id,),
    )
    return [_file_of(row) for row in rows]


def content(tx: Tx, file_id: str) -> bytes:
    row = tx.named("SELECT content FROM creator_files WHERE id = ?", (file_id,))
    if row is None:
        raise StoredFileNotFoundError(f"no file {file_id}")
    return bytes(row["content"])
