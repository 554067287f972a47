"""Journey: a screen-reader or keyboard user goes through the main screens; axe-core finds nothing serious.

axe-core (from npm, tests/browser/package.json) runs inside the page on each main screen at phone width.
"""

import pytest

pytestmark = pytest.mark.browser

AXE_RUN = """async () => {
  const result = await axe.run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice'] } });
  return result.violations
    .filter((v) => v.impact === 'serious' || v.impact === 'critical')
    .map((v) => ({ id: v.id, impact: v.impact, help: v.help, nodes: v.nodes.slice(0, 3).map((n) => n.target.join(' ')) }));
}"""


WIDER_THAN_SCREEN = """() => {
  const width = document.documentElement.clientWidth;
  if (document.documentElement.scrollWidth <= width + 1) return null;
  return Array.from(document.querySelectorAll('body *'))
    .filter((el) => el.getBoundingClientRect().right > width + 1)
    .slice(0, 5)
    .map((el) => `${el.tagName.toLowerCase()}#${el.id}.${el.className} ${Math.round(el.getBoundingClientRect().right)}`);
}"""


def serious_violations(phone, axe_source):
    if not phone.page.evaluate("typeof axe !== 'undefined'"):
        # Evaluated through DevTools rather than added as an inline <script>, which the app's CSP refuses.
        phone.page.evaluate(axe_source)
    return phone.page.evaluate(AXE_RUN)


def test_main_screens_have_no_serious_accessibility_violations(open_phone, server_as, axe_source, jpeg_files):
    phone = open_phone("rep")
    phone.open("/signin")
    problems = {"sign in": serious_violations(phone, axe_source)}

    phone.sign_in("rep@demo.test")
    phone.report_defect(title="Loose handrail on the stairs", category="communal_repairs", photos=jpeg_files(1))
    issue_id = phone.page.url.rsplit("/", 1)[1]
    screens = {
        "issue list": "/issues",
        "issue list, filtered": "/issues?status=fixed&mine=1",
        "report a defect": "/report",
        "issue detail": f"/issue/{issue_id}",
        "inspections": "/inspect",
        "sync and storage": "/sync",
    }
    for name, route in screens.items():
        phone.open(route)
        problems[name] = serious_violations(phone, axe_source)

    # Start an inspection and stand at a location: the walk screens too.
    phone.open("/inspect")
    phone.page.locator("#inspect-begin").click()
    phone.page.wait_for_function("() => /#\\/inspect\\/[\\w-]+$/.test(location.hash)")
    problems["inspection walk"] = serious_violations(phone, axe_source)
    phone.page.locator(".location-link").nth(1).click()
    phone.page.wait_for_function("() => location.hash.includes('/at/')")
    problems["inspection location"] = serious_violations(phone, axe_source)

    assert {name: found for name, found in problems.items() if found} == {}


def test_app_works_at_200_percent_text_without_sideways_scrolling(open_phone):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    for route in ("/issues", "/report", "/inspect", "/sync"):
        phone.open(route)
        # As the browser's text-size setting does; CSSOM rather than an inline <style> the CSP would refuse.
        phone.page.evaluate("document.documentElement.style.fontSize = '200%'")
        overflow = phone.page.evaluate(WIDER_THAN_SCREEN)
        assert not overflow, f"{route} scrolls sideways at 200% text: {overflow}"


def test_layout_mirrors_for_right_to_left_catalogues(open_phone):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    # A right-to-left catalogue only changes _dir; logical CSS properties must do the rest.
    phone.page.evaluate("document.documentElement.dir = 'rtl'")
    phone.open("/issues")
    phone.page.evaluate("document.documentElement.dir = 'rtl'")
    width = phone.page.viewport_size["width"]
    report = phone.page.get_by_role("link", name="Report a defect").bounding_box()
    assert report["x"] + report["width"] > width - 40, "in right-to-left the first button should start on the right"
    assert report["x"] > 40


def test_keyboard_user_filters_and_opens_an_issue_without_losing_their_place(open_phone):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.open("/issues")
    phone.reload()
    page = phone.page
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to content"

    page.locator("#filter-mine").focus()
    page.keyboard.press("Space")
    page.wait_for_function("() => location.hash.includes('mine=1')")
    page.wait_for_function("() => document.activeElement && document.activeElement.id === 'filter-mine'")
    page.keyboard.press("Space")
    page.wait_for_function("() => !location.hash.includes('mine=1')")

    first = page.locator(".issue-card a").first
    title = first.locator(".issue-title").inner_text()
    first.focus()
    page.keyboard.press("Enter")
    page.get_by_role("heading", name=title).wait_for()
    # A new screen moves focus to its heading, so a screen reader announces where the user is.
    page.wait_for_function("() => document.activeElement && document.activeElement.tagName === 'H2'")
