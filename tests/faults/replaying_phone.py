"""A phone in Python that follows the replay protocol of docs/sync-protocol.md ("After a restore"), as the app does.

It keeps what the server acknowledged (mutations and photo bytes), learns of a restore when the server's
numbering for it is lower than what it was told before (``409.2`` or ``last_mutation_id`` in a pull), and then
sends its kept changes again with their original stamps, re-uploads bytes the server says it lacks, and retries
a replayed change the server refuses for now (another phone has not replayed what it depends on yet) in later
rounds. Restore tests drive several of these against a real server process; ``pwa/js/sync.js`` is the same
protocol in the browser.
"""

from __future__ import annotations

import hashlib
import time
import uuid
from dataclasses import dataclass, field
from typing import Any

import httpx

from sync.hlc import HybridClock

#: A replayed change the server refuses is tried again in this many later rounds before it is shown as refused.
REPLAY_ATTEMPTS = 10


@dataclass
class Kept:
    mutation: dict[str, Any]
    status: str


@dataclass
class ReplayingPhone:
    url: str
    email: str
    client_id: str = field(default_factory=lambda: str(uuid.uuid4()))
    outbox: list[dict[str, Any]] = field(default_factory=list)
    kept: dict[int, Kept] = field(default_factory=dict)
    waiting: list[dict[str, Any]] = field(default_factory=list)
    blobs: dict[str, dict[str, Any]] = field(default_factory=dict)
    next_id: int = 1
    acked_through: int = 0
    cursor: str | None = None
    replica: dict[str, dict[str, Any]] = field(default_factory=dict)
    rejections: list[str] = field(default_factory=list)
    restores_seen: int = 0
    replayed: int = 0
    lost_before_replay: int = 0
    resets: int = 0
    replay_days: int | None = None

    def __post_init__(self) -> None:
        self.clock = HybridClock(self.client_id)
        self.http = httpx.Client(base_url=self.url, timeout=60)
        self.sign_in()

    def sign_in(self) -> None:
        answer = self.http.post("/api/auth/login", json={"email": self.email, "password": "demo"})
        answer.raise_for_status()
        body = answer.json()
        self.http.headers["Authorization"] = f"Bearer {body['token']}"
        self.user_id = body["user"]["id"]
        self.estates = [m["estate_id"] for m in body["memberships"]]

    def point_at(self, url: str) -> None:
        """The same phone, talking to a server started again (the session survives in the restored database
        only if it was made before the backup, so sign in again as a phone whose session ended would)."""
        self.http.close()
        self.url = url
        self.http = httpx.Client(base_url=url, timeout=60)
        self.sign_in()

    # --- changes made on the phone -------------------------------------------------------------------------
    def queue(self, name: str, args: dict[str, Any], *, at: str | None = None) -> dict[str, Any]:
        mutation = {"id": self.next_id, "name": name, "args": args,
                    "at": at or self.clock.now(int(time.time() * 1000))}
        self.next_id += 1
        self.outbox.append(mutation)
        return mutation

    def raise_issue(self, title: str, estate: int = 0) -> str:
        issue_id = str(uuid.uuid4())
        self.queue("issue.create", {
            "id": issue_id, "estate_id": self.estates[estate], "location_id": None, "category": "lighting",
            "title": title, "description": "", "priority": "normal", "captured_at": "2026-11-20T10:15:00Z"})
        return issue_id

    def comment(self, issue_id: str, body: str) -> str:
        comment_id = str(uuid.uuid4())
        self.queue("issue.comment", {"id": comment_id, "issue_id": issue_id, "body": body})
        return comment_id

    def attach_photo(self, issue_id: str, data: bytes) -> tuple[str, str]:
        sha = hashlib.sha256(data).hexdigest()
        photo_id = str(uuid.uuid4())
        self.blobs.setdefault(sha, {"data": data, "uploaded": False})
        self.queue("photo.attach", {"id": photo_id, "issue_id": issue_id, "sha256": sha,
                                    "content_type": "image/jpeg", "byte_size": len(data), "width": 96,
                                    "height": 72, "caption": None})
        return photo_id, sha

    # --- one sync round ------------------------------------------------------------------------------------
    def sync_round(self) -> None:
        """As the app does: waiting replays go back in the queue, push, pull, upload bytes, pull again."""
        self._requeue_waiting()
        self.push()
        restores = self.restores_seen
        self.pull()
        if self.restores_seen != restores:
            # The pull revealed a restore and queued the kept changes again: send them in this round.
            self.push()
            self.pull()
        if self.upload():
            self.pull()

    def settled(self) -> bool:
        return not self.outbox and not self.waiting and all(b["uploaded"] for b in self.blobs.values())

    def push(self) -> None:
        for _ in range(50):
            if not self.outbox:
                return
            batch = self.outbox[:100]
            wire = [{key: m[key] for key in ("id", "name", "args", "at")} for m in batch]
            answer = self.http.post("/api/sync/push", json={"client_id": self.client_id, "mutations": wire})
            if answer.status_code == 409 and answer.json().get("code") == "409.2":
                expected = answer.json()["expected_mutation_id"]
                if expected <= self.acked_through:
                    self._replay_from(expected)
                elif expected > self.outbox[0]["id"]:
                    # Applied before, answer lost: those are acknowledged.
                    self._acknowledge([m for m in self.outbox if m["id"] < expected], {}, expected - 1)
                else:
                    raise AssertionError(f"server expects {expected}, phone has {self.outbox[0]['id']}")
                continue
            assert answer.status_code == 200, answer.text
            body = answer.json()
            self._acknowledge(batch, {r["id"]: r for r in body["results"]}, body["last_mutation_id"])
        raise AssertionError("the outbox did not drain")

    def _acknowledge(self, batch: list[dict[str, Any]], results: dict[int, dict[str, Any]], last: int) -> None:
        for mutation in batch:
            result = results.get(mutation["id"])
            if result is None and mutation["id"] > last:
                continue
            status = result["status"] if result else "applied"
            if status == "rejected":
                attempts = mutation.get("attempts", 0) + 1
                if mutation.get("replay") and attempts < REPLAY_ATTEMPTS:
                    # Valid when first applied: what it needs may not have been replayed yet by its phone.
                    self.waiting.append({**mutation, "attempts": attempts})
                else:
                    self.rejections.append(f"{mutation['name']}: {result['reason'] if result else '?'}")
            self.kept[mutation["id"]] = Kept(mutation, status)
        self.outbox = [m for m in self.outbox if m["id"] > last and m["id"] not in results]
        self.acked_through = max(self.acked_through, last)

    def _replay_from(self, expected: int) -> None:
        """The server lost what it acknowledged from ``expected`` on: send the kept ones again, then the rest."""
        self.restores_seen += 1
        # Acknowledged, forgotten by the server, and no longer kept here (expired, or dropped for space).
        self.lost_before_replay += sum(1 for n in range(expected, self.acked_through + 1) if n not in self.kept)
        again = [{**k.mutation, "replay": True} for number, k in sorted(self.kept.items())
                 if number >= expected and k.status != "rejected"]
        self.kept = {n: k for n, k in self.kept.items() if n < expected}
        for mutation in again:
            if mutation["name"] == "photo.attach" and mutation["args"]["sha256"] in self.blobs:
                # The server may lack the bytes: send them again unless a pulled record says it holds them.
                self.blobs[mutation["args"]["sha256"]]["uploaded"] = False
        self.replayed += len(again)
        resend = again + self.outbox
        for offset, mutation in enumerate(resend):
            mutation["id"] = expected + offset
        self.outbox = resend
        self.next_id = expected + len(resend)
        self.acked_through = expected - 1

    def _requeue_waiting(self) -> None:
        for mutation in self.waiting:
            self.outbox.append({**mutation, "id": self.next_id})
            self.next_id += 1
        self.waiting = []

    def pull(self) -> None:
        for _ in range(10_000):
            answer = self.http.post("/api/sync/pull",
                                    json={"client_id": self.client_id, "cursor": self.cursor, "limit": 200})
            answer.raise_for_status()
            body = answer.json()
            self.replay_days = body.get("replay_days")
            if body["last_mutation_id"] < self.acked_through:
                self._replay_from(body["last_mutation_id"] + 1)
            if body["reset"]:
                self.replica = {}
                self.resets += 1
            for change in body["changes"]:
                bucket = self.replica.setdefault(change["entity"], {})
                if change["deleted"]:
                    bucket.pop(change["id"], None)
                    continue
                bucket[change["id"]] = change["data"]
                if change["entity"] == "photo" and change["data"]["sha256"] in self.blobs:
                    # The server says whether it holds the bytes; after a restore it may no longer.
                    self.blobs[change["data"]["sha256"]]["uploaded"] = change["data"]["uploaded"]
            self.outbox = [m for m in self.outbox if m["id"] > body["last_mutation_id"]]
            self.cursor = body["cursor"]
            if not body["has_more"]:
                return
        raise AssertionError("pull did not finish")

    def upload(self) -> int:
        sent = 0
        for sha, blob in self.blobs.items():
            if blob["uploaded"]:
                continue
            answer = self.http.put(f"/api/photos/{sha}", content=blob["data"])
            assert answer.status_code in (200, 201), answer.text
            blob["uploaded"] = True
            sent += 1
        return sent

    def close(self) -> None:
        self.http.close()
