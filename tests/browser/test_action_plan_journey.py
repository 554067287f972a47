"""Journey: after the walk, a TRA rep records the TRA meeting on their phone with no signal and puts issues on its
action plan (the whole walk in one tap, then two more raised at the meeting). The plan's progress ("N of M
resolved", overdue) worked out on the phone is the same as the server's JSON, its printable page, and staff's desk
view at 1280 px, before and after staff withdraw one issue and merge another.

The screens seen here are saved to docs/screens/ (so the pictures in docs/pwa.md stay current).
"""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from server.demo import demo_id
from tests.screens import SCREENS

pytestmark = pytest.mark.browser

DESK = {"width": 1280, "height": 900}
WALK = str(demo_id("inspection:larkspur:last-month"))


def shot(phone, name: str) -> None:
    SCREENS.mkdir(parents=True, exist_ok=True)
    # The passing "saved" message would cover part of the picture.
    phone.page.evaluate("document.getElementById('toast')?.classList.remove('visible')")
    phone.page.screenshot(path=str(SCREENS / name), full_page=True)


def phone_figures(phone) -> dict[str, int]:
    """What the plan screen says: "3 of 8 resolved" and the overdue count."""
    resolved = phone.page.locator("#plan-progress .resolved").inner_text()
    match = re.fullmatch(r"(\d+) of (\d+) resolved", resolved.strip())
    assert match, resolved
    overdue = int(phone.page.locator("#plan-progress [data-overdue]").get_attribute("data-overdue"))
    return {"resolved": int(match[1]), "total": int(match[2]), "overdue": overdue}


def expect_figures(phone, figures: dict[str, int]) -> None:
    """Wait for the plan screen to show these figures (it redraws when a sync brings new data)."""
    expect(phone.page.locator("#plan-progress .resolved")).to_have_text(
        f"{figures['resolved']} of {figures['total']} resolved")
    expect(phone.page.locator("#plan-progress [data-overdue]")).to_have_attribute("data-overdue",
                                                                                  str(figures["overdue"]))


def server_figures(api, meeting_id: str) -> tuple[dict[str, int], dict[str, int]]:
    """The server's counts (JSON) and what its printable page prints."""
    counts = api.client.get(f"/api/meetings/{meeting_id}/action-plan").json()["counts"]
    page = api.client.get(f"/api/meetings/{meeting_id}/action-plan.html").text
    printed = re.search(r"(\d+) of (\d+) resolved</strong>.*?(\d+) overdue", page, re.S)
    assert printed, page[:500]
    return ({"resolved": counts["resolved"], "total": counts["total"], "overdue": counts["overdue"]},
            {"resolved": int(printed[1]), "total": int(printed[2]), "overdue": int(printed[3])})


def expect_desk_figures(desk, meeting_id: str, figures: dict[str, int]) -> None:
    desk.open("/desk")
    row = desk.page.locator(f"#desk-plan-table tr[data-meeting-id='{meeting_id}']")
    expect(row.locator(".plan-figures")).to_have_text(f"{figures['resolved']} of {figures['total']} resolved")
    expect(row.locator(".plan-overdue")).to_have_text(str(figures["overdue"]))


def test_a_meeting_recorded_offline_has_the_same_action_plan_on_phone_desk_and_paper(open_phone, server_as):
    staff_api, rep_api = server_as("staff@demo.test"), server_as("rep@demo.test")
    estate = rep_api.estate_id()
    # A duplicate raised on the walk and merged since: putting the walk on the plan must not count it twice.
    duplicate = str(demo_id("issue:test:bins-again"))
    assert staff_api.push("issue.create", {
        "id": duplicate, "estate_id": estate, "category": "bin_store", "title": "Bin store door broken again",
        "priority": "normal", "captured_at": "2026-11-20T10:15:00Z", "inspection_id": WALK})["status"] == "applied"
    assert staff_api.push("issue.merge", {"id": duplicate, "into": str(demo_id("issue:bins"))})["status"] == "applied"

    rep = open_phone("rep")
    rep.sign_in("rep@demo.test")
    desk = open_phone("staff-desk")
    desk.page.set_viewport_size(DESK)
    desk.sign_in("staff@demo.test")
    page = rep.page

    # In the community hall, no signal.
    rep.set_offline(True)
    rep.open("/plans")
    page.locator("#new-meeting").click()
    page.get_by_label("Name of the meeting").fill("December TRA meeting")
    page.get_by_label("Other people there (one name per line)").fill("Mr Hassan (resident)\nCllr Okafor")
    shot(rep, "meeting-new-phone.png")
    page.locator("#meeting-save").click()
    page.wait_for_function("() => /#\\/plan\\/[\\w-]+\\/add$/.test(location.hash)")
    meeting_id = page.url.split("/plan/", 1)[1].split("/", 1)[0]

    # Everything raised on last month's walk, in one tap.
    page.locator("#plan-walk").select_option(WALK)
    page.locator("#plan-add-walk").click()
    page.wait_for_function(f"() => location.hash === '#/plan/{meeting_id}'")
    page.locator("#plan-issues").wait_for()
    walk_issues = [i for i in rep.stored("issues") if i["inspection_id"] == WALK]
    on_plan = {row["issue_id"] for row in rep.stored("meeting_issues") if row["meeting_id"] == meeting_id}
    assert on_plan == {i["id"] for i in walk_issues if not i["merged_into"]}
    assert len(on_plan) == len(walk_issues) - 1

    # Two more, raised at the meeting itself.
    page.locator("#plan-add").click()
    page.locator("#plan-kind-raised").check()
    for key in ("entry", "noticeboard"):
        page.locator(f"#plan-issue-{demo_id(f'issue:{key}')}").check()
    shot(rep, "action-plan-add-phone.png")
    page.locator("#plan-add-chosen").click()
    page.wait_for_function(f"() => location.hash === '#/plan/{meeting_id}'")
    expect(page.locator("#plan-issues tbody tr")).to_have_count(len(on_plan) + 2)
    offline = phone_figures(rep)
    assert offline["total"] == len(on_plan) + 2
    # A phone shows the plan as cards, not a table wider than the screen.
    assert page.evaluate("getComputedStyle(document.querySelector('#plan-issues tr')).display") == "block"
    assert page.evaluate("document.documentElement.scrollWidth") <= 360
    shot(rep, "action-plan-phone.png")
    # The duplicate went on as the issue it was merged into: one mutation for each issue on the plan.
    assert [m["name"] for m in rep.stored("outbox")] == ["meeting.create"] + ["meeting.issue"] * (len(on_plan) + 2)

    # Back in signal: the server agrees with what the phone worked out offline, on screen and on paper.
    rep.set_offline(False)
    rep.wait_synced()
    counts, printed = server_figures(rep_api, meeting_id)
    assert offline == counts == printed
    rep.open(f"/plan/{meeting_id}")
    expect_figures(rep, counts)

    desk.sync_round()
    expect_desk_figures(desk, meeting_id, counts)
    shot(desk, "desk.png")
    desk.open(f"/plan/{meeting_id}")
    # At a desk the plan is a table.
    assert desk.page.evaluate("getComputedStyle(document.querySelector('#plan-issues tr')).display") == "table-row"
    expect_figures(desk, counts)
    shot(desk, "action-plan-desk.png")

    # Afterwards: the swing is withdrawn (it counts as resolved on the plan), the noticeboard is merged into the
    # door entry issue (it now shows that issue's state, which is overdue).
    assert staff_api.push("issue.withdraw", {"id": str(demo_id("issue:swing")), "reason": "Play area closed"})[
        "status"] == "applied"
    assert staff_api.push("issue.merge", {"id": str(demo_id("issue:noticeboard")),
                                          "into": str(demo_id("issue:entry"))})["status"] == "applied"
    counts_after, printed_after = server_figures(rep_api, meeting_id)
    assert counts_after != counts and counts_after == printed_after
    rep.sync_round()
    rep.open(f"/plan/{meeting_id}")
    expect_figures(rep, counts_after)
    withdrawn = page.locator(f"#plan-issues tr[data-issue-id='{demo_id('issue:swing')}']")
    assert "Broken swing seat" in withdrawn.inner_text() and "Withdrawn" in withdrawn.inner_text()
    desk.sync_round()
    expect_desk_figures(desk, meeting_id, counts_after)


def test_the_desk_table_sorts_and_filters_the_joint_list(open_phone):
    desk = open_phone("staff-desk")
    desk.page.set_viewport_size(DESK)
    desk.sign_in("staff@demo.test")
    page = desk.page
    desk.open("/issues")
    page.get_by_role("link", name="Desk").click()
    page.get_by_role("heading", name="Desk").wait_for()
    issues = {i["id"]: i for i in desk.stored("issues")}

    def shown() -> list[str]:
        # The table drawn for the filters now in the address, not the one before.
        page.wait_for_function("() => document.querySelector('.desk')?.dataset.drawnFor === location.hash")
        return page.locator("#desk-issues tbody tr").evaluate_all("rows => rows.map((r) => r.dataset.issueId)")

    # Both estates' issues, each row naming its estate.
    assert {issues[i]["estate_id"] for i in shown()} == {str(demo_id("estate:larkspur")),
                                                          str(demo_id("estate:canal-walk"))}
    estates = set(page.locator("#desk-issues tbody tr").evaluate_all("rows => rows.map((r) => r.cells[0].innerText)"))
    assert estates == {"Larkspur Estate", "Canal Walk Estate"}

    page.locator("#desk-overdue").check()
    page.wait_for_function("() => location.hash.includes('overdue=1')")
    overdue = shown()
    assert overdue and all(page.locator(f"#desk-issues tr[data-issue-id='{i}'] .flag").count() == 1 for i in overdue)

    page.locator("#desk-overdue").uncheck()
    page.wait_for_function("() => !location.hash.includes('overdue=1')")
    page.locator("#sort-due").click()
    page.wait_for_function("() => location.hash.includes('sort=due') && location.hash.includes('dir=desc')")
    dues = [issues[i]["due_date"] or "" for i in shown()]
    assert dues == sorted(dues, reverse=True)
    assert page.locator("th[aria-sort='descending'] #sort-due").count() == 1

    page.locator("#desk-estate").select_option(label="Canal Walk Estate")
    page.wait_for_function("() => location.hash.includes('estate=')")
    assert {issues[i]["estate_id"] for i in shown()} == {str(demo_id("estate:canal-walk"))}
    page.locator("#desk-owner").select_option(label="No owner yet")
    page.wait_for_function("() => location.hash.includes('owner=none')")
    assert all(issues[i]["owner_id"] is None for i in shown())


def test_a_contractor_is_offered_neither_action_plans_nor_the_desk(open_phone):
    phone = open_phone("contractor")
    phone.page.set_viewport_size(DESK)
    phone.sign_in("contractor@demo.test")
    nav = phone.page.locator("#nav")
    expect(nav.get_by_role("link", name="Issues")).to_be_visible()
    assert nav.get_by_role("link", name="Plans").count() == 0 and nav.get_by_role("link", name="Desk").count() == 0
    phone.open("/desk")
    expect(phone.page.locator("main")).to_contain_text("The desk view is for staff and TRA reps.")
