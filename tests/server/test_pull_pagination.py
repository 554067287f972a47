"""Pull: paginated without losing anything, and rebuilt from scratch when it must be."""

import base64
import uuid

from tests.conftest import Person, new_issue_args, run_cli


async def test_small_pages_deliver_every_change_once_in_order(as_rep, client):
    created = [new_issue_args(as_rep.estate(), title=f"Issue {n}") for n in range(30)]
    for start in range(0, 30, 10):
        await as_rep.push(*[as_rep.mutation("issue.create", a) for a in created[start:start + 10]])

    reader = await Person(client, "rep@demo.test", client_id=str(uuid.uuid4())).sign_in()
    whole = await reader.pull_all(limit=1000)
    paged_reader = await Person(client, "rep@demo.test").sign_in()
    paged = await paged_reader.pull_all(limit=7)
    assert [(c["entity"], c["id"]) for c in paged] == [(c["entity"], c["id"]) for c in whole]
    titles = {c["data"]["title"] for c in paged if c["entity"] == "issue"}
    assert {a["title"] for a in created} <= titles


async def test_pull_continues_from_the_cursor(as_rep):
    await as_rep.pull_all()
    args = new_issue_args(as_rep.estate(), title="new since last pull")
    await as_rep.push(as_rep.mutation("issue.create", args))
    changes = await as_rep.pull_all()
    # The raiser follows what they raise: that row is theirs alone (tests/action_plan/test_following.py).
    assert {c["entity"] for c in changes} == {"issue", "issue_event", "follow"}
    assert [c["data"]["title"] for c in changes if c["entity"] == "issue"] == ["new since last pull"]


async def test_a_cursor_from_the_future_resets_the_phone(as_rep):
    await as_rep.pull_all()
    version, rest = base64.urlsafe_b64decode(as_rep.cursor + "==").decode().split(".", 1)
    restored_backup = base64.urlsafe_b64encode(f"{int(version) + 1000}.{rest}".encode()).decode()
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "cursor": restored_backup})
    body = answer.json()
    assert body["reset"] is True and any(c["entity"] == "estate" for c in body["changes"])


async def test_a_cursor_naming_a_change_this_server_does_not_hold_resets_the_phone(as_rep):
    """After a restore the server numbers new changes from where the backup stopped, so an old cursor's version
    may exist again, holding another change: the cursor's history mark tells them apart (tests/faults has the
    real restore)."""
    await as_rep.pull_all()
    version, fingerprint, mark = base64.urlsafe_b64decode(as_rep.cursor + "==").decode().split(".")
    assert int(version) > 0 and len(mark) == 12
    same = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                  json={"client_id": as_rep.client_id, "cursor": as_rep.cursor})
    assert same.json()["reset"] is False
    other_history = base64.urlsafe_b64encode(f"{version}.{fingerprint}.{'0' * 12}".encode()).decode()
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "cursor": other_history})
    body = answer.json()
    assert body["reset"] is True and any(c["entity"] == "estate" for c in body["changes"])
    # Cursors issued before history marks existed still work as before.
    unmarked = base64.urlsafe_b64encode(f"{version}.{fingerprint}".encode()).decode()
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "cursor": unmarked})
    assert answer.json()["reset"] is False


async def test_a_new_membership_resets_the_phone_so_it_sees_the_older_data(as_rep, as_rep2, settings):
    await as_rep.pull_all()
    added = run_cli(settings, "user", "rep@demo.test", "--estate", as_rep2.estate(), "--role", "tra_rep")
    assert added.returncode == 0, added.stderr
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "cursor": as_rep.cursor, "limit": 1000})
    body = answer.json()
    assert body["reset"] is True
    assert as_rep2.estate() in {c["id"] for c in body["changes"] if c["entity"] == "estate"}


async def test_a_withdrawn_issue_is_pulled_as_deleted(as_rep, as_staff):
    args = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", args))
    await as_staff.pull_all()
    await as_rep.push(as_rep.mutation("issue.withdraw", {"id": args["id"], "reason": "duplicate of the lift one"}))
    changes = await as_staff.pull_all()
    assert [(c["id"], c["deleted"]) for c in changes if c["entity"] == "issue"] == [(args["id"], True)]


async def test_a_garbled_cursor_is_a_400(as_rep):
    answer = await as_rep.http.post("/api/sync/pull", headers=as_rep.headers,
                                    json={"client_id": as_rep.client_id, "cursor": "not-a-cursor"})
    assert answer.status_code == 400 and answer.json()["code"] == "400.1"
