"""Journeys of resumable uploads (tus 1.0): a real tus client against the real server, cut and resumed.

The tuspy journeys use ``live_server`` (uvicorn on a real port, SQLite); the protocol details run through the
test client on both databases.
"""

from __future__ import annotations

import asyncio
import base64
import io
import socket
import time
import uuid
from urllib.parse import urlparse

import httpx
import pytest
from litestar.testing import AsyncTestClient
from PIL import Image
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError, TusUploadFailed

from server.app import create_app
from server.settings import Settings
from sync.hlc import HybridClock
from tests.conftest import LiveServer, Person, new_issue_args, stamp_now
from tests.photos.conftest import (
    files_under,
    stored_bytes,
    stored_bytes_now,
    stored_keys,
    unfinished_uploads,
)
from tests.photos.images import jpeg, phone_photo, picture, sha256

TUS = {"Tus-Resumable": "1.0.0"}


# --- with the tuspy client against a live server ---------------------------------------------------------------

def sign_in(live: LiveServer, email: str) -> dict[str, str]:
    answer = httpx.post(f"{live.url}/api/auth/login", json={"email": email, "password": "demo"})
    assert answer.status_code == 200, answer.text
    return {"Authorization": f"Bearer {answer.json()['token']}"}


def tus_client(live: LiveServer, headers: dict[str, str]) -> tus.TusClient:
    return tus.TusClient(f"{live.url}/api/uploads", headers=dict(headers))


def big_photo() -> bytes:
    """About 1 MB, so that cuts can fall in many different places."""
    size = (1800, 1350)
    grain = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])  # sensor noise keeps JPEG big
    data = jpeg(Image.blend(picture(size, seed=7), grain, 0.5), quality=95)
    assert len(data) > 800_000
    return data


def stored_original(live: LiveServer, data: bytes) -> bytes | None:
    return stored_bytes_now(live.settings, "original", sha256(data))


def stored_now(live: LiveServer) -> list[str]:
    return asyncio.run(stored_keys(None, live.settings))


def unfinished_now(live: LiveServer) -> set[str]:
    return asyncio.run(unfinished_uploads(None, live.settings))


def attach_as_rep(live: LiveServer, headers: dict[str, str], data: bytes) -> None:
    """Record the photo on a new issue (as the phone's sync would), so staff may then fetch it."""
    me = httpx.get(f"{live.url}/api/auth/me", headers=headers).json()
    estate_id = me["memberships"][0]["estate_id"]
    client_id = str(uuid.uuid4())
    clock = HybridClock(client_id)
    issue = new_issue_args(estate_id)
    photo = {"id": str(uuid.uuid4()), "issue_id": issue["id"], "sha256": sha256(data), "byte_size": len(data)}
    answer = httpx.post(f"{live.url}/api/sync/push", headers=headers, json={"client_id": client_id, "mutations": [
        {"id": 1, "name": "issue.create", "args": issue, "at": stamp_now(clock)},
        {"id": 2, "name": "photo.attach", "args": photo, "at": stamp_now(clock)},
    ]})
    assert [r["status"] for r in answer.json()["results"]] == ["applied", "applied"], answer.text


@pytest.mark.parametrize("cuts", [[1], [65_536], [333_333], [1, 2, 3], [100_000, 400_000, 700_000]],
                         ids=["after-1-byte", "after-64KiB", "mid-file", "three-tiny-steps", "three-cuts"])
def test_an_upload_cut_at_several_offsets_completes_with_identical_bytes(live_server: LiveServer,
                                                                          cuts: list[int]) -> None:
    rep = sign_in(live_server, "rep@demo.test")
    data = big_photo()
    uploader = tus_client(live_server, rep).uploader(
        file_stream=io.BytesIO(data), chunk_size=48_000, metadata={"sha256": sha256(data)})
    for cut in cuts:
        uploader.upload(stop_at=cut)
        assert uploader.offset == cut
        assert stored_original(live_server, data) is None
    url = uploader.url

    # The phone restarts: a new uploader that knows only the URL asks the server where to continue.
    resumed = tus_client(live_server, rep).uploader(file_stream=io.BytesIO(data), url=url, chunk_size=200_000)
    assert resumed.offset == cuts[-1]
    resumed.upload()

    assert stored_original(live_server, data) == data
    attach_as_rep(live_server, rep, data)
    staff = sign_in(live_server, "staff@demo.test")
    original = httpx.get(f"{live_server.url}/api/photos/{sha256(data)}", params={"variant": "original"},
                         headers=staff)
    assert original.status_code == 200
    assert original.content == data
    # Nothing left in the scratch area but the small "completed" record (so a lost final answer can be asked).
    leftovers = [p.suffix for p in files_under(live_server.data_dir / "uploads")]
    assert ".part" not in leftovers
    assert unfinished_now(live_server) <= {url.rsplit("/", 1)[-1]}


def test_a_connection_dropped_mid_request_keeps_what_arrived(live_server: LiveServer) -> None:
    rep = sign_in(live_server, "rep@demo.test")
    data = big_photo()
    uploader = tus_client(live_server, rep).uploader(file_stream=io.BytesIO(data),
                                                     metadata={"sha256": sha256(data)})
    uploader.set_url(uploader.create_url())
    path = urlparse(uploader.url).path

    # A PATCH that announces the whole file, sends 60% of it, and then loses its signal.
    sent = int(len(data) * 0.6)
    address = urlparse(live_server.url)
    with socket.create_connection((address.hostname, address.port)) as connection:
        connection.sendall((
            f"PATCH {path} HTTP/1.1\r\nHost: {address.netloc}\r\nTus-Resumable: 1.0.0\r\n"
            f"Authorization: {rep['Authorization']}\r\nContent-Type: application/offset+octet-stream\r\n"
            f"Upload-Offset: 0\r\nContent-Length: {len(data)}\r\n\r\n").encode() + data[:sent])
        time.sleep(0.5)  # the bytes were on their way for a while before the signal went
    offset = _offset_once_settled(live_server, path, rep, expected=sent)
    assert offset == sent

    resumed = tus_client(live_server, rep).uploader(file_stream=io.BytesIO(data), url=uploader.url)
    assert resumed.offset == sent
    resumed.upload()
    assert stored_original(live_server, data) == data


def _offset_once_settled(live: LiveServer, path: str, headers: dict[str, str], expected: int) -> int:
    deadline = time.monotonic() + 10
    while True:
        answer = httpx.head(f"{live.url}{path}", headers={**headers, **TUS})
        offset = int(answer.headers["upload-offset"])
        if offset == expected or time.monotonic() > deadline:
            return offset
        time.sleep(0.1)


def test_tuspy_with_checksums_and_the_same_photo_twice(live_server: LiveServer) -> None:
    rep = sign_in(live_server, "rep@demo.test")
    data = phone_photo(seed=11)
    for _ in range(2):
        uploader = tus_client(live_server, rep).uploader(
            file_stream=io.BytesIO(data), chunk_size=20_000, metadata={"sha256": sha256(data)},
            upload_checksum=True)
        uploader.upload()
    assert stored_original(live_server, data) == data
    originals = [key for key in stored_now(live_server) if key.startswith("original/")]
    assert originals == [f"original/{sha256(data)[:2]}/{sha256(data)}"]


def test_a_corrupted_upload_is_refused_and_nothing_kept(live_server: LiveServer) -> None:
    rep = sign_in(live_server, "rep@demo.test")
    data = phone_photo(seed=12)
    corrupted = bytearray(data)
    corrupted[len(data) // 2] ^= 0xFF
    uploader = tus_client(live_server, rep).uploader(
        file_stream=io.BytesIO(bytes(corrupted)), chunk_size=30_000, metadata={"sha256": sha256(data)})
    with pytest.raises(TusUploadFailed) as failure:
        uploader.upload()
    assert failure.value.status_code == 422
    assert b"422.2" in failure.value.response_content
    assert stored_now(live_server) == []
    assert unfinished_now(live_server) == set()
    with pytest.raises(TusCommunicationError):  # the upload is gone: the phone must start again
        tus_client(live_server, rep).uploader(file_stream=io.BytesIO(data), url=uploader.url)


# --- the protocol in detail, on both databases ------------------------------------------------------------------

async def create_upload(person: Person, data: bytes, **headers: str) -> str:
    answer = await person.http.post("/api/uploads", headers={
        **person.headers, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": f"filename {base64.b64encode(b'IMG_0001.jpg').decode()},"
                           f"sha256 {base64.b64encode(sha256(data).encode()).decode()}", **headers})
    assert answer.status_code == 201, answer.text
    assert answer.headers["tus-resumable"] == "1.0.0"
    assert "upload-expires" in answer.headers
    return answer.headers["location"]


async def send(person: Person, location: str, chunk: bytes, offset: int, **headers: str) -> httpx.Response:
    return await person.http.patch(location, content=chunk, headers={
        **person.headers, **TUS, "Content-Type": "application/offset+octet-stream",
        "Upload-Offset": str(offset), **headers})


async def offset_of(person: Person, location: str) -> httpx.Response:
    return await person.http.head(location, headers={**person.headers, **TUS})


async def test_the_server_says_what_it_speaks(client: AsyncTestClient) -> None:
    answer = await client.options("/api/uploads")
    assert answer.status_code == 204
    assert answer.headers["tus-version"] == "1.0.0"
    assert set(answer.headers["tus-extension"].split(",")) == {"creation", "termination", "checksum",
                                                                "expiration"}
    assert "sha1" in answer.headers["tus-checksum-algorithm"].split(",")
    assert int(answer.headers["tus-max-size"]) > 0


async def test_a_whole_upload_in_steps(as_rep: Person, settings: Settings) -> None:
    data = phone_photo(seed=20)
    location = await create_upload(as_rep, data)
    head = await offset_of(as_rep, location)
    assert (head.status_code, head.headers["upload-offset"], head.headers["upload-length"]) == (
        200, "0", str(len(data)))
    assert head.headers["cache-control"] == "no-store"

    middle = len(data) // 3
    first = await send(as_rep, location, data[:middle], 0)
    assert (first.status_code, first.headers["upload-offset"]) == (204, str(middle))
    # A chunk sent again from the old offset (its answer was lost) is refused, not appended twice.
    repeat = await send(as_rep, location, data[:middle], 0)
    assert repeat.status_code == 409
    assert repeat.json()["code"] == "409.4"
    last = await send(as_rep, location, data[middle:], middle)
    assert (last.status_code, last.headers["upload-offset"]) == (204, str(len(data)))

    # Complete: the photo is stored, and the upload still answers, in case the last answer was lost.
    assert await stored_bytes(as_rep.http, settings, "original", sha256(data)) == data
    assert (await offset_of(as_rep, location)).headers["upload-offset"] == str(len(data))
    assert (await send(as_rep, location, b"", len(data))).status_code == 204


async def test_a_chunk_with_a_wrong_checksum_is_dropped(as_rep: Person) -> None:
    data = phone_photo(seed=21)
    location = await create_upload(as_rep, data)
    wrong = "sha1 " + base64.b64encode(b"\x00" * 20).decode()
    answer = await send(as_rep, location, data[:1000], 0, **{"Upload-Checksum": wrong})
    assert answer.status_code == 460
    assert answer.json()["code"] == "460.1"
    assert (await offset_of(as_rep, location)).headers["upload-offset"] == "0"

    import hashlib

    right = "sha256 " + base64.b64encode(hashlib.sha256(data[:1000]).digest()).decode()
    answer = await send(as_rep, location, data[:1000], 0, **{"Upload-Checksum": right})
    assert (answer.status_code, answer.headers["upload-offset"]) == (204, "1000")
    unknown = await send(as_rep, location, data[1000:], 1000, **{"Upload-Checksum": "crc32 AAAA"})
    assert unknown.status_code == 400


async def test_not_a_photo_sent_by_tus_is_refused_and_nothing_kept(as_rep: Person, settings: Settings) -> None:
    data = b"<svg xmlns='http://www.w3.org/2000/svg'/>" * 10
    location = await create_upload(as_rep, data)
    answer = await send(as_rep, location, data, 0)
    assert answer.status_code == 422
    assert answer.json()["code"] == "422.3"
    assert answer.headers["tus-resumable"] == "1.0.0"
    assert await stored_keys(as_rep.http, settings) == []
    assert await unfinished_uploads(as_rep.http, settings) == set()
    assert (await offset_of(as_rep, location)).status_code == 404


async def test_someone_elses_upload_does_not_exist_for_you(as_rep: Person, as_rep2: Person,
                                                           as_staff: Person) -> None:
    data = phone_photo(seed=22)
    location = await create_upload(as_rep, data)
    for other in (as_rep2, as_staff):
        assert (await offset_of(other, location)).status_code == 404
        assert (await send(other, location, data, 0)).status_code == 404
        assert (await other.http.delete(location, headers={**other.headers, **TUS})).status_code == 404
    assert (await offset_of(as_rep, location)).headers["upload-offset"] == "0"


async def test_an_abandoned_upload_can_be_deleted(as_rep: Person, settings: Settings) -> None:
    data = phone_photo(seed=23)
    location = await create_upload(as_rep, data)
    await send(as_rep, location, data[:500], 0)
    answer = await as_rep.http.delete(location, headers={**as_rep.headers, **TUS})
    assert answer.status_code == 204
    assert await unfinished_uploads(as_rep.http, settings) == set()
    assert (await offset_of(as_rep, location)).status_code == 404


async def test_requests_the_protocol_does_not_allow_are_refused(client: AsyncTestClient, as_rep: Person) -> None:
    data = phone_photo(seed=24)
    no_version = await client.post("/api/uploads", headers={**as_rep.headers, "Upload-Length": "10"})
    assert no_version.status_code == 412
    assert no_version.headers["tus-version"] == "1.0.0"

    def creation(**headers: str) -> dict[str, str]:
        return {**as_rep.headers, **TUS, **headers}

    sha = base64.b64encode(sha256(data).encode()).decode()
    too_big = await client.post("/api/uploads", headers=creation(**{
        "Upload-Length": str(100 * 1024 * 1024), "Upload-Metadata": f"sha256 {sha}"}))
    assert too_big.status_code == 413
    no_hash = await client.post("/api/uploads", headers=creation(**{"Upload-Length": "10"}))
    assert no_hash.status_code == 422
    bad_hash = await client.post("/api/uploads", headers=creation(**{
        "Upload-Length": "10", "Upload-Metadata": f"sha256 {base64.b64encode(b'not-a-hash').decode()}"}))
    assert bad_hash.status_code == 422
    deferred = await client.post("/api/uploads", headers=creation(**{
        "Upload-Defer-Length": "1", "Upload-Metadata": f"sha256 {sha}"}))
    assert deferred.status_code == 400

    location = await create_upload(as_rep, data)
    wrong_type = await as_rep.http.patch(location, content=data, headers={
        **as_rep.headers, **TUS, "Content-Type": "image/jpeg", "Upload-Offset": "0"})
    assert wrong_type.status_code == 415
    overflow = await send(as_rep, location, data + b"extra", 0)
    assert overflow.status_code == 413
    assert (await offset_of(as_rep, location)).headers["upload-offset"] == "0"

    client.cookies.clear()
    anonymous = await client.post("/api/uploads", headers={**TUS, "Upload-Length": "10",
                                                           "Upload-Metadata": f"sha256 {sha}"})
    assert anonymous.status_code == 401


async def test_unfinished_uploads_expire(settings: Settings) -> None:
    short = settings.with_changes(upload_expiry_seconds=1)
    async with AsyncTestClient(app=create_app(short)) as http:
        rep = await Person(http, "rep@demo.test").sign_in()
        data = phone_photo(seed=25)
        abandoned = await create_upload(rep, data)
        await send(rep, abandoned, data[:700], 0)
        left_alone = await create_upload(rep, phone_photo(seed=26))
        assert len(await unfinished_uploads(http, short)) == 2

        time.sleep(1.2)
        assert (await offset_of(rep, abandoned)).status_code == 404  # expired when next asked about
        assert (await send(rep, abandoned, data[700:], 700)).status_code == 404
        # The other was never asked about again: the next creation sweeps it away.
        await create_upload(rep, phone_photo(seed=27))
        remaining = await unfinished_uploads(http, short)
        assert len(remaining) == 1
        assert left_alone.rsplit("/", 1)[-1] not in remaining
