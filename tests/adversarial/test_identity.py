"""Item 1 of issue 11: ids the server derives cannot be predicted, and a collision rejects one mutation only.

A phone's client id is visible in the stamps others pull. Were timeline event ids derived from it alone, anyone
on the estate could take the ids that phone's next mutations need, and its next push would fail on every retry.
"""

from __future__ import annotations

import uuid

from sync.engine import ID_TAKEN
from sync.rules import derived_id
from tests.adversarial.db import query, server_secret
from tests.conftest import new_issue_args

OLD_NAMESPACE = uuid.UUID("0b7f3a52-94f1-4d55-9d0e-5b0e8c3d2a61")


async def test_event_ids_are_not_what_anyone_can_compute_from_a_client_id(as_rep, settings):
    args = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", args))
    created = query(settings, "SELECT id FROM issue_event WHERE issue_id = ?", args["id"]
                    if settings.database_url is None else uuid.UUID(args["id"]))
    assert len(created) == 1
    guessed = uuid.uuid5(OLD_NAMESPACE, f"{as_rep.client_id}:1:1")
    assert str(created[0]["id"]) != str(guessed)
    # It is the keyed derivation, with this deployment's secret: the same every time the mutation is applied.
    secret = server_secret(settings)
    assert len(secret) == 32
    assert str(created[0]["id"]) == str(derived_id(secret, uuid.UUID(as_rep.client_id), 1, 1))


async def test_a_taken_event_id_rejects_that_mutation_alone_and_the_queue_drains(as_rep, as_staff, settings):
    """Even someone who stole the secret can only get the one mutation rejected, with a reason; never a 500."""
    issue = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", issue))
    secret = server_secret(settings)
    # The rep's next mutation (number 2) makes one event: take its id first, as a comment of someone else's.
    needed = derived_id(secret, uuid.UUID(as_rep.client_id), 2, 1)
    taken = await as_staff.push(as_staff.mutation("issue.comment", {
        "id": str(needed), "issue_id": issue["id"], "body": "taking your id"}))
    assert taken["results"][0]["status"] == "applied"

    answer = await as_rep.push(
        as_rep.mutation("issue.withdraw", {"id": issue["id"], "reason": "duplicate"}),
        as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": issue["id"], "body": "after"}),
    )
    assert [r["status"] for r in answer["results"]] == ["rejected", "applied"]
    assert answer["results"][0]["reason"] == ID_TAKEN
    assert answer["last_mutation_id"] == 3
    # The rejected mutation left no trace: the issue is not withdrawn, and its timeline is whole.
    replica = await as_rep.replica()
    assert not replica.issues()[issue["id"]].get("withdrawn")
    bodies = [e["data"].get("body") for e in replica.events_of(issue["id"]) if e["kind"] == "comment"]
    assert bodies == ["taking your id", "after"]
    # And the phone's queue goes on: the next push applies.
    again = await as_rep.push(as_rep.mutation("issue.withdraw", {"id": issue["id"], "reason": "duplicate"}))
    assert again["results"][0]["status"] == "applied"
