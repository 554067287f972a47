"""The record and the bytes of a photo arriving at the same moment: never stuck "pending".

The bytes' transaction first looks for photo records waiting for them, then commits; a ``photo.attach`` that
reads "no bytes yet" in between and commits first would leave its record pending for ever, with nobody left to
announce the bytes. ``store_photo`` takes the push lock to shut that window. The test below does not hope to hit
the window by timing: it holds the bytes' transaction open at that very moment (``service.before_commit``), sends
the push, and lets the upload finish only once the push has either finished (no lock: the test fails) or is seen
waiting for the database's lock.
"""

from __future__ import annotations

import asyncio
import threading
import time
import uuid
from typing import Any

import httpx

from server.db.engine import sqlite_writers_waiting
from server.photos import service
from server.settings import Settings
from tests.conftest import new_issue_args, serve_in_thread
from tests.photos.images import phone_photo, sha256


class ApiPhone:
    """A phone talking to a real server over HTTP, from any thread."""

    def __init__(self, url: str, email: str) -> None:
        self.url, self.client_id, self.number = url, str(uuid.uuid4()), 1
        login = httpx.post(f"{url}/api/auth/login", json={"email": email, "password": "demo"}, timeout=30)
        login.raise_for_status()
        self.headers = {"Authorization": f"Bearer {login.json()['token']}"}
        self.estate = login.json()["memberships"][0]["estate_id"]

    def push(self, name: str, args: dict[str, Any]) -> dict[str, Any]:
        at = f"{int(time.time() * 1000):015d}:00000:{self.client_id}"
        mutation = {"id": self.number, "name": name, "args": args, "at": at}
        self.number += 1
        answer = httpx.post(f"{self.url}/api/sync/push", headers=self.headers, timeout=60,
                            json={"client_id": self.client_id, "mutations": [mutation]})
        answer.raise_for_status()
        return answer.json()["results"][0]

    def put_photo(self, data: bytes) -> httpx.Response:
        return httpx.put(f"{self.url}/api/photos/{sha256(data)}", headers=self.headers, content=data, timeout=60)

    def photo_records(self, photo_id: str) -> list[dict[str, Any]]:
        """Every pulled change of one photo record, oldest first, as a fresh phone of this person sees them."""
        client_id, cursor, found = str(uuid.uuid4()), None, []
        while True:
            answer = httpx.post(f"{self.url}/api/sync/pull", headers=self.headers, timeout=60,
                                json={"client_id": client_id, "cursor": cursor, "limit": 1000})
            answer.raise_for_status()
            body = answer.json()
            found += [c for c in body["changes"] if c["entity"] == "photo" and c["id"] == photo_id]
            cursor = body["cursor"]
            if not body["has_more"]:
                return found


def _a_writer_waits_for_the_lock(settings: Settings) -> bool:
    """Is a transaction of the server queued behind another's lock right now?"""
    if settings.database_url is None:
        return sqlite_writers_waiting() > 0

    async def waiting() -> int:
        import asyncpg

        connection = await asyncpg.connect(settings.database_url)
        try:
            return await connection.fetchval(
                "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
                "AND wait_event_type = 'Lock'")
        finally:
            await connection.close()

    return asyncio.run(waiting()) > 0


def _in_thread(work: Any) -> tuple[threading.Thread, dict[str, Any]]:
    outcome: dict[str, Any] = {}

    def run() -> None:
        try:
            outcome["value"] = work()
        except BaseException as error:  # noqa: BLE001 - reported by the test
            outcome["error"] = error

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread, outcome


def test_an_attach_sent_while_its_bytes_are_being_stored_ends_uploaded(settings: Settings) -> None:
    with serve_in_thread(settings) as server:
        # One person, two devices: the tablet finishes sending the bytes as the phone sends the record.
        tablet, phone = ApiPhone(server.url, "staff@demo.test"), ApiPhone(server.url, "staff@demo.test")
        issue = new_issue_args(phone.estate)
        assert phone.push("issue.create", issue)["status"] == "applied"
        data, photo_id = phone_photo(seed=41), str(uuid.uuid4())

        inside, release = threading.Event(), threading.Event()

        async def hold_the_upload_open(_: str) -> None:
            inside.set()
            while not release.is_set():
                await asyncio.sleep(0.005)

        service.before_commit = hold_the_upload_open
        try:
            upload, uploaded = _in_thread(lambda: tablet.put_photo(data))
            assert inside.wait(timeout=120), "the upload never reached its commit"
            # The bytes' row is written but not committed, and it has found no photo record to announce.
            attach, attached = _in_thread(lambda: phone.push("photo.attach", {
                "id": photo_id, "issue_id": issue["id"], "sha256": sha256(data), "content_type": "image/jpeg",
                "byte_size": len(data), "width": 800, "height": 600, "captured_at": "2026-11-20T10:16:00Z",
                "caption": None}))
            deadline = time.monotonic() + 120
            while attach.is_alive() and not _a_writer_waits_for_the_lock(settings):
                assert time.monotonic() < deadline, "the push neither finished nor waited for a lock"
                time.sleep(0.01)
            pushed_first = not attach.is_alive()
        finally:
            release.set()
            service.before_commit = None
        upload.join(timeout=120)
        attach.join(timeout=120)
        assert "error" not in uploaded and "error" not in attached, (uploaded, attached)
        assert uploaded["value"].status_code == 201, uploaded["value"].text
        assert attached["value"]["status"] == "applied", attached["value"]

        records = phone.photo_records(photo_id)
        assert records, "the photo record never reached the phones"
        assert records[-1]["data"]["uploaded"] is True, (
            "stuck pending: the record was committed while the bytes' transaction was open"
            + (" (the push did not wait for the upload's lock)" if pushed_first else ""))


async def test_the_photo_routes_are_in_the_openapi_schema(client) -> None:
    paths = (await client.get("/schema/openapi.json")).json()["paths"]
    assert {"get", "put"} <= set(paths["/api/photos/{sha256}"])
    assert {"post"} <= set(paths["/api/uploads"])
    assert {"head", "patch", "delete"} <= set(paths["/api/uploads/{upload_id}"])
