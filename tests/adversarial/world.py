"""A small world to attack: rows of every kind on the first demo estate, and people who may not see them."""

from __future__ import annotations

import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from tests.conftest import Person, new_issue_args
from tests.photos.images import phone_photo, sha256

UUID_PATTERN = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
HASH_PATTERN = re.compile(r"\b[0-9a-f]{64}\b")


def without_ids(text: str) -> str:
    """An answer with every id and hash replaced, to compare answers about different ids byte for byte."""
    return HASH_PATTERN.sub("HASH", UUID_PATTERN.sub("ID", text))


@dataclass
class Hidden:
    """Rows on the first estate (Larkspur) that a TRA rep of the second estate may not see; ``unassigned``
    issues are not a contractor's either."""

    issues: dict[str, str] = field(default_factory=dict)  # plain, withdrawn, merged, merged_into, fixed
    inspection: str = ""
    grade: str = ""
    meeting: str = ""
    comment: str = ""
    photo: str = ""
    photo_sha: str = ""
    photo_bytes: bytes = b""


async def build_hidden(staff: Person, rep: Person) -> Hidden:
    """Made through the real API, as people on the estate would."""
    hidden = Hidden()
    estate = rep.estate()
    ids = {name: new_issue_args(estate, title=f"Hidden {name}") for name in
           ("plain", "withdrawn", "merged", "merged_into", "fixed")}
    inspection = {"id": str(uuid.uuid4()), "estate_id": estate, "date": "2026-11-20", "attendees": ["A"]}
    grade = str(uuid.uuid4())
    meeting = str(uuid.uuid4())
    comment = str(uuid.uuid4())
    answer = await rep.push(
        *(rep.mutation("issue.create", args) for args in ids.values()),
        rep.mutation("inspection.create", inspection),
        rep.mutation("inspection.grade", {"id": grade, "inspection_id": inspection["id"], "element": "lighting",
                                          "grade": "C"}),
        rep.mutation("meeting.create", {"id": meeting, "estate_id": estate, "date": "2026-11-21"}),
        rep.mutation("issue.comment", {"id": comment, "issue_id": ids["plain"]["id"], "body": "secret words"}),
        rep.mutation("issue.withdraw", {"id": ids["withdrawn"]["id"], "reason": "dup"}),
    )
    assert {r["status"] for r in answer["results"]} == {"applied"}, answer
    data = phone_photo(seed=77)
    hidden.photo_sha, hidden.photo_bytes = sha256(data), data
    put = await rep.http.put(f"/api/photos/{hidden.photo_sha}", content=data, headers=rep.headers)
    assert put.status_code in (200, 201), put.text
    photo = str(uuid.uuid4())
    staff_answer = await staff.push(
        staff.mutation("issue.merge", {"id": ids["merged"]["id"], "into": ids["merged_into"]["id"]}),
        staff.mutation("issue.update", {"id": ids["fixed"]["id"], "fields": {
            "owner_id": staff.user_id, "due_date": "2026-12-31"}}),
        staff.mutation("issue.status", {"id": ids["fixed"]["id"], "status": "acknowledged"}),
        staff.mutation("issue.status", {"id": ids["fixed"]["id"], "status": "fixed", "note": "done"}),
    )
    assert {r["status"] for r in staff_answer["results"]} == {"applied"}, staff_answer
    attached = await rep.push(rep.mutation("photo.attach", {"id": photo, "issue_id": ids["plain"]["id"],
                                                            "sha256": hidden.photo_sha}))
    assert attached["results"][0]["status"] == "applied", attached
    hidden.issues = {name: args["id"] for name, args in ids.items()}
    hidden.inspection, hidden.grade, hidden.meeting = inspection["id"], grade, meeting
    hidden.comment, hidden.photo = comment, photo
    return hidden


def mutation_args(name: str, target: str, other: str, own_estate: str, sha: str) -> dict[str, Any]:
    """Args of ``name`` acting on ``target`` (an issue, inspection or meeting id; ``other`` a second issue)."""
    fresh = str(uuid.uuid4())
    return {
        "issue.update": {"id": target, "fields": {"title": "changed"}},
        "issue.status": {"id": target, "status": "acknowledged"},
        "issue.comment": {"id": fresh, "issue_id": target, "body": "hello"},
        "issue.withdraw": {"id": target, "reason": "x"},
        "photo.attach": {"id": fresh, "issue_id": target, "sha256": sha},
        "issue.merge": {"id": target, "into": other},
        "issue.follow": {"id": target},
        "inspection.update": {"id": target, "fields": {"notes": "changed"}},
        "inspection.grade": {"id": fresh, "inspection_id": target, "element": "grounds", "grade": "A"},
        "inspection.recheck": {"id": fresh, "inspection_id": target, "issue_id": other, "outcome": "looks_fixed"},
        "meeting.issue": {"meeting_id": target, "issue_id": other, "kind": "raised"},
        "issue.create": {**new_issue_args(target)},
        "inspection.create": {"id": fresh, "estate_id": target, "date": "2026-11-20"},
        "meeting.create": {"id": fresh, "estate_id": target, "date": "2026-11-20"},
        "estate.grading_scheme": {"estate_id": target, "scheme": "traffic_light"},
    }[name]


#: What each mutation's ``target`` is: an issue, an inspection, a meeting or an estate.
TARGET_KIND = {
    "issue.update": "issue", "issue.status": "issue", "issue.comment": "issue", "issue.withdraw": "issue",
    "photo.attach": "issue", "issue.merge": "issue", "issue.follow": "issue", "inspection.update": "inspection",
    "inspection.grade": "inspection", "inspection.recheck": "inspection", "meeting.issue": "meeting",
    "issue.create": "estate", "inspection.create": "estate", "meeting.create": "estate",
    "estate.grading_scheme": "estate",
}
