"""Photos as a domain: taking bytes in (whichever way they came), and deciding who may see them.

Both upload routes (PUT and tus) end in ``store_photo``; both read routes go through ``visible_photo``. The
estate check lives only here.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import anyio.to_thread

from server.auth.scoping import photo_estates_visible
from server.auth.sessions import Viewer
from server.clock import utcnow
from server.db import tables as t
from server.photos.processing import NotAcceptedImage, ProcessedPhoto, process_photo, sha256_hex
from server.photos.storage import (
    VARIANTS,
    DatabasePhotoStorage,
    FilesystemPhotoStorage,
    PhotoStorage,
    Variant,
    photo_key,
)
from server.photos.workers import WorkerCrashed, run_isolated
from server.problems import Forbidden, NotAnAcceptedImage, NotFound, PhotoHashMismatch
from server.settings import Settings
from server.sync_api.push_locks import lock_everything
from server.sync_api.store import DatabaseStore
from server.sync_api.unit_of_work import unit_of_work

log = logging.getLogger("estatewalk.photos")

#: A hook point for tests only: awaited inside ``store_photo``'s transaction after it has looked for photo
#: records waiting for the bytes and before it commits, the moment a concurrent ``photo.attach`` must not slip
#: into. tests/photos/test_photo_races.py holds it open to run a push there, deterministically.
before_commit: Callable[[str], Awaitable[None]] | None = None


def storage_for(settings: Settings) -> PhotoStorage:
    """The one place that chooses where photo bytes live (an object store would be chosen here too)."""
    if settings.photo_store_kind == "database":
        return DatabasePhotoStorage()
    return FilesystemPhotoStorage(settings.photo_dir)


@dataclass(frozen=True)
class StoredPhotoInfo:
    sha256: str
    content_type: str
    byte_size: int
    width: int
    height: int
    created: bool
    """True when these bytes were new to the server; False when it already had them."""


async def store_photo(settings: Settings, sha256: str, data: bytes, uploader: UUID) -> StoredPhotoInfo:
    """Check ``data`` hashes to ``sha256`` and is an accepted image, keep it and its variants, and tell phones.

    Idempotent: the same bytes twice are stored once. Records that ``uploader`` holds these bytes (proof of
    possession: only then may they attach them, see ``sync.rules.attach_photo``); ``created`` is true the first
    time this person sent them, even when the server already had them. Raises ``PhotoHashMismatch`` or
    ``NotAnAcceptedImage`` having written nothing.
    """
    actual = await anyio.to_thread.run_sync(sha256_hex, data)
    if actual != sha256:
        raise PhotoHashMismatch(f"the bytes hash to {actual}, not {sha256}; send the photo again")

    storage = storage_for(settings)
    existing = await t.StoredPhoto.select().where(t.StoredPhoto.sha256 == sha256).first()
    # Already here, unless the files went missing (a storage restored from an older backup): then this upload
    # puts them back, which is what content addressing makes safe.
    if existing is not None and all([await storage.exists(photo_key(v, sha256)) for v in VARIANTS]):
        async with unit_of_work() as store:
            await lock_everything()
            first = await record_possession(sha256, uploader)
            if first:
                # Records this person attached before sending the bytes now show them.
                await _announce_uploaded(store, sha256)
        return StoredPhotoInfo(sha256, existing["content_type"], existing["byte_size"], existing["width"],
                               existing["height"], created=first)

    try:
        # In a worker process with a memory ceiling, one per core at most (see workers.py).
        processed: ProcessedPhoto = await run_isolated(
            settings.photo_worker_memory_bytes, process_photo, data, max_pixels=settings.max_photo_pixels)
    except NotAcceptedImage as refusal:
        raise NotAnAcceptedImage(str(refusal)) from None
    except WorkerCrashed:
        log.warning("a photo worker died twice on %s: refused", sha256)
        raise NotAnAcceptedImage("the image could not be processed") from None

    # Bytes first, then the row that makes them visible: a crash in between leaves only unreferenced bytes,
    # which the next upload of the same photo overwrites with identical content. (In the database store each
    # variant is written atomically with its ``photo_blob`` row, in a transaction of its own: the push lock
    # below is not held while megabytes are written.)
    await storage.put(photo_key("original", sha256), data)
    await storage.put(photo_key("display", sha256), processed.display)
    await storage.put(photo_key("thumb", sha256), processed.thumb)

    async with unit_of_work() as store:
        # Wait for every push in flight (this may announce the bytes to records on any estate). Otherwise a
        # photo.attach committed concurrently could read "not uploaded" while this transaction reads "no photo
        # records", and the phone would show it pending forever.
        await lock_everything()
        first = await record_possession(sha256, uploader)
        if await t.StoredPhoto.exists().where(t.StoredPhoto.sha256 == sha256):
            created = first  # another request stored the same bytes a moment ago
            if first:
                await _announce_uploaded(store, sha256)
        else:
            await t.StoredPhoto.insert(t.StoredPhoto(
                sha256=sha256, content_type=processed.content_type, byte_size=len(data),
                width=processed.width, height=processed.height, created_at=utcnow()))
            created = True
            await _announce_uploaded(store, sha256)
        if before_commit is not None:
            await before_commit(sha256)
    return StoredPhotoInfo(sha256, processed.content_type, len(data), processed.width, processed.height, created)


async def record_possession(sha256: str, user_id: UUID) -> bool:
    """Note that this person holds these bytes; true when it is news. Inside a write transaction (pushes are
    serialised by then, so two requests cannot both find it new)."""
    key = f"{sha256}:{user_id}"
    if await t.PhotoUpload.exists().where(t.PhotoUpload.key == key):
        return False
    await t.PhotoUpload.insert(t.PhotoUpload(key=key, sha256=sha256, user_id=user_id, uploaded_at=utcnow()))
    return True


async def holders(sha256: str) -> set[UUID]:
    """Everyone who proved they hold these bytes (by uploading them, or by attaching them while seeing them)."""
    return {row["user_id"] for row in await t.PhotoUpload.select(t.PhotoUpload.user_id).where(
        t.PhotoUpload.sha256 == sha256)}


async def estates_showing(viewer: Any, sha256: str) -> tuple[set[UUID], set[UUID]]:
    """The estates through which ``viewer`` (``roles``, ``user_id``) sees these bytes: through issues' photos,
    and through grades. Only records made by someone who held the bytes count: naming a hash in a record, before
    or after its bytes arrive, shows nobody anything."""
    owners = await holders(sha256)
    # Until the bytes are here there is nothing to show, and the records say so ("not uploaded yet").
    stored = await t.StoredPhoto.exists().where(t.StoredPhoto.sha256 == sha256)
    rows = [row for row in await t.Photo.select(t.Photo.estate_id, t.Photo.issue_id, t.Photo.added_by).where(
        t.Photo.sha256 == sha256) if row["added_by"] in owners or not stored]
    # Contractors see photos of the issues assigned to them only.
    on_issues: set[UUID] = await photo_estates_visible(viewer, rows)
    # A grade's photo (the evidence for "C – poor") is for the people who grade: the estate's staff and reps.
    graded = await t.InspectionGrade.select(t.InspectionGrade.estate_id, t.InspectionGrade.graded_by).where(
        t.InspectionGrade.photo_sha256 == sha256)
    on_grades = {row["estate_id"] for row in graded if (row["graded_by"] in owners or not stored)
                 and viewer.roles.get(row["estate_id"]) in ("staff", "tra_rep")}
    return on_issues, on_grades


async def _announce_uploaded(store: DatabaseStore, sha256: str) -> None:
    """Every photo record already waiting for these bytes changes to ``uploaded: true`` on every phone."""
    rows = await t.Photo.select(t.Photo.id).where(t.Photo.sha256 == sha256)
    for row in rows:
        photo = await store.photo(row["id"])
        if photo is not None:
            store.changes.record("photo", photo.id, photo, estate_id=photo.estate_id)


@dataclass(frozen=True)
class VisiblePhoto:
    sha256: str
    content_type: str
    """Of the original; the display and thumbnail variants are always JPEG."""


async def visible_photo(viewer: Viewer, sha256: str, variant: Variant) -> VisiblePhoto:
    """The photo if this person may see this variant of it, else the problem to answer.

    A person sees a photo when a photo record (or a grade's photo) with this SHA-256 belongs to one of their
    estates; anything else, including bytes nobody has attached yet, is a 404 that reveals nothing. The original, with its metadata
    (GPS included), is evidence for staff only.
    """
    on_issues, on_grades = await estates_showing(viewer, sha256)
    estates = on_issues | on_grades
    if not estates:
        raise NotFound("no such photo")
    stored = await t.StoredPhoto.select(t.StoredPhoto.content_type).where(t.StoredPhoto.sha256 == sha256).first()
    if stored is None:
        raise NotFound("this photo has not been uploaded yet")
    if variant == "original" and not any(viewer.roles[estate] == "staff" for estate in estates):
        raise Forbidden("only staff may see the original photo")
    return VisiblePhoto(sha256=sha256, content_type=stored["content_type"])
