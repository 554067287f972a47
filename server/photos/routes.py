"""``/api/photos`` (PUT and GET by SHA-256) and ``/api/uploads`` (tus 1.0). Thin: the rules are in ``service``.

See docs/photos.md for the whole story, and https://tus.io/protocols/resumable-upload for tus.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from typing import Any, Literal

from litestar import Request, Response, delete, get, head, patch, post, put, route
from litestar.response import Stream
from litestar.di import NamedDependency
from litestar.enums import HttpMethod
from litestar.params import FromPath, FromQuery
from msgspec import Struct

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer
from server.photos.processing import PIPELINE_VERSION
from server.photos.service import storage_for, store_photo, visible_photo
from server.photos.storage import is_sha256, photo_key
from server.photos.uploads import DatabaseUploadArea, Upload, UploadArea, UploadBusy, upload_area_for
from server.problems import (
    Forbidden,
    NotFound,
    Problem,
    RangeNotSatisfiable,
    TooLarge,
    TooManyAttempts,
    TusVersionUnsupported,
    Unacceptable,
    UploadOffsetMismatch,
    WrongContentType,
    problem_responses,
)
from server.settings import Settings

#: The framework refuses bodies past this before a handler reads a byte. The configurable, smaller limit
#: (``settings.max_photo_bytes``) is checked in the handlers, since route decorators are fixed at import.
PHOTO_BODY_CEILING = 64 * 1024 * 1024
#: A person's unfinished uploads at once: enough for a whole inspection's photos, not for filling the disk.
MAX_UNFINISHED_UPLOADS = 200
IMMUTABLE = "private, max-age=31536000, immutable"
TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination,checksum,expiration"
#: Checksum algorithms for the tus checksum extension (tuspy sends sha1).
CHECKSUMS = {"sha1": hashlib.sha1, "sha256": hashlib.sha256, "md5": hashlib.md5}


class PhotoStored(Struct):
    sha256: str
    content_type: str
    byte_size: int
    width: int
    height: int


def _settings(request: Request) -> Settings:
    return request.app.state.settings


def _require_membership(viewer: Viewer) -> None:
    # Bytes only become visible through a photo record on an estate; someone on no estate has no reason to send
    # any, and refusing them keeps the disk from being anyone's free storage.
    if not viewer.roles:
        raise Forbidden("only members of an estate can upload photos")


# --- PUT and GET by address ------------------------------------------------------------------------------------

@put("/api/photos/{sha256:str}", tags=["photos"], status_code=201, security=SIGNED_IN,
     request_max_body_size=PHOTO_BODY_CEILING, responses=problem_responses(401, 403, 413, 422))
async def put_photo(request: Request, sha256: FromPath[str], viewer: NamedDependency[Viewer]) -> Response[PhotoStored]:
    """Upload a photo's bytes as the body. 201 the first time this person sends them (even if the server had
    them from someone else: their upload is their proof of holding them), 200 when they sent them before.

    The name must be the lower-case hex SHA-256 of the body; the format is decided from the bytes.
    """
    _require_membership(viewer)
    if not is_sha256(sha256):
        raise Unacceptable("the address must be the lower-case hex SHA-256 of the photo")
    limit = _settings(request).max_photo_bytes
    if (request.content_length or 0) > limit:
        raise TooLarge(f"a photo may be at most {limit} bytes")
    chunks: list[bytes] = []
    received = 0
    async for chunk in request.stream():
        received += len(chunk)
        if received > limit:
            raise TooLarge(f"a photo may be at most {limit} bytes")
        chunks.append(chunk)
    info = await store_photo(_settings(request), sha256, b"".join(chunks), viewer.user_id)
    return Response(
        PhotoStored(sha256=info.sha256, content_type=info.content_type, byte_size=info.byte_size,
                    width=info.width, height=info.height),
        status_code=201 if info.created else 200,
    )


def _etag(sha256: str, variant: str) -> str:
    return f'"{sha256}.{variant}.v{PIPELINE_VERSION}"'


def _etag_matches(if_none_match: str | None, etag: str) -> bool:
    if not if_none_match:
        return False
    candidates = [part.strip() for part in if_none_match.split(",")]
    # Weak comparison, as RFC 9110 asks for If-None-Match.
    return "*" in candidates or any(c.removeprefix("W/") == etag for c in candidates)


@get("/api/photos/{sha256:str}", tags=["photos"], security=SIGNED_IN,
     responses=problem_responses(401, 403, 404, 416))
async def get_photo(request: Request, sha256: FromPath[str], viewer: NamedDependency[Viewer],
                    variant: FromQuery[Literal["thumb", "display", "original"]] = "display") -> Response[Any]:
    """A photo's thumbnail (320 px), display size (1600 px) or original (staff only), for members of its estate.

    Content-addressed, so cached for a year as immutable; ``If-None-Match`` gets a 304, and ``Range: bytes=…``
    a 206 with that part only. The bytes are streamed from the store a few hundred KiB at a time.
    """
    if not is_sha256(sha256):
        raise NotFound("no such photo")
    # Authorise before even looking at If-None-Match: a 304 must not tell outsiders a photo exists.
    photo = await visible_photo(viewer, sha256, variant)
    etag = _etag(sha256, variant)
    headers = {"ETag": etag, "Cache-Control": IMMUTABLE, "X-Content-Type-Options": "nosniff",
               "Accept-Ranges": "bytes",
               # Opened directly in a tab, the image may not run or load anything.
               "Content-Security-Policy": "default-src 'none'; sandbox"}
    if _etag_matches(request.headers.get("if-none-match"), etag):
        return Response(b"", status_code=304, headers=headers)
    storage = storage_for(_settings(request))
    key = photo_key(variant, sha256)
    size = await storage.size(key)
    if size is None:
        raise NotFound("the photo's bytes are missing from storage")
    media_type = photo.content_type if variant == "original" else "image/jpeg"
    status = 200
    start, end = 0, size
    wanted = _byte_range(request.headers.get("range"), size, request.headers.get("if-range"), etag)
    if wanted is not None:
        start, end = wanted
        status = 206
        headers["Content-Range"] = f"bytes {start}-{end - 1}/{size}"
    headers["Content-Length"] = str(end - start)
    return Stream(storage.stream(key, start, end), media_type=media_type, headers=headers, status_code=status)


def _byte_range(header: str | None, size: int, if_range: str | None, etag: str) -> tuple[int, int] | None:
    """The one byte range asked for, as [start, end), or None for the whole photo (RFC 9110 §14.2).

    Several ranges at once, or an ``If-Range`` for another version, get the whole photo (which RFC 9110 allows);
    a range wholly past the end is a 416.
    """
    if not header or (if_range and if_range.strip() != etag):
        return None
    unit, _, spec = header.partition("=")
    if unit.strip().lower() != "bytes" or "," in spec:
        return None
    first, dash, last = spec.strip().partition("-")
    if not dash or not (first.isdigit() or last.isdigit()) or (first and not first.isdigit()) or (
            last and not last.isdigit()):
        return None  # not a range we can read: ignored, as the RFC asks
    if not first:  # the last N bytes
        length = int(last)
        if length == 0:
            raise RangeNotSatisfiable(f"the photo has {size} bytes", headers={"Content-Range": f"bytes */{size}"})
        return max(0, size - length), size
    start = int(first)
    end = size if not last else min(int(last) + 1, size)
    if start >= size or end <= start:
        raise RangeNotSatisfiable(f"the photo has {size} bytes", headers={"Content-Range": f"bytes */{size}"})
    return start, end


# --- tus 1.0 -------------------------------------------------------------------------------------------------

def _tus_problem(_: Request, problem: Problem) -> Response[Any]:
    # Every tus answer carries Tus-Resumable, errors included; a version refusal also lists what we speak.
    headers = {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store"}
    if isinstance(problem, TusVersionUnsupported):
        headers["Tus-Version"] = TUS_VERSION
    return Response(problem.body(), status_code=problem.status, headers=headers)


TUS_ERRORS = {Problem: _tus_problem}


def _tus_headers(**extra: str) -> dict[str, str]:
    return {"Tus-Resumable": TUS_VERSION, "Cache-Control": "no-store", **extra}


def _require_tus(request: Request) -> None:
    if request.headers.get("tus-resumable") != TUS_VERSION:
        raise TusVersionUnsupported(f"send Tus-Resumable: {TUS_VERSION}")


def _parse_metadata(header: str) -> dict[str, str]:
    """``Upload-Metadata``: comma-separated ``key base64(value)`` pairs (a key may stand alone)."""
    values: dict[str, str] = {}
    for pair in filter(None, (p.strip() for p in header.split(","))):
        key, _, encoded = pair.partition(" ")
        try:
            values[key] = base64.b64decode(encoded.strip(), validate=True).decode("utf-8") if encoded else ""
        except (binascii.Error, UnicodeDecodeError):
            raise Unacceptable(f"Upload-Metadata value for {key!r} is not base64") from None
    return values


def _int_header(request: Request, name: str) -> int:
    raw = request.headers.get(name)
    if raw is None or not raw.isdigit():
        raise Problem(f"{name} must be a non-negative integer")
    return int(raw)


@route("/api/uploads", http_method=[HttpMethod.OPTIONS], tags=["photos"], status_code=204, include_in_schema=False)
async def tus_options(request: Request) -> Response[None]:
    """What this tus server supports (no sign-in needed, as the protocol expects)."""
    return Response(None, status_code=204, headers={
        "Tus-Resumable": TUS_VERSION, "Tus-Version": TUS_VERSION, "Tus-Extension": TUS_EXTENSIONS,
        "Tus-Max-Size": str(_settings(request).max_photo_bytes),
        "Tus-Checksum-Algorithm": ",".join(CHECKSUMS),
    })


@post("/api/uploads", tags=["photos"], status_code=201, security=SIGNED_IN, exception_handlers=TUS_ERRORS,
      responses=problem_responses(400, 401, 403, 413, 422, 429))
async def tus_create(request: Request, viewer: NamedDependency[Viewer]) -> Response[None]:
    """Start a resumable upload: ``Upload-Length`` and ``Upload-Metadata: sha256 <base64 of the hex digest>``."""
    _require_tus(request)
    _require_membership(viewer)
    settings = _settings(request)
    if "upload-defer-length" in request.headers:
        raise Problem("Upload-Defer-Length is not supported: send Upload-Length")
    length = _int_header(request, "upload-length")
    if length > settings.max_photo_bytes:
        raise TooLarge(f"a photo may be at most {settings.max_photo_bytes} bytes")
    if length == 0:
        raise Unacceptable("an empty file is not a photo")
    sha256 = _parse_metadata(request.headers.get("upload-metadata", "")).get("sha256", "").strip().lower()
    if not is_sha256(sha256):
        raise Unacceptable("Upload-Metadata must hold sha256: the base64 of the photo's hex SHA-256")
    area = upload_area_for(settings)
    await area.reap_expired()
    if await area.unfinished_count(viewer.user_id) >= MAX_UNFINISHED_UPLOADS:
        raise TooManyAttempts("too many unfinished uploads; finish or delete some first")
    upload = await area.create(viewer.user_id, sha256, length)
    return Response(None, status_code=201, headers=_tus_headers(
        Location=f"/api/uploads/{upload.id}", **{"Upload-Expires": await area.expires_header(upload)}))


async def _find(area: UploadArea | DatabaseUploadArea, upload_id: str, viewer: Viewer) -> Upload:
    upload = await area.find(upload_id, viewer.user_id)
    if upload is None:
        # Someone else's upload and an expired one look the same: not found.
        raise NotFound("no such upload (it may have expired)")
    return upload


@head("/api/uploads/{upload_id:str}", tags=["photos"], security=SIGNED_IN, exception_handlers=TUS_ERRORS)
async def tus_offset(request: Request, upload_id: FromPath[str], viewer: NamedDependency[Viewer]) -> Response[None]:
    """How many bytes of this upload the server has: continue from ``Upload-Offset``."""
    _require_tus(request)
    area = upload_area_for(_settings(request))
    upload = await _find(area, upload_id, viewer)
    try:
        # Let a PATCH that is still winding down (its client just vanished) settle, so the offset is final.
        async with area.locked(upload.id, wait_seconds=2.0):
            upload = await _find(area, upload_id, viewer)
    except UploadBusy:
        pass  # a live PATCH is writing: the bytes so far are still a valid place to continue from
    return Response(None, status_code=200, headers=_tus_headers(**{
        "Upload-Offset": str(await area.offset(upload)), "Upload-Length": str(upload.length),
        "Upload-Expires": await area.expires_header(upload)}))


@patch("/api/uploads/{upload_id:str}", tags=["photos"], status_code=204, security=SIGNED_IN,
       request_max_body_size=PHOTO_BODY_CEILING, exception_handlers=TUS_ERRORS,
       responses=problem_responses(401, 404, 409, 413, 415, 422, 460))
async def tus_append(request: Request, upload_id: FromPath[str], viewer: NamedDependency[Viewer]) -> Response[None]:
    """Append bytes at ``Upload-Offset``. The last byte completes the upload: hash checked, photo stored."""
    _require_tus(request)
    if request.headers.get("content-type", "").split(";")[0].strip() != "application/offset+octet-stream":
        raise WrongContentType("PATCH bodies must be application/offset+octet-stream")
    offset = _int_header(request, "upload-offset")
    checksum = _parse_checksum(request.headers.get("upload-checksum"))
    area = upload_area_for(_settings(request))
    upload = await _find(area, upload_id, viewer)
    try:
        async with area.locked(upload.id):
            upload = await _find(area, upload_id, viewer)
            current = await area.offset(upload)
            if offset != current:
                raise UploadOffsetMismatch(f"the server has {current} bytes; continue from there")
            if upload.completed:
                return Response(None, status_code=204, headers=_tus_headers(**{"Upload-Offset": str(current)}))
            room = upload.length - current
            if (request.content_length or 0) > room:
                raise TooLarge(f"only {room} more bytes fit in this upload")
            new_offset = await area.receive(request.receive, upload, current, room, checksum)
            if new_offset == upload.length:
                await _finish(request, area, upload)
    except UploadBusy as busy:
        raise UploadOffsetMismatch(f"{busy}; ask for the offset again") from None
    return Response(None, status_code=204, headers=_tus_headers(**{
        "Upload-Offset": str(new_offset), "Upload-Expires": await area.expires_header(upload)}))


def _parse_checksum(header: str | None) -> tuple[Any, bytes] | None:
    if not header:
        return None
    name, _, encoded = header.strip().partition(" ")
    if name not in CHECKSUMS:
        raise Problem(f"unsupported checksum algorithm {name!r}; use one of {', '.join(CHECKSUMS)}")
    try:
        return CHECKSUMS[name](), base64.b64decode(encoded.strip(), validate=True)
    except binascii.Error:
        raise Problem("Upload-Checksum is not base64") from None


async def _finish(request: Request, area: UploadArea | DatabaseUploadArea, upload: Upload) -> None:
    data = await area.read_all(upload)
    try:
        await store_photo(_settings(request), upload.sha256, data, upload.user_id)
    except Problem:
        # Wrong hash or not an image: resuming cannot fix it, so nothing of it is kept.
        await area.remove(upload.id)
        raise
    await area.mark_completed(upload)


@delete("/api/uploads/{upload_id:str}", tags=["photos"], status_code=204, security=SIGNED_IN,
        exception_handlers=TUS_ERRORS, responses=problem_responses(401, 404))
async def tus_terminate(request: Request, upload_id: FromPath[str], viewer: NamedDependency[Viewer]) -> Response[None]:
    """Abandon an upload: its bytes are deleted at once (tus termination)."""
    _require_tus(request)
    area = upload_area_for(_settings(request))
    upload = await _find(area, upload_id, viewer)
    try:
        async with area.locked(upload.id):
            await area.remove(upload.id)
    except UploadBusy as busy:
        raise UploadOffsetMismatch(f"{busy}; try again") from None
    return Response(None, status_code=204, headers=_tus_headers())


ROUTES = [put_photo, get_photo, tus_options, tus_create, tus_offset, tus_append, tus_terminate]
