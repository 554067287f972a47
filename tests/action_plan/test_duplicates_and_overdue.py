"""Merging a duplicate (both timelines kept) and overdue marking, over the sync API and the read API."""

from __future__ import annotations

import datetime as dt
import uuid

from tests.action_plan.helpers import get_json, issues_at, status
from tests.conftest import new_issue_args


async def test_merging_a_duplicate_keeps_both_timelines_and_redirects_additions(as_staff, as_rep):
    first = new_issue_args(as_rep.estate(), title="Bin store door broken")
    duplicate = new_issue_args(as_rep.estate(), title="Foxes in the bins, door open")
    await as_rep.push(as_rep.mutation("issue.create", first), as_rep.mutation("issue.create", duplicate))
    answer = await as_staff.push(as_staff.mutation("issue.merge", {"id": duplicate["id"], "into": first["id"],
                                                                   "note": "Same door"}))
    assert answer["results"][0]["status"] == "applied"

    replica = await as_rep.replica()
    assert replica.issues()[duplicate["id"]]["merged_into"] == first["id"]
    assert replica.issues()[first["id"]]["merged_into"] is None
    merged_here = [e["data"] for e in replica.events_of(duplicate["id"]) if e["kind"] == "merged"]
    merged_there = [e["data"] for e in replica.events_of(first["id"]) if e["kind"] == "merged"]
    assert merged_here == [{"into": first["id"], "title": first["title"], "note": "Same door"}]
    assert merged_there == [{"from": duplicate["id"], "title": duplicate["title"], "note": "Same door"}]
    assert [e["kind"] for e in replica.events_of(duplicate["id"])][0] == "created"  # its history stays

    comment = str(uuid.uuid4())
    answer = await as_rep.push(
        as_rep.mutation("issue.update", {"id": duplicate["id"], "fields": {"title": "edited"}}),
        as_rep.mutation("issue.status", {"id": duplicate["id"], "status": "wont_fix", "note": "x"}),
        as_rep.mutation("issue.comment", {"id": comment, "issue_id": duplicate["id"], "body": "still open"}),
    )
    assert [r["status"] for r in answer["results"]] == ["rejected", "rejected", "applied"]
    assert all(f"merged into issue {first['id']}" in r["reason"] for r in answer["results"][:2])
    replica = await as_rep.replica()
    assert replica.entities["issue_event"][comment]["issue_id"] == first["id"]


async def test_only_staff_merge_and_not_across_estates(as_staff, as_rep, as_rep2):
    a, b = new_issue_args(as_rep.estate()), new_issue_args(as_rep.estate())
    elsewhere = new_issue_args(as_rep2.estate())
    await as_rep.push(as_rep.mutation("issue.create", a), as_rep.mutation("issue.create", b))
    await as_rep2.push(as_rep2.mutation("issue.create", elsewhere))
    by_rep = await as_rep.push(as_rep.mutation("issue.merge", {"id": b["id"], "into": a["id"]}))
    assert by_rep["results"][0]["reason"] == "a tra rep cannot do this (issue.merge)"
    across = await as_staff.push(as_staff.mutation("issue.merge", {"id": b["id"], "into": elsewhere["id"]}))
    assert across["results"][0]["reason"] == "both issues must be on the same estate"


async def test_overdue_is_marked_while_open_and_past_due(as_staff, as_rep):
    yesterday = dt.date.today() - dt.timedelta(days=1)
    late, late_but_fixed = await issues_at(as_staff, as_rep, ["in_progress", "fixed"], assignee=None,
                                           due=yesterday)
    (on_time,) = await issues_at(as_staff, as_rep, ["acknowledged"], assignee=None,
                                 due=dt.date.today() + dt.timedelta(days=3))
    rows = {row["id"]: row for row in await get_json(as_rep, f"/api/estates/{as_rep.estate()}/issues")}
    assert (rows[late]["overdue"], rows[late_but_fixed]["overdue"], rows[on_time]["overdue"]) == (True, False, False)

    # Disputed goes back to open: overdue again. Confirmed never is.
    await as_rep.push(status(as_rep, late_but_fixed, "disputed", note="Still broken"))
    rows = {row["id"]: row for row in await get_json(as_rep, f"/api/estates/{as_rep.estate()}/issues")}
    assert rows[late_but_fixed]["overdue"] is True


async def test_a_contractor_lists_only_issues_assigned_to_them(as_staff, as_rep, as_contractor):
    (theirs,) = await issues_at(as_staff, as_rep, ["acknowledged"], assignee=as_contractor.user_id)
    (not_theirs,) = await issues_at(as_staff, as_rep, ["acknowledged"], assignee=None)
    listed = {row["id"] for row in await get_json(as_contractor, f"/api/estates/{as_rep.estate()}/issues")}
    assert theirs in listed and not_theirs not in listed
    await get_json(as_rep, f"/api/estates/{uuid.uuid4()}/issues", expect=404)
