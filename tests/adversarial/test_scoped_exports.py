"""Item 4 of issue 11: a personal-data export, and every report, shows only what the asker may see."""

from __future__ import annotations

import json
import uuid

from tests.conftest import Person, new_issue_args, run_cli
from tests.photos.images import phone_photo, sha256


async def test_staff_of_one_estate_export_nothing_of_the_persons_other_estate(client, as_rep, settings):
    # A resident on both estates, and a member of staff of the first only.
    for estate, role in (("Larkspur Estate", "tra_rep"), ("Canal Walk Estate", "tra_rep")):
        made = run_cli(settings, "user", "both@demo.test", "--name", "Both", "--password", "long enough pw",
                       "--estate", estate, "--role", role)
        assert made.returncode == 0, made.stderr
    made = run_cli(settings, "user", "larkspur-staff@demo.test", "--name", "L Staff", "--password",
                   "long enough pw", "--estate", "Larkspur Estate", "--role", "staff")
    assert made.returncode == 0, made.stderr
    both = await Person(client, "both@demo.test").sign_in("long enough pw")
    staff = await Person(client, "larkspur-staff@demo.test").sign_in("long enough pw")
    canal = next(m["estate_id"] for m in both.memberships if m["estate_id"] != as_rep.estate())

    secret_issue = new_issue_args(canal, title="Canal secret title")
    secret_comment = "Canal secret comment"
    data = phone_photo(seed=41)
    assert (await both.http.put(f"/api/photos/{sha256(data)}", content=data, headers=both.headers)).status_code == 201
    answer = await both.push(
        both.mutation("issue.create", secret_issue),
        both.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": secret_issue["id"],
                                        "body": secret_comment}),
        both.mutation("photo.attach", {"id": str(uuid.uuid4()), "issue_id": secret_issue["id"],
                                       "sha256": sha256(data)}),
        both.mutation("meeting.create", {"id": str(uuid.uuid4()), "estate_id": canal, "date": "2026-11-20",
                                         "title": "Canal secret meeting"}),
        both.mutation("issue.create", new_issue_args(as_rep.estate(), title="Larkspur visible title")),
    )
    assert {r["status"] for r in answer["results"]} == {"applied"}, answer

    exported = await staff.http.get(f"/api/people/{both.user_id}/export", headers=staff.headers)
    assert exported.status_code == 200, exported.text
    text = exported.text
    for secret in ("Canal secret title", secret_comment, "Canal secret meeting", secret_issue["id"], sha256(data),
                   canal):
        assert secret not in text, secret
    assert "Larkspur visible title" in text
    # The operator's command still exports everything.
    whole = run_cli(settings, "person", "export", "both@demo.test")
    assert whole.returncode == 0, whole.stderr
    assert secret_comment in whole.stdout and json.loads(whole.stdout)
