"""Item 3 of issue 11: knowing a photo's SHA-256 is not enough to see it.

Attaching bytes the server holds needs proof of possession: this person uploaded them, or already sees them
through something else. A record naming bytes its maker never held shows nothing, even after an honest upload.
"""

from __future__ import annotations

import uuid

from sync.rules import UPLOAD_FIRST, UPLOAD_FIRST_CODE
from tests.conftest import Person
from tests.photos.conftest import fetch, photo_on_issue, put_bytes, raise_issue
from tests.photos.images import phone_photo, sha256


def _attach(person: Person, issue_id: str, sha: str, photo_id: str | None = None) -> dict:
    return person.mutation("photo.attach", {"id": photo_id or str(uuid.uuid4()), "issue_id": issue_id,
                                            "sha256": sha})


async def test_a_hash_alone_attaches_nothing_and_the_honest_phone_uploads_and_attaches(as_rep: Person,
                                                                                      as_rep2: Person) -> None:
    data = phone_photo(seed=21)
    address = await photo_on_issue(as_rep, data)
    issue_id = await raise_issue(as_rep2)
    photo_id = str(uuid.uuid4())
    refused = await as_rep2.push(_attach(as_rep2, issue_id, address, photo_id))
    assert refused["results"][0] == {"id": refused["results"][0]["id"], "status": "rejected",
                                     "reason": UPLOAD_FIRST, "code": UPLOAD_FIRST_CODE}
    for variant in ("thumb", "display", "original"):
        assert (await fetch(as_rep2, address, variant)).status_code == 404
    # Had rep2 really taken the photo, their phone holds the bytes: it sends them, attaches again, and has it.
    assert (await put_bytes(as_rep2, data)).status_code == 201
    again = await as_rep2.push(_attach(as_rep2, issue_id, address, photo_id))
    assert again["results"][0]["status"] == "applied"
    assert (await fetch(as_rep2, address, "thumb")).status_code == 200


async def test_a_hash_named_before_its_bytes_arrive_shows_nothing_after_they_do(as_rep: Person,
                                                                               as_rep2: Person) -> None:
    data = phone_photo(seed=22)
    address = sha256(data)
    theirs = await raise_issue(as_rep2)
    early = str(uuid.uuid4())
    # Bytes not on the server yet: the attach is kept (a phone records before it uploads), as pending.
    assert (await as_rep2.push(_attach(as_rep2, theirs, address, early)))["results"][0]["status"] == "applied"
    await photo_on_issue(as_rep, data)  # the honest owner, on another estate, sends the bytes
    assert (await fetch(as_rep2, address, "thumb")).status_code == 404
    records = [c for c in await as_rep2.pull_all() if c["entity"] == "photo" and c["id"] == early]
    assert records and records[-1]["data"]["uploaded"] is False
    assert (await fetch(as_rep, address, "thumb")).status_code == 200


async def test_a_photo_seen_on_one_estate_may_be_attached_on_another_by_who_sees_it(as_rep: Person,
                                                                                    as_staff: Person) -> None:
    data = phone_photo(seed=23)
    address = await photo_on_issue(as_rep, data)  # Larkspur
    elsewhere = await raise_issue(as_staff, estate_index=1)  # staff are on both estates
    answer = await as_staff.push(_attach(as_staff, elsewhere, address))
    assert answer["results"][0]["status"] == "applied"
