"""Where photo bytes live: one small interface, and two implementations.

- ``FilesystemPhotoStorage``: files under the data directory (one host, or a shared mount);
- ``DatabasePhotoStorage``: rows in the database (``photo_blob`` naming ``photo_chunk`` rows of 256 KiB), so every
  app host on one PostgreSQL sees the same photos and one database backup covers them.

``ESTATEWALK_PHOTO_STORE=database|files`` chooses (``Settings.photo_store_kind``). Callers name things by key
(``original/ab/abcd…``) and never see paths or rows. Keys come only from ``photo_key`` below, built from a
validated SHA-256, never from a client's string.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Literal, Protocol

from collections.abc import AsyncIterator

import anyio.to_thread

Variant = Literal["original", "display", "thumb"]
VARIANTS: tuple[Variant, ...] = ("original", "display", "thumb")

_SHA256 = re.compile(r"[0-9a-f]{64}")
_KEY = re.compile(r"(original|display|thumb)/[0-9a-f]{2}/[0-9a-f]{64}")


def is_sha256(value: str) -> bool:
    return _SHA256.fullmatch(value) is not None


def photo_key(variant: Variant, sha256: str) -> str:
    """The storage key of one variant; fanned out by the first two hex digits so no directory grows huge."""
    if not is_sha256(sha256) or variant not in VARIANTS:
        raise ValueError("not a photo key")
    return f"{variant}/{sha256[:2]}/{sha256}"


class PhotoStorage(Protocol):
    """Bytes by key. ``put`` is atomic: a reader sees the whole old value, the whole new one, or nothing."""

    async def put(self, key: str, data: bytes) -> None: ...

    async def get(self, key: str) -> bytes | None: ...

    async def exists(self, key: str) -> bool: ...

    async def delete(self, key: str) -> None: ...

    async def size(self, key: str) -> int | None:
        """The stored value's length in bytes, or None when there is none."""
        ...

    def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        """Bytes ``start`` up to (not including) ``end`` of a stored value, in pieces; ``size`` said it exists."""
        ...

    def keys(self) -> AsyncIterator[str]:
        """Every stored key (for ``estatewalk photos migrate`` and ``check``), in no promised order."""
        ...


#: How much a stream reads at a time from a file, and the size of the database store's chunks.
PIECE = 256 * 1024


class FilesystemPhotoStorage:
    """Files under one directory (``settings.photo_dir``), written as temp file → fsync → rename → fsync dir.

    The directory must not be served statically: photos leave only through the authorised handler.
    """

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        # Defence in depth: keys are built by photo_key, but a path must never escape the root.
        if _KEY.fullmatch(key) is None:
            raise ValueError(f"not a photo key: {key!r}")
        return self.root / key

    async def put(self, key: str, data: bytes) -> None:
        await anyio.to_thread.run_sync(write_atomically, self._path(key), data)

    async def get(self, key: str) -> bytes | None:
        path = self._path(key)

        def read() -> bytes | None:
            try:
                return path.read_bytes()
            except FileNotFoundError:
                return None

        return await anyio.to_thread.run_sync(read)

    async def exists(self, key: str) -> bool:
        return await anyio.to_thread.run_sync(self._path(key).is_file)

    async def delete(self, key: str) -> None:
        await anyio.to_thread.run_sync(lambda: self._path(key).unlink(missing_ok=True))

    async def size(self, key: str) -> int | None:
        path = self._path(key)

        def stat() -> int | None:
            try:
                return path.stat().st_size
            except FileNotFoundError:
                return None

        return await anyio.to_thread.run_sync(stat)

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        file = await anyio.to_thread.run_sync(open, self._path(key), "rb")
        try:
            await anyio.to_thread.run_sync(file.seek, start)
            left = end - start
            while left > 0:
                piece = await anyio.to_thread.run_sync(file.read, min(PIECE, left))
                if not piece:
                    return
                left -= len(piece)
                yield piece
        finally:
            file.close()

    async def keys(self) -> AsyncIterator[str]:
        def found() -> list[str]:
            if not self.root.is_dir():
                return []
            return sorted(str(p.relative_to(self.root)) for p in self.root.glob("*/*/*")
                          if p.is_file() and _KEY.fullmatch(str(p.relative_to(self.root))))

        for key in await anyio.to_thread.run_sync(found):
            yield key


class DatabasePhotoStorage:
    """Bytes in the database: a ``photo_blob`` row names them, ``photo_chunk`` rows of ``PIECE`` bytes hold them.

    A value and its row are written in one transaction, so a reader sees the whole value or none; on PostgreSQL
    a transaction-scoped advisory lock on the key keeps two hosts storing the same photo at once from colliding.
    Reads go a few chunks at a time, so serving a 25 MB original never holds it whole in memory.
    """

    #: Chunks written per INSERT and read per SELECT.
    BATCH = 8

    def __init__(self, chunk_size: int = PIECE) -> None:
        self.chunk_size = chunk_size
        # What ``size`` read, for the ``stream`` that follows it in the same request (one storage per request).
        self._blobs: dict[str, dict] = {}

    @staticmethod
    def _check(key: str) -> str:
        if _KEY.fullmatch(key) is None:
            raise ValueError(f"not a photo key: {key!r}")
        return key

    async def put(self, key: str, data: bytes) -> None:
        from piccolo.engine.postgres import PostgresEngine

        from server.clock import utcnow
        from server.db import tables as t
        from server.db.engine import current_engine, write_transaction

        self._check(key)
        if not isinstance(data, (bytes, bytearray, memoryview)):
            raise TypeError("photo bytes must be bytes")
        data = bytes(data)
        size = self.chunk_size
        pieces = [data[i:i + size] for i in range(0, len(data), size)] or [b""]
        engine = current_engine()
        async with write_transaction(engine):
            if isinstance(engine, PostgresEngine):
                await t.PhotoBlob.raw("SELECT pg_advisory_xact_lock({}, hashtext({}))", _BLOB_LOCK, key)
            await t.PhotoChunk.delete().where(t.PhotoChunk.blob_key == key)
            await t.PhotoBlob.delete().where(t.PhotoBlob.key == key)
            for first in range(0, len(pieces), self.BATCH):
                await t.PhotoChunk.insert(*[
                    t.PhotoChunk(blob_key=key, seq=first + n, data=piece)
                    for n, piece in enumerate(pieces[first:first + self.BATCH])])
            await t.PhotoBlob.insert(t.PhotoBlob(key=key, byte_size=len(data), chunk_size=size,
                                                 chunk_count=len(pieces), created_at=utcnow()))

    async def _blob(self, key: str) -> dict | None:
        from server.db import tables as t

        return await t.PhotoBlob.select(t.PhotoBlob.byte_size, t.PhotoBlob.chunk_size,
                                        t.PhotoBlob.chunk_count).where(t.PhotoBlob.key == self._check(key)).first()

    async def get(self, key: str) -> bytes | None:
        blob = await self._blob(key)
        if blob is None:
            return None
        return b"".join([piece async for piece in self._chunks(key, blob, 0, blob["byte_size"])])

    async def exists(self, key: str) -> bool:
        from server.db import tables as t

        return await t.PhotoBlob.exists().where(t.PhotoBlob.key == self._check(key))

    async def delete(self, key: str) -> None:
        from server.db import tables as t
        from server.db.engine import current_engine, write_transaction

        self._check(key)
        async with write_transaction(current_engine()):
            await t.PhotoBlob.delete().where(t.PhotoBlob.key == key)
            await t.PhotoChunk.delete().where(t.PhotoChunk.blob_key == key)

    async def size(self, key: str) -> int | None:
        blob = await self._blob(key)
        if blob is None:
            return None
        self._blobs[key] = blob
        return blob["byte_size"]

    async def stream(self, key: str, start: int, end: int) -> AsyncIterator[bytes]:
        # Values are never changed in place (a key names its content), so the row ``size`` read still holds.
        blob = self._blobs.pop(key, None) or await self._blob(key)
        if blob is None:
            return
        async for piece in self._chunks(key, blob, start, min(end, blob["byte_size"])):
            yield piece

    async def _chunks(self, key: str, blob: dict, start: int, end: int) -> AsyncIterator[bytes]:
        from server.db import tables as t

        size = blob["chunk_size"]
        if end <= start:
            return
        first, last = start // size, (end - 1) // size
        for batch in range(first, last + 1, self.BATCH):
            rows = await t.PhotoChunk.raw(
                "SELECT seq, data FROM photo_chunk WHERE blob_key = {} AND seq >= {} AND seq < {} ORDER BY seq",
                key, batch, min(batch + self.BATCH, last + 1))
            for row in rows:
                offset = row["seq"] * size
                data = bytes(row["data"])
                yield data[max(0, start - offset):max(0, end - offset)]

    async def keys(self) -> AsyncIterator[str]:
        from server.db import tables as t

        after = ""
        while True:
            rows = await t.PhotoBlob.select(t.PhotoBlob.key).where(t.PhotoBlob.key > after).order_by(
                t.PhotoBlob.key).limit(500)
            if not rows:
                return
            for row in rows:
                yield row["key"]
            after = rows[-1]["key"]


#: The first half of the advisory lock key for writing a blob (the second is the key's hash).
_BLOB_LOCK = 0x45570B10


def write_atomically(path: Path, data: bytes) -> None:
    """Write so that a crash at any moment leaves either no file or the whole file under ``path``."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # The temp name starts with a dot and ends in .tmp, so it can never be mistaken for a photo key.
    temp = path.parent / f".{path.name}.{secrets.token_hex(6)}.tmp"
    try:
        with open(temp, "wb") as file:
            file.write(data)
            file.flush()
            os.fsync(file.fileno())
        os.replace(temp, path)
    except BaseException:
        temp.unlink(missing_ok=True)
        raise
    fsync_directory(path.parent)


def fsync_directory(directory: Path) -> None:
    """Make a rename or unlink in ``directory`` durable (the file's own fsync does not cover its name)."""
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
