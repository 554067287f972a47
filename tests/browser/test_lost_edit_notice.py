"""Journey: two people change the same field without signal. The one whose edit lost is told so on the issue
itself ("your title was replaced by …'s later edit"), and may put theirs back or keep the other."""

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import phones_offline

pytestmark = pytest.mark.browser

ORIGINAL = "Graffiti on the bin store door"
STAFF_TITLE = "Offensive graffiti on the bin store door"
REP_TITLE = "Graffiti on both bin store doors"
REP_NAME = "Ayşe Demir (Larkspur TRA)"


def both_retitle_offline(open_phone, server_as, *, staff_arrives_first):
    """Staff retitle the issue first, the rep a moment later (so the rep's edit is the later one), both offline;
    then they find signal in the order asked. Returns the API view, the issue and both phones, synced."""
    staff = server_as("staff@demo.test")
    issue_id = staff.create_issue(staff.estate_id("Larkspur Estate"), ORIGINAL, category="graffiti")
    staff_phone, rep_phone = phones_offline(open_phone, "staff@demo.test", "rep@demo.test")
    staff_phone.edit_title(issue_id, STAFF_TITLE)
    staff_phone.page.wait_for_timeout(50)
    rep_phone.edit_title(issue_id, REP_TITLE)
    order = (staff_phone, rep_phone) if staff_arrives_first else (rep_phone, staff_phone)
    for phone in order:
        phone.set_offline(False)
        phone.wait_synced()
    staff_phone.sync_round()
    staff_phone.open_issue(issue_id)
    staff_phone.page.get_by_role("heading", name=REP_TITLE).wait_for()
    return staff, issue_id, staff_phone, rep_phone


def test_the_loser_of_a_concurrent_edit_is_told_on_the_issue_and_puts_theirs_back(open_phone, server_as):
    # The rep's later edit reaches the server first; staff's earlier one arrives afterwards and loses.
    staff, issue_id, staff_phone, rep_phone = both_retitle_offline(open_phone, server_as, staff_arrives_first=False)
    page = staff_phone.page
    notice = page.locator(".notices .notice.lost-edit")
    expect(notice).to_have_text(
        f"Your title “{STAFF_TITLE}” was replaced by {REP_NAME}’s later edit “{REP_TITLE}”.Use mine insteadKeep theirs"
    )
    notice.get_by_role("button", name="Use mine instead").click()
    page.get_by_role("heading", name=STAFF_TITLE).wait_for()
    expect(page.locator(".notices")).to_have_count(0)
    staff_phone.wait_synced()
    assert staff.pull_all()["issue"][issue_id]["title"] == STAFF_TITLE

    # The rep sees staff's title now, in the timeline as a plain change: staff saw theirs and chose.
    rep_phone.sync_round()
    rep_phone.open_issue(issue_id)
    rep_phone.page.get_by_role("heading", name=STAFF_TITLE).wait_for()
    assert rep_phone.page.locator(".notices").count() == 0


def test_an_edit_replaced_by_a_later_one_that_had_not_seen_it_is_told_and_keep_theirs_is_remembered(
    open_phone, server_as
):
    # This time the earlier edit (staff's) arrives first and the later one (the rep's) replaces it.
    staff, issue_id, staff_phone, rep_phone = both_retitle_offline(open_phone, server_as, staff_arrives_first=True)
    page = staff_phone.page
    notice = page.locator(".notices .notice.lost-edit")
    expect(notice).to_contain_text(f"Your title “{STAFF_TITLE}” was replaced by {REP_NAME}’s later edit")
    notice.get_by_role("button", name="Keep theirs").click()
    expect(page.locator(".notices")).to_have_count(0)
    staff_phone.reload()
    page.locator(f"article.issue[data-issue-id='{issue_id}']").wait_for()
    assert page.locator(".notices").count() == 0
    assert staff_phone.stored("outbox") == []
    assert staff.pull_all()["issue"][issue_id]["title"] == REP_TITLE
    # The rep, whose edit won, is told nothing.
    rep_phone.open_issue(issue_id)
    rep_phone.page.get_by_role("heading", name=REP_TITLE).wait_for()
    assert rep_phone.page.locator(".notices").count() == 0
