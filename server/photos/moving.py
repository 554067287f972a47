"""Moving photo bytes between stores (``estatewalk photos migrate``) and checking a store's health.

Migration copies; it never deletes from the source. Every value is written atomically to the target and read back
and hashed there: an original must hash to its own name, a display variant or thumbnail to what the source held.
A value the target already holds with the right hash is skipped, so an interrupted run is simply run again.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field

from server.db import tables as t
from server.photos.storage import VARIANTS, DatabasePhotoStorage, FilesystemPhotoStorage, PhotoStorage, photo_key
from server.settings import PHOTO_STORES, Settings


def store_named(settings: Settings, kind: str) -> PhotoStorage:
    if kind not in PHOTO_STORES:
        raise ValueError(f"no photo store called {kind!r}")
    return DatabasePhotoStorage() if kind == "database" else FilesystemPhotoStorage(settings.photo_dir)


@dataclass
class MoveReport:
    copied: int = 0
    already_there: int = 0
    missing: list[str] = field(default_factory=list)
    """Keys a photo record names that the source does not hold (nothing to copy; a re-upload brings them back)."""
    mismatched: list[str] = field(default_factory=list)
    """Keys whose bytes did not hash right after copying (left for the next run; the command exits 1)."""
    bytes_copied: int = 0


def _digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


async def _wanted_keys(source: PhotoStorage) -> list[str]:
    """Every variant of every stored photo, and anything else the source holds (bytes of a crashed upload)."""
    keys = {photo_key(v, row["sha256"]) for row in await t.StoredPhoto.select(t.StoredPhoto.sha256) for v in VARIANTS}
    keys |= {key async for key in source.keys()}
    return sorted(keys)


async def move_photos(settings: Settings, to: str, say: Callable[[str], None] = lambda _: None) -> MoveReport:
    """Copy every photo value from the other store into ``to``, verifying each one's hash there."""
    source = store_named(settings, "files" if to == "database" else "database")
    target = store_named(settings, to)
    report = MoveReport()
    keys = await _wanted_keys(source)
    for number, key in enumerate(keys, 1):
        original_sha = key.rsplit("/", 1)[-1] if key.startswith("original/") else None
        data = await source.get(key)
        if data is None:
            held = await target.get(key)
            if held is None:
                report.missing.append(key)
            else:
                report.already_there += 1
            continue
        expected = original_sha or _digest(data)
        if original_sha and _digest(data) != original_sha:
            report.mismatched.append(f"{key} (the source's bytes do not hash to their name)")
            continue
        held = await target.get(key)
        if held is not None and _digest(held) == expected:
            report.already_there += 1
            continue
        await target.put(key, data)
        written = await target.get(key)
        if written is None or _digest(written) != expected:
            report.mismatched.append(key)
            continue
        report.copied += 1
        report.bytes_copied += len(data)
        if number % 100 == 0:
            say(f"{number}/{len(keys)} values checked, {report.copied} copied")
    return report


@dataclass
class StoreHealth:
    kind: str
    photos: int
    values: int
    byte_size: int
    incomplete: list[str]
    """Photos the database knows whose variants the store lacks (or whose chunks are not all there)."""


async def store_health(settings: Settings) -> StoreHealth:
    kind = settings.photo_store_kind
    storage = store_named(settings, kind)
    photos = [row["sha256"] for row in await t.StoredPhoto.select(t.StoredPhoto.sha256)]
    incomplete: list[str] = []
    if kind == "database":
        counts = await t.PhotoBlob.raw("SELECT COUNT(*) AS n, COALESCE(SUM(byte_size), 0) AS size FROM photo_blob")
        values, size = int(counts[0]["n"]), int(counts[0]["size"])
        rows = await t.StoredPhoto.raw(
            "SELECT s.sha256 FROM stored_photo s WHERE (SELECT COUNT(*) FROM photo_blob b WHERE b.key IN ("
            "'original/' || substr(s.sha256, 1, 2) || '/' || s.sha256, "
            "'display/' || substr(s.sha256, 1, 2) || '/' || s.sha256, "
            "'thumb/' || substr(s.sha256, 1, 2) || '/' || s.sha256)) < 3")
        incomplete = [row["sha256"] for row in rows]
        torn = await t.PhotoBlob.raw(
            "SELECT b.key FROM photo_blob b WHERE b.chunk_count != "
            "(SELECT COUNT(*) FROM photo_chunk c WHERE c.blob_key = b.key)")
        incomplete += [f"{row['key']} (chunks missing)" for row in torn]
    else:
        values = size = 0
        async for key in storage.keys():
            values += 1
            size += await storage.size(key) or 0
        for sha in photos:
            if not all([await storage.exists(photo_key(v, sha)) for v in VARIANTS]):
                incomplete.append(sha)
    return StoreHealth(kind, len(photos), values, size, incomplete)


async def _written_at(storage: PhotoStorage, key: str) -> dt.datetime | None:
    if isinstance(storage, DatabasePhotoStorage):
        row = await t.PhotoBlob.select(t.PhotoBlob.created_at).where(t.PhotoBlob.key == key).first()
        return None if row is None else row["created_at"]
    assert isinstance(storage, FilesystemPhotoStorage)
    try:
        return dt.datetime.fromtimestamp(storage._path(key).stat().st_mtime, tz=dt.timezone.utc)
    except FileNotFoundError:
        return None


async def sweep_unreferenced(settings: Settings, older_than: dt.timedelta) -> list[str]:
    """Remove stored values no ``stored_photo`` row names (bytes of an upload that crashed before its row was
    written), once they are older than ``older_than``; returns their keys.

    Such bytes are invisible (a photo is served only through its row) and harmless, but they take room. Safe on
    several hosts at once and beside uploads: an upload still on its way rewrote its bytes moments ago, so they
    are younger than any sensible ``older_than``, and the row is looked for again just before each delete.
    """
    from server.clock import utcnow

    storage = store_named(settings, settings.photo_store_kind)
    known = {row["sha256"] for row in await t.StoredPhoto.select(t.StoredPhoto.sha256)}
    cutoff = utcnow() - older_than
    candidates = [key async for key in storage.keys() if key.rsplit("/", 1)[-1] not in known]
    removed = []
    for key in candidates:
        written = await _written_at(storage, key)
        if written is None or written > cutoff:
            continue
        if await t.StoredPhoto.exists().where(t.StoredPhoto.sha256 == key.rsplit("/", 1)[-1]):
            continue
        await storage.delete(key)
        removed.append(key)
    return removed
