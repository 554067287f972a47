"""A contractor pulls and fetches only the issues assigned to them; an issue taken away disappears from the phone."""

from __future__ import annotations

import uuid

from tests.conftest import Person, new_issue_args
from tests.photos.images import phone_photo, sha256


async def _raise(person: Person, title: str) -> str:
    args = new_issue_args(person.estate(), title=title)
    body = await person.push(person.mutation("issue.create", args))
    assert body["results"][-1]["status"] == "applied", body
    return args["id"]


async def _assign(staff: Person, issue_id: str, assignee: str | None) -> None:
    body = await staff.push(staff.mutation("issue.update", {"id": issue_id, "fields": {"assignee_id": assignee}}))
    assert body["results"][-1]["status"] == "applied", body


async def _comment(person: Person, issue_id: str, text: str) -> str:
    comment_id = str(uuid.uuid4())
    body = await person.push(person.mutation("issue.comment", {"id": comment_id, "issue_id": issue_id,
                                                                "body": text}))
    assert body["results"][-1]["status"] == "applied", body
    return comment_id


async def _photo(person: Person, issue_id: str, seed: int) -> str:
    data = phone_photo(seed)
    body = await person.push(person.mutation("photo.attach", {
        "id": str(uuid.uuid4()), "issue_id": issue_id, "sha256": sha256(data), "content_type": "image/jpeg",
        "byte_size": len(data), "width": 800, "height": 600, "captured_at": "2026-11-20T10:16:00Z",
        "caption": None}))
    assert body["results"][-1]["status"] == "applied", body
    answer = await person.http.put(f"/api/photos/{sha256(data)}", content=data, headers=person.headers)
    assert answer.status_code in (200, 201), answer.text
    return sha256(data)


async def test_a_contractor_pulls_their_jobs_with_timeline_and_photos_and_nothing_else(
        as_staff, as_rep, as_contractor):
    theirs = await _raise(as_rep, "Their job")
    others = await _raise(as_rep, "Not their job")
    early_comment = await _comment(as_rep, theirs, "Said before it was assigned")
    photo_before = await _photo(as_rep, theirs, seed=11)
    hidden_photo = await _photo(as_rep, others, seed=12)
    await _comment(as_rep, others, "Private to the estate")
    await _assign(as_staff, theirs, as_contractor.user_id)
    late_comment = await _comment(as_rep, theirs, "Said after")

    replica = await as_contractor.replica()
    issues = replica.issues()
    assert theirs in issues and others not in issues
    # Every issue, event and photo a contractor holds is assigned to them.
    assert all(issue["assignee_id"] == as_contractor.user_id for issue in issues.values())
    events = replica.entities.get("issue_event", {})
    assert {early_comment, late_comment} <= set(events)
    assert all(event["issue_id"] in issues for event in events.values())
    photos = replica.entities.get("photo", {})
    assert [p["sha256"] for p in photos.values()] == [photo_before]

    seen = await as_contractor.http.get(f"/api/photos/{photo_before}", headers=as_contractor.headers)
    assert seen.status_code == 200
    refused = await as_contractor.http.get(f"/api/photos/{hidden_photo}", headers=as_contractor.headers)
    assert refused.status_code == 404, "a photo of someone else's job must not even be admitted to exist"
    # The estate's other members still see everything.
    assert others in (await as_rep.replica()).issues()


async def test_an_issue_taken_from_a_contractor_is_deleted_from_their_phone(as_staff, as_rep, as_contractor):
    job = await _raise(as_rep, "Reassigned job")
    await _assign(as_staff, job, as_contractor.user_id)
    await _comment(as_contractor, job, "On my way")
    address = await _photo(as_contractor, job, seed=21)
    before = await as_contractor.replica()
    assert job in before.issues() and before.events_of(job)

    await _assign(as_staff, job, None)
    await _comment(as_rep, job, "After it was taken away")
    after_changes = await as_contractor.pull_all()
    before.apply(after_changes)
    assert job not in before.issues()
    assert not before.events_of(job), "the timeline of a job no longer theirs is dropped too"
    assert not before.entities.get("photo"), "and its photos"
    assert any(c["entity"] == "issue" and c["id"] == job and c["deleted"] for c in after_changes)
    fetched = await as_contractor.http.get(f"/api/photos/{address}", headers=as_contractor.headers)
    assert fetched.status_code == 404

    # Writing to it now is refused, and a fresh phone never sees it.
    refused = await as_contractor.push(as_contractor.mutation(
        "issue.comment", {"id": str(uuid.uuid4()), "issue_id": job, "body": "still here?"}))
    assert refused["results"][-1]["status"] == "rejected"
    fresh = Person(as_contractor.http, as_contractor.email)
    await fresh.sign_in()
    assert job not in (await fresh.replica()).issues()
    # Handing it back brings it and its whole history back.
    await _assign(as_staff, job, as_contractor.user_id)
    before.apply(await as_contractor.pull_all())
    assert job in before.issues() and len(before.events_of(job)) >= 2 and before.entities.get("photo")


async def test_staff_assigned_to_an_issue_keep_seeing_everything(as_staff, as_rep):
    job = await _raise(as_rep, "Staff job")
    await _assign(as_staff, job, as_staff.user_id)
    await _assign(as_staff, job, None)
    replica = await as_staff.replica()
    assert job in replica.issues()
