"""Merging duplicates, grading and re-checking on an inspection, and meetings, on the pure engine."""

import uuid

from sync.grading import SCHEMES
from sync.workflow import is_overdue
from tests.sync.conftest import ESTATE, LOCATION, Phone, issue_args

import datetime as dt


async def test_a_merged_duplicate_keeps_both_timelines_and_refuses_edits(store):
    staff, rep = Phone(store, "staff"), Phone(store, "tra_rep")
    first, duplicate = issue_args(title="Light out"), issue_args(title="Landing dark")
    await rep.push(rep.mutation("issue.create", first), rep.mutation("issue.create", duplicate))
    outcome = await staff.push(staff.mutation("issue.merge", {"id": duplicate["id"], "into": first["id"],
                                                              "note": "same light"}))
    assert outcome.results[0].status == "applied"
    merged = store.issues[uuid.UUID(duplicate["id"])]
    assert merged.merged_into == uuid.UUID(first["id"])
    assert sorted(e.kind for e in store.timeline(merged.id)) == ["created", "merged"]
    assert sorted(e.kind for e in store.timeline(uuid.UUID(first["id"]))) == ["created", "merged"]
    # The rep who raised the duplicate now follows the issue that goes on.
    assert (uuid.UUID(first["id"]), rep.actor.user_id) in store.followers

    refused = await rep.push(rep.mutation("issue.update", {"id": duplicate["id"], "fields": {"title": "x"}}))
    assert refused.results[0].status == "rejected" and first["id"] in refused.results[0].reason


async def test_only_staff_merge_and_never_into_itself_or_a_merged_issue(store):
    staff, rep = Phone(store, "staff"), Phone(store, "tra_rep")
    a, b, c = issue_args(), issue_args(), issue_args()
    await rep.push(*(rep.mutation("issue.create", x) for x in (a, b, c)))
    by_rep = await rep.push(rep.mutation("issue.merge", {"id": b["id"], "into": a["id"]}))
    assert by_rep.results[0].status == "rejected"
    outcome = await staff.push(
        staff.mutation("issue.merge", {"id": a["id"], "into": a["id"]}),
        staff.mutation("issue.merge", {"id": b["id"], "into": a["id"]}),
        staff.mutation("issue.merge", {"id": c["id"], "into": b["id"]}),
    )
    assert [r.status for r in outcome.results] == ["rejected", "applied", "rejected"]
    assert "itself" in outcome.results[0].reason and a["id"] in outcome.results[2].reason


async def test_grades_use_the_estates_scheme_and_the_later_grade_stands(store):
    staff, rep, other_rep = Phone(store, "staff"), Phone(store, "tra_rep"), Phone(store, "tra_rep")
    inspection = str(uuid.uuid4())
    await staff.push(staff.mutation("inspection.create", {"id": inspection, "estate_id": str(ESTATE),
                                                          "date": "2026-11-20"}))
    grade = {"inspection_id": inspection, "location_id": str(LOCATION), "element": "bin_store",
             "agreed_by": ["Sam", "Ayşe"]}
    late = rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()), "grade": "C"}, at_ms=2_000_000)
    # Graded offline earlier on another phone, synced later: the later grade still stands.
    early = other_rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()), "grade": "A"},
                               at_ms=1_000_000)
    outcome = await rep.push(late, rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()),
                                                                     "grade": "green"}))
    assert [r.status for r in outcome.results] == ["applied", "rejected"]
    assert (await other_rep.push(early)).results[0].status == "applied"
    assert [(g.grade, g.agreed_by) for g in store.grades.values()] == [("C", ["Sam", "Ayşe"])]

    assert (await rep.push(rep.mutation("estate.grading_scheme", {"estate_id": str(ESTATE),
                                                                  "scheme": "traffic_light"}))).results[0].status \
        == "rejected"
    await staff.push(staff.mutation("estate.grading_scheme", {"estate_id": str(ESTATE), "scheme": "traffic_light"}))
    green = await rep.push(rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()), "grade": "green",
                                                             "element": "lighting"}))
    assert green.results[0].status == "applied"
    assert SCHEMES["traffic_light"].score("amber") == 0.5


async def test_a_recheck_is_recorded_in_the_inspection_and_the_issue_timeline(store):
    rep = Phone(store, "tra_rep")
    issue, inspection = issue_args(), str(uuid.uuid4())
    await rep.push(rep.mutation("issue.create", issue),
                   rep.mutation("inspection.create", {"id": inspection, "estate_id": str(ESTATE),
                                                      "date": "2026-11-20"}))
    outcome = await rep.push(
        rep.mutation("inspection.recheck", {"id": str(uuid.uuid4()), "inspection_id": inspection,
                                            "issue_id": issue["id"], "outcome": "still_there"}),
        rep.mutation("inspection.recheck", {"id": str(uuid.uuid4()), "inspection_id": inspection,
                                            "issue_id": issue["id"], "outcome": "gone"}),
    )
    assert [r.status for r in outcome.results] == ["applied", "rejected"]
    assert [r.outcome for r in store.rechecks.values()] == ["still_there"]
    assert store.timeline(uuid.UUID(issue["id"]))[-1].kind == "rechecked"
    assert store.issues[uuid.UUID(issue["id"])].status == "reported"  # an observation, not a status change


async def test_a_meeting_lists_issues_raised_or_reviewed_and_raised_is_never_downgraded(store):
    rep = Phone(store, "tra_rep")
    issue, meeting = issue_args(), str(uuid.uuid4())
    outcome = await rep.push(
        rep.mutation("issue.create", issue),
        rep.mutation("meeting.create", {"id": meeting, "estate_id": str(ESTATE), "date": "2026-11-20",
                                        "attendees": ["Ayşe", "Sam"]}),
        rep.mutation("meeting.issue", {"meeting_id": meeting, "issue_id": issue["id"], "kind": "raised"}),
        rep.mutation("meeting.issue", {"meeting_id": meeting, "issue_id": issue["id"], "kind": "reviewed"}),
        rep.mutation("meeting.issue", {"meeting_id": meeting, "issue_id": issue["id"], "kind": "forgotten"}),
    )
    assert [r.status for r in outcome.results] == ["applied"] * 4 + ["rejected"]
    assert [link.kind for link in store.meeting_issues.values()] == ["raised"]


def test_overdue_means_open_and_past_its_due_date():
    today = dt.date(2026, 11, 23)
    yesterday, tomorrow = today - dt.timedelta(days=1), today + dt.timedelta(days=1)
    assert is_overdue("acknowledged", yesterday, today)
    assert is_overdue("disputed", yesterday, today)
    assert not is_overdue("acknowledged", today, today)
    assert not is_overdue("in_progress", tomorrow, today)
    assert not is_overdue("fixed", yesterday, today)
    assert not is_overdue("wont_fix", yesterday, today)
    assert not is_overdue("reported", None, today)
