"""Journeys: the session ends while changes wait (nothing is lost), and the server refuses a change (the user is
told why, and the queue moves on)."""

import re
import uuid

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser


def test_expired_session_keeps_the_queue_until_the_user_signs_in_again(open_phone, server_as):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    # The session ends (expired or revoked); the phone finds out at its next push.
    phone.context.clear_cookies()
    phone.report_defect(title="Bin store gate hanging off its hinge", category="bin_store")
    page = phone.page
    phone.sync_now()
    page.get_by_text("Your session has ended").wait_for()
    assert [m["name"] for m in phone.stored("outbox")] == ["issue.create"]

    page.get_by_role("link", name="Sign in again").click()
    page.get_by_label("Password").fill("demo")
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_function("() => location.hash.startsWith('#/issues')")
    phone.wait_synced()
    titles = {i["title"] for i in server_as("staff@demo.test").pull_all()["issue"].values()}
    assert "Bin store gate hanging off its hinge" in titles
    assert page.get_by_text("Your session has ended").count() == 0


def test_refused_change_is_shown_with_the_servers_reason_and_does_not_block_the_queue(open_phone, server_as):
    staff = server_as("staff@demo.test")
    estate = server_as("rep@demo.test").estate_id(0)
    issue_id = str(uuid.uuid4())
    assert staff.push(
        "issue.create",
        {
            "id": issue_id,
            "estate_id": estate,
            "location_id": None,
            "category": "pests",
            "title": "Rats seen near the bin store",
            "description": "",
            "priority": "high",
            "captured_at": "2026-11-20T10:00:00Z",
            "inspection_id": None,
        },
    )["status"] == "applied"

    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.set_offline(True)
    # While the rep is offline, staff withdraw the issue; the rep's comment on it will be refused.
    assert staff.push("issue.withdraw", {"id": issue_id, "reason": "duplicate of an older report"})["status"] == "applied"
    phone.open(f"/issue/{issue_id}")
    phone.page.locator("#comment-body").fill("Still seeing them every evening")
    phone.page.get_by_role("button", name="Save update").click()
    phone.report_defect(title="Pigeon netting torn on block roof", category="pests")

    phone.set_offline(False)
    phone.wait_synced()
    [rejection] = [r for r in phone.stored("rejections") if not r.get("dismissed")]
    assert rejection["name"] == "issue.comment" and rejection["reason"]
    # The change after it still went through.
    titles = {i["title"] for i in staff.pull_all()["issue"].values()}
    assert "Pigeon netting torn on block roof" in titles

    page = phone.page
    # The sync bar links to it in whichever form fits the phone's screen: long, or short when the bar is tight.
    link = page.locator("#status a[href='#/sync']:visible")
    expect(link).to_have_text(re.compile(r"^1 (change was not accepted|refused)$"))
    link.click()
    page.get_by_role("heading", name="Sync and storage").wait_for()
    assert rejection["reason"] in page.locator("#rejections").inner_text()


def test_sign_out_warns_about_unsent_work_then_leaves_nothing_behind(open_phone):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    page = phone.page
    client_id = next(row["value"] for row in phone.stored("meta") if row["key"] == "client_id")
    phone.set_offline(True)
    phone.report_defect(title="Broken glass by the play area gate", category="play_area")

    # With a change waiting, signing out asks first; saying no keeps everything.
    phone.open("/sync")
    # Answered inside the event handler: a test waiting on an open dialog would block the page it waits for.
    asked: list[str] = []
    page.once("dialog", lambda dialog: (asked.append(dialog.message), dialog.dismiss()))
    page.get_by_role("button", name="Sign out").click()
    for _ in range(100):
        if asked:
            break
        page.wait_for_timeout(100)
    assert asked and "not been sent" in asked[0]
    page.get_by_role("button", name="Sign out").wait_for()
    assert len(phone.stored("outbox")) == 1

    phone.set_offline(False)
    phone.wait_synced()
    phone.open("/sync")
    page.get_by_role("button", name="Sign out").click()
    page.get_by_role("heading", name="Sign in").wait_for()
    assert phone.stored("issues") == [] and phone.stored("outbox") == [] and phone.stored("blobs") == []
    assert not any(row["key"] in ("user", "memberships") for row in phone.stored("meta"))
    phone.sign_in("rep2@demo.test")
    new_client_id = next(row["value"] for row in phone.stored("meta") if row["key"] == "client_id")
    assert new_client_id != client_id
