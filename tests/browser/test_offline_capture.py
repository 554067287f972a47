"""Journey: a defect with two photos recorded in a stairwell with no signal reaches the server and the TRA rep.

The phone is closed and reopened while still offline: nothing recorded may be lost, and once the network returns
the outbox drains, the server holds byte-identical photos, and a TRA rep's phone shows the defect after its sync.
"""

import hashlib

import pytest

pytestmark = pytest.mark.browser

TITLE = "Stairwell light flickering on floor 2"


def test_defect_with_two_photos_survives_restart_offline_then_reaches_server_and_rep(
    open_phone, server_as, jpeg_files
):
    photos = jpeg_files(2, size=(4000, 3000))
    staff_phone = open_phone("staff")
    staff_phone.sign_in("staff@demo.test")
    staff_phone.wait_controlled()
    rep_estate = server_as("rep@demo.test").estate_id(0)

    # In the stairwell: no signal.
    staff_phone.set_offline(True)
    staff_phone.reload()
    staff_phone.report_defect(title=TITLE, category="lighting", photos=photos, estate=rep_estate)
    page = staff_phone.page
    page.get_by_role("heading", name=TITLE).wait_for()
    assert page.locator(".photos img").count() == 2

    def queued_on_phone():
        outbox = staff_phone.stored("outbox")
        names = [m["name"] for m in outbox]
        blobs = staff_phone.stored("blobs")
        return names, blobs

    names, blobs = queued_on_phone()
    assert names == ["issue.create", "photo.attach", "photo.attach"]
    assert len(blobs) == 2 and not any(b["uploaded"] for b in blobs)
    # Downscaled on the phone: the long edge is at most 2048 px, and the photo is JPEG.
    attaches = [m["args"] for m in staff_phone.stored("outbox") if m["name"] == "photo.attach"]
    assert all(max(a["width"], a["height"]) == 2048 and a["content_type"] == "image/jpeg" for a in attaches)
    stored_bytes = {b["sha256"]: staff_phone.stored_photo_bytes(b["sha256"]) for b in blobs}
    assert all(hashlib.sha256(data).hexdigest() == sha for sha, data in stored_bytes.items())
    assert all(data[:2] == b"\xff\xd8" for data in stored_bytes.values())

    # Reload, then close the app and open it again, still without signal.
    staff_phone.reload()
    assert queued_on_phone()[0] == names
    staff_phone.close()
    staff_phone.launch(offline=True)
    staff_phone.open("/issues")
    staff_phone.page.get_by_text(TITLE).first.wait_for()
    names_after, blobs_after = queued_on_phone()
    assert names_after == names
    assert {b["sha256"] for b in blobs_after} == set(stored_bytes)
    assert {sha: staff_phone.stored_photo_bytes(sha) for sha in stored_bytes} == stored_bytes
    status = staff_phone.page.locator(".status .queue")
    assert status.get_attribute("data-changes") == "3" and status.get_attribute("data-photos") == "2"

    # Back in signal: the outbox drains.
    staff_phone.set_offline(False)
    staff_phone.wait_synced(timeout_ms=60_000)
    assert staff_phone.page.locator(".status .queue").get_attribute("data-changes") == "0"

    staff = server_as("staff@demo.test")
    server = staff.pull_all()
    issue = next(i for i in server["issue"].values() if i["title"] == TITLE)
    assert issue["estate_id"] == rep_estate and issue["category"] == "lighting"
    server_photos = [p for p in server.get("photo", {}).values() if p["issue_id"] == issue["id"]]
    assert {p["sha256"] for p in server_photos} == set(stored_bytes)
    assert all(p["uploaded"] for p in server_photos)
    for sha, data in stored_bytes.items():
        assert staff.photo_bytes(sha, "original") == data

    # The TRA rep's phone sees the defect and its photos after its own sync.
    rep_phone = open_phone("rep")
    rep_phone.sign_in("rep@demo.test")
    rep_phone.page.get_by_text(TITLE).first.click()
    rep_phone.page.get_by_role("heading", name=TITLE).wait_for()
    assert {p["sha256"] for p in rep_phone.stored("photos") if p["issue_id"] == issue["id"]} == set(stored_bytes)
    rep_phone.page.wait_for_function("() => document.querySelectorAll('.photos img').length === 2")
    rep_phone.page.wait_for_function(
        "() => Array.from(document.querySelectorAll('.photos img')).every((img) => img.complete && img.naturalWidth > 0)"
    )

    # The rep keeps small copies of the photos, so the issue still shows them in a stairwell.
    for _ in range(100):
        if {c["sha256"] for c in rep_phone.stored("photo_copies")} >= set(stored_bytes):
            break
        rep_phone.page.wait_for_timeout(200)
    rep_phone.set_offline(True)
    rep_phone.reload()
    rep_phone.page.get_by_role("heading", name=TITLE).wait_for()
    rep_phone.page.wait_for_function(
        "() => document.querySelectorAll('.photos img').length === 2 && "
        "Array.from(document.querySelectorAll('.photos img')).every((img) => img.complete && img.naturalWidth > 0)"
    )
