"""Journey: a housing officer and a TRA rep walk Larkspur Estate together, each with a phone and no signal. The
officer starts the inspection and reads out its join code; the rep types it. Each grades, re-checks what is
already recorded and reports new defects. Back in signal, both phones sync: the server holds one inspection
with both of them present, and its summary (the server's and each phone's) holds both phones' work.

The main screens of the walk are photographed into docs/screens/ as the journey passes them, so the pictures in
docs/pwa.md are always of the app as it is; axe-core checks each of them at 360 px and at 200 % text.
"""

import datetime as dt

import pytest
from playwright.sync_api import expect

from sync.walks import shared_walk_id
from tests.browser.test_accessibility import WIDER_THAN_SCREEN, serious_violations
from tests.screens import SCREENS

pytestmark = pytest.mark.browser

OPEN_NOT_FIXED = {"reported", "acknowledged", "in_progress", "disputed"}


def check_screen(phone, axe_source, name, problems, shot=None):
    """axe-core at phone width and again at 200 % text (no sideways scrolling either); optionally a screenshot."""
    page = phone.page
    page.evaluate("document.fonts.ready.then(() => true)")
    # The "saved" toast fades out after a few seconds: the check and the picture are of the screen, not of a
    # toast half-way through its fade (axe would measure its contrast mid-transition).
    page.wait_for_function("() => getComputedStyle(document.getElementById('toast')).opacity === '0'", timeout=10_000)
    if shot:
        SCREENS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SCREENS / shot), full_page=True)
    found = serious_violations(phone, axe_source)
    page.evaluate("document.documentElement.style.fontSize = '200%'")
    found += serious_violations(phone, axe_source)
    overflow = page.evaluate(WIDER_THAN_SCREEN)
    page.evaluate("document.documentElement.style.fontSize = ''")
    if found or overflow:
        problems[name] = {"axe": found, "sideways": overflow}


def grade_here(page, element, grade, *, photo=None, note=""):
    link = page.locator(f".grade-link[data-element='{element}']").first
    if not link.is_visible():
        page.locator(".more-elements summary").click()  # not one usually graded at this kind of place
    link.click()
    page.get_by_role("heading", name="Grade:").wait_for()
    page.locator(f"#grade-{grade}").check()
    if note:
        page.get_by_label("Note (optional)").fill(note)
    if photo:
        page.locator("input[type=file][capture]").set_input_files([str(photo)])
        page.wait_for_function("() => document.querySelectorAll('.photo-preview').length === 1", timeout=30_000)
    page.locator("#grade-save").click()
    page.wait_for_function("() => /\\/at\\/[\\w-]+$/.test(location.hash)")


def test_staff_and_a_rep_share_one_walk_by_code_offline(open_phone, server_as, axe_source, jpeg_files):
    problems: dict = {}
    staff = open_phone("staff")
    staff.sign_in("staff@demo.test")
    rep = open_phone("rep")
    rep.sign_in("rep@demo.test")
    larkspur = next(e for e in rep.stored("estates") if e["name"] == "Larkspur Estate")["id"]
    located = [i for i in rep.stored("issues")
               if i["estate_id"] == larkspur and i["location_id"] and i["status"] in OPEN_NOT_FIXED
               and not i["withdrawn"] and not i.get("merged_into")]
    by_place: dict = {}
    for issue in located:
        by_place.setdefault(issue["location_id"], issue)
    assert len(by_place) >= 2, "the demo estate should have open issues at two places"
    staff_issue, rep_issue = list(by_place.values())[:2]
    staff_place, rep_place = staff_issue["location_id"], rep_issue["location_id"]

    staff.set_offline(True)
    rep.set_offline(True)

    # The officer starts the walk on Larkspur (they also work on Canal Walk) with the rep ticked as present.
    staff.open("/inspect")
    page = staff.page
    page.locator("#inspect-estate").select_option(larkspur)
    page.wait_for_function(f"() => location.hash.includes('{larkspur}')")
    page.get_by_label("Ayşe Demir (Larkspur TRA) (TRA rep)").check()
    page.locator("#inspect-begin").click()
    page.wait_for_function("() => /#\\/inspect\\/[\\w-]+$/.test(location.hash)")
    walk = page.url.rsplit("/", 1)[1]
    code = page.locator("#walk-code").inner_text()
    today = page.evaluate("(() => { const d = new Date(); return `${d.getFullYear()}-${String(d.getMonth() + 1).padStart(2, '0')}-${String(d.getDate()).padStart(2, '0')}`; })()")
    # The phone derives the id as the server documents it: estate, date and code, nothing random left over.
    assert walk == str(shared_walk_id(larkspur, today, code))
    check_screen(staff, axe_source, "walk with its join code", problems, shot="walk-join-code.png")

    # The rep types the code as read out, in lower case and without the dash.
    rep.open("/inspect")
    rep.page.locator("#join-code").fill(code.replace("-", "").lower())
    check_screen(rep, axe_source, "join a walk", problems, shot="walk-join.png")
    rep.page.locator("#join-begin").click()
    rep.page.wait_for_function(f"() => location.hash === '#/inspect/{walk}'")
    expect(rep.page.locator("#walk-attendees")).to_contain_text("Ayşe Demir (Larkspur TRA)")
    assert [i["id"] for i in rep.stored("inspections") if i["date"] == today] == [walk]

    # The officer: a grade with a photo as evidence, a re-check and a new defect at one place.
    [evidence] = jpeg_files(1, size=(1600, 1200))
    page.locator(f"[data-location-id='{staff_place}']").click()
    page.get_by_role("heading", name="Here:").wait_for()
    page.locator(f".grade-link[data-element='lighting']").first.click()
    page.get_by_role("heading", name="Grade:").wait_for()
    check_screen(staff, axe_source, "grade an element", problems, shot="walk-grade.png")
    page.go_back()
    page.get_by_role("heading", name="Here:").wait_for()
    grade_here(page, "lighting", "D", photo=evidence, note="Two lights out on the landing")
    card = page.locator(".issue-card", has=page.locator(f"[data-issue-id='{staff_issue['id']}']"))
    card.get_by_role("button", name="Still there").click()
    expect(card.locator(".rechecked")).to_have_text("Re-checked on this walk: still there")
    check_screen(staff, axe_source, "a location on the walk", problems, shot="walk-location.png")
    page.get_by_role("link", name="Report a defect here").click()
    page.get_by_label("Category").select_option("lighting")
    page.get_by_label("What is wrong? (short title)").fill("Landing light flickers")
    page.get_by_role("button", name="Save defect").click()
    page.wait_for_function(f"() => location.hash === '#/inspect/{walk}/at/{staff_place}'")

    # The rep, elsewhere on the estate: a grade, a re-check with a note, a new defect.
    rpage = rep.page
    rpage.locator(f"[data-location-id='{rep_place}']").click()
    rpage.get_by_role("heading", name="Here:").wait_for()
    grade_here(rpage, "internal_cleaning", "B")
    rcard = rpage.locator(".issue-card", has=rpage.locator(f"[data-issue-id='{rep_issue['id']}']"))
    rcard.locator("summary").click()
    rcard.get_by_label("Add a note to the re-check (optional)").fill("New door closer fitted")
    rcard.get_by_role("button", name="Looks fixed").click()
    expect(rcard.locator(".rechecked")).to_have_text("Re-checked on this walk: looks fixed")
    rpage.get_by_role("link", name="Report a defect here").click()
    rpage.get_by_label("Category").select_option("graffiti")
    rpage.get_by_label("What is wrong? (short title)").fill("Tag on the lift door")
    rpage.get_by_role("button", name="Save defect").click()
    rpage.wait_for_function(f"() => location.hash === '#/inspect/{walk}/at/{rep_place}'")

    # The rep is done first: leaving the walk ends it on their phone only (finishing is the officer's).
    rpage.get_by_role("link", name="Back to locations").click()
    expect(rpage.locator("#walk-finish")).to_have_count(0)
    rpage.locator("#walk-leave").click()
    rpage.wait_for_function(f"() => location.hash === '#/inspect/{walk}/summary'")
    expect(rpage.locator("#summary-counts")).to_have_text("Found 1 · graded 1 · re-checked 1")

    # Finishing shows the officer's half at once, offline; the PDF waits for a connection.
    page.get_by_role("link", name="Back to locations").click()
    page.locator("#walk-finish").click()
    page.wait_for_function(f"() => location.hash === '#/inspect/{walk}/summary'")
    expect(page.locator("#summary-counts")).to_have_text("Found 1 · graded 1 · re-checked 1")
    expect(page.locator("#summary-pdf-later")).to_be_visible()
    assert all(m["name"] != "issue.comment" for m in staff.stored("outbox") + rep.stored("outbox"))

    staff.set_offline(False)
    rep.set_offline(False)
    staff.wait_synced()
    rep.wait_synced()
    staff.sync_round()  # the officer's phone now hears of the rep's part
    for phone in (staff, rep):
        assert not [r for r in phone.stored("rejections") if not r.get("dismissed")]

    # The server: one inspection today on Larkspur, both people present, both phones' work in its summary.
    server = server_as("staff@demo.test")
    pulled = server.pull_all()
    todays = [i for i in pulled["inspection"].values() if i["estate_id"] == larkspur and i["date"] == today]
    assert [i["id"] for i in todays] == [walk]
    assert {"Sam Okafor (Estate Services)", "Ayşe Demir (Larkspur TRA)"} <= set(todays[0]["attendees"])
    summary = server.client.get(f"/api/inspections/{walk}/summary").json()
    assert sorted(r["title"] for r in summary["raised"]) == ["Landing light flickers", "Tag on the lift door"]
    assert {(g["element"], g["grade"]) for g in summary["grades"]} == {("lighting", "D"), ("internal_cleaning", "B")}
    [with_photo] = [g for g in summary["grades"] if g["photo_sha256"]]
    assert with_photo["element"] == "lighting" and with_photo["note"] == "Two lights out on the landing"
    assert {(c["issue"]["id"], c["outcome"], c["note"]) for c in summary["rechecked"]} == {
        (staff_issue["id"], "still_there", ""), (rep_issue["id"], "looks_fixed", "New door closer fitted")}
    assert server.photo_bytes(with_photo["photo_sha256"], "thumb")[:2] == b"\xff\xd8"

    # Each phone's own summary shows the whole walk once synced, and offers the server's PDF.
    for phone in (staff, rep):
        phone.open(f"/inspect/{walk}/summary")
        expect(phone.page.locator("#summary-counts")).to_have_text("Found 2 · graded 2 · re-checked 2")
        expect(phone.page.locator("#summary-attendees")).to_contain_text("Sam Okafor (Estate Services)")
        expect(phone.page.locator("#summary-attendees")).to_contain_text("Ayşe Demir (Larkspur TRA)")
        expect(phone.page.locator("#summary-pdf")).to_have_attribute("href", f"/api/inspections/{walk}/summary.pdf")
    # The rep sees the officer's photo too (the server's thumbnail, allowed to the estate's TRA reps).
    # Reopened, as a phone back in signal is: an image that failed while the test's network was cut stays failed
    # for the life of a page, and the screen then says "shown when online" instead.
    rep.reload()
    rep.page.wait_for_function("() => [...document.querySelectorAll('img.evidence')].some((img) => img.complete && img.naturalWidth > 0)")
    check_screen(rep, axe_source, "walk summary", problems, shot="walk-summary.png")
    pdf = rep.page.request.get(f"/api/inspections/{walk}/summary.pdf")
    assert pdf.ok and pdf.body()[:5] == b"%PDF-"

    # The re-check is in the issue's timeline on the other phone, in words.
    staff.open(f"/issue/{rep_issue['id']}")
    expect(staff.page.locator(".timeline li[data-kind='rechecked']")).to_contain_text("re-checked this on an inspection: looks fixed")
    assert problems == {}


def test_staff_choose_the_estates_grading_scheme_and_the_walk_grades_in_it(open_phone, server_as, axe_source):
    problems: dict = {}
    staff = open_phone("staff")
    staff.sign_in("staff@demo.test")
    larkspur = next(e for e in staff.stored("estates") if e["name"] == "Larkspur Estate")["id"]
    staff.open(f"/inspect?estate={larkspur}")
    page = staff.page
    check_screen(staff, axe_source, "inspections, as staff (two estates, the grading scheme)", problems)
    page.get_by_label("Grading scheme").select_option("traffic_light")
    page.locator("#grading-scheme-save").click()
    page.locator("#toast", has_text="Saved on this phone").wait_for()
    page.locator("#inspect-begin").click()
    page.wait_for_function("() => /#\\/inspect\\/[\\w-]+$/.test(location.hash)")
    walk = page.url.rsplit("/", 1)[1]
    page.locator("[data-location-id='estate']").click()
    page.locator(".grade-link[data-element='graffiti']").click()
    page.get_by_role("heading", name="Grade: Graffiti").wait_for()
    # The scheme's own grades, each with what it means.
    assert page.locator("input[name=grade]").evaluate_all("(inputs) => inputs.map((i) => i.value)") == ["green", "amber", "red"]
    expect(page.locator("#grade-red-about")).to_have_text("Not acceptable: needs action.")
    page.locator("#grade-red").check()
    page.locator("#grade-save").click()
    expect(page.locator(".grade-link[data-element='graffiti'] .badge")).to_have_text("Red")
    staff.wait_synced()
    summary = server_as("staff@demo.test").client.get(f"/api/inspections/{walk}/summary").json()
    assert [(g["scheme"], g["grade"], g["location"]) for g in summary["grades"]] == [("traffic_light", "red", "Whole estate")]
    assert not [r for r in staff.stored("rejections") if not r.get("dismissed")]
    assert problems == {}
