"""Bad input gets a 4xx JSON problem naming what is wrong: never a 500, never a half-written row."""

import pytest

from tests.conftest import new_issue_args

STAMP = "001795435200000:00000:phone"


def push_body(person, mutations):
    return {"client_id": person.client_id, "mutations": mutations}


@pytest.mark.parametrize("body, named", [
    ({"client_id": "x", "mutations": []}, "client_id"),
    ({"mutations": []}, "client_id"),
    ({"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11", "mutations": "all of them"}, "mutations"),
    ({"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11", "mutations": [], "extra": 1}, "extra"),
])
async def test_malformed_push_bodies_are_400_naming_the_field(as_rep, body, named):
    answer = await as_rep.http.post("/api/sync/push", headers=as_rep.headers, json=body)
    assert answer.status_code == 400
    problem = answer.json()
    assert problem["code"] == "400.1" and named in answer.text


async def test_malformed_json_is_400(as_rep):
    answer = await as_rep.http.post("/api/sync/push", headers={**as_rep.headers, "content-type": "application/json"},
                                    content=b'{"client_id": ')
    assert answer.status_code == 400 and answer.json()["code"] == "400.1"


@pytest.mark.parametrize("mutation, named", [
    ({"id": "one", "name": "issue.comment", "args": {}, "at": STAMP}, "id"),
    ({"id": 0, "name": "issue.comment", "args": {}, "at": STAMP}, "id"),
    ({"name": "issue.comment", "args": {}, "at": STAMP}, "id"),
])
async def test_a_mutation_without_a_usable_number_is_400(as_rep, mutation, named):
    answer = await as_rep.http.post("/api/sync/push", headers=as_rep.headers, json=push_body(as_rep, [mutation]))
    assert answer.status_code == 400, answer.text
    assert named in answer.text


@pytest.mark.parametrize("mutation, named", [
    ({"id": 1, "name": "issue.explode", "args": {}, "at": STAMP}, "issue.explode"),
    ({"id": 1, "name": "issue.create", "args": {"id": 5}, "at": STAMP}, "args.id"),
    ({"id": 1, "name": "issue.update", "args": {"id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11",
                                               "fields": {"colour": "red"}}, "at": STAMP}, "colour"),
    ({"id": 1, "name": "issue.comment", "args": {}, "at": "yesterday"}, "at"),
])
async def test_unknown_names_and_wrong_types_reject_that_mutation_alone(as_rep, mutation, named):
    """The queue moves on: the unreadable mutation is rejected with its reason and the next one applies."""
    follows = {"id": 2, "name": "issue.create", "args": new_issue_args(as_rep.estate()), "at": STAMP}
    answer = await as_rep.http.post("/api/sync/push", headers=as_rep.headers,
                                    json=push_body(as_rep, [mutation, follows]))
    assert answer.status_code == 200, answer.text
    first, second = answer.json()["results"]
    assert first["status"] == "rejected" and named in first["reason"], first
    assert second["status"] == "applied"
    assert answer.json()["last_mutation_id"] == 2


async def test_an_oversized_batch_is_refused_and_nothing_is_applied(as_rep):
    mutations = [as_rep.mutation("issue.create", new_issue_args(as_rep.estate())) for _ in range(501)]
    answer = await as_rep.http.post("/api/sync/push", headers=as_rep.headers, json=push_body(as_rep, mutations))
    assert answer.status_code == 400 and "mutations" in answer.text
    sent = {m["args"]["id"] for m in mutations}
    assert not [c for c in await as_rep.pull_all() if c["entity"] == "issue" and c["id"] in sent]


async def test_a_body_over_the_limit_is_413(as_rep):
    huge = b'{"client_id": "' + b"x" * (3 * 1024 * 1024) + b'"}'
    answer = await as_rep.http.post("/api/sync/push", headers={**as_rep.headers, "content-type": "application/json"},
                                    content=huge)
    assert answer.status_code == 413 and answer.json()["code"] == "413.1"


async def test_sync_without_signing_in_is_401(client):
    answer = await client.post("/api/sync/pull", json={"client_id": "6f1c0b8e-3f5a-4c2e-9d41-0a6b2f9e7c11"})
    assert answer.status_code == 401 and answer.json()["code"] == "401.1"


async def test_an_unknown_route_is_a_json_404(client):
    answer = await client.get("/api/nothing-here")
    assert answer.status_code == 404 and answer.json()["status"] == 404
