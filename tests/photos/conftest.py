"""Photo journeys: helpers to raise an issue, attach a photo record and send its bytes, as a phone does."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from server.photos import workers
from server.settings import Settings
from tests.conftest import Person, new_issue_args
from tests.photos.images import sha256

#: Small enough that the "too large" journey stays quick; every test photo is far below it.
TEST_MAX_PHOTO_BYTES = 3 * 1024 * 1024


@pytest.fixture(scope="session", autouse=True)
def photo_workers() -> Iterator[None]:
    """Stop the photo worker processes when the run ends, rather than leave it to interpreter exit."""
    yield
    workers.shutdown()


@pytest.fixture
def settings(settings: Settings) -> Settings:
    """The shared settings (one per database), with a smaller photo size limit."""
    return settings.with_changes(max_photo_bytes=TEST_MAX_PHOTO_BYTES)


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
