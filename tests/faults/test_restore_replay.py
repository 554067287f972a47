"""Nothing lost, even after a restore: phones send again what the server acknowledged after the backup.

Three phones work on two estates before and after a nightly backup, one of them depending on another's work (a
comment on, and the acknowledgement of, an issue a TRA rep raised after the backup). The server is then restored
from that backup, database and photos. Each phone notices by itself that the server forgot what it had
acknowledged, replays its kept changes with their original stamps, re-uploads the photo bytes the server lost,
and retries what was refused only because another phone had not replayed its part yet. In the end the server
holds every change made after the backup again, once, and every phone's copy equals the server's.
"""

from __future__ import annotations

import base64
import time
import uuid
from collections import Counter
from pathlib import Path
from typing import Any

import httpx
import pytest

from tests.faults.deployment import Deployment
from tests.faults.replaying_phone import ReplayingPhone
from tests.photos.images import phone_photo

ISSUE_FIELDS = ("estate_id", "title", "description", "category", "priority", "status", "owner_id", "assignee_id",
                "due_date", "location_id", "raised_by", "merged_into", "withdrawn")


def cursor_version(cursor: str) -> int:
    return int(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode().split(".")[0])


def held_by_server(url: str) -> dict[str, dict[str, Any]]:
    """Everything the server holds for staff of both estates, from a fresh phone's first pull."""
    auditor = ReplayingPhone(url, "staff@demo.test")
    try:
        auditor.pull()
        return auditor.replica
    finally:
        auditor.close()


def summary(held: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """What must survive a restore: issues' fields, comments, photos and their bytes, the timeline's shape.

    Field edits may land in the opposite order on replay (the later stamp still wins), so their events are
    compared by value (``edits``) rather than as "changed" or "superseded".
    """
    events = held.get("issue_event", {}).values()
    return {
        "issues": {i: {f: issue[f] for f in ISSUE_FIELDS} for i, issue in held.get("issue", {}).items()},
        "photos": {p: (photo["issue_id"], photo["sha256"], photo["uploaded"])
                   for p, photo in held.get("photo", {}).items()},
        "comments": {e["id"]: (e["issue_id"], e["data"]["body"]) for e in events if e["kind"] == "comment"},
        "timeline": Counter((e["issue_id"], e["kind"], e["actor_id"]) for e in events
                            if e["kind"] not in ("field_changed", "superseded_edit")),
        "edits": {(e["issue_id"], e["data"]["field"], e["data"].get("new", e["data"].get("value")))
                  for e in events if e["kind"] in ("field_changed", "superseded_edit")},
    }


def sync_everyone(phones: list[ReplayingPhone], rounds: int = 6) -> None:
    for _ in range(rounds):
        for phone in phones:
            phone.sync_round()
        if all(phone.settled() for phone in phones):
            return
    unsettled = {p.email: (len(p.outbox), len(p.waiting), p.rejections) for p in phones if not p.settled()}
    raise AssertionError(f"phones still have work after {rounds} rounds: {unsettled}")


def stamp(phone: ReplayingPhone, millis: int) -> str:
    return f"{millis:015d}:00000:{phone.client_id}"


def _restore_under_live_phones(tmp_path: Path, postgres_url: str | None) -> None:
    deployment = Deployment(tmp_path, postgres_url, replay_days=14)
    deployment.start()
    phones: list[ReplayingPhone] = []
    try:
        staff, rep, rep2 = (ReplayingPhone(deployment.url, email)
                            for email in ("staff@demo.test", "rep@demo.test", "rep2@demo.test"))
        # A second device of the staff member that only reads: only its cursor can tell it of the restore.
        watcher = ReplayingPhone(deployment.url, "staff@demo.test")
        phones = [staff, rep, rep2, watcher]
        larkspur, canal_walk = rep.estates[0], rep2.estates[0]

        # --- before the backup ---------------------------------------------------------------------------
        bench = staff.raise_issue("Broken bench by the play area", estate=staff.estates.index(larkspur))
        staff.sync_round()
        rep.attach_photo(bench, phone_photo(seed=1))
        sync_everyone(phones)
        deployment.backup("nightly")

        # --- after the backup: acknowledged work the restore will take away --------------------------------
        now = int(time.time() * 1000)
        lift = rep.raise_issue("Lift stuck between floors")
        rep.attach_photo(lift, phone_photo(seed=2))
        rep.queue("issue.update", {"id": bench, "fields": {"title": "Bench slats missing"}}, at=stamp(rep, now))
        rep.sync_round()
        staff.sync_round()  # learns of the lift
        staff.comment(lift, "Engineer booked for Thursday")
        staff.queue("issue.update", {"id": lift, "fields": {"owner_id": staff.user_id, "due_date": "2026-12-24"}})
        staff.queue("issue.status", {"id": lift, "status": "acknowledged", "note": None})
        staff.queue("issue.update", {"id": bench, "fields": {"title": "Bench removed for repair"}},
                    at=stamp(staff, now + 1000))
        canal = rep2.raise_issue("Graffiti on the canal path")
        rep2.comment(canal, "Offensive words, please remove soon")
        sync_everyone(phones)
        # Unsent when the server goes back in time: never acknowledged, so sent after the replay as usual.
        unsent = rep.comment(lift, "Still stuck this morning")
        before_restore = summary(held_by_server(deployment.url))
        assert set(before_restore["issues"]) >= {bench, lift, canal}
        watcher_cursor = watcher.cursor
        assert watcher_cursor is not None

        # --- the restore, and phones coming back in an unhelpful order -------------------------------------
        deployment.restore("nightly")
        for phone in phones:
            phone.point_at(deployment.url)
        staff.sync_round()  # replays a comment on, and the acknowledgement of, an issue not replayed yet
        assert staff.restores_seen == 1 and staff.waiting, "refused for now, to be tried again"
        assert staff.rejections == []
        rep2.sync_round()
        for number in range(30):  # enough new changes that the change log's numbering passes the watcher's
            rep2.comment(canal, f"Photo {number} of the words")
        rep2.sync_round()
        latest = cursor_version(rep2.cursor or "")
        assert latest >= cursor_version(watcher_cursor), "the numbering has caught up with the old cursor"
        resets_before = watcher.resets
        watcher.pull()
        assert watcher.resets == resets_before + 1, "a cursor from before the restore must rebuild the copy"
        sync_everyone(phones)
        for phone in phones:  # each one's copy, after the last phone's last change
            phone.pull()

        # --- every change made after the backup is there again, once ------------------------------------
        after = held_by_server(deployment.url)
        found = summary(after)
        for part in ("issues", "photos", "comments"):
            missing = {k: v for k, v in before_restore[part].items() if found[part].get(k) != v}
            assert not missing, f"{part} lost or changed by the restore: {missing}"
        assert found["issues"][bench]["title"] == "Bench removed for repair", "the later stamp wins again"
        assert found["issues"][lift]["status"] == "acknowledged"
        assert (bench, "title", "Bench slats missing") in found["edits"], "the losing edit stays in the timeline"
        assert before_restore["timeline"] - found["timeline"] == Counter(), "events lost"
        assert found["timeline"] - before_restore["timeline"] == Counter({(lift, "comment", rep.user_id): 1,
                                                                         **{(canal, "comment", rep2.user_id): 30}})
        assert found["comments"][unsent] == (lift, "Still stuck this morning")
        created = Counter(e["issue_id"] for e in after["issue_event"].values() if e["kind"] == "created")
        assert all(count == 1 for count in created.values()), created
        for photo_id, (_, sha, _) in before_restore["photos"].items():
            original = staff.http.get(f"/api/photos/{sha}", params={"variant": "original"})
            assert original.status_code == 200, f"bytes of {photo_id} missing after the restore"
            assert original.content == rep.blobs[sha]["data"]
        for phone in phones:
            assert phone.rejections == [], (phone.email, phone.rejections)
            assert phone.lost_before_replay == 0
            assert phone.replay_days == 14
            for entity in ("issue", "issue_event", "photo"):
                mine = {k: v for k, v in after.get(entity, {}).items() if v["estate_id"] in phone.estates}
                assert phone.replica.get(entity, {}) == mine, f"{phone.email}'s copy of {entity} differs"
        assert (staff.restores_seen, rep.restores_seen, rep2.restores_seen, watcher.restores_seen) == (1, 1, 1, 0)
    finally:
        for phone in phones:
            phone.close()
        deployment.close()


def test_sqlite_restore_under_live_phones_loses_nothing(tmp_path: Path) -> None:
    _restore_under_live_phones(tmp_path, None)


@pytest.mark.postgres
def test_postgresql_restore_under_live_phones_loses_nothing(tmp_path: Path, postgres_url: str) -> None:
    _restore_under_live_phones(tmp_path, postgres_url)


def test_a_phone_whose_kept_changes_ran_out_renumbers_and_says_how_many_were_lost(tmp_path: Path) -> None:
    """Kept changes expire (or the budget drops the oldest): the server's numbering then has a gap the phone
    cannot fill. It sends what it still has, numbered on from where the server is, and counts the rest."""
    deployment = Deployment(tmp_path)
    deployment.start()
    phone = None
    try:
        phone = ReplayingPhone(deployment.url, "rep@demo.test")
        phone.raise_issue("Before the backup")
        phone.sync_round()
        deployment.backup("old")
        gone = phone.raise_issue("Kept too long ago to replay")
        phone.raise_issue("Still kept")
        phone.sync_round()
        # The oldest kept changes are dropped first: here the one from before the backup and the next.
        assert [phone.kept[n].mutation["args"]["id"] for n in sorted(phone.kept)][1] == gone
        for number in sorted(phone.kept)[:2]:
            del phone.kept[number]
        deployment.restore("old")
        phone.point_at(deployment.url)
        phone.sync_round()
        assert phone.restores_seen == 1 and phone.lost_before_replay == 1 and phone.replayed == 1
        titles = {issue["title"] for issue in held_by_server(deployment.url)["issue"].values()}
        assert "Still kept" in titles, "sent again, under the number the server expected"
        assert "Kept too long ago to replay" not in titles
        assert phone.settled() and phone.rejections == []
    finally:
        if phone is not None:
            phone.close()
        deployment.close()


def test_every_pull_tells_phones_how_long_to_keep_acknowledged_changes(tmp_path: Path) -> None:
    deployment = Deployment(tmp_path)
    deployment.start()
    try:
        login = httpx.post(f"{deployment.url}/api/auth/login", json={"email": "rep@demo.test", "password": "demo"})
        answer = httpx.post(f"{deployment.url}/api/sync/pull", json={"client_id": str(uuid.uuid4())},
                            headers={"Authorization": f"Bearer {login.json()['token']}"})
        assert answer.json()["replay_days"] == 30
    finally:
        deployment.close()
