"""Journey: sign in once with signal, then open the app in a stairwell with none."""

import uuid

import pytest

pytestmark = pytest.mark.browser


def test_app_and_issue_list_load_offline_after_one_sign_in(open_phone, server_as):
    staff = server_as("staff@demo.test")
    estate = server_as("rep@demo.test").estate_id(0)

    issue_id = str(uuid.uuid4())
    result = staff.push(
        "issue.create",
        {
            "id": issue_id,
            "estate_id": estate,
            "location_id": None,
            "category": "lighting",
            "title": "Broken light on the second floor landing",
            "description": "",
            "priority": "high",
            "captured_at": "2026-11-20T10:00:00Z",
            "inspection_id": None,
        },
    )
    assert result["status"] == "applied", result

    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.wait_controlled()
    phone.page.get_by_text("Broken light on the second floor landing").wait_for()

    phone.set_offline(True)
    phone.reload()
    page = phone.page
    page.get_by_role("heading", name="Issues").wait_for()
    page.get_by_text("Broken light on the second floor landing").click()
    page.get_by_role("heading", name="Broken light on the second floor landing").wait_for()
    assert page.get_by_text("No connection").count() >= 1

    # A day later the app is started again, still offline: it opens from the cache, signed in.
    phone.close()
    phone.launch(offline=True)
    phone.open("/issues")
    page = phone.page
    page.get_by_text("Broken light on the second floor landing").wait_for()
    assert "#/issues" in page.url
