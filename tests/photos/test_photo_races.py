"""The record and the bytes of a photo arriving at the same moment, from two phones: never stuck "pending"."""

from __future__ import annotations

import asyncio
import uuid

from tests.conftest import Person
from tests.photos.conftest import put_bytes, raise_issue
from tests.photos.images import phone_photo, sha256


async def test_attach_and_bytes_racing_always_end_uploaded(as_rep: Person, as_staff: Person) -> None:
    issue_id = await raise_issue(as_rep)
    # The PUT hashes and decodes first, so its transaction starts some milliseconds after the push's; sweeping
    # the push's start across that window makes the two transactions overlap in some rounds.
    for round_number in range(12):
        data = phone_photo(seed=100 + round_number)
        photo_id = str(uuid.uuid4())
        attach = as_rep.mutation("photo.attach", {"id": photo_id, "issue_id": issue_id, "sha256": sha256(data)})
        # The staff member's phone sends the bytes while the rep's phone sends the record.
        async def push_later(delay: float = round_number * 0.003) -> dict:
            await asyncio.sleep(delay)
            return await as_rep.push(attach)

        pushed, sent = await asyncio.gather(push_later(), put_bytes(as_staff, data))
        assert pushed["results"][-1]["status"] == "applied"
        assert sent.status_code == 201

        photo_changes = [c for c in await as_staff.pull_all() if c["entity"] == "photo" and c["id"] == photo_id]
        assert photo_changes, f"round {round_number}: the record never reached the other phone"
        assert photo_changes[-1]["data"]["uploaded"] is True, f"round {round_number}: stuck pending"


async def test_the_photo_routes_are_in_the_openapi_schema(client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"get", "put"} <= set(paths["/api/photos/{sha256}"])
    assert {"post"} <= set(paths["/api/uploads"])
    assert {"head", "patch", "delete"} <= set(paths["/api/uploads/{upload_id}"])
