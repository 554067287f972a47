"""The screens for the work after the walk (status moves, owners and due dates, refusals and lost edits on the
issue, My jobs, the Sync page's refusals, the location picker, a photo full size, the folded menu): axe-core
finds nothing serious or critical at 360 px and at 200 % text; at 200 % text on a 360 × 740 phone the header, the
menu and the sync bar take at most a third of the screen. The same run keeps the screenshots in docs/screens/
current (docs/pwa.md shows them)."""

import datetime as dt
import json

import pytest
from playwright.sync_api import expect

from tests.browser.test_accessibility import WIDER_THAN_SCREEN, serious_violations
from tests.screens import SCREENS

pytestmark = pytest.mark.browser

SMALL_PHONE = {"width": 360, "height": 740}
STAFF_NAME = "Sam Okafor (Estate Services)"

BARS = """() => {
  const header = document.querySelector('.topbar').getBoundingClientRect();
  const status = document.getElementById('status').getBoundingClientRect();
  return { used: header.height + status.height, screen: innerHeight };
}"""


def settle(page):
    # The header and sync bar fit themselves to the text size in the next frame.
    page.evaluate("() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done)))")


def check(phone, name, axe_source, problems, *, shot=True, prepare=None):
    """axe at 100 % and 200 % text, the bars' share of the screen at 200 %, and a screenshot at 100 %."""
    page = phone.page
    page.evaluate("document.documentElement.style.fontSize = ''")
    settle(page)
    if prepare:
        prepare()
    found = serious_violations(phone, axe_source)
    if shot:
        # No passing "saved" message over the picture, and every picture on the page drawn.
        page.wait_for_function("() => !document.getElementById('toast').classList.contains('visible')", timeout=10_000)
        page.wait_for_function("() => Array.from(document.images).every((img) => img.complete)")
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / f"{name}.png"), full_page=True)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    settle(page)
    found += serious_violations(phone, axe_source)
    bars = page.evaluate(BARS)
    if bars["used"] > bars["screen"] / 3:
        found.append({"id": "bars-too-tall", "used": bars["used"], "screen": bars["screen"]})
    wide = page.evaluate(WIDER_THAN_SCREEN)
    if wide:
        found.append({"id": "sideways-scrolling", "nodes": wide})
    page.evaluate("document.documentElement.style.fontSize = ''")
    if found:
        problems[name] = found


def test_screens_after_the_walk_are_accessible_and_leave_two_thirds_of_the_screen_to_the_page(
    open_phone, server_as, axe_source, jpeg_files
):
    staff, rep, contractor = server_as("staff@demo.test"), server_as("rep@demo.test"), server_as("contractor@demo.test")
    larkspur = staff.estate_id("Larkspur Estate")
    job = staff.create_issue(larkspur, "Bin store light flickering")
    staff.apply("issue.update", {"id": job, "fields": {"owner_id": staff.user_id, "assignee_id": contractor.user_id,
                                                        "due_date": (dt.date.today() - dt.timedelta(days=2)).isoformat()}})
    staff.apply("issue.status", {"id": job, "status": "acknowledged", "note": None})

    phone = open_phone("staff")
    phone.sign_in("staff@demo.test")
    page = phone.page
    page.set_viewport_size(SMALL_PHONE)
    phone.report_defect(title="Broken glass in the stairwell window", category="communal_repairs",
                        photos=jpeg_files(1), estate=larkspur)
    issue_id = page.url.rsplit("/", 1)[1]
    phone.wait_synced()

    # Offline: a new title and an acknowledgement; meanwhile the rep retitles it and the due date is cleared.
    phone.wait_controlled()
    phone.set_offline(True)
    phone.open_issue(issue_id)
    page.locator("details.edit > summary").click()
    page.locator("#edit-title").fill("Cracked pane in the stairwell window")
    page.get_by_role("button", name="Save changes").click()
    page.get_by_role("heading", name="Cracked pane in the stairwell window").wait_for()
    page.locator("#status-form").get_by_label("Acknowledged", exact=True).check()
    page.locator("#status-owner").select_option(label=STAFF_NAME)
    page.locator("#status-due").fill((dt.date.today() + dt.timedelta(days=3)).isoformat())
    page.locator("#status-form").get_by_role("button", name="Save status").click()
    expect(page.locator(".details > div").first.locator("dd")).to_have_text("Acknowledged")
    rep.apply("issue.update", {"id": issue_id, "fields": {"title": "Broken window on the stairs, floor 2"}})
    staff.apply("issue.update", {"id": issue_id, "fields": {"due_date": None}})
    phone.set_offline(False)
    phone.wait_synced()

    problems: dict[str, list] = {}
    phone.open("/issues")
    page.locator(".issue-card img.thumb").first.wait_for()
    check(phone, "issue-list", axe_source, problems)

    phone.open_issue(issue_id)
    expect(page.locator(".notices .notice")).to_have_count(2)
    check(phone, "issue-refused-and-lost-edit", axe_source, problems)

    def choose_acknowledged():
        page.locator("#status-form").get_by_label("Acknowledged", exact=True).check()
        page.locator("#tidy > summary").click()
    check(phone, "issue-status-plan-merge", axe_source, problems, prepare=choose_acknowledged)

    phone.open_issue(issue_id)
    page.get_by_role("button", name="Photo 1 of this issue").click()
    page.wait_for_function("() => { const img = document.querySelector('dialog.photo-viewer img'); return img && img.complete && img.naturalWidth > 0; }")
    check(phone, "photo-full-size", axe_source, problems)
    page.keyboard.press("Escape")

    phone.open("/sync")
    page.locator("#rejections li.rejection").first.wait_for()
    check(phone, "sync-refused-changes", axe_source, problems)

    phone.open(f"/report?estate={larkspur}")
    check(phone, "report-location-picker", axe_source, problems,
          prepare=lambda: page.locator("details.location-picker > summary").click())

    # The folded menu, opened, at 200 % text.
    phone.open("/issues")
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    settle(page)
    page.locator("#menu-toggle").click()
    expect(page.get_by_role("navigation", name="Main").get_by_role("link", name="Sync")).to_be_visible()
    problems_in_menu = serious_violations(phone, axe_source)
    page.screenshot(path=str(SCREENS / "menu-at-200-percent.png"))
    if problems_in_menu:
        problems["menu open"] = problems_in_menu
    page.keyboard.press("Escape")
    expect(page.locator("#menu-toggle")).to_have_attribute("aria-expanded", "false")
    page.evaluate("document.documentElement.style.fontSize = ''")

    # Every other screen keeps the bars to a third of the screen too.
    for route in ("/issues?status=fixed", "/inspect", "/report"):
        phone.open(route)
        check(phone, route, axe_source, problems, shot=False)

    contractor_phone = open_phone("contractor")
    contractor_phone.sign_in("contractor@demo.test")
    contractor_phone.page.set_viewport_size(SMALL_PHONE)
    contractor_phone.open("/jobs")
    contractor_phone.page.locator("#jobs-open .issue-card").first.wait_for()
    check(contractor_phone, "my-jobs", axe_source, problems)

    rep_phone = open_phone("rep")
    rep_phone.sign_in("rep@demo.test")
    rep_phone.page.set_viewport_size(SMALL_PHONE)
    fixed = next(i for i in rep_phone.stored("issues") if i["status"] == "fixed")
    rep_phone.open_issue(fixed["id"])
    check(rep_phone, "issue-rep-confirms-or-disputes", axe_source, problems,
          prepare=lambda: rep_phone.page.locator("#status-form").get_by_label("Disputed", exact=True).check())

    assert problems == {}, json.dumps(problems, indent=1)
