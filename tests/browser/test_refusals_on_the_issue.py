"""Journeys where the phone could not know: another phone moved the issue first, a later edit took away what a
move needed, or the person's role on the estate changed while they were offline. The server's refusal is shown
on the issue itself, with its reason and a way to put it right, and on the Sync page with the issue's title and
a link to it."""

import datetime as dt
import json
from pathlib import Path

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import phones_offline
from tests.conftest import run_cli

pytestmark = pytest.mark.browser

STAFF_NAME = "Sam Okafor (Estate Services)"


def staff_acknowledge_a_new_issue_offline(open_phone, server_as, estate_name, title, *, due_in_days):
    """A new issue; staff, without signal, acknowledge it, giving it an owner and a due date in the same step."""
    staff = server_as("staff@demo.test")
    issue_id = staff.create_issue(staff.estate_id(estate_name), title)
    [phone] = phones_offline(open_phone, "staff@demo.test")
    phone.open_issue(issue_id)
    page = phone.page
    page.locator("#status-form").get_by_label("Acknowledged", exact=True).check()
    page.locator("#status-owner").select_option(label=STAFF_NAME)
    page.locator("#status-due").fill((dt.date.today() + dt.timedelta(days=due_in_days)).isoformat())
    page.locator("#status-form").get_by_role("button", name="Save status").click()
    expect(page.locator(".details > div").first.locator("dd")).to_have_text("Acknowledged")
    return staff, issue_id, phone


def open_rejections(phone):
    return [r for r in phone.stored("rejections") if not r.get("dismissed")]


def acknowledged_issue(staff, estate, title):
    issue_id = staff.create_issue(estate, title)
    due = (dt.date.today() + dt.timedelta(days=7)).isoformat()
    staff.apply("issue.update", {"id": issue_id, "fields": {"owner_id": staff.user_id, "due_date": due}})
    staff.apply("issue.status", {"id": issue_id, "status": "acknowledged", "note": None})
    return issue_id


def test_a_move_made_stale_by_another_phone_is_shown_on_the_issue_and_on_the_sync_page_with_a_link(open_phone, server_as):
    staff = server_as("staff@demo.test")
    estate = staff.estate_id("Larkspur Estate")
    title = "Lobby door closer leaking oil"
    issue_id = acknowledged_issue(staff, estate, title)

    [phone] = phones_offline(open_phone, "staff@demo.test")
    phone.open_issue(issue_id)
    page = phone.page
    phone.move_status("In progress")
    expect(page.locator(".details > div").first.locator("dd")).to_have_text("In progress")

    # Meanwhile, from the office: the same issue is closed as a duplicate.
    staff.apply("issue.status", {"id": issue_id, "status": "wont_fix", "note": "Duplicate of the lobby door report"})

    phone.set_offline(False)
    phone.wait_synced()
    [rejection] = open_rejections(phone)
    assert rejection["name"] == "issue.status" and "wont_fix" in rejection["reason"]
    # The phone words the refusal from the server's code, with the statuses by their names.
    english = json.loads((Path(__file__).resolve().parents[2] / "pwa" / "i18n" / "en.json").read_text())
    named = {k: english.get(f"status.{v}", v) for k, v in rejection["params"].items()}
    worded = english[f"refusal.{rejection['code']}"].format(**named)

    phone.open_issue(issue_id)
    notice = page.locator(".notices .notice.refused")
    expect(notice).to_have_count(1)
    expect(notice).to_contain_text("The server did not accept your change: Status change to In progress.")
    expect(notice).to_contain_text(worded)
    expect(notice).to_contain_text("The issue is now: Won’t fix.")
    # Nothing to try again: from "won't fix" the only move is back to "reported".
    assert notice.locator("[data-action='try-again']").count() == 0

    phone.open("/sync")
    listed = page.locator("#rejections li.rejection")
    expect(listed).to_have_count(1)
    expect(listed.get_by_role("link", name=title)).to_be_visible()
    assert worded in listed.inner_text()
    listed.get_by_role("link", name=title).click()
    page.get_by_role("heading", name=title).wait_for()

    notice.locator("[data-action='dismiss']").click()
    expect(page.locator(".notices")).to_have_count(0)
    phone.open("/sync")
    page.get_by_text("Nothing was refused.").wait_for()


def test_an_acknowledgement_refused_for_a_missing_due_date_is_put_right_from_the_issue(open_phone, server_as):
    staff, issue_id, phone = staff_acknowledge_a_new_issue_offline(
        open_phone, server_as, "Larkspur Estate", "Handrail loose on the ramp", due_in_days=3)
    page = phone.page

    # Later, at the office, the due date is cleared (the repair has to be priced first). That later edit wins
    # the field, so when the phone's changes arrive the issue has no due date and cannot be acknowledged.
    staff.apply("issue.update", {"id": issue_id, "fields": {"due_date": None}})

    phone.set_offline(False)
    phone.wait_synced()
    [rejection] = open_rejections(phone)
    assert rejection["name"] == "issue.status"
    assert staff.pull_all()["issue"][issue_id]["status"] == "reported"

    phone.open_issue(issue_id)
    notice = page.locator(".notices .notice.refused")
    # The phone's words for the server's code (its English reason: "set an owner and a due date before …").
    expect(notice).to_contain_text("Set an owner and a due date first.")
    assert notice.locator("[data-action='try-again']").count() == 0
    notice.locator("[data-action='set-owner']").click()
    expect(page.locator("#plan")).to_have_attribute("open", "")
    expect(page.locator("#plan-owner")).to_be_focused()
    page.locator("#plan-due").fill((dt.date.today() + dt.timedelta(days=14)).isoformat())
    page.get_by_role("button", name="Save owner and due date").click()
    # With a due date again the same change can go: "Try again" sends it.
    notice.locator("[data-action='try-again']").click()
    expect(page.locator(".notices")).to_have_count(0)
    phone.wait_synced()
    assert open_rejections(phone) == []
    issue = staff.pull_all()["issue"][issue_id]
    assert issue["status"] == "acknowledged" and issue["due_date"] == (dt.date.today() + dt.timedelta(days=14)).isoformat()


def test_changes_made_offline_after_losing_the_staff_role_are_refused_and_explained_on_the_issue(
    open_phone, server_as, live_server
):
    staff, issue_id, phone = staff_acknowledge_a_new_issue_offline(
        open_phone, server_as, "Canal Walk Estate", "Towpath bench vandalised", due_in_days=5)
    page = phone.page

    # While the phone is offline the person moves job: on Canal Walk they are now a TRA rep, not staff.
    done = run_cli(live_server.settings, "user", "staff@demo.test", "--estate", "Canal Walk Estate", "--role", "tra_rep")
    assert done.returncode == 0, done.stderr

    phone.set_offline(False)
    phone.wait_synced()
    assert sorted(r["name"] for r in open_rejections(phone)) == ["issue.status", "issue.update"]
    assert staff.pull_all()["issue"][issue_id]["status"] == "reported"

    phone.open_issue(issue_id)
    notices = page.locator(".notices .notice.refused")
    expect(notices).to_have_count(2)
    expect(notices.filter(has_text="Edit to an issue")).to_contain_text("Only staff can change this.")
    expect(notices.filter(has_text="Status change to Acknowledged")).to_contain_text("You cannot move this issue from “Reported” to “Acknowledged”.")
    # The phone knows the new role now: it offers neither a retry nor the staff-only controls.
    assert notices.locator("[data-action='try-again']").count() == 0
    expect(notices.first).to_contain_text("your role here: TRA rep")
    assert page.locator("#status-form").count() == 0 and page.locator("#plan").count() == 0
