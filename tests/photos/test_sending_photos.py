"""Journeys of sending a photo's bytes with PUT: stored once, and everything that is not a photo refused."""

from __future__ import annotations

import base64

import anyio.to_thread

from server.settings import Settings
from tests.conftest import Person
from tests.photos.conftest import TEST_MAX_PHOTO_BYTES, drop_stored, put_bytes, stored_bytes, stored_keys
from tests.photos.images import hostile_files, phone_photo, sha256


async def test_the_same_photo_sent_twice_is_stored_once(as_rep: Person, as_staff: Person,
                                                        settings: Settings) -> None:
    data = phone_photo()
    first = await put_bytes(as_rep, data)
    assert first.status_code == 201, first.text
    assert first.json() == {"sha256": sha256(data), "content_type": "image/jpeg", "byte_size": len(data),
                            "width": 800, "height": 600}
    stored = await stored_keys(as_rep.http, settings)

    again = await put_bytes(as_rep, data)
    from_someone_else = await put_bytes(as_staff, data)

    assert again.status_code == 200, again.text
    # New to this person: 201, their upload recorded as proof they hold the bytes; still stored once.
    assert from_someone_else.status_code == 201, from_someone_else.text
    assert (await put_bytes(as_staff, data)).status_code == 200
    assert await stored_keys(as_rep.http, settings) == stored
    # One original, one display variant, one thumbnail; no temp files left from the atomic writes.
    assert sorted(key.split("/")[0] for key in stored) == ["display", "original", "thumb"]
    assert await stored_bytes(as_rep.http, settings, "original", sha256(data)) == data


async def test_a_photo_whose_bytes_do_not_match_its_name_is_refused(as_rep: Person, settings: Settings) -> None:
    data = phone_photo()
    answer = await put_bytes(as_rep, data, address=sha256(b"something else"))
    assert answer.status_code == 422
    assert answer.json()["code"] == "422.2"
    assert await stored_keys(as_rep.http, settings) == []


async def test_anything_that_is_not_an_accepted_photo_is_refused_and_leaves_nothing(
        as_rep: Person, settings: Settings) -> None:
    # One app for all the files (an app per file would spend most of the time loading demo data).
    for name, data in hostile_files().items():
        # The client's name and Content-Type are ignored: only the bytes decide.
        answer = await put_bytes(as_rep, data, **{"Content-Type": "image/jpeg"})
        assert answer.status_code == 422, f"{name}: {answer.text}"
        problem = answer.json()
        assert problem["code"] == "422.3", name
        assert problem["detail"], f"{name}: the refusal says why"
        assert await stored_keys(as_rep.http, settings) == [], name
        # Nor was anything recorded: the bytes are not there to fetch.
        fetched = await as_rep.http.get(f"/api/photos/{sha256(data)}", headers=as_rep.headers)
        assert fetched.status_code == 404, name


async def test_a_photo_over_the_size_limit_is_refused_before_it_is_read(as_rep: Person, settings: Settings) -> None:
    data = b"\xff\xd8" + bytes(TEST_MAX_PHOTO_BYTES)
    answer = await put_bytes(as_rep, data)
    assert answer.status_code == 413
    assert answer.json()["code"] == "413.1"
    assert await stored_keys(as_rep.http, settings) == []


async def test_sending_a_photo_needs_a_signed_in_member(client) -> None:
    # No one has signed in on this client, so it carries no session cookie either.
    data = phone_photo()
    anonymous = await client.put(f"/api/photos/{sha256(data)}", content=data)
    assert anonymous.status_code == 401
    assert anonymous.json()["code"] == "401.1"


async def test_an_address_that_is_not_a_sha256_is_refused(as_rep: Person) -> None:
    answer = await put_bytes(as_rep, phone_photo(), address="../../etc/passwd".replace("/", "%2F"))
    assert answer.status_code in (404, 422)
    answer = await put_bytes(as_rep, phone_photo(), address="A" * 64)
    assert answer.status_code == 422


async def test_someone_on_no_estate_cannot_send_photos(client) -> None:
    from server.estates import EstateAdmin

    async def add_newcomer() -> None:
        async with EstateAdmin() as admin:
            await admin.create_user("newcomer@example.test", "Newcomer", "a long enough passphrase")

    # The app, and its PostgreSQL pool, live on the test client's own event loop in another thread.
    await anyio.to_thread.run_sync(client.blocking_portal.call, add_newcomer)
    newcomer = await Person(client, "newcomer@example.test").sign_in("a long enough passphrase")
    assert newcomer.memberships == []
    data = phone_photo()
    refused = await put_bytes(newcomer, data)
    assert refused.status_code == 403
    assert refused.json()["code"] == "403.1"
    tus_refused = await client.post("/api/uploads", headers={
        **newcomer.headers, "Tus-Resumable": "1.0.0", "Upload-Length": str(len(data)),
        "Upload-Metadata": "sha256 " + base64.b64encode(sha256(data).encode()).decode()})
    assert tus_refused.status_code == 403


async def test_sending_a_photo_again_restores_files_lost_from_storage(as_rep: Person, settings: Settings) -> None:
    data = phone_photo(seed=9)
    assert (await put_bytes(as_rep, data)).status_code == 201
    await drop_stored(as_rep.http, settings)  # a store restored from an older backup
    assert await stored_keys(as_rep.http, settings) == []
    again = await put_bytes(as_rep, data)
    assert again.status_code == 200  # the server knew the photo; it only needed the bytes back
    kinds = sorted(key.split("/")[0] for key in await stored_keys(as_rep.http, settings))
    assert kinds == ["display", "original", "thumb"]
