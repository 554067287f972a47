"""Two phones edit the same issue offline: the later edit wins by its clock stamp, not by arrival order."""

from tests.conftest import new_issue_args
from sync.hlc import format_stamp

MORNING = 1_795_420_800_000  # 2026-11-23 06:00 UTC, before the tests run


async def test_the_later_edit_wins_even_when_it_syncs_first_and_the_loser_stays_in_the_timeline(as_rep, as_staff):
    args = new_issue_args(as_rep.estate(), title="Light out")
    await as_rep.push(as_rep.mutation("issue.create", args, at=format_stamp(MORNING, 0, as_rep.client_id)))
    await as_staff.pull_all()

    # Offline: the rep edits at 09:00, staff edit at 09:30. Staff sync first.
    rep_edit = as_rep.mutation("issue.update", {"id": args["id"], "fields": {"title": "Light out, floor 2"}},
                               at=format_stamp(MORNING + 3 * 3600_000, 0, as_rep.client_id))
    staff_edit = as_staff.mutation("issue.update", {"id": args["id"], "fields": {"title": "Floor 2 light out"}},
                                   at=format_stamp(MORNING + 3 * 3600_000 + 1800_000, 0, as_staff.client_id))
    await as_staff.push(staff_edit)
    await as_rep.push(rep_edit)

    rep_view, staff_view = await as_rep.replica(), await as_staff.replica()
    assert rep_view.issues()[args["id"]]["title"] == "Floor 2 light out"
    assert staff_view.issues()[args["id"]] == rep_view.issues()[args["id"]]
    superseded = [e["data"] for e in rep_view.events_of(args["id"]) if e["kind"] == "superseded_edit"]
    assert superseded == [{"field": "title", "value": "Light out, floor 2", "concurrent": True,
                           "superseded_by": staff_edit["at"]}]


async def test_edits_to_different_fields_are_both_kept(as_rep, as_staff):
    args = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", args))
    await as_rep.push(as_rep.mutation("issue.update", {"id": args["id"], "fields": {"priority": "urgent"}}))
    await as_staff.push(as_staff.mutation("issue.update", {"id": args["id"], "fields": {"description": "By lift"}}))
    issue = (await as_staff.replica()).issues()[args["id"]]
    assert (issue["priority"], issue["description"]) == ("urgent", "By lift")


async def test_a_field_change_records_old_and_new_value(as_rep):
    args = new_issue_args(as_rep.estate(), priority="low")
    await as_rep.push(as_rep.mutation("issue.create", args),
                      as_rep.mutation("issue.update", {"id": args["id"], "fields": {"priority": "high"}}))
    events = (await as_rep.replica()).events_of(args["id"])
    assert [(e["kind"], e["data"].get("old"), e["data"].get("new")) for e in events] == [
        ("created", None, None), ("field_changed", "low", "high")]


async def test_a_phone_three_hours_fast_does_not_win_later_edits(as_rep, as_staff):
    import time

    args = new_issue_args(as_rep.estate())
    await as_rep.push(as_rep.mutation("issue.create", args))
    now_ms = int(time.time() * 1000)
    fast = as_rep.mutation("issue.update", {"id": args["id"], "fields": {"title": "from a fast clock"}},
                           at=format_stamp(now_ms + 3 * 3600_000, 0, as_rep.client_id))
    await as_rep.push(fast)
    time.sleep(0.01)
    await as_staff.push(as_staff.mutation("issue.update", {"id": args["id"], "fields": {"title": "corrected"}}))
    assert (await as_staff.replica()).issues()[args["id"]]["title"] == "corrected"
