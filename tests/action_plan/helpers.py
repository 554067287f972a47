"""Helpers for action-plan tests: bring issues to a status the way people really do, through the sync API."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.conftest import Person, new_issue_args

#: How each status is reached from "reported", and by whom.
PATHS: dict[str, list[tuple[str, str]]] = {
    "reported": [],
    "acknowledged": [("staff", "acknowledged")],
    "in_progress": [("staff", "acknowledged"), ("staff", "in_progress")],
    "fixed": [("staff", "acknowledged"), ("staff", "in_progress"), ("staff", "fixed")],
    "confirmed": [("staff", "acknowledged"), ("staff", "in_progress"), ("staff", "fixed"), ("tra_rep", "confirmed")],
    "disputed": [("staff", "acknowledged"), ("staff", "in_progress"), ("staff", "fixed"), ("tra_rep", "disputed")],
    "wont_fix": [("staff", "wont_fix")],
}


def status(person: Person, issue_id: str, target: str, note: str | None = "noted") -> dict[str, Any]:
    return person.mutation("issue.status", {"id": issue_id, "status": target, "note": note})


async def push_all(person: Person, mutations: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Push in batches of at most 500 (the protocol's limit); every mutation must be applied."""
    results = []
    for start in range(0, len(mutations), 500):
        answer = await person.push(*mutations[start:start + 500])
        results.extend(answer["results"])
    return results


async def issues_at(staff: Person, rep: Person, statuses: list[str], *, assignee: str | None,
                    due: dt.date | None = None, **issue_fields: Any) -> list[str]:
    """Create one issue per entry of ``statuses`` on the rep's estate and bring each to that status."""
    estate = rep.estate()
    due = due or dt.date.today() + dt.timedelta(days=14)
    ids = [str(uuid.uuid4()) for _ in statuses]
    staff_moves: list[dict[str, Any]] = []
    rep_moves: list[dict[str, Any]] = []
    for issue_id, target in zip(ids, statuses):
        staff_moves.append(staff.mutation("issue.create", new_issue_args(estate, id=issue_id, **issue_fields)))
        fields: dict[str, Any] = {"owner_id": staff.user_id, "due_date": due.isoformat()}
        if assignee:
            fields["assignee_id"] = assignee
        staff_moves.append(staff.mutation("issue.update", {"id": issue_id, "fields": fields}))
        for who, step in PATHS[target]:
            (staff_moves if who == "staff" else rep_moves).append(
                status(staff if who == "staff" else rep, issue_id, step))
    results = await push_all(staff, staff_moves) + await push_all(rep, rep_moves)
    refused = [r for r in results if r["status"] != "applied"]
    assert not refused, refused
    return ids


async def get_json(person: Person, path: str, expect: int = 200) -> Any:
    answer = await person.http.get(path, headers=person.headers)
    assert answer.status_code == expect, answer.text
    return answer.json()
