"""Journey: staff and a TRA rep correct the same issue's title on two phones without signal.

Both phones sync; both end with the same title (the later edit in real time wins, whatever order the pushes
arrive in) and the losing edit stays visible in the issue's timeline.
"""

import uuid

import pytest

from tests.browser.conftest import phones_offline

pytestmark = pytest.mark.browser

ORIGINAL = "Graffiti on the bin store door"
STAFF_TITLE = "Offensive graffiti on the bin store door"
REP_TITLE = "Graffiti on both bin store doors"


def test_same_field_edited_offline_on_two_phones_converges_and_keeps_the_losing_edit(open_phone, server_as):
    staff = server_as("staff@demo.test")
    estate = server_as("rep@demo.test").estate_id(0)
    issue_id = str(uuid.uuid4())
    created = staff.push(
        "issue.create",
        {
            "id": issue_id,
            "estate_id": estate,
            "location_id": None,
            "category": "graffiti",
            "title": ORIGINAL,
            "description": "",
            "priority": "normal",
            "captured_at": "2026-11-20T10:00:00Z",
            "inspection_id": None,
        },
    )
    assert created["status"] == "applied", created

    staff_phone, rep_phone = phones_offline(open_phone, "staff@demo.test", "rep@demo.test")

    # Staff edits first, the rep a moment later: the rep's edit is the later one in real time.
    staff_phone.edit_title(issue_id, STAFF_TITLE)
    staff_phone.page.wait_for_timeout(50)
    rep_phone.edit_title(issue_id, REP_TITLE)

    # The later edit reaches the server first; the earlier one arrives afterwards and must lose.
    rep_phone.set_offline(False)
    rep_phone.wait_synced()
    staff_phone.set_offline(False)
    staff_phone.wait_synced()
    rep_phone.sync_round()

    for phone in (staff_phone, rep_phone):
        issue = next(i for i in phone.stored("issues") if i["id"] == issue_id)
        assert issue["title"] == REP_TITLE
        phone.open(f"/issue/{issue_id}")
        phone.page.get_by_role("heading", name=REP_TITLE).wait_for()
        losing = phone.page.locator(".timeline li[data-kind='superseded_edit']")
        losing.first.wait_for()
        assert STAFF_TITLE in losing.first.inner_text()

    server = staff.pull_all()
    assert server["issue"][issue_id]["title"] == REP_TITLE
    superseded = [
        e for e in server["issue_event"].values() if e["issue_id"] == issue_id and e["kind"] == "superseded_edit"
    ]
    assert [e["data"]["value"] for e in superseded] == [STAFF_TITLE]
