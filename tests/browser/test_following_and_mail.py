"""Journey: a TRA rep follows and stops following an issue on their phone, and switches their e-mail off while
out of signal. A real SMTP server (aiosmtpd) and the real `estatewalk send-mail` show what reaches their inbox:
nothing while they do not follow, one e-mail when they follow again, nothing once their e-mail is off. Their
second phone learns both choices from the server.
"""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from tests.action_plan.conftest import Inbox
from tests.browser.test_action_plan_journey import shot
from tests.conftest import run_cli

pytestmark = pytest.mark.browser

REP = "rep@demo.test"


@pytest.fixture
def inbox(monkeypatch):
    server = Inbox()
    server.start()
    monkeypatch.setenv("ESTATEWALK_SMTP_URL", server.url)
    try:
        yield server
    finally:
        server.stop()


def send_mail(live_server) -> None:
    sent = run_cli(live_server.settings, "send-mail", "--no-digests")
    assert sent.returncode == 0, sent.stdout + sent.stderr


def staff_comment(staff, issue_id: str, body: str) -> None:
    assert staff.push("issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue_id, "body": body})[
        "status"] == "applied"


def test_following_unfollowing_and_the_mail_setting_decide_who_is_emailed(open_phone, server_as, live_server,
                                                                          inbox):
    staff, rep_api = server_as("staff@demo.test"), server_as(REP)
    phone = open_phone("rep")
    phone.sign_in(REP)
    page = phone.page
    title = f"Handrail loose on the ramp {uuid.uuid4().hex[:4]}"
    phone.report_defect(title=title, category="communal_repairs")
    issue_id = page.url.rsplit("/", 1)[1]
    # Raising it follows it, on the phone at once.
    expect(page.locator("#follow-state")).to_have_attribute("data-following", "true")
    phone.wait_synced()

    # Out of signal, the rep stops following.
    phone.set_offline(True)
    page.locator("#follow-toggle").click()
    expect(page.locator("#follow-state")).to_have_attribute("data-following", "false")
    assert [m["name"] for m in phone.stored("outbox")] == ["issue.follow"]
    phone.set_offline(False)
    phone.wait_synced()
    staff_comment(staff, issue_id, "Caretaker has tightened the bolts")
    send_mail(live_server)
    assert inbox.to(REP, title) == []

    # Following again: the next change reaches the inbox, once.
    page.locator("#follow-toggle").click()
    expect(page.locator("#follow-state")).to_have_attribute("data-following", "true")
    phone.wait_synced()
    staff_comment(staff, issue_id, "New handrail ordered")
    send_mail(live_server)
    mails = inbox.to(REP, title)
    assert len(mails) == 1 and "New handrail ordered" in mails[0].get_content()

    # E-mail off, chosen offline: the screen says it waits for a connection until it is sent.
    phone.set_offline(True)
    phone.open("/settings")
    assert page.locator(f"#follow-list [data-issue-id='{issue_id}']").count() == 1
    page.get_by_label("No e-mail").check()
    page.locator("#mail-save").click()
    page.locator("#mail-waiting").wait_for()
    shot(phone, "settings-phone.png")
    assert rep_api.client.get("/api/me/mail").json() == {"mode": "immediate"}
    phone.set_offline(False)
    phone.wait_synced()
    expect(page.locator("#mail-waiting")).to_have_count(0)
    assert rep_api.client.get("/api/me/mail").json() == {"mode": "none"}
    staff_comment(staff, issue_id, "Fitted today")
    send_mail(live_server)
    assert len(inbox.to(REP, title)) == 1

    # The rep's other phone learns what they follow and how they want to hear about it.
    tablet = open_phone("rep-tablet")
    tablet.sign_in(REP)
    tablet.open("/settings")
    expect(tablet.page.get_by_label("No e-mail")).to_be_checked()
    assert tablet.page.locator(f"#follow-list [data-issue-id='{issue_id}']").count() == 1
    tablet.open(f"/issue/{issue_id}")
    expect(tablet.page.locator("#follow-state")).to_have_text("You follow this issue, but your e-mail is switched off.")
