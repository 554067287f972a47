"""Unfinished resumable (tus) uploads: where their state and bytes wait until the last byte arrives.

Two areas with one shape, chosen with the photo store (``upload_area_for``):

- ``DatabaseUploadArea``: ``tus_upload`` rows and their ``tus_upload_part`` rows, so an upload begun through one
  app host resumes through any other; one writer at a time through a PostgreSQL advisory lock held on a
  connection of its own (a host that dies drops its connection, and with it the lock, at once);
- ``UploadArea``: files on local disk, described below.

In the file area each upload is three files in ``settings.upload_dir``:

- ``<id>.json``: who created it, the SHA-256 it promises and its length (written once, atomically; rewritten
  when the upload completes, so a client that lost the final answer can still ask for its offset);
- ``<id>.part``: the bytes received so far. Its size *is* the offset, so state and bytes cannot disagree;
- ``<id>.lock``: held (``flock``) by whichever request is writing, across processes too.

This is scratch space: it is never served, and the finished bytes move to ``PhotoStorage``. An upload expires
``upload_expiry_seconds`` after its last activity (the newest of its files' modification times).
"""

from __future__ import annotations

import datetime as dt
import fcntl
import os
import secrets
import time
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import anyio
import anyio.to_thread
import msgspec

from server.photos.storage import PIECE, write_atomically
from server.problems import ChecksumMismatch, TooLarge
from server.settings import Settings

_ID_LENGTH = 32  # hex digits


class Upload(msgspec.Struct, frozen=True):
    id: str
    user_id: UUID
    sha256: str
    length: int
    created_at: float
    completed: bool = False
    touched_at: float = 0.0
    """When a byte last arrived (the database area; the file area reads its files' modification times)."""


class UploadBusy(Exception):
    """Another request is still writing this upload."""


def _is_upload_id(value: str) -> bool:
    return len(value) == _ID_LENGTH and all(c in "0123456789abcdef" for c in value)


class UploadArea:
    def __init__(self, settings: Settings) -> None:
        self.root = settings.upload_dir
        self.expiry = settings.upload_expiry_seconds

    def _meta(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.json"

    def part(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.part"

    def _lock(self, upload_id: str) -> Path:
        return self.root / f"{upload_id}.lock"

    # --- lifecycle ---------------------------------------------------------------------------------------------
    async def create(self, user_id: UUID, sha256: str, length: int) -> Upload:
        upload = Upload(id=secrets.token_hex(_ID_LENGTH // 2), user_id=user_id, sha256=sha256, length=length,
                        created_at=time.time())

        def write() -> None:
            self.root.mkdir(parents=True, exist_ok=True)
            self.part(upload.id).touch()
            self._lock(upload.id).touch()
            write_atomically(self._meta(upload.id), msgspec.json.encode(upload))

        await anyio.to_thread.run_sync(write)
        return upload

    async def find(self, upload_id: str, user_id: UUID) -> Upload | None:
        """The upload, if it exists, is this person's and has not expired (an expired one is removed now)."""
        if not _is_upload_id(upload_id):
            return None
        upload = await anyio.to_thread.run_sync(self._read, upload_id)
        if upload is None or upload.user_id != user_id:
            return None
        if self.expires_at(upload) <= time.time():
            await self.remove(upload_id)
            return None
        return upload

    def _read(self, upload_id: str) -> Upload | None:
        try:
            return msgspec.json.decode(self._meta(upload_id).read_bytes(), type=Upload)
        except (FileNotFoundError, msgspec.DecodeError):
            return None

    async def offset(self, upload: Upload) -> int:
        return self._offset(upload)

    def _offset(self, upload: Upload) -> int:
        if upload.completed:
            return upload.length
        try:
            return self.part(upload.id).stat().st_size
        except FileNotFoundError:
            return 0

    def last_activity(self, upload_id: str) -> float:
        times = []
        for path in (self._meta(upload_id), self.part(upload_id)):
            try:
                times.append(path.stat().st_mtime)
            except FileNotFoundError:
                pass
        return max(times, default=0.0)

    def expires_at(self, upload: Upload) -> float:
        return max(upload.created_at, self.last_activity(upload.id)) + self.expiry

    async def expires_header(self, upload: Upload) -> str:
        """``Upload-Expires`` as an HTTP date (tus expiration extension)."""
        return http_date(self.expires_at(upload))

    async def mark_completed(self, upload: Upload) -> None:
        """Keep the small record (so HEAD still answers "complete"), drop the bytes."""
        done = msgspec.structs.replace(upload, completed=True)

        def write() -> None:
            write_atomically(self._meta(upload.id), msgspec.json.encode(done))
            self.part(upload.id).unlink(missing_ok=True)

        await anyio.to_thread.run_sync(write)

    async def remove(self, upload_id: str) -> None:
        def unlink() -> None:
            for path in (self._meta(upload_id), self.part(upload_id), self._lock(upload_id)):
                path.unlink(missing_ok=True)

        await anyio.to_thread.run_sync(unlink)

    async def reap_expired(self) -> int:
        """Remove every upload whose time is up; returns how many. Cheap enough to run at each creation."""
        if not self.root.is_dir():
            return 0
        now = time.time()

        def expired_ids() -> list[str]:
            found = []
            for meta in self.root.glob("*.json"):
                upload = self._read(meta.stem)
                created = upload.created_at if upload else 0.0
                if max(created, self.last_activity(meta.stem)) + self.expiry <= now:
                    found.append(meta.stem)
            # A .part or .lock whose .json is gone (a crash during removal) is garbage too.
            for stray in [*self.root.glob("*.part"), *self.root.glob("*.lock")]:
                if not self._meta(stray.stem).exists() and stray.stat().st_mtime + self.expiry <= now:
                    found.append(stray.stem)
            return found

        ids = await anyio.to_thread.run_sync(expired_ids)
        for upload_id in ids:
            await self.remove(upload_id)
        return len(ids)

    async def unfinished_count(self, user_id: UUID) -> int:
        def count() -> int:
            if not self.root.is_dir():
                return 0
            total = 0
            for meta in self.root.glob("*.json"):
                upload = self._read(meta.stem)
                if upload is not None and upload.user_id == user_id and not upload.completed:
                    total += 1
            return total

        return await anyio.to_thread.run_sync(count)

    # --- one writer at a time ----------------------------------------------------------------------------------
    @asynccontextmanager
    async def locked(self, upload_id: str, wait_seconds: float = 5.0, create: bool = False) -> AsyncIterator[None]:
        """Hold the upload's lock, waiting up to ``wait_seconds``; ``UploadBusy`` if it stays taken.

        A client that lost its connection usually retries before the server has noticed the old request is
        gone, so a short wait turns most would-be conflicts into a clean continuation. ``create``: make the lock
        file if need be (the database area on SQLite keeps only its locks here).
        """
        if create:
            self.root.mkdir(parents=True, exist_ok=True)
        try:
            fd = os.open(self._lock(upload_id), os.O_RDWR | (os.O_CREAT if create else 0), 0o600)
        except FileNotFoundError:
            raise UploadBusy("the upload is gone") from None
        try:
            deadline = time.monotonic() + wait_seconds
            while True:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() >= deadline:
                        raise UploadBusy("another request is still writing this upload") from None
                    await anyio.sleep(0.05)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
        finally:
            os.close(fd)

    # --- bytes ---------------------------------------------------------------------------------------------
    async def receive(self, receive: Callable[[], Awaitable[Any]], upload: Upload, start: int, room: int,
                      checksum: tuple[Any, bytes] | None) -> int:
        """Append the request body to the upload's bytes as it arrives; returns the new offset.

        Bytes that arrived before the client vanished are kept (that is the point of tus), unless the client
        sent a checksum, which can then not be checked: those are dropped, as the checksum extension requires.
        """
        path = self.part(upload.id)
        written = 0
        gone = False
        with open(path, "r+b") as file:
            file.seek(start)
            file.truncate()  # nothing past the offset the client was just told about may survive
            while True:
                message = await receive()
                if message["type"] == "http.disconnect":
                    gone = True
                    break
                chunk = message.get("body", b"")
                if chunk:
                    if written + len(chunk) > room:
                        file.truncate(start)
                        raise TooLarge(f"only {room} more bytes fit in this upload")
                    # Plain writes land in the page cache in microseconds; the slow part, fsync, is off the loop.
                    file.write(chunk)
                    written += len(chunk)
                    if checksum is not None:
                        checksum[0].update(chunk)
                if not message.get("more_body", False):
                    break
            if checksum is not None and (gone or checksum[0].digest() != checksum[1]):
                file.truncate(start)
                written = 0
                if not gone:
                    await anyio.to_thread.run_sync(os.fsync, file.fileno())
                    raise ChecksumMismatch("the chunk does not match Upload-Checksum; send it again")
            file.flush()
            # Only an offset that survives a crash may be reported to the client.
            await anyio.to_thread.run_sync(os.fsync, file.fileno())
        return start + written

    async def read_all(self, upload: Upload) -> bytes:
        return await anyio.to_thread.run_sync(self.part(upload.id).read_bytes)


def http_date(moment: float) -> str:
    from email.utils import format_datetime

    return format_datetime(dt.datetime.fromtimestamp(moment, tz=dt.timezone.utc), usegmt=True)


def upload_area_for(settings: Settings) -> "UploadArea | DatabaseUploadArea":
    """Unfinished uploads live beside the photos: in the database with the database store, else on disk."""
    if settings.photo_store_kind == "database":
        return DatabaseUploadArea(settings)
    return UploadArea(settings)


#: The first half of an upload's advisory lock key on PostgreSQL (the second comes from its id).
_UPLOAD_LOCK = 0x45570B11


class DatabaseUploadArea:
    """Unfinished uploads in ``tus_upload`` and ``tus_upload_part``, shared by every host on the database.

    Every part is committed before the offset it makes is told to anyone, so the offset survives a crash of
    the host that received it. Parts are at most ``PIECE`` bytes, written as they arrive.
    """

    def __init__(self, settings: Settings) -> None:
        self.settings = settings
        self.expiry = settings.upload_expiry_seconds

    @staticmethod
    def _upload(row: dict[str, Any]) -> Upload:
        return Upload(id=row["id"], user_id=row["user_id"], sha256=row["sha256"], length=row["length"],
                      created_at=row["created_at"].timestamp(), completed=row["completed"],
                      touched_at=row["touched_at"].timestamp())

    async def create(self, user_id: UUID, sha256: str, length: int) -> Upload:
        from server.clock import utcnow
        from server.db import tables as t

        now = utcnow()
        upload_id = secrets.token_hex(_ID_LENGTH // 2)
        await t.TusUpload.insert(t.TusUpload(id=upload_id, user_id=user_id, sha256=sha256, length=length,
                                             created_at=now, touched_at=now, completed=False))
        return Upload(id=upload_id, user_id=user_id, sha256=sha256, length=length, created_at=now.timestamp(),
                      touched_at=now.timestamp())

    async def find(self, upload_id: str, user_id: UUID) -> Upload | None:
        from server.db import tables as t

        if not _is_upload_id(upload_id):
            return None
        row = await t.TusUpload.select().where(t.TusUpload.id == upload_id).first()
        if row is None or row["user_id"] != user_id:
            return None
        upload = self._upload(row)
        if self.expires_at(upload) <= time.time():
            await self.remove(upload_id)
            return None
        return upload

    async def offset(self, upload: Upload) -> int:
        from server.db import tables as t

        if upload.completed:
            return upload.length
        rows = await t.TusUploadPart.raw(
            "SELECT COALESCE(SUM(byte_size), 0) AS received FROM tus_upload_part WHERE upload_id = {}", upload.id)
        return int(rows[0]["received"])

    def expires_at(self, upload: Upload) -> float:
        return max(upload.created_at, upload.touched_at) + self.expiry

    async def expires_header(self, upload: Upload) -> str:
        return http_date(self.expires_at(upload))

    async def mark_completed(self, upload: Upload) -> None:
        from server.clock import utcnow
        from server.db import tables as t
        from server.db.engine import current_engine, write_transaction

        async with write_transaction(current_engine()):
            await t.TusUpload.update({t.TusUpload.completed: True, t.TusUpload.touched_at: utcnow()}).where(
                t.TusUpload.id == upload.id)
            await t.TusUploadPart.delete().where(t.TusUploadPart.upload_id == upload.id)

    async def remove(self, upload_id: str) -> None:
        from server.db import tables as t
        from server.db.engine import current_engine, write_transaction

        async with write_transaction(current_engine()):
            await t.TusUploadPart.delete().where(t.TusUploadPart.upload_id == upload_id)
            await t.TusUpload.delete().where(t.TusUpload.id == upload_id)
        # On SQLite the lock is a file (see ``locked``).
        (self.settings.upload_dir / f"{upload_id}.lock").unlink(missing_ok=True)

    async def reap_expired(self) -> int:
        """Remove every upload whose time is up (safe on every host at once: deletes are idempotent)."""
        from server.clock import utcnow
        from server.db import tables as t

        cutoff = utcnow() - dt.timedelta(seconds=self.expiry)
        rows = await t.TusUpload.select(t.TusUpload.id).where(t.TusUpload.touched_at <= cutoff)
        for row in rows:
            await self.remove(row["id"])
        # Parts whose upload row is gone (cannot happen through ``remove``, which takes both at once).
        return len(rows)

    async def unfinished_count(self, user_id: UUID) -> int:
        from server.db import tables as t

        return await t.TusUpload.count().where(t.TusUpload.user_id == user_id,
                                               t.TusUpload.completed.eq(False))

    @asynccontextmanager
    async def locked(self, upload_id: str, wait_seconds: float = 5.0) -> AsyncIterator[None]:
        """One writer per upload across every host: a PostgreSQL advisory lock on a connection of its own.

        Not from the app's pool: a PATCH holds the lock while its body arrives and writes parts through the
        pool meanwhile, so pooled lock connections could starve the writes. On SQLite (one host) the file lock.
        """
        from piccolo.engine.postgres import PostgresEngine

        from server.db.engine import current_engine

        engine = current_engine()
        if not isinstance(engine, PostgresEngine):
            async with UploadArea(self.settings).locked(upload_id, wait_seconds, create=True):
                yield
            return
        import asyncpg

        key = int.from_bytes(bytes.fromhex(upload_id)[:4], "big", signed=True)
        connection = await asyncpg.connect(engine.config["dsn"])
        try:
            deadline = time.monotonic() + wait_seconds
            while not await connection.fetchval("SELECT pg_try_advisory_lock($1, $2)", _UPLOAD_LOCK, key):
                if time.monotonic() >= deadline:
                    raise UploadBusy("another request is still writing this upload")
                await anyio.sleep(0.05)
            yield
        finally:
            with anyio.CancelScope(shield=True):
                await connection.close()  # ends the session, and so the lock

    async def _append(self, upload: Upload, start: int, data: bytes) -> None:
        from server.clock import utcnow
        from server.db import tables as t
        from server.db.engine import current_engine, write_transaction

        async with write_transaction(current_engine()):
            await t.TusUploadPart.insert(t.TusUploadPart(upload_id=upload.id, start=start, byte_size=len(data),
                                                         data=data))
            await t.TusUpload.update({t.TusUpload.touched_at: utcnow()}).where(t.TusUpload.id == upload.id)

    async def _truncate(self, upload: Upload, start: int) -> None:
        from server.db import tables as t

        await t.TusUploadPart.delete().where(t.TusUploadPart.upload_id == upload.id,
                                             t.TusUploadPart.start >= start)

    async def receive(self, receive: Callable[[], Awaitable[Any]], upload: Upload, start: int, room: int,
                      checksum: tuple[Any, bytes] | None) -> int:
        """As the file area's: committed part by part, or, with a checksum, all at once once it is checked."""
        await self._truncate(upload, start)
        offset = start
        buffer = bytearray()
        written = 0
        gone = False
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                gone = True
                break
            chunk = message.get("body", b"")
            if chunk:
                if written + len(chunk) > room:
                    await self._truncate(upload, start)
                    raise TooLarge(f"only {room} more bytes fit in this upload")
                buffer += chunk
                written += len(chunk)
                if checksum is not None:
                    checksum[0].update(chunk)
                elif len(buffer) >= PIECE:
                    await self._append(upload, offset, bytes(buffer))
                    offset += len(buffer)
                    buffer.clear()
            if not message.get("more_body", False):
                break
        if checksum is not None:
            if gone:
                return start
            if checksum[0].digest() != checksum[1]:
                raise ChecksumMismatch("the chunk does not match Upload-Checksum; send it again")
            for first in range(0, len(buffer), PIECE):
                await self._append(upload, offset, bytes(buffer[first:first + PIECE]))
                offset += len(buffer[first:first + PIECE])
            return offset
        if buffer:
            await self._append(upload, offset, bytes(buffer))
            offset += len(buffer)
        return offset

    async def read_all(self, upload: Upload) -> bytes:
        from server.db import tables as t

        rows = await t.TusUploadPart.select(t.TusUploadPart.start, t.TusUploadPart.data).where(
            t.TusUploadPart.upload_id == upload.id).order_by(t.TusUploadPart.start)
        return b"".join(bytes(row["data"]) for row in rows)
