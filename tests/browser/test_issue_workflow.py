"""Journeys after the walk: staff give new defects an owner and a due date without signal and take them through
acknowledged → in progress → fixed; the TRA rep confirms one fix and disputes another; a contractor works
through "My jobs". The phone offers only the moves the server's workflow table allows."""

import datetime as dt
import uuid

import pytest
from playwright.sync_api import expect

from sync.records import Issue
from sync.workflow import allowed_targets
from tests.browser.conftest import phones_offline

pytestmark = pytest.mark.browser

STAFF_NAME = "Sam Okafor (Estate Services)"
CONTRACTOR = "Brightway Lighting Ltd (Contractor)"


def server_moves(status: str, role: str, *, is_assignee: bool = False) -> list[str]:
    now = dt.datetime.now(dt.timezone.utc)
    issue = Issue(id=uuid.uuid4(), estate_id=uuid.uuid4(), location_id=None, inspection_id=None, category="lighting",
                  title="", description="", priority="normal", status=status, owner_id=None, assignee_id=None,
                  due_date=None, raised_by=uuid.uuid4(), captured_at=now, created_at=now, updated_at=now,
                  field_stamps={})
    return allowed_targets(issue, role, is_assignee=is_assignee)


def in_days(days: int) -> str:
    return (dt.date.today() + dt.timedelta(days=days)).isoformat()


def offered_moves(page) -> list[str]:
    return page.locator("#status-form input[name=status]").evaluate_all("(inputs) => inputs.map((i) => i.value)")


def status_shown(page, label: str) -> None:
    expect(page.locator(".details > div").first.locator("dd")).to_have_text(label)


def test_staff_set_owner_and_due_date_offline_and_take_defects_to_fixed_then_the_rep_confirms_one_and_disputes_one(
    open_phone, server_as
):
    staff = server_as("staff@demo.test")
    rep = server_as("rep@demo.test")
    contractor = server_as("contractor@demo.test")
    estate = rep.estate_id(0)
    first = rep.create_issue(estate, "Lamp out above the lift doors")
    second = rep.create_issue(estate, "Loose paving slab by the play area", category="hard_landscape")

    staff_phone = open_phone("staff")
    staff_phone.sign_in("staff@demo.test")
    rep_phone = open_phone("rep")
    rep_phone.sign_in("rep@demo.test")
    staff_phone.wait_controlled()
    staff_phone.set_offline(True)
    page = staff_phone.page

    # A new defect: staff may acknowledge it or refuse it, exactly as the server's table says.
    staff_phone.open_issue(first)
    assert sorted(offered_moves(page)) == sorted(server_moves("reported", "staff"))
    page.locator("#status-form").get_by_label("Acknowledged", exact=True).check()
    # Acknowledging needs an owner and a due date: the phone says so and asks for them in the same step.
    expect(page.locator("#status-needs")).to_be_visible()
    page.locator("#status-form").get_by_role("button", name="Save status").click()
    expect(page.locator("#status-error")).to_have_text("Set an owner and a due date first.")
    page.locator("#status-owner").select_option(label=STAFF_NAME)
    page.locator("#status-due").fill(in_days(10))
    page.locator("#status-form").get_by_role("button", name="Save status").click()
    status_shown(page, "Acknowledged")
    assert [m["name"] for m in staff_phone.stored("outbox")] == ["issue.update", "issue.status"]

    assert sorted(offered_moves(page)) == sorted(server_moves("acknowledged", "staff"))
    staff_phone.move_status("In progress")
    status_shown(page, "In progress")
    # "Fixed" needs a note for the residents: refused on the phone, not later by the server.
    staff_phone.move_status("Fixed – residents to confirm")
    expect(page.locator("#status-error")).to_have_text("Add a note saying why.")
    assert page.locator("#status-note").evaluate("(note) => note.required")
    staff_phone.move_status("Fixed – residents to confirm", "New lamp fitted and tested.")
    status_shown(page, "Fixed – residents to confirm")

    # The second: owner, contractor and due date from the estate's members first, then acknowledged → fixed.
    staff_phone.open_issue(second)
    plan = page.locator("#plan")
    expect(plan).to_have_attribute("open", "")
    assignees = page.locator("#plan-assignee option").all_inner_texts()
    assert CONTRACTOR in assignees and not any("TRA rep" in name for name in assignees)
    page.locator("#plan-owner").select_option(label=STAFF_NAME)
    page.locator("#plan-assignee").select_option(label=CONTRACTOR)
    page.locator("#plan-due").fill(in_days(5))
    page.get_by_role("button", name="Save owner and due date").click()
    expect(page.locator(".details > div", has_text="Assigned to").locator("dd")).to_have_text("Brightway Lighting Ltd")
    page.locator("#status-form").get_by_label("Acknowledged", exact=True).check()
    expect(page.locator("#status-needs")).to_be_hidden()
    page.locator("#status-form").get_by_role("button", name="Save status").click()
    status_shown(page, "Acknowledged")
    staff_phone.move_status("Fixed – residents to confirm", "Slab re-bedded.")
    status_shown(page, "Fixed – residents to confirm")

    staff_phone.set_offline(False)
    staff_phone.wait_synced()
    assert [r for r in staff_phone.stored("rejections") if not r.get("dismissed")] == []
    server = staff.pull_all()["issue"]
    assert server[first]["status"] == "fixed" and server[first]["owner_id"] == staff.user_id
    assert server[first]["due_date"] == in_days(10)
    assert server[second]["status"] == "fixed" and server[second]["assignee_id"] == contractor.user_id
    assert server[second]["due_date"] == in_days(5)

    # The rep, without signal: staff may not confirm; residents do, or dispute with a note.
    rep_phone.sync_round()
    rep_phone.wait_controlled()
    rep_phone.set_offline(True)
    page = rep_phone.page
    rep_phone.open_issue(first)
    assert sorted(offered_moves(page)) == sorted(server_moves("fixed", "tra_rep"))
    rep_phone.move_status("Confirmed fixed")
    status_shown(page, "Confirmed fixed")
    rep_phone.open_issue(second)
    rep_phone.move_status("Disputed")
    expect(page.locator("#status-error")).to_have_text("Add a note saying why.")
    rep_phone.move_status("Disputed", "The slab next to it rocks too.")
    status_shown(page, "Disputed")
    rep_phone.set_offline(False)
    rep_phone.wait_synced()

    after = staff.pull_all()
    assert after["issue"][first]["status"] == "confirmed"
    assert after["issue"][second]["status"] == "disputed"
    notes = [e["data"]["note"] for e in after["issue_event"].values()
             if e["issue_id"] == second and e["kind"] == "status_changed" and e["data"]["to"] == "disputed"]
    assert notes == ["The slab next to it rocks too."]
    assert [r for r in rep_phone.stored("rejections") if not r.get("dismissed")] == []


def test_a_contractor_sees_only_their_jobs_soonest_due_first_and_updates_one_offline(open_phone, server_as):
    staff = server_as("staff@demo.test")
    contractor = server_as("contractor@demo.test")
    estate = staff.estate_id("Larkspur Estate")
    jobs = {}
    for title, due, assignee in [
        ("Replace the lamp in bin store A", in_days(9), contractor.user_id),
        ("Car park floodlight on all day", in_days(-2), contractor.user_id),
        ("Reseal the lobby floor", in_days(1), None),
    ]:
        issue_id = staff.create_issue(estate, title)
        fields = {"owner_id": staff.user_id, "due_date": due, **({"assignee_id": assignee} if assignee else {})}
        staff.apply("issue.update", {"id": issue_id, "fields": fields})
        staff.apply("issue.status", {"id": issue_id, "status": "acknowledged", "note": None})
        jobs[title] = issue_id

    phone = open_phone("contractor")
    phone.sign_in("contractor@demo.test")
    page = phone.page
    if page.locator("#menu-toggle").is_visible():
        page.locator("#menu-toggle").click()
    page.get_by_role("link", name="My jobs").click()
    page.get_by_role("heading", name="My jobs").wait_for()
    listed = page.locator("#jobs-open .issue-card .issue-title").all_inner_texts()
    # Exactly the open issues the server says are assigned to this contractor, soonest due first.
    server = staff.pull_all()["issue"].values()
    mine = sorted((i for i in server if i["assignee_id"] == contractor.user_id
                   and i["status"] in ("reported", "acknowledged", "in_progress", "disputed")),
                  key=lambda i: i["due_date"] or "9999")
    assert listed == [i["title"] for i in mine]
    assert listed[:2] == ["Car park floodlight on all day", "Replace the lamp in bin store A"]
    overdue_card = page.locator("#jobs-open .issue-card", has_text="Car park floodlight")
    expect(overdue_card.locator(".badge.overdue")).to_have_text("Overdue")
    assert page.locator("#jobs-open .issue-card", has_text="Replace the lamp").locator(".badge.overdue").count() == 0
    assert "Reseal the lobby floor" not in page.locator("main").inner_text()

    phone.wait_controlled()
    phone.set_offline(True)
    overdue_card.locator("a").click()
    page.get_by_role("heading", name="Car park floodlight on all day").wait_for()
    assert sorted(offered_moves(page)) == sorted(server_moves("acknowledged", "contractor", is_assignee=True))
    # Contractors cannot give work an owner or merge issues: those controls are not offered.
    assert page.locator("#plan").count() == 0 and page.locator("#tidy").count() == 0
    phone.move_status("In progress")
    status_shown(page, "In progress")
    phone.move_status("Fixed – residents to confirm", "Photocell replaced; light now off in daylight.")
    status_shown(page, "Fixed – residents to confirm")
    phone.set_offline(False)
    phone.wait_synced()
    assert staff.pull_all()["issue"][jobs["Car park floodlight on all day"]]["status"] == "fixed"
    assert [r for r in phone.stored("rejections") if not r.get("dismissed")] == []
    phone.open("/jobs")
    expect(page.locator("#jobs-open .issue-card")).to_have_count(len(mine) - 1)


def test_staff_merge_a_duplicate_and_a_rep_withdraws_only_their_own_report_offline(open_phone, server_as):
    staff = server_as("staff@demo.test")
    rep = server_as("rep@demo.test")
    estate = rep.estate_id(0)
    original = staff.create_issue(estate, "Fly-tipped mattress in the car park", category="fly_tipping")
    duplicate = rep.create_issue(estate, "Old mattress dumped by bay 3", category="fly_tipping")
    mistake = rep.create_issue(estate, "Lift not working (my mistake: it was the other block)", category="lifts")

    staff_phone, rep_phone = phones_offline(open_phone, "staff@demo.test", "rep@demo.test")
    page = staff_phone.page
    staff_phone.open_issue(duplicate)
    page.locator("#tidy > summary").click()
    choices = page.locator("#merge-into option").evaluate_all("(options) => options.map((o) => o.value)")
    # Only open issues of the same estate are offered, never the issue itself.
    assert original in choices and duplicate not in choices
    other_estate = {i["id"] for i in staff_phone.stored("issues") if i["estate_id"] != estate}
    assert not other_estate & set(choices)
    page.locator("#merge-into").select_option(original)
    page.locator("#merge-note").fill("Same mattress, reported twice")
    page.get_by_role("button", name="Merge").click()
    page.wait_for_function(f"() => location.hash === '#/issue/{original}'")

    page = rep_phone.page
    rep_phone.open_issue(original)
    # A TRA rep may withdraw only what they raised, and never merges.
    assert page.locator("#tidy").count() == 0
    rep_phone.open_issue(mistake)
    page.locator("#tidy > summary").click()
    assert page.locator("#merge-into").count() == 0
    page.locator("#withdraw-reason").fill("Reported the wrong block")
    page.get_by_role("button", name="Withdraw").click()
    page.wait_for_function("() => location.hash.startsWith('#/issues')")
    assert page.locator(f".issue-card a[data-issue-id='{mistake}']").count() == 0

    for phone in (staff_phone, rep_phone):
        phone.set_offline(False)
        phone.wait_synced()
        assert [r for r in phone.stored("rejections") if not r.get("dismissed")] == []
    server = staff.pull_all()["issue"]
    assert server[duplicate]["merged_into"] == original
    assert mistake not in server, "a withdrawn issue leaves everyone's list"
