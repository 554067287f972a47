"""Journeys of looking at photos: who may see which variant, what the variants keep (nothing), and caching."""

from __future__ import annotations

import io

from PIL import ExifTags, Image

from tests.conftest import Person
from tests.photos.conftest import attach_photo, fetch, photo_on_issue, put_bytes, raise_issue
from tests.photos.images import LATITUDE, oriented_jpeg, phone_photo, quadrant_colours, sha256, QUADRANTS

METADATA_MARKERS = [b"Exif", b"GPS", b"PhoneCo", b"Pocket 12", b"SN-4417", b"ICC_PROFILE", b"Larkspur",
                    b"http://ns.adobe.com/xap", b"2026:11:20"]


async def test_gps_and_all_other_metadata_are_gone_from_what_residents_see(as_rep: Person) -> None:
    data = phone_photo()
    assert Image.open(io.BytesIO(data)).getexif().get_ifd(ExifTags.IFD.GPSInfo), "the fixture has GPS"
    address = await photo_on_issue(as_rep, data)

    for variant, edge in (("display", 800), ("thumb", 320)):
        answer = await fetch(as_rep, address, variant)
        assert answer.status_code == 200, answer.text
        assert answer.headers["content-type"] == "image/jpeg"
        image = Image.open(io.BytesIO(answer.content))
        assert image.format == "JPEG"
        assert max(image.size) == edge  # the 800 px test photo is not enlarged to 1600
        assert not image.getexif(), f"{variant} has EXIF"
        assert not {"exif", "icc_profile", "xmp", "comment", "XML:com.adobe.xmp"} & set(image.info), variant
        for marker in METADATA_MARKERS:
            assert marker not in answer.content, f"{variant} contains {marker!r}"


async def test_staff_get_the_original_untouched_and_residents_do_not(as_rep: Person, as_staff: Person,
                                                                     as_contractor: Person) -> None:
    data = phone_photo()
    address = await photo_on_issue(as_rep, data)

    original = await fetch(as_staff, address, "original")
    assert original.status_code == 200
    assert original.content == data
    gps = Image.open(io.BytesIO(original.content)).getexif().get_ifd(ExifTags.IFD.GPSInfo)
    assert gps[ExifTags.GPS.GPSLatitude] == LATITUDE  # evidence kept as taken

    refused = await fetch(as_rep, address, "original")
    assert refused.status_code == 403
    assert refused.json()["code"] == "403.1"
    assert (await fetch(as_rep, address, "display")).status_code == 200
    # A contractor sees photos of the issues assigned to them only (tests/accounts); this one is not.
    assert (await fetch(as_contractor, address, "display")).status_code == 404


async def test_a_tra_rep_of_another_estate_cannot_fetch_the_photo(as_rep: Person, as_rep2: Person) -> None:
    address = await photo_on_issue(as_rep, phone_photo())
    for variant in ("thumb", "display", "original"):
        answer = await fetch(as_rep2, address, variant)
        assert answer.status_code == 404, variant
        assert answer.json()["code"] == "404.1"
        # Not even a 304 for a guessed ETag: that would say the photo exists.
        guessed = await fetch(as_rep2, address, variant, **{"If-None-Match": "*"})
        assert guessed.status_code == 404


async def test_bytes_nobody_attached_cannot_be_fetched_even_by_their_sender(as_rep: Person,
                                                                           as_staff: Person) -> None:
    data = phone_photo()
    assert (await put_bytes(as_rep, data)).status_code == 201
    for person in (as_rep, as_staff):
        assert (await fetch(person, sha256(data))).status_code == 404


async def test_anonymous_visitors_see_nothing(client, as_rep: Person) -> None:
    address = await photo_on_issue(as_rep, phone_photo())
    client.cookies.clear()
    answer = await client.get(f"/api/photos/{address}")
    assert answer.status_code == 401


async def test_photos_are_cached_for_good_and_revalidate_with_304(as_rep: Person) -> None:
    address = await photo_on_issue(as_rep, phone_photo())
    first = await fetch(as_rep, address, "thumb")
    assert first.headers["cache-control"] == "private, max-age=31536000, immutable"
    assert first.headers["x-content-type-options"] == "nosniff"
    etag = first.headers["etag"]

    again = await fetch(as_rep, address, "thumb", **{"If-None-Match": etag})
    assert again.status_code == 304
    assert again.content == b""
    assert again.headers["etag"] == etag

    weak = await fetch(as_rep, address, "thumb", **{"If-None-Match": f'"other", W/{etag}'})
    assert weak.status_code == 304
    # Each variant has its own tag: the display variant is not "not modified" by the thumbnail's tag.
    other_variant = await fetch(as_rep, address, "display", **{"If-None-Match": etag})
    assert other_variant.status_code == 200


async def test_a_photo_attached_before_its_bytes_shows_pending_then_uploaded(as_rep: Person,
                                                                            as_staff: Person) -> None:
    data = phone_photo(seed=3)
    issue_id = await raise_issue(as_rep)
    photo_id = await attach_photo(as_rep, issue_id, data)
    await as_staff.pull_all()

    pending = [c for c in await as_rep.pull_all() if c["entity"] == "photo" and c["id"] == photo_id]
    assert pending[-1]["data"]["uploaded"] is False
    not_yet = await fetch(as_rep, sha256(data))
    assert not_yet.status_code == 404
    assert "not been uploaded" in not_yet.json()["detail"]

    assert (await put_bytes(as_rep, data)).status_code == 201

    for person in (as_rep, as_staff):
        changes = [c for c in await person.pull_all() if c["entity"] == "photo" and c["id"] == photo_id]
        assert len(changes) == 1, person.email
        assert changes[0]["data"]["uploaded"] is True
        assert changes[0]["data"]["issue_id"] == issue_id
    assert (await fetch(as_rep, sha256(data))).status_code == 200


async def test_a_photo_attached_after_its_bytes_is_uploaded_at_once(as_rep: Person) -> None:
    data = phone_photo(seed=4)
    assert (await put_bytes(as_rep, data)).status_code == 201
    issue_id = await raise_issue(as_rep)
    photo_id = await attach_photo(as_rep, issue_id, data)
    changes = [c for c in await as_rep.pull_all() if c["entity"] == "photo" and c["id"] == photo_id]
    assert [c["data"]["uploaded"] for c in changes] == [True]


async def test_the_same_photo_on_two_estates_is_visible_on_each(as_rep: Person, as_rep2: Person) -> None:
    data = phone_photo(seed=5)
    await photo_on_issue(as_rep, data)
    issue_id = await raise_issue(as_rep2)
    # The second phone has the same bytes: it sends them too (201, the first time from this person: their proof
    # of holding them), and they are stored once and seen by both.
    assert (await put_bytes(as_rep2, data)).status_code == 201
    assert (await put_bytes(as_rep2, data)).status_code == 200
    await attach_photo(as_rep2, issue_id, data)
    assert (await fetch(as_rep2, sha256(data), "thumb")).status_code == 200
    assert (await fetch(as_rep, sha256(data), "thumb")).status_code == 200


async def test_a_portrait_photo_from_a_phone_is_served_upright(as_rep: Person) -> None:
    data = oriented_jpeg(6)  # how most phones store a portrait photo
    address = await photo_on_issue(as_rep, data)
    display = Image.open(io.BytesIO((await fetch(as_rep, address)).content))
    assert display.size == (240, 160)
    for corner, colour in quadrant_colours(display).items():
        assert all(abs(a - b) < 40 for a, b in zip(colour, QUADRANTS[corner])), corner


async def test_a_range_of_a_photo_is_sent_alone(as_rep: Person, as_staff: Person) -> None:
    """``Range`` gets a 206 with that part only, from either store; outside the photo a 416 saying its size."""
    data = phone_photo(seed=31)
    address = await photo_on_issue(as_rep, data)
    whole = await fetch(as_staff, address, "original")
    assert whole.status_code == 200
    assert whole.headers["accept-ranges"] == "bytes"
    assert whole.headers["content-length"] == str(len(data))
    size = len(data)

    for asked, (start, end) in {"bytes=0-99": (0, 100), "bytes=1000-": (1000, size), "bytes=-500": (size - 500, size),
                                f"bytes=100-{size + 50}": (100, size)}.items():
        part = await fetch(as_staff, address, "original", Range=asked)
        assert part.status_code == 206, asked
        assert part.content == data[start:end], asked
        assert part.headers["content-range"] == f"bytes {start}-{end - 1}/{size}", asked
        assert part.headers["etag"] == whole.headers["etag"]

    # A range across the store's chunk boundaries (256 KiB) of the display variant.
    display = (await fetch(as_rep, address, "display")).content
    middle = await fetch(as_rep, address, "display", Range=f"bytes=10-{len(display) - 10}")
    assert middle.content == display[10:len(display) - 9]

    beyond = await fetch(as_staff, address, "original", Range=f"bytes={size}-")
    assert beyond.status_code == 416
    assert beyond.json()["code"] == "416.1"
    assert beyond.headers["content-range"] == f"bytes */{size}"
    # Several ranges, or a unit we do not know, get the whole photo (RFC 9110 allows ignoring Range).
    for ignored in ("bytes=0-1,5-9", "pages=1-2", "bytes=abc"):
        answer = await fetch(as_staff, address, "original", Range=ignored)
        assert (answer.status_code, answer.content) == (200, data), ignored
    # An If-Range for another version: the whole photo.
    other = await fetch(as_staff, address, "original", Range="bytes=0-9", **{"If-Range": '"something-else"'})
    assert (other.status_code, other.content) == (200, data)
    # Outsiders still learn nothing.
    assert (await fetch(as_rep, address, "original", Range="bytes=0-9")).status_code == 403
