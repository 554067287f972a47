"""Journey: a screen-reader or keyboard user on the screens after the walk (action plans, a meeting, putting issues
on its plan, the desk view, settings, following an issue). axe-core finds nothing serious or critical at phone
width, at 200 % text, and on a desk; at 200 % text on a phone nothing scrolls sideways."""

from __future__ import annotations

import pytest

from server.demo import demo_id
from tests.browser.test_accessibility import WIDER_THAN_SCREEN, serious_violations

pytestmark = pytest.mark.browser

MEETING = str(demo_id("meeting:larkspur:tra"))
SCREENS = {
    "action plans": "/plans",
    "record a meeting": "/plans/new",
    "an action plan": f"/plan/{MEETING}",
    "put issues on a plan": f"/plan/{MEETING}/add",
    "desk view": "/desk",
    "settings": "/settings",
    "issue with the follow button": f"/issue/{demo_id('issue:light')}",
}


def check_screens(phone, axe_source, *, text_size: str | None = None) -> dict[str, list]:
    problems = {}
    for name, route in SCREENS.items():
        phone.open(route)
        phone.page.locator("main h2").wait_for()
        if text_size:
            # As the browser's text-size setting does; CSSOM rather than an inline <style> the CSP would refuse.
            phone.page.evaluate(f"document.documentElement.style.fontSize = '{text_size}'")
            overflow = phone.page.evaluate(WIDER_THAN_SCREEN)
            if overflow:
                problems[f"{name}: scrolls sideways"] = overflow
        found = serious_violations(phone, axe_source)
        if found:
            problems[name] = found
    return problems


def test_the_screens_after_the_walk_have_no_serious_accessibility_violations(open_phone, axe_source):
    rep = open_phone("rep")
    rep.sign_in("rep@demo.test")
    assert check_screens(rep, axe_source) == {}
    assert check_screens(rep, axe_source, text_size="200%") == {}

    staff = open_phone("staff-desk")
    staff.page.set_viewport_size({"width": 1280, "height": 900})
    staff.sign_in("staff@demo.test")
    assert check_screens(staff, axe_source) == {}
