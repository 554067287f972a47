"""Where photo bytes live: one small interface, and the default implementation on the local filesystem.

Callers name things by key (``original/ab/abcd…``) and never see paths, so an S3-compatible store can be added as
another ``PhotoStorage`` (PUT object is atomic there already) without touching them. Keys come only from
``photo_key`` below, built from a validated SHA-256, never from a client's string.
"""

from __future__ import annotations

import os
import re
import secrets
from pathlib import Path
from typing import Literal, Protocol

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
