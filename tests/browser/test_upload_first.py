"""Journey: the server already holds a photo's bytes, sent by someone else. Knowing a hash is not enough to
attach it (docs/security.md, "Identity, possession and uniform answers"), so the server answers the phone's
attach "upload the photo first"; the phone, which has the bytes, sends them and attaches again. Nothing is lost
and nothing is shown as refused.
"""

import pytest

pytestmark = pytest.mark.browser

TITLE = "Bin store door hanging off"


def test_an_attach_refused_until_the_bytes_come_from_this_phone_is_sent_again(open_phone, server_as, jpeg_files):
    photos = jpeg_files(1, size=(1200, 900))
    phone = open_phone("staff")
    phone.sign_in("staff@demo.test")
    phone.wait_controlled()
    rep = server_as("rep@demo.test")
    estate = rep.estate_id(0)

    phone.set_offline(True)
    phone.report_defect(title=TITLE, category="bin_store", photos=photos, estate=estate)
    phone.page.get_by_role("heading", name=TITLE).wait_for()
    [blob] = phone.stored("blobs")
    sha = blob["sha256"]
    data = phone.stored_photo_bytes(sha)
    # Someone else sends the very same bytes first.
    assert rep.client.put(f"/api/photos/{sha}", content=data).status_code == 201

    phone.set_offline(False)
    phone.wait_synced(timeout_ms=60_000)

    staff = server_as("staff@demo.test")
    server = staff.pull_all()
    issue = next(i for i in server["issue"].values() if i["title"] == TITLE)
    attached = [p for p in server.get("photo", {}).values() if p["issue_id"] == issue["id"]]
    assert [(p["sha256"], p["uploaded"]) for p in attached] == [(sha, True)]
    assert staff.photo_bytes(sha) == data
    assert [r for r in phone.stored("rejections") if not r.get("dismissed")] == []
    assert phone.stored("replay_waiting") == []
