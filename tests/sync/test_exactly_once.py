"""Exactly once: re-sends do nothing, gaps are refused, rejections advance the queue and are kept."""

import uuid

import pytest

from sync.engine import MutationConflict, MutationGap

from .conftest import ESTATE, OTHER_ESTATE, Phone, issue_args


async def test_a_resent_push_is_reported_duplicate_and_has_no_effect(store):
    phone = Phone(store)
    create = phone.mutation("issue.create", issue_args(title="Bin store door broken"))
    first = await phone.push(create)
    again = await phone.push(create)
    assert [r.status for r in first.results] == ["applied"]
    assert [r.status for r in again.results] == ["duplicate"]
    assert len(store.issues) == 1 and len(store.events) == 1
    assert again.last_mutation_id == 1


async def test_a_gap_refuses_the_batch_and_names_the_expected_number(store):
    phone = Phone(store)
    await phone.push(phone.mutation("issue.create", issue_args()))
    with pytest.raises(MutationGap) as gap:
        await phone.push(phone.mutation("issue.create", issue_args(), number=3))
    assert gap.value.expected == 2
    assert len(store.issues) == 1


async def test_a_reused_number_with_different_content_is_a_conflict(store):
    phone = Phone(store)
    await phone.push(phone.mutation("issue.create", issue_args(title="One")))
    with pytest.raises(MutationConflict):
        await phone.push(phone.mutation("issue.create", issue_args(title="Other"), number=1))


async def test_a_rejected_mutation_advances_numbering_and_is_recorded(store):
    phone = Phone(store)
    refused = phone.mutation("issue.create", issue_args(estate_id=str(OTHER_ESTATE)))
    following = phone.mutation("issue.create", issue_args())
    outcome = await phone.push(refused, following)
    assert [r.status for r in outcome.results] == ["rejected", "applied"]
    assert "not a member" in outcome.results[0].reason
    record = store.mutations[(phone.client_id, 1)]
    assert record.status == "rejected" and record.reason == outcome.results[0].reason
    assert outcome.last_mutation_id == 2


@pytest.mark.parametrize("change, reason", [
    ({"priority": "whenever"}, "not a priority"),
    ({"category": "aliens"}, "not a category"),
    ({"title": "   "}, "needs a title"),
    ({"location_id": str(uuid.uuid4())}, "not on this estate"),
])
async def test_invalid_values_are_rejected_with_a_reason(store, change, reason):
    phone = Phone(store)
    outcome = await phone.push(phone.mutation("issue.create", issue_args(**change)))
    assert outcome.results[0].status == "rejected"
    assert reason in outcome.results[0].reason
    assert store.issues == {}


async def test_an_edit_to_an_unknown_issue_is_rejected(store):
    phone = Phone(store)
    outcome = await phone.push(phone.mutation("issue.update", {"id": str(uuid.uuid4()), "fields": {"title": "x"}}))
    assert outcome.results[0].status == "rejected"


async def test_a_tra_rep_cannot_set_the_owner(store):
    phone = Phone(store)
    args = issue_args()
    staff = Phone(store, role="staff")
    await phone.push(phone.mutation("issue.create", args))
    outcome = await phone.push(phone.mutation("issue.update", {"id": args["id"],
                                                               "fields": {"owner_id": str(staff.actor.user_id)}}))
    assert outcome.results[0].status == "rejected" and "only staff" in outcome.results[0].reason


async def test_edits_to_a_withdrawn_issue_are_rejected_not_resurrected(store):
    phone = Phone(store)
    args = issue_args()
    await phone.push(phone.mutation("issue.create", args),
                     phone.mutation("issue.withdraw", {"id": args["id"], "reason": "raised twice"}))
    outcome = await phone.push(phone.mutation("issue.update", {"id": args["id"], "fields": {"title": "x"}}))
    assert outcome.results[0].status == "rejected" and "withdrawn" in outcome.results[0].reason
    assert store.issues[uuid.UUID(args["id"])].withdrawn


async def test_comments_on_a_merged_issue_go_to_the_issue_it_was_merged_into(store):
    phone = Phone(store)
    kept, duplicate = issue_args(), issue_args()
    await phone.push(phone.mutation("issue.create", kept), phone.mutation("issue.create", duplicate))
    store.issues[uuid.UUID(duplicate["id"])].merged_into = uuid.UUID(kept["id"])
    comment_id = str(uuid.uuid4())
    outcome = await phone.push(
        phone.mutation("issue.comment", {"id": comment_id, "issue_id": duplicate["id"], "body": "still dark"}),
        phone.mutation("issue.update", {"id": duplicate["id"], "fields": {"title": "x"}}))
    assert [r.status for r in outcome.results] == ["applied", "rejected"]
    assert store.events[uuid.UUID(comment_id)].issue_id == uuid.UUID(kept["id"])
    assert kept["id"] in outcome.results[1].reason


async def test_two_stamps_from_one_phone_hours_fast_do_not_beat_a_later_edit(store):
    """A phone three hours fast edits; a correct phone edits after that push: the correct phone wins."""
    from .conftest import SERVER_MS, SERVER_NOW
    import datetime as dt

    fast, correct = Phone(store), Phone(store)
    args = issue_args()
    await correct.push(correct.mutation("issue.create", args))
    three_hours = 3 * 3600 * 1000
    await fast.push(fast.mutation("issue.update", {"id": args["id"], "fields": {"title": "from the fast phone"}},
                                  at_ms=SERVER_MS + three_hours))
    later = SERVER_NOW + dt.timedelta(minutes=5)
    await correct.push(correct.mutation("issue.update", {"id": args["id"], "fields": {"title": "five minutes later"}},
                                        at_ms=SERVER_MS + 5 * 60_000), now=later)
    assert store.issues[uuid.UUID(args["id"])].title == "five minutes later"
    record = store.mutations[(fast.client_id, 1)]
    assert record.at != record.effective_at  # both kept: what the phone said and what counted


async def test_an_estate_member_of_another_estate_sees_no_issue(store):
    phone = Phone(store)
    outsider = Phone(store, estate=OTHER_ESTATE)
    args = issue_args()
    await phone.push(phone.mutation("issue.create", args))
    outcome = await outsider.push(outsider.mutation("issue.comment", {"id": str(uuid.uuid4()),
                                                                      "issue_id": args["id"], "body": "hi"}))
    assert outcome.results[0].status == "rejected"
    assert "that you can see" in outcome.results[0].reason
    assert store.timeline(uuid.UUID(args["id"]))[-1].kind == "created"
    assert ESTATE != OTHER_ESTATE
