"""Journeys: the server is restored from last night's backup and a phone's acknowledged capture comes back, photo
and all; a photo the server refuses as not an image is set aside with its reason while the rest goes on."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from tests.browser.conftest import ServerView
from tests.faults.deployment import Deployment

pytestmark = pytest.mark.browser


def test_an_acknowledged_capture_with_a_photo_survives_a_restore(tmp_path: Path, phone_at, jpeg_files):
    deployment = Deployment(tmp_path)
    deployment.start()
    try:
        phone = phone_at(deployment.url, "rep")
        phone.sign_in("rep@demo.test")
        deployment.backup("nightly")

        phone.report_defect(title="Lift stuck between floors 3 and 4", photos=jpeg_files(1))
        phone.wait_synced()
        [photo] = [m["args"] for m in phone.stored("kept") if m["name"] == "photo.attach"]
        kept_names = sorted(m["name"] for m in phone.stored("kept"))
        assert kept_names == ["issue.create", "photo.attach"], "acknowledged changes are kept for replay"
        phone.open("/sync")
        kept = phone.page.locator("#kept-for-replay")
        assert kept.get_attribute("data-changes") == "2"
        assert kept.inner_text().startswith("Kept for replay: 2 changes, ")
        assert kept.inner_text().endswith(" of photos, for 30 days")

        # Overnight the server is restored from the backup, database and photos: the defect is gone from it.
        deployment.restore("nightly")
        assert "Lift stuck between floors 3 and 4" not in titles_on(deployment.url)

        phone.open("/issues")
        staff = ServerView(deployment.url, "staff@demo.test")
        # The phone is not told: its next rounds find out, and send the kept changes and photo bytes again.
        deadline = time.monotonic() + 60
        while not photo_is_back(staff, photo):
            assert time.monotonic() < deadline, f"not replayed: {phone.stored('outbox')}, {phone.stored('meta')}"
            if phone.page.locator("#sync-now[aria-busy='false']").count():
                phone.sync_now()
            phone.page.wait_for_timeout(300)
        assert "Lift stuck between floors 3 and 4" in titles_on(deployment.url)
        assert staff.photo_bytes(photo["sha256"]) == phone.stored_photo_bytes(photo["sha256"])
        phone.open("/sync")
        assert phone.page.locator("#last-restore").get_attribute("data-replayed") == "2"
        assert phone.stored("rejections") == []
    finally:
        deployment.close()


def photo_is_back(staff: ServerView, photo: dict) -> bool:
    """The photo's record is on the server again, with its bytes."""
    record = staff.pull_all().get("photo", {}).get(photo["id"])
    return bool(record and record["uploaded"])


def titles_on(url: str) -> set[str]:
    return {issue["title"] for issue in ServerView(url, "staff@demo.test").pull_all()["issue"].values()}


RECORD_NOT_A_PICTURE = """async ([estateId]) => {
  const { recordChanges } = await import('/js/outbox.js');
  const bytes = new TextEncoder().encode('a text file someone renamed to .jpg');
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const sha256 = Array.from(digest, (b) => b.toString(16).padStart(2, '0')).join('');
  const issueId = crypto.randomUUID();
  await recordChanges([
    { name: 'issue.create', args: { id: issueId, estate_id: estateId, location_id: null, category: 'lighting',
      title: 'Flickering light in the stairwell', description: '', priority: 'normal',
      captured_at: new Date().toISOString(), inspection_id: null } },
    { name: 'photo.attach', args: { id: crypto.randomUUID(), issue_id: issueId, sha256, content_type: 'image/jpeg',
      byte_size: bytes.length, width: 640, height: 480, captured_at: new Date().toISOString(), caption: null } },
  ], { blobs: [{ sha256, blob: new Blob([bytes], { type: 'image/jpeg' }), content_type: 'image/jpeg', byte_size: bytes.length }] });
  return { issueId, sha256 };
}"""


def test_a_photo_refused_as_not_an_image_is_set_aside_with_its_reason(open_phone, server_as, jpeg_files):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    estate = server_as("rep@demo.test").estate_id(0)
    refused = phone.page.evaluate(RECORD_NOT_A_PICTURE, [estate])
    phone.report_defect(title="Broken paving by the entrance", photos=jpeg_files(1))
    phone.wait_synced()

    # The rest of the queue went through: both defects and the good photo are on the server.
    held = server_as("staff@demo.test").pull_all()
    assert {"Flickering light in the stairwell", "Broken paving by the entrance"} <= {
        i["title"] for i in held["issue"].values()}
    uploaded = {p["sha256"]: p["uploaded"] for p in held["photo"].values()}
    assert uploaded[refused["sha256"]] is False and list(uploaded.values()).count(True) >= 1
    [aside] = phone.stored("set_aside")
    assert aside["sha256"] == refused["sha256"] and "image" in aside["reason"].lower()
    assert refused["sha256"] not in {b["sha256"] for b in phone.stored("blobs")}

    # Not sent again at every sync.
    uploads: list[str] = []
    phone.page.on("request", lambda request: uploads.append(request.url) if "/api/uploads" in request.url
                  or "/api/photos/" in request.url and request.method == "PUT" else None)
    phone.sync_round()
    assert uploads == []

    phone.open("/sync")
    item = phone.page.locator(f"#set-aside li[data-sha256='{refused['sha256']}']")
    assert aside["reason"] in item.inner_text()
    phone.open(f"/issue/{refused['issueId']}")
    assert phone.page.locator(f".photo-refused[data-sha256='{refused['sha256']}']").inner_text() == (
        f"The server refused this photo: {aside['reason']}")


KEEP_WITHIN = """async ([budget]) => {
  const { setMeta } = await import('/js/db.js');
  const { keepWithinBudget } = await import('/js/replay.js');
  await setMeta('replay_budget_bytes', budget);
  await keepWithinBudget();
}"""


def test_kept_changes_stay_within_their_photo_budget_oldest_first_and_unsent_ones_are_never_dropped(
        open_phone, jpeg_files):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    first, second, third = jpeg_files(3)
    phone.report_defect(title="Older: loose handrail", photos=[first])
    phone.wait_synced()
    phone.report_defect(title="Newer: missing drain cover", photos=[second])
    phone.wait_synced()
    kept = sorted(phone.stored("kept"), key=lambda k: k["id"])
    older, newer = (k["args"]["sha256"] for k in kept if k["name"] == "photo.attach")
    sizes = {b["sha256"]: b["blob_size"] for b in phone.stored("blobs")}
    phone.set_offline(True)
    phone.report_defect(title="Unsent: smashed window", photos=[third])
    [unsent] = [b["sha256"] for b in phone.stored("blobs") if not b["uploaded"]]

    # Room for one kept photo: the older defect and its photo go, the newer stay, the unsent one is untouched.
    phone.page.evaluate(KEEP_WITHIN, [sizes[newer] + 1])
    titles = [k["args"].get("title") for k in sorted(phone.stored("kept"), key=lambda k: k["id"])]
    assert titles == ["Newer: missing drain cover", None]
    assert {b["sha256"] for b in phone.stored("blobs")} == {newer, unsent}
    assert [m["name"] for m in phone.stored("outbox")] == ["issue.create", "photo.attach"]

    # No room at all: nothing kept, still nothing unsent dropped.
    phone.page.evaluate(KEEP_WITHIN, [0])
    assert phone.stored("kept") == [] and {b["sha256"] for b in phone.stored("blobs")} == {unsent}
    assert len(phone.stored("outbox")) == 2
    phone.open("/sync")
    assert phone.page.locator("#kept-for-replay").inner_text() == "Kept for replay: 0 changes, 0 B of photos, for 30 days"
