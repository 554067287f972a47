"""The printable action plan rendered by a real Chromium in print media: it lays out, styles and fills a page."""

from __future__ import annotations


import httpx
import pytest
from PIL import Image

from server.demo import demo_id
from tests.chromium import CHROMIUM_ARGS, chromium_executable
from tests.screens import SCREENS

@pytest.mark.browser
def test_the_printable_action_plan_renders_in_chromium(live_server, tmp_path, playwright_driver):
    login = httpx.post(f"{live_server.url}/api/auth/login", json={"email": "rep@demo.test", "password": "demo"})
    token = login.json()["token"]
    url = f"{live_server.url}/api/meetings/{demo_id('meeting:larkspur:tra')}/action-plan.html"
    shot = tmp_path / "action-plan-print.png"
    browser = playwright_driver.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
    try:
        context = browser.new_context(extra_http_headers={"Authorization": f"Bearer {token}"},
                                      viewport={"width": 1123, "height": 794})  # A4 landscape at 96 dpi
        page = context.new_page()
        failed: list[str] = []
        # Every resource the page asks for must load (the browser's own favicon probe aside).
        page.on("response", lambda r: failed.append(r.url) if r.status >= 400
                and not r.url.endswith("/favicon.ico") else None)
        answer = page.goto(url)
        assert answer is not None and answer.status == 200
        page.emulate_media(media="print")
        # The external stylesheet was applied (a page without it would still have text, but no layout).
        assert page.evaluate("getComputedStyle(document.querySelector('table')).borderCollapse") == "collapse"
        assert "resolved" in page.inner_text("header")
        assert page.locator("tbody tr").count() == 7
        page.screenshot(path=str(shot), full_page=True)
        assert failed == []
    finally:
        browser.close()

    image = Image.open(shot).convert("L")
    assert image.width >= 1000 and image.height >= 400
    histogram = image.histogram()
    dark = sum(histogram[:128])
    # Text and table rules: a real page has thousands of dark pixels; a blank or failed render has none.
    assert dark > 5_000, f"only {dark} dark pixels in {shot}"
    assert histogram[255] > image.width * image.height * 0.3  # and mostly paper


@pytest.mark.browser
def test_the_printable_action_plan_fits_a_phone_as_cards_and_is_a_table_on_a_desk(live_server, playwright_driver):
    login = httpx.post(f"{live_server.url}/api/auth/login", json={"email": "rep@demo.test", "password": "demo"})
    headers = {"Authorization": f"Bearer {login.json()['token']}"}
    url = f"{live_server.url}/api/meetings/{demo_id('meeting:larkspur:tra')}/action-plan.html"
    browser = playwright_driver.chromium.launch(executable_path=chromium_executable(), args=CHROMIUM_ARGS)
    try:
        phone = browser.new_context(extra_http_headers=headers, viewport={"width": 360, "height": 780}).new_page()
        phone.goto(url)
        # Nothing wider than the phone (it was 581 px); each issue is a card of labelled lines.
        assert phone.evaluate("document.documentElement.scrollWidth") <= 360
        assert phone.evaluate("getComputedStyle(document.querySelector('tbody tr')).display") == "block"
        first = phone.locator("tbody tr").first
        assert first.locator("td[data-label='Status']").evaluate(
            "td => getComputedStyle(td, '::before').content") == '"Status"'
        SCREENS.mkdir(parents=True, exist_ok=True)
        phone.screenshot(path=str(SCREENS / "printable-plan-phone.png"), full_page=True)
        # Printed from the phone, it is still the table.
        phone.emulate_media(media="print")
        assert phone.evaluate("getComputedStyle(document.querySelector('tbody tr')).display") == "table-row"

        desk = browser.new_context(extra_http_headers=headers, viewport={"width": 1280, "height": 800}).new_page()
        desk.goto(url)
        assert desk.evaluate("getComputedStyle(document.querySelector('tbody tr')).display") == "table-row"
        assert desk.evaluate("document.documentElement.scrollWidth") <= 1280
    finally:
        browser.close()
