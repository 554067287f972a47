"""An inspection as a record (grades, who agreed, re-checks, its summary) and a TRA meeting's action plan whose
counts follow the issues."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.action_plan.helpers import get_json, issues_at, status
from tests.conftest import new_issue_args


async def test_an_inspection_records_grades_raised_and_rechecked_issues(as_staff, as_rep):
    estate = as_rep.estate()
    (older,) = await issues_at(as_staff, as_rep, ["fixed"], assignee=None, title="Graffiti on the garages")
    inspection = str(uuid.uuid4())
    raised = new_issue_args(estate, title="Bin store door off its hinges", inspection_id=inspection)
    grade = {"inspection_id": inspection, "location_id": None, "agreed_by": ["Sam Okafor", "Ayşe Demir"]}
    answer = await as_rep.push(
        as_rep.mutation("inspection.create", {"id": inspection, "estate_id": estate, "date": "2026-11-20",
                                              "attendees": ["Sam Okafor", "Ayşe Demir", "Mr Hassan"]}),
        as_rep.mutation("issue.create", raised),
        as_rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()), "element": "bin_store",
                                             "grade": "D", "note": "Door off, rubbish spilling"}),
        as_rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()), "element": "lighting",
                                             "grade": "B"}),
        as_rep.mutation("inspection.grade", {**grade, "id": str(uuid.uuid4()), "element": "lighting",
                                             "grade": "Z"}),
        as_rep.mutation("inspection.recheck", {"id": str(uuid.uuid4()), "inspection_id": inspection,
                                               "issue_id": older, "outcome": "looks_fixed"}),
    )
    assert [r["status"] for r in answer["results"]] == ["applied"] * 4 + ["rejected", "applied"]
    assert "A, B, C, D" in answer["results"][4]["reason"]

    summary = await get_json(as_staff, f"/api/inspections/{inspection}/summary")
    assert summary["attendees"] == ["Sam Okafor", "Ayşe Demir", "Mr Hassan"]
    assert summary["scheme"] == "a_to_d"
    assert [(g["element"], g["grade"], g["agreed_by"]) for g in summary["grades"]] == [
        ("bin_store", "D", ["Sam Okafor", "Ayşe Demir"]), ("lighting", "B", ["Sam Okafor", "Ayşe Demir"])]
    assert summary["grade_counts"] == {"D": 1, "B": 1}
    assert [row["title"] for row in summary["raised"]] == ["Bin store door off its hinges"]
    assert [(c["outcome"], c["issue"]["title"]) for c in summary["rechecked"]] == [
        ("looks_fixed", "Graffiti on the garages")]
    # The re-check is in the issue's own timeline too, for everyone who pulls it.
    assert (await as_rep.replica()).events_of(older)[-1]["kind"] == "rechecked"

    page = await as_rep.http.get(f"/api/inspections/{inspection}/summary.html", headers=as_rep.headers)
    assert page.status_code == 200 and "D – very poor" in page.text and "Looks fixed" in page.text


async def test_an_estate_can_choose_another_grading_scheme(as_staff, as_rep):
    estate = as_rep.estate()
    inspection = str(uuid.uuid4())
    by_rep = await as_rep.push(as_rep.mutation("estate.grading_scheme", {"estate_id": estate,
                                                                         "scheme": "housemark"}))
    assert by_rep["results"][0]["status"] == "rejected"
    await as_staff.push(
        as_staff.mutation("estate.grading_scheme", {"estate_id": estate, "scheme": "housemark"}),
        as_staff.mutation("inspection.create", {"id": inspection, "estate_id": estate, "date": "2026-11-21"}))
    answer = await as_rep.push(
        as_rep.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": inspection,
                                             "element": "graffiti", "grade": "very_poor"}),
        as_rep.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": inspection,
                                             "element": "grounds", "grade": "A"}))
    assert [r["status"] for r in answer["results"]] == ["applied", "rejected"]
    summary = await get_json(as_rep, f"/api/inspections/{inspection}/summary")
    assert summary["scheme"] == "housemark" and summary["grades"][0]["grade_label"] == "Very poor"
    pulled = (await as_rep.replica()).entities
    assert [g["grade"] for g in pulled["inspection_grade"].values() if g["inspection_id"] == inspection] == [
        "very_poor"]
    assert list(pulled["grading_scheme"].values()) == [{"estate_id": estate, "scheme": "housemark"}]


async def test_a_meetings_action_plan_counts_follow_the_issues(as_staff, as_rep, as_rep2):
    estate = as_rep.estate()
    yesterday = dt.date.today() - dt.timedelta(days=1)
    # An "amnesty meeting": five issues raised, one older issue reviewed.
    raised = await issues_at(as_staff, as_rep, ["acknowledged", "in_progress", "reported", "acknowledged",
                                                "in_progress"], assignee=None, due=yesterday)
    (reviewed,) = await issues_at(as_staff, as_rep, ["fixed"], assignee=None)
    meeting = str(uuid.uuid4())
    await as_rep.push(
        as_rep.mutation("meeting.create", {"id": meeting, "estate_id": estate, "date": dt.date.today().isoformat(),
                                           "title": "Amnesty meeting", "attendees": ["Ayşe Demir", "Sam Okafor"]}),
        *[as_rep.mutation("meeting.issue", {"meeting_id": meeting, "issue_id": i, "kind": "raised"})
          for i in raised],
        as_rep.mutation("meeting.issue", {"meeting_id": meeting, "issue_id": reviewed, "kind": "reviewed"}))

    plan = await get_json(as_staff, f"/api/meetings/{meeting}/action-plan")
    assert [item["kind"] for item in plan["issues"]] == ["raised"] * 5 + ["reviewed"]
    counts = plan["counts"]
    assert (counts["total"], counts["resolved"], counts["confirmed"], counts["overdue"]) == (6, 1, 0, 5)
    assert counts["summary"] == "1 of 6 resolved, 0 confirmed by residents"
    first = plan["issues"][0]["issue"]
    assert first["owner"] == "Sam Okafor (Estate Services)" and first["due_date"] == yesterday.isoformat()
    assert first["last_update"]["kind"] == "status_changed"

    # A month later: two fixed, one won't fix, residents confirm one, a duplicate merged into another.
    await as_staff.push(status(as_staff, raised[0], "fixed", note="Replaced"),
                        status(as_staff, raised[1], "fixed", note="Cleared"),
                        status(as_staff, raised[3], "wont_fix", note="Not ours: Network Rail land"),
                        as_staff.mutation("issue.merge", {"id": raised[4], "into": raised[1]}))
    await as_rep.push(status(as_rep, raised[0], "confirmed"))
    plan = await get_json(as_rep, f"/api/meetings/{meeting}/action-plan")
    counts = plan["counts"]
    # The merged duplicate counts as its target (fixed); only the reported one is still open, and overdue.
    assert (counts["total"], counts["resolved"], counts["confirmed"], counts["open"], counts["overdue"]) == \
        (6, 5, 1, 1, 1)
    assert counts["summary"] == "5 of 6 resolved, 1 confirmed by residents"
    statuses = {item["issue"]["id"]: item["issue"]["status"] for item in plan["issues"]}
    assert statuses[raised[4]] == "fixed" and statuses[raised[2]] == "reported"
    await get_json(as_rep2, f"/api/meetings/{meeting}/action-plan", expect=404)


async def test_a_contractor_cannot_read_action_plans(as_rep, as_contractor):
    meeting = str(uuid.uuid4())
    await as_rep.push(as_rep.mutation("meeting.create", {"id": meeting, "estate_id": as_rep.estate(),
                                                         "date": "2026-11-20"}))
    # Answered exactly as a meeting that does not exist: a contractor learns nothing of the estate's meetings.
    seen = await get_json(as_contractor, f"/api/meetings/{meeting}/action-plan", expect=404)
    missing = await get_json(as_contractor, f"/api/meetings/{uuid.uuid4()}/action-plan", expect=404)
    assert seen == missing
