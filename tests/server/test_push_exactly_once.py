"""Pushing over HTTP: exactly once, in order, and every refusal reported to the phone."""

from tests.conftest import new_issue_args


async def test_a_resent_push_is_duplicate_and_creates_nothing_twice(as_rep):
    create = as_rep.mutation("issue.create", new_issue_args(as_rep.estate(), title="Bin store door broken"))
    first = await as_rep.push(create)
    again = await as_rep.push(create)
    assert first["results"] == [{"id": 1, "status": "applied", "reason": None, "code": None}]
    assert again["results"] == [{"id": 1, "status": "duplicate", "reason": None, "code": None}]
    replica = await as_rep.replica()
    assert [i["title"] for i in replica.issues().values()].count("Bin store door broken") == 1


async def test_a_gap_is_refused_with_409_naming_the_expected_number(as_rep):
    await as_rep.push(as_rep.mutation("issue.create", new_issue_args(as_rep.estate())))
    skipped = as_rep.mutation("issue.create", new_issue_args(as_rep.estate()), number=3)
    problem = await as_rep.push(skipped, expect=409)
    assert problem["code"] == "409.2" and problem["expected_mutation_id"] == 2


async def test_a_gap_in_the_middle_of_a_batch_applies_nothing_of_it(as_rep):
    ok = as_rep.mutation("issue.create", new_issue_args(as_rep.estate(), title="first of the batch"))
    gap = as_rep.mutation("issue.create", new_issue_args(as_rep.estate()), number=5)
    await as_rep.push(ok, gap, expect=409)
    titles = [i["title"] for i in (await as_rep.replica()).issues().values()]
    assert "first of the batch" not in titles


async def test_same_number_different_content_is_409_1(as_rep):
    await as_rep.push(as_rep.mutation("issue.create", new_issue_args(as_rep.estate(), title="one")))
    other = as_rep.mutation("issue.create", new_issue_args(as_rep.estate(), title="two"), number=1)
    assert (await as_rep.push(other, expect=409))["code"] == "409.1"


async def test_a_rejected_mutation_is_reported_counted_and_pulled_by_its_phone_only(as_rep, as_staff, as_rep2):
    other_estate = as_rep2.estate()
    refused = as_rep.mutation("issue.create", new_issue_args(other_estate, title="not my estate"))
    after = as_rep.mutation("issue.create", new_issue_args(as_rep.estate(), title="after the refusal"))
    answer = await as_rep.push(refused, after)
    assert [r["status"] for r in answer["results"]] == ["rejected", "applied"]
    assert answer["last_mutation_id"] == 2
    assert answer["results"][0]["reason"]

    rejections = (await as_rep.replica()).entities.get("rejection", {})
    assert [r["reason"] for r in rejections.values()] == [answer["results"][0]["reason"]]
    assert [r["mutation_id"] for r in rejections.values()] == [1]
    assert "rejection" not in (await as_staff.replica()).entities


async def test_a_client_id_cannot_be_used_by_another_person(as_rep, as_staff):
    await as_rep.push(as_rep.mutation("issue.create", new_issue_args(as_rep.estate())))
    as_staff.client_id = as_rep.client_id
    problem = await as_staff.push(as_staff.mutation("issue.create", new_issue_args(as_staff.estate()), number=2),
                                  expect=409)
    assert problem["code"] == "409.3"
