"""Photo journeys: helpers to raise an issue, attach a photo record and send its bytes, as a phone does."""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Awaitable, Callable, Iterator
from pathlib import Path
from typing import Any, TypeVar

import anyio.to_thread
import pytest

from server.photos import workers
from server.photos.service import storage_for
from server.photos.storage import Variant, photo_key
from server.settings import Settings
from tests.conftest import LiveServer, Person, new_issue_args, serve_in_thread
from tests.photos.images import sha256

T = TypeVar("T")

#: Small enough that the "too large" journey stays quick; every test photo is far below it.
TEST_MAX_PHOTO_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="session", autouse=True)
def photo_workers() -> Iterator[None]:
    """Stop the photo worker processes when the run ends, rather than leave it to interpreter exit."""
    yield
    workers.shutdown()


PHOTO_STORES = ["files", "database"]


@pytest.fixture(params=PHOTO_STORES)
def photo_store(request: pytest.FixtureRequest) -> str:
    """Every photo test runs on each photo store (and, through ``settings``, on each database)."""
    return request.param


@pytest.fixture
def settings(settings: Settings, photo_store: str) -> Settings:
    """The shared settings (one per database), with each photo store, and a smaller photo size limit."""
    return settings.with_changes(max_photo_bytes=TEST_MAX_PHOTO_BYTES, photo_store=photo_store)


@pytest.fixture
def live_server(photo_store: str, tmp_path: Path) -> Iterator[LiveServer]:
    """The real app served by uvicorn in a thread (SQLite, demo data), with each photo store."""
    with serve_in_thread(Settings(data_dir=tmp_path / "live", demo=True, photo_store=photo_store)) as server:
        yield server


# --- what a store holds, whichever it is ---------------------------------------------------------------------

async def _in_app(http: Any, function: Callable[[], Awaitable[T]]) -> T:
    """Run ``function`` on the test client's event loop, where the app's database pool lives."""
    portal = getattr(http, "blocking_portal", None)
    if portal is None:
        return await function()
    return await anyio.to_thread.run_sync(portal.call, function)


async def stored_keys(http: Any, settings: Settings) -> list[str]:
    """Every stored photo key. For files: every file under the photo directory, so a stray temp file shows."""
    if settings.photo_store_kind == "files":
        return [str(p.relative_to(settings.photo_dir)) for p in files_under(settings.photo_dir)]

    async def collect() -> list[str]:
        return sorted([key async for key in storage_for(settings).keys()])

    return await _in_app(http, collect)


async def stored_bytes(http: Any, settings: Settings, variant: Variant, sha: str) -> bytes | None:
    async def read() -> bytes | None:
        return await storage_for(settings).get(photo_key(variant, sha))

    return await _in_app(http, read)


async def drop_stored(http: Any, settings: Settings) -> None:
    """Lose every stored photo's bytes (a store restored from an older backup), keeping the records."""
    keys = await stored_keys(http, settings)

    async def drop() -> None:
        for key in keys:
            await storage_for(settings).delete(key)

    await _in_app(http, drop)


async def unfinished_uploads(http: Any, settings: Settings) -> set[str]:
    """The ids of uploads the upload area holds anything of (files, rows or parts)."""
    found = {p.name.split(".")[0] for p in files_under(settings.upload_dir)}
    if settings.photo_store_kind == "files":
        return found

    async def collect() -> set[str]:
        from server.db import tables as t

        rows = await t.TusUpload.select(t.TusUpload.id)
        parts = await t.TusUploadPart.select(t.TusUploadPart.upload_id)
        return {r["id"] for r in rows} | {r["upload_id"] for r in parts}

    return found | await _in_app(http, collect)


def stored_bytes_now(settings: Settings, variant: Variant, sha: str) -> bytes | None:
    """``stored_bytes`` from a plain thread, for a live server on SQLite (no pool to share)."""
    return asyncio.run(storage_for(settings).get(photo_key(variant, sha)))


async def raise_issue(person: Person, estate_index: int = 0) -> str:
    args = new_issue_args(person.estate(estate_index))
    body = await person.push(person.mutation("issue.create", args))
    assert body["results"][-1]["status"] == "applied", body
    return args["id"]


async def attach_photo(person: Person, issue_id: str, data: bytes) -> str:
    """Push a ``photo.attach`` record for these bytes (which may or may not have been sent yet)."""
    photo_id = str(uuid.uuid4())
    body = await person.push(person.mutation("photo.attach", {
        "id": photo_id, "issue_id": issue_id, "sha256": sha256(data), "content_type": "image/jpeg",
        "byte_size": len(data), "width": 800, "height": 600, "captured_at": "2026-11-20T10:16:00Z",
        "caption": "landing light",
    }))
    assert body["results"][-1]["status"] == "applied", body
    return photo_id


async def put_bytes(person: Person, data: bytes, address: str | None = None, **headers: str) -> Any:
    return await person.http.put(f"/api/photos/{address or sha256(data)}", content=data,
                                 headers={**person.headers, **headers})


async def fetch(person: Person, address: str, variant: str = "display", **headers: str) -> Any:
    return await person.http.get(f"/api/photos/{address}", params={"variant": variant},
                                 headers={**person.headers, **headers})


async def photo_on_issue(person: Person, data: bytes) -> str:
    """The whole phone journey: raise an issue, attach the photo, send its bytes. Returns the address."""
    issue_id = await raise_issue(person)
    await attach_photo(person, issue_id, data)
    answer = await put_bytes(person, data)
    assert answer.status_code in (200, 201), answer.text
    return sha256(data)


def files_under(directory: Path) -> list[Path]:
    """Every file below ``directory`` (none if it does not exist)."""
    return sorted(p for p in directory.rglob("*") if p.is_file()) if directory.exists() else []
