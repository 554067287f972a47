"""Every status move for every role, over the real sync API on SQLite and PostgreSQL.

The expected table is written out by hand in tests/sync/test_status_workflow.py from the issue's words; here
each move is made by a real signed-in person, after bringing a fresh issue to the source status the way
people do (staff acknowledge and fix, residents confirm or dispute).
"""

from __future__ import annotations

from sync.workflow import STATUSES
from tests.action_plan.helpers import get_json, issues_at, push_all, status
from tests.conftest import new_issue_args
from tests.sync.test_status_workflow import EXPECTED

ROLES = ("staff", "tra_rep", "contractor")


async def test_every_allowed_and_refused_move_per_role(as_staff, as_rep, as_contractor):
    people = {"staff": as_staff, "tra_rep": as_rep, "contractor": as_contractor}
    cases = [(source, target, role) for source in STATUSES for target in STATUSES for role in ROLES]
    # The contractor is the assignee, so "assignee only" moves are open to them here.
    ids = await issues_at(as_staff, as_rep, [source for source, _, _ in cases], assignee=as_contractor.user_id)

    outcomes: dict[tuple[str, str, str], dict] = {}
    for role in ROLES:
        mine = [(case, issue_id) for case, issue_id in zip(cases, ids) if case[2] == role]
        results = await push_all(people[role], [status(people[role], issue_id, case[1], note="because")
                                                for case, issue_id in mine])
        outcomes.update({case: result for (case, _), result in zip(mine, results)})

    for (source, target, role), result in outcomes.items():
        allowed = role in EXPECTED.get((source, target), set())
        assert result["status"] == ("applied" if allowed else "rejected"), (source, target, role, result)
        if not allowed:
            assert result["reason"], (source, target, role)

    # The issues now stand where the applied moves took them, as anyone reading the estate's list sees.
    listed = {row["id"]: row["status"] for row in await get_json(as_rep, f"/api/estates/{as_rep.estate()}/issues")}
    for (source, target, role), issue_id in zip(cases, ids):
        assert listed[issue_id] == (target if role in EXPECTED.get((source, target), set()) else source)


async def test_refusals_say_why(as_staff, as_rep, as_rep2, as_contractor):
    unassigned, unowned, fixed = await issues_at(as_staff, as_rep, ["in_progress", "reported", "fixed"],
                                                 assignee=None)
    bare = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", bare))
    # A job that is not the contractor's is answered like an issue that does not exist (nothing of it is told).
    answer = await as_contractor.push(status(as_contractor, unassigned, "fixed", note="done"))
    assert answer["results"][0]["reason"] == f"there is no issue {unassigned} that you can see"
    answer = await as_staff.push(status(as_staff, bare["id"], "acknowledged"),
                                 status(as_staff, unassigned, "fixed", note=" "))
    assert [r["reason"] for r in answer["results"]] == [
        "set an owner and a due date before acknowledging the issue",
        "moving an issue to fixed needs a note saying why"]
    answer = await as_rep.push(status(as_rep, fixed, "disputed", note=None),
                               status(as_rep, unowned, "confirmed"))
    assert "needs a note" in answer["results"][0]["reason"]
    assert "cannot become confirmed" in answer["results"][1]["reason"]
    # A TRA rep of another estate cannot even see the issue to confirm it.
    answer = await as_rep2.push(status(as_rep2, fixed, "confirmed"))
    assert answer["results"][0]["reason"] == f"there is no issue {fixed} that you can see"


async def test_a_wont_fix_reason_is_in_the_timeline_residents_pull(as_staff, as_rep):
    (issue_id,) = await issues_at(as_staff, as_rep, ["acknowledged"], assignee=None)
    await as_staff.push(status(as_staff, issue_id, "wont_fix", note="Private land: the council's to clear"))
    events = (await as_rep.replica()).events_of(issue_id)
    assert events[-1]["data"] == {"from": "acknowledged", "to": "wont_fix",
                                  "note": "Private land: the council's to clear"}
