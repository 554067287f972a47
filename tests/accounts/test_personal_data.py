"""A data protection request: staff export everything held about a person, or erase them while the estate's
issue history stays readable."""

from __future__ import annotations

import json
import uuid

from tests.conftest import Person, new_issue_args, run_cli


async def _rep_with_history(client) -> tuple[Person, str, str]:
    rep = await Person(client, "rep@demo.test").sign_in()
    larkspur = next(m["estate_id"] for m in rep.memberships)
    issue = new_issue_args(larkspur, title="Bin store door broken")
    comment = str(uuid.uuid4())
    body = await rep.push(rep.mutation("issue.create", issue),
                          rep.mutation("issue.comment", {"id": comment, "issue_id": issue["id"],
                                                         "body": "Still broken on Monday"}))
    assert all(r["status"] == "applied" for r in body["results"])
    return rep, issue["id"], comment


async def test_staff_export_everything_held_about_a_person(client, as_staff):
    rep, issue_id, comment_id = await _rep_with_history(client)
    answer = await client.get(f"/api/people/{rep.user_id}/export", headers=as_staff.headers)
    assert answer.status_code == 200, answer.text
    data = answer.json()
    assert data["account"]["email"] == "rep@demo.test"
    assert "password_hash" not in json.dumps(data) and rep.token not in answer.text
    assert [m["role"] for m in data["memberships"]] == ["tra_rep"]
    assert issue_id in {i["id"] for i in data["issues_raised"]}
    assert comment_id in {e["id"] for e in data["timeline_entries"]}
    assert {m["name"] for m in data["mutations"]} >= {"issue.create", "issue.comment"}
    assert data["sessions"] and any(e["kind"] == "sign_in.ok" for e in data["audit_entries"])


async def test_only_staff_of_their_estates_may_export_or_erase(client, as_rep, as_rep2, as_contractor):
    for person in (as_rep2, as_contractor):
        for method, path in (("GET", "export"), ("POST", "erase")):
            answer = await client.request(method, f"/api/people/{as_rep.user_id}/{path}", headers=person.headers)
            assert answer.status_code == 404, (person.email, path)


async def test_erasure_keeps_the_issue_history_but_not_the_person(client, as_staff):
    rep, issue_id, comment_id = await _rep_with_history(client)
    erased = await client.post(f"/api/people/{rep.user_id}/erase", headers=as_staff.headers)
    assert erased.status_code == 200, erased.text

    # Their sessions end at once, and they can no longer sign in.
    assert (await client.get("/api/auth/me", headers=rep.headers)).status_code == 401
    again = await client.post("/api/auth/login", json={"email": "rep@demo.test", "password": "demo"})
    assert again.status_code == 401

    replica = await as_staff.replica()
    assert issue_id in replica.issues() and replica.issues()[issue_id]["raised_by"] == rep.user_id
    assert any(e["id"] == comment_id for e in replica.events_of(issue_id)), "what they said stays"
    names = {m["name"] for m in replica.entities["member"].values() if m["user_id"] == rep.user_id}
    assert names == {"Former resident"}

    data = (await client.get(f"/api/people/{rep.user_id}/export", headers=as_staff.headers)).json()
    assert "rep@demo.test" not in json.dumps(data["account"]) and data["account"]["name"] == "Former resident"
    assert all(s["revoked_at"] for s in data["sessions"])
    assert "person.erased" in {e["kind"] for e in data["audit_entries"]}


def test_the_command_exports_and_erases_by_email(settings):
    assert run_cli(settings, "demo").returncode == 0
    exported = run_cli(settings, "person", "export", "rep2@demo.test")
    assert exported.returncode == 0, exported.stderr
    assert json.loads(exported.stdout)["account"]["email"] == "rep2@demo.test"
    refused = run_cli(settings, "person", "erase", "rep2@demo.test")
    assert refused.returncode == 2 and "--yes" in refused.stderr
    erased = run_cli(settings, "person", "erase", "rep2@demo.test", "--yes")
    assert erased.returncode == 0, erased.stderr
    assert run_cli(settings, "person", "export", "rep2@demo.test").returncode == 2, "the address is gone"
    unknown = run_cli(settings, "person", "export", "nobody@example.org")
    assert unknown.returncode == 2
