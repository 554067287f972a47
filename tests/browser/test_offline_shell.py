"""Journey: sign in once with signal, then open the app in a stairwell with none."""

import json
import uuid

import pytest

from sync.shared_rules import shared_rules

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
    pulls: list[dict] = []
    phone.context.on("request", lambda request: pulls.append(json.loads(request.post_data))
                     if request.url.endswith("/api/sync/pull") else None)
    phone.sign_in("rep@demo.test")
    phone.wait_controlled()
    phone.page.get_by_text("Broken light on the second floor landing").wait_for()
    # The first pull asks for pages as large as the server allows (a few, not a hundred, for a big estate).
    assert pulls and {pull["limit"] for pull in pulls} == {shared_rules()["limits"]["changes_per_pull"]}

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


def test_changes_waiting_more_than_a_day_are_called_out(open_phone):
    phone = open_phone("rep")
    phone.sign_in("rep@demo.test")
    phone.set_offline(True)
    phone.report_defect(title="Graffiti on the garage doors", category="graffiti")
    assert phone.page.get_by_text("Some changes have waited").count() == 0
    # Two days pass without signal.
    phone.page.evaluate(
        """async () => {
          const db = await new Promise((ok) => { const r = indexedDB.open('estatewalk'); r.onsuccess = () => ok(r.result); });
          const tx = db.transaction('outbox', 'readwrite');
          const store = tx.objectStore('outbox');
          const rows = await new Promise((ok) => { const r = store.getAll(); r.onsuccess = () => ok(r.result); });
          for (const row of rows) store.put({ ...row, created: Date.now() - 2 * 24 * 3600 * 1000 });
          await new Promise((ok) => { tx.oncomplete = ok; });
          db.close();
        }"""
    )
    phone.reload()
    phone.page.get_by_text("Some changes have waited since 2 days ago").wait_for()
