"""Two app hosts on one PostgreSQL: a phone's upload and pull survive the death of the host it was using.

The hosts are real ``estatewalk serve`` processes, each in a network namespace of its own (see conftest.py); the
phones are HTTP clients in this namespace, talking to whichever host they are given, with no stickiness.
"""

from __future__ import annotations

import base64
import io
import socket
import time
import uuid
from typing import Any
from urllib.parse import urlparse

import httpx
import pytest
from PIL import Image

from sync.hlc import HybridClock
from tests.conftest import new_issue_args, stamp_now
from tests.hosts.conftest import TwoHosts
from tests.photos.images import jpeg, picture, sha256

pytestmark = [pytest.mark.postgres, pytest.mark.slow]

TUS = {"Tus-Resumable": "1.0.0"}


def big_photo() -> bytes:
    """About 1 MB: several of the database store's 256 KiB chunks, so a cut falls between and within them."""
    size = (1800, 1350)
    grain = Image.merge("RGB", [Image.effect_noise(size, 60) for _ in range(3)])
    data = jpeg(Image.blend(picture(size, seed=41), grain, 0.5), quality=95)
    assert len(data) > 800_000
    return data


class Phone:
    """A phone that can be pointed at any host between requests, as a load balancer would."""

    def __init__(self, email: str) -> None:
        self.email = email
        self.client_id = str(uuid.uuid4())
        self.clock = HybridClock(self.client_id)
        self.next_mutation = 1
        self.cursor: str | None = None
        self.token = ""
        self.replica: dict[str, dict[str, Any]] = {}
        self.versions_seen: list[str] = []

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}

    def sign_in(self, url: str) -> dict[str, Any]:
        answer = httpx.post(f"{url}/api/auth/login", json={"email": self.email, "password": "demo"})
        assert answer.status_code == 200, answer.text
        body = answer.json()
        self.token = body["token"]
        return body

    def push(self, url: str, name: str, args: dict[str, Any]) -> None:
        mutation = {"id": self.next_mutation, "name": name, "args": args, "at": stamp_now(self.clock)}
        self.next_mutation += 1
        answer = httpx.post(f"{url}/api/sync/push", headers=self.headers,
                            json={"client_id": self.client_id, "mutations": [mutation]})
        assert answer.status_code == 200, answer.text
        assert answer.json()["results"][-1]["status"] == "applied", answer.text

    def pull(self, url: str) -> None:
        for _ in range(100):
            answer = httpx.post(f"{url}/api/sync/pull", headers=self.headers,
                                json={"client_id": self.client_id, "cursor": self.cursor, "limit": 100})
            assert answer.status_code == 200, answer.text
            body = answer.json()
            # A first pull starts from scratch; after that, no host may send a phone back to the start.
            assert self.cursor is None or not body["reset"], "the host did not know this phone's cursor"
            for change in body["changes"]:
                bucket = self.replica.setdefault(change["entity"], {})
                if change["deleted"]:
                    bucket.pop(change["id"], None)
                else:
                    bucket[change["id"]] = change["data"]
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return
        raise AssertionError("the pull did not end")


def offset_at(url: str, location: str, phone: Phone) -> int:
    answer = httpx.head(f"{url}{location}", headers={**phone.headers, **TUS}, timeout=30)
    assert answer.status_code == 200, answer.status_code
    return int(answer.headers["upload-offset"])


def test_an_upload_and_a_pull_go_on_through_the_other_host_when_the_first_dies(two_hosts: TwoHosts) -> None:
    host1, host2 = two_hosts.hosts
    host1.start()
    host2.start()
    data = big_photo()
    half = len(data) // 2

    # Phone A, through host 1: signs in, syncs, raises an issue with a photo record, sends half the bytes.
    phone_a = Phone("rep@demo.test")
    estate_id = phone_a.sign_in(host1.url)["memberships"][0]["estate_id"]
    phone_a.pull(host1.url)
    issue = new_issue_args(estate_id)
    photo_id = str(uuid.uuid4())
    phone_a.push(host1.url, "issue.create", issue)
    phone_a.push(host1.url, "photo.attach", {"id": photo_id, "issue_id": issue["id"], "sha256": sha256(data),
                                             "byte_size": len(data)})
    phone_a.pull(host1.url)
    assert phone_a.replica["photo"][photo_id]["uploaded"] is False
    created = httpx.post(f"{host1.url}/api/uploads", headers={
        **phone_a.headers, **TUS, "Upload-Length": str(len(data)),
        "Upload-Metadata": "sha256 " + base64.b64encode(sha256(data).encode()).decode()})
    assert created.status_code == 201, created.text
    location = created.headers["location"]
    first = httpx.patch(f"{host1.url}{location}", content=data[:half], headers={
        **phone_a.headers, **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": "0"})
    assert (first.status_code, first.headers["upload-offset"]) == (204, str(half))

    # Then a PATCH announcing the rest, of which 300 kB arrive before host 1 dies mid-request.
    address = urlparse(host1.url)
    connection = socket.create_connection((address.hostname, address.port))
    sent = 300_000
    connection.sendall((
        f"PATCH {location} HTTP/1.1\r\nHost: {address.netloc}\r\nTus-Resumable: 1.0.0\r\n"
        f"Authorization: Bearer {phone_a.token}\r\nContent-Type: application/offset+octet-stream\r\n"
        f"Upload-Offset: {half}\r\nContent-Length: {len(data) - half}\r\n\r\n").encode() + data[half:half + sent])
    # Host 2 sees the part host 1 committed (parts are committed 256 KiB at a time, as they arrive).
    deadline = time.monotonic() + 30
    while offset_at(host2.url, location, phone_a) == half:
        assert time.monotonic() < deadline, "host 1 never committed the part it received"
        time.sleep(0.1)
    host1.kill()
    connection.close()

    # Through host 2: where to continue, and the rest.
    offset = offset_at(host2.url, location, phone_a)
    assert half < offset <= half + sent
    rest = httpx.patch(f"{host2.url}{location}", content=data[offset:], headers={
        **phone_a.headers, **TUS, "Content-Type": "application/offset+octet-stream", "Upload-Offset": str(offset)})
    assert (rest.status_code, rest.headers["upload-offset"]) == (204, str(len(data))), rest.text

    # Phone A's pull goes on through host 2 from the cursor host 1 gave it.
    phone_a.pull(host2.url)
    assert phone_a.replica["photo"][photo_id]["uploaded"] is True

    # Phone B, staff, only ever on host 2, sees everything, the photo's bytes included.
    phone_b = Phone("staff@demo.test")
    phone_b.sign_in(host2.url)
    phone_b.pull(host2.url)
    for entity in ("issue", "photo"):
        mine = {k: v for k, v in phone_a.replica.get(entity, {}).items()}
        assert {k: v for k, v in phone_b.replica[entity].items() if k in mine} == mine, entity
    assert phone_b.replica["issue"][issue["id"]]["title"] == issue["title"]
    original = httpx.get(f"{host2.url}/api/photos/{sha256(data)}", params={"variant": "original"},
                         headers=phone_b.headers)
    assert (original.status_code, original.content) == (200, data)
    display = httpx.get(f"{host2.url}/api/photos/{sha256(data)}", params={"variant": "display"},
                        headers=phone_b.headers)
    assert display.status_code == 200
    assert Image.open(io.BytesIO(display.content)).format == "JPEG"
    # Nothing of the upload is left but its small "completed" record, on any host.
    assert offset_at(host2.url, location, phone_a) == len(data)

    # Host 1 comes back and serves the same photo, which its own disk never held.
    host1.start()
    again = httpx.get(f"{host1.url}/api/photos/{sha256(data)}", params={"variant": "original"},
                      headers=phone_b.headers, timeout=30)
    assert (again.status_code, again.content) == (200, data)
    # Neither host keeps anything of photos or uploads on its own disk.
    for host in (host1, host2):
        assert [p.name for p in host.data_dir.rglob("*") if p.is_file()] == ["server.log"], host.name
    assert host2.tracebacks() == 0, host2.log_path.read_text()[-3000:]


def test_sessions_sign_in_limits_and_changes_are_the_same_on_both_hosts(two_hosts: TwoHosts) -> None:
    from server.auth.rate_limit import MAX_FAILURES_PER_ACCOUNT

    host1, host2 = two_hosts.hosts
    host1.start()
    host2.start()
    hosts = [host1.url, host2.url]

    # A session ended through one host is ended on the other.
    phone = Phone("rep@demo.test")
    phone.sign_in(host1.url)
    assert httpx.get(f"{host2.url}/api/auth/me", headers=phone.headers).status_code == 200
    assert httpx.post(f"{host2.url}/api/auth/logout", headers=phone.headers).status_code == 200
    assert httpx.get(f"{host1.url}/api/auth/me", headers=phone.headers).status_code == 401

    # Failed sign-ins count together, whichever host they reach.
    for attempt in range(MAX_FAILURES_PER_ACCOUNT):
        wrong = httpx.post(f"{hosts[attempt % 2]}/api/auth/login",
                           json={"email": "rep2@demo.test", "password": f"guess {attempt}"})
        assert wrong.status_code == 401, wrong.text
    for url in hosts:
        assert httpx.post(f"{url}/api/auth/login",
                          json={"email": "rep2@demo.test", "password": "demo"}).status_code == 429

    # Changes pushed through both hosts at once get one numbering: both phones end with the same copy.
    staff, rep = Phone("staff@demo.test"), Phone("rep@demo.test")
    staff.sign_in(host1.url)
    estate_id = rep.sign_in(host2.url)["memberships"][0]["estate_id"]  # staff are on the rep's estate too
    raised = []
    for n in range(6):
        for person, url in ((staff, hosts[n % 2]), (rep, hosts[(n + 1) % 2])):
            args = new_issue_args(estate_id, title=f"issue {n} by {person.email}")
            person.push(url, "issue.create", args)
            raised.append(args["id"])
    staff.pull(host2.url)
    rep.pull(host1.url)
    assert set(raised) <= set(staff.replica["issue"])
    assert {k: v for k, v in staff.replica["issue"].items() if v["estate_id"] == estate_id} == {
        k: v for k, v in rep.replica["issue"].items() if v["estate_id"] == estate_id}
    for host in (host1, host2):
        assert host.tracebacks() == 0, host.log_path.read_text()[-3000:]


def test_a_backup_of_the_database_alone_brings_back_the_photos(two_hosts: TwoHosts, tmp_path) -> None:
    """pg_dump of the database, pg_restore into a new one, a host with an empty disk: every photo is there."""
    import subprocess

    host1, host2 = two_hosts.hosts
    host1.start()
    data = big_photo()
    phone = Phone("rep@demo.test")
    estate_id = phone.sign_in(host1.url)["memberships"][0]["estate_id"]
    issue = new_issue_args(estate_id)
    phone.push(host1.url, "issue.create", issue)
    phone.push(host1.url, "photo.attach", {"id": str(uuid.uuid4()), "issue_id": issue["id"],
                                           "sha256": sha256(data), "byte_size": len(data)})
    assert httpx.put(f"{host1.url}/api/photos/{sha256(data)}", content=data, headers=phone.headers,
                     timeout=60).status_code == 201
    dump = tmp_path / "estatewalk.dump"
    subprocess.run(["pg_dump", "--format=custom", f"--file={dump}", two_hosts.database_url], check=True, timeout=120)
    host1.kill()

    base = two_hosts.database_url.rsplit("/", 1)[0]
    name = f"restored_{uuid.uuid4().hex[:8]}"
    subprocess.run(["psql", f"{base}/postgres", "-qc", f'CREATE DATABASE "{name}"'], check=True, timeout=60)
    try:
        subprocess.run(["pg_restore", f"--dbname={base}/{name}", str(dump)], check=True, timeout=120)
        host2.env["DATABASE_URL"] = two_hosts.network.database_url_for_hosts(f"{base}/{name}")
        host2.start()
        staff = Phone("staff@demo.test")
        staff.sign_in(host2.url)
        for variant in ("original", "display", "thumb"):
            answer = httpx.get(f"{host2.url}/api/photos/{sha256(data)}", params={"variant": variant},
                               headers=staff.headers, timeout=30)
            assert answer.status_code == 200, variant
            if variant == "original":
                assert answer.content == data
        assert [p.name for p in host2.data_dir.rglob("*") if p.is_file()] == ["server.log"]
    finally:
        host2.stop()
        subprocess.run(["psql", f"{base}/postgres", "-qc", f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'],
                       timeout=60)
