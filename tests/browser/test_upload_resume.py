"""Journey: the signal drops halfway through sending a photo; the upload continues where it stopped.

The phone sends photo bytes in tus chunks. A PATCH is cut off at about half the photo; the server keeps what it
received, and the next sync asks the server for its offset (HEAD) and sends only the rest.
"""

import hashlib

import pytest

pytestmark = pytest.mark.browser


def test_photo_upload_cut_halfway_resumes_from_the_server_offset(open_phone, server_as, jpeg_files):
    staff_phone = open_phone("staff")
    staff_phone.sign_in("staff@demo.test")
    estate = server_as("rep@demo.test").estate_id(0)
    page = staff_phone.page

    patches: list[int] = []
    creations: list[str] = []
    # Once cut, the phone stays without signal until the test has looked at the server.
    cut = {"done": False, "at": None, "restored": False}

    def watch_uploads(route):
        request = route.request
        if request.method == "POST":
            creations.append(request.url)
        if cut["done"] and not cut["restored"]:
            route.abort("internetdisconnected")
            return
        if request.method == "PATCH":
            offset = int(request.headers["upload-offset"])
            patches.append(offset)
            total = staff_phone.photo_size
            if not cut["done"] and offset >= total // 2:
                cut.update(done=True, at=offset)
                route.abort("connectionreset")
                return
        route.continue_()

    staff_phone.photo_size = 0
    staff_phone.context.route("**/api/uploads**", watch_uploads)
    # Hold the sync back until the photo is stored, so the cut can be planned from its size.
    staff_phone.set_offline(True)
    staff_phone.report_defect(
        title="Fire door wedged open on the ground floor",
        category="fire_safety",
        photos=jpeg_files(1, size=(2048, 1536), noisy=True),
        estate=estate,
    )
    [blob] = staff_phone.stored("blobs")
    staff_phone.photo_size = blob["byte_size"]
    assert blob["byte_size"] > 3 * 512 * 1024, "the photo should take several chunks"
    stored = staff_phone.stored_photo_bytes(blob["sha256"])

    staff_phone.set_offline(False)
    staff_phone.sync_now()
    deadline = 200
    while not cut["done"] and deadline:
        page.wait_for_timeout(100)
        deadline -= 1
    assert cut["done"], f"no PATCH reached half the photo: {patches}"
    page.wait_for_selector("#sync-now[aria-busy='false']")

    # On the server: exactly the bytes before the cut, nothing after it.
    [row] = staff_phone.stored("blobs")
    assert row["upload_url"] and not row["uploaded"]
    staff = server_as("staff@demo.test")
    head = staff.client.head(row["upload_url"], headers={"Tus-Resumable": "1.0.0"})
    assert head.status_code in (200, 204), head
    received = int(head.headers["Upload-Offset"])
    assert received == cut["at"]
    assert 0 < received < blob["byte_size"]

    patches.clear()
    cut["restored"] = True
    staff_phone.wait_synced(timeout_ms=60_000)
    assert patches and patches[0] == received, f"resumed from {patches[:1]}, server had {received}"
    assert len(creations) == 1, "a resumed upload must not start a new one"
    assert staff.photo_bytes(blob["sha256"], "original") == stored
    assert hashlib.sha256(stored).hexdigest() == blob["sha256"]
