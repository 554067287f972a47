"""Unfinished resumable (tus) uploads: their state on local disk, beside their bytes.

Each upload is three files in ``settings.upload_dir``:

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
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from uuid import UUID

import anyio
import anyio.to_thread
import msgspec

from server.photos.storage import write_atomically
from server.settings import Settings

_ID_LENGTH = 32  # hex digits


class Upload(msgspec.Struct, frozen=True):
    id: str
    user_id: UUID
    sha256: str
    length: int
    created_at: float
    completed: bool = False


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

    def offset(self, upload: Upload) -> int:
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

    def expires_header(self, upload: Upload) -> str:
        """``Upload-Expires`` as an HTTP date (tus expiration extension)."""
        from email.utils import format_datetime

        moment = dt.datetime.fromtimestamp(self.expires_at(upload), tz=dt.timezone.utc)
        return format_datetime(moment, usegmt=True)

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
    async def locked(self, upload_id: str, wait_seconds: float = 5.0) -> AsyncIterator[None]:
        """Hold the upload's lock, waiting up to ``wait_seconds``; ``UploadBusy`` if it stays taken.

        A client that lost its connection usually retries before the server has noticed the old request is
        gone, so a short wait turns most would-be conflicts into a clean continuation.
        """
        try:
            fd = os.open(self._lock(upload_id), os.O_RDWR)
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
