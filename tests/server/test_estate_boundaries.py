"""A person never pulls another estate's issues, people or timeline, and cannot write there."""

import uuid

from tests.conftest import new_issue_args


async def test_a_tra_rep_pulls_only_their_own_estate(as_rep, as_rep2, as_staff):
    mine = new_issue_args(as_rep.estate(), title="Larkspur only")
    theirs = new_issue_args(as_rep2.estate(), title="Canal Walk only")
    await as_rep.push(as_rep.mutation("issue.create", mine))
    await as_rep2.push(as_rep2.mutation("issue.create", theirs))

    for person, own, other in ((as_rep, mine, theirs), (as_rep2, theirs, mine)):
        replica = await person.replica()
        own_estate = own["estate_id"]
        for entity, rows in replica.entities.items():
            for row in rows.values():
                assert row.get("estate_id", own_estate) == own_estate, (person.email, entity, row)
                assert entity != "estate" or row["id"] == own_estate
        assert own["id"] in replica.issues() and other["id"] not in replica.issues()

    staff_view = await as_staff.replica()
    assert {mine["id"], theirs["id"]} <= set(staff_view.issues())


async def test_pulled_people_show_names_and_roles_but_no_email_addresses(as_rep):
    members = (await as_rep.replica()).entities["member"].values()
    assert members and all(set(m) == {"id", "estate_id", "user_id", "name", "role"} for m in members)
    assert not any("@" in str(value) for m in members for value in m.values())


async def test_writing_into_another_estate_is_rejected_without_revealing_it(as_rep, as_rep2):
    theirs = new_issue_args(as_rep2.estate())
    await as_rep2.push(as_rep2.mutation("issue.create", theirs))
    unknown = str(uuid.uuid4())
    answer = await as_rep.push(
        as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": theirs["id"], "body": "hello"}),
        as_rep.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": unknown, "body": "hello"}),
    )
    reasons = [r["reason"].replace(theirs["id"], "ID").replace(unknown, "ID") for r in answer["results"]]
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected"]
    assert reasons[0] == reasons[1]  # an issue elsewhere looks exactly like one that does not exist


async def test_a_contractor_cannot_comment_on_a_job_not_theirs_and_learns_nothing_of_it(as_contractor, as_rep):
    args = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", args))
    answer = await as_contractor.push(
        as_contractor.mutation("issue.comment", {"id": str(uuid.uuid4()), "issue_id": args["id"], "body": "?"}))
    assert answer["results"][0]["status"] == "rejected"
    assert answer["results"][0]["reason"] == f"there is no issue {args['id']} that you can see"
