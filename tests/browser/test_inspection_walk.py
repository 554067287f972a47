"""Journeys on the walk itself: start an inspection with the people present, go location by location, add to an
issue already recorded there instead of duplicating it, report a new defect, finish; and a TRA rep confirming a
fix from the "waiting for residents to confirm" list."""

import pytest
from playwright.sync_api import expect

pytestmark = pytest.mark.browser

OPEN = {"reported", "acknowledged", "in_progress", "fixed", "disputed"}


def test_inspection_location_by_location_with_existing_issues_shown_before_a_new_defect(open_phone, server_as):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    page = phone.page
    # Not one marked fixed: there, a TRA rep's "Still there" is also the residents' dispute (another journey).
    located = [i for i in phone.stored("issues")
               if i["location_id"] and i["status"] in OPEN - {"fixed"} and not i["withdrawn"]]
    assert located, "the demo estate should have an open issue at a location"
    existing = located[0]
    location_id = existing["location_id"]

    phone.set_offline(True)
    phone.open("/inspect")
    page.locator("#inspect-others").fill("Cllr Okafor\nJo from the caretaking team")
    page.locator("#inspect-begin").click()
    page.wait_for_function("() => /#\\/inspect\\/[\\w-]+$/.test(location.hash)")
    inspection_id = page.url.rsplit("/", 1)[1]
    page.get_by_text("Present:").wait_for()

    page.locator(f"[data-location-id='{location_id}']").click()
    page.get_by_role("heading", name="Here:").wait_for()
    card = page.locator(".issue-card", has=page.locator(f"[data-issue-id='{existing['id']}']"))
    card.get_by_role("button", name="Still there").click()
    page.locator("#toast", has_text="Saved on this phone").wait_for()

    page.get_by_role("link", name="Report a defect here").click()
    page.get_by_role("heading", name="Report a defect").wait_for()
    # Before a new defect is saved, what is already recorded here is on screen.
    assert page.locator(".existing").get_attribute("data-count") != "0"
    assert page.locator(f".existing [data-issue-id='{existing['id']}']").count() == 1
    page.get_by_label("Category").select_option("lighting")
    page.get_by_label("What is wrong? (short title)").fill("Emergency light not lit")
    page.get_by_role("button", name="Save defect").click()
    page.wait_for_function(f"() => location.hash === '#/inspect/{inspection_id}/at/{location_id}'")
    page.get_by_role("link", name="Back to locations").click()
    page.get_by_role("button", name="Finish the inspection").click()
    # Finishing shows what the walk found, worked out on the phone.
    page.wait_for_function(f"() => location.hash === '#/inspect/{inspection_id}/summary'")
    expect(page.locator("#summary-counts")).to_have_text("Found 1 · graded 0 · re-checked 1")

    # "Still there" on a walk is a re-check of that inspection, not a comment.
    assert [m["name"] for m in phone.stored("outbox")] == [
        "inspection.create",
        "inspection.recheck",
        "issue.create",
        "inspection.update",
    ]
    phone.set_offline(False)
    phone.wait_synced()

    server = server_as("staff@demo.test").pull_all()
    inspection = server["inspection"][inspection_id]
    assert {"Cllr Okafor", "Jo from the caretaking team"} <= set(inspection["attendees"])
    assert inspection["finished_at"]
    [new] = [i for i in server["issue"].values() if i["title"] == "Emergency light not lit"]
    assert new["inspection_id"] == inspection_id and new["location_id"] == location_id
    [recheck] = [r for r in server["inspection_recheck"].values() if r["inspection_id"] == inspection_id]
    assert (recheck["issue_id"], recheck["outcome"]) == (existing["id"], "still_there")
    rechecked = [e for e in server["issue_event"].values() if e["issue_id"] == existing["id"] and e["kind"] == "rechecked"]
    assert [e["data"]["inspection_id"] for e in rechecked] == [inspection_id]
    assert not [e for e in server["issue_event"].values() if e["issue_id"] == existing["id"] and e["kind"] == "comment"
                and "still there" in e["data"]["body"].lower()]


def test_tra_rep_confirms_a_fix_from_the_waiting_for_residents_list(open_phone, server_as):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    page = phone.page
    fixed = [i for i in phone.stored("issues") if i["status"] == "fixed" and not i["withdrawn"]]
    if not fixed:
        pytest.skip("the demo data has no issue marked fixed")

    phone.open("/issues")
    page.get_by_label("Waiting for residents to confirm").check()
    page.wait_for_function("() => location.hash.includes('confirm=1')")
    # The hash changes first and the list is drawn again from IndexedDB a moment later: wait for the new list.
    expect(page.locator(".issue-card a")).to_have_count(len(fixed))
    listed = page.locator(".issue-card a").evaluate_all("(links) => links.map((a) => a.dataset.issueId)")
    assert sorted(listed) == sorted(i["id"] for i in fixed)

    target = fixed[0]
    page.locator(f".issue-card a[data-issue-id='{target['id']}']").click()
    page.get_by_role("button", name="Looks fixed").click()
    page.locator("#toast", has_text="Saved on this phone").wait_for()
    phone.wait_synced()
    server = server_as("staff@demo.test").pull_all()
    assert server["issue"][target["id"]]["status"] == "confirmed"
    assert not [r for r in phone.stored("rejections") if not r.get("dismissed")]


def test_contractor_is_told_that_defects_are_raised_by_staff_and_reps(open_phone):
    phone = open_phone("contractor")
    phone.sign_in("contractor@demo.test")
    phone.open("/report")
    phone.page.get_by_text("Only staff and TRA reps can report a defect").wait_for()
    assert phone.page.locator("form.report").count() == 0
