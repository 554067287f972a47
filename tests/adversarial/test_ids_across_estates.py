"""Item 2 of issue 11: every write keyed by a phone-chosen id checks the estate and the kind of the row it meets.

An id already held on another estate, or by another kind of row, is refused with the same words as an id held
on the person's own estate: nothing is replaced, and nothing is learned.
"""

from __future__ import annotations

import uuid

import pytest

from tests.adversarial.db import snapshot
from tests.conftest import new_issue_args

TABLES = ("issue", "issue_event", "photo", "inspection", "inspection_grade", "inspection_recheck", "meeting")


def _inspection(estate_id: str) -> dict:
    return {"id": str(uuid.uuid4()), "estate_id": estate_id, "date": "2026-11-20", "attendees": ["A"], "notes": ""}


def _grade(inspection_id: str, element: str, grade_id: str | None = None) -> dict:
    return {"id": grade_id or str(uuid.uuid4()), "inspection_id": inspection_id, "element": element, "grade": "B"}


async def _rows_of(as_rep) -> dict[str, str]:
    """One row of each kind on the person's (first) estate, made by them: ids for another person to reuse."""
    issue = new_issue_args(as_rep.estate())
    inspection = _inspection(as_rep.estate())
    grade = _grade(inspection["id"], "lighting")
    comment = str(uuid.uuid4())
    recheck = str(uuid.uuid4())
    meeting = str(uuid.uuid4())
    answer = await as_rep.push(
        as_rep.mutation("issue.create", issue),
        as_rep.mutation("inspection.create", inspection),
        as_rep.mutation("inspection.grade", grade),
        as_rep.mutation("issue.comment", {"id": comment, "issue_id": issue["id"], "body": "mine"}),
        as_rep.mutation("inspection.recheck", {"id": recheck, "inspection_id": inspection["id"],
                                               "issue_id": issue["id"], "outcome": "still_there"}),
        as_rep.mutation("meeting.create", {"id": meeting, "estate_id": as_rep.estate(), "date": "2026-11-21"}),
    )
    assert {r["status"] for r in answer["results"]} == {"applied"}, answer
    return {"issue": issue["id"], "inspection": inspection["id"], "grade": grade["id"], "comment": comment,
            "recheck": recheck, "meeting": meeting}


async def test_a_grade_with_another_estates_grade_id_replaces_nothing(as_rep, as_rep2, settings):
    theirs = await _rows_of(as_rep)
    before = snapshot(settings, TABLES, [as_rep.estate()])
    inspection = _inspection(as_rep2.estate())
    await as_rep2.push(as_rep2.mutation("inspection.create", inspection))
    own = _grade(inspection["id"], "grounds")
    answer = await as_rep2.push(
        as_rep2.mutation("inspection.grade", own),
        # The id of a grade on the other estate, and of another kind of row there:
        as_rep2.mutation("inspection.grade", _grade(inspection["id"], "lighting", theirs["grade"])),
        as_rep2.mutation("inspection.grade", _grade(inspection["id"], "lifts", theirs["issue"])),
        # The id of a grade on their own estate, for another element: the yardstick.
        as_rep2.mutation("inspection.grade", _grade(inspection["id"], "signage", own["id"])),
    )
    statuses = [r["status"] for r in answer["results"]]
    reasons = [r.get("reason") for r in answer["results"]]
    assert statuses == ["applied", "rejected", "rejected", "rejected"]
    assert reasons[1] == reasons[2] == reasons[3] == "a grade with this id already exists"
    assert snapshot(settings, TABLES, [as_rep.estate()]) == before


@pytest.mark.parametrize("kind", ["issue", "comment", "photo", "recheck", "meeting"])
async def test_creating_with_a_taken_id_answers_alike_wherever_the_id_is(kind, as_rep, as_rep2, settings):
    theirs = await _rows_of(as_rep)
    mine = await _rows_of(as_rep2)
    before = snapshot(settings, TABLES, [as_rep.estate()])

    def attempt(row_id: str) -> dict:
        return _create(as_rep2, kind, row_id, mine)

    answer = await as_rep2.push(
        attempt(mine[kind if kind != "photo" else "comment"]),  # held on their own estate
        *(attempt(held) for held in theirs.values()),  # held on another estate, by every kind of row
    )
    reasons = {r.get("reason") for r in answer["results"]}
    assert {r["status"] for r in answer["results"]} == {"rejected"}, answer
    assert len(reasons) == 1, reasons
    assert snapshot(settings, TABLES, [as_rep.estate()]) == before


def _create(person, kind: str, row_id: str, on: dict[str, str]) -> dict:
    if kind == "issue":
        return person.mutation("issue.create", new_issue_args(person.estate(), id=row_id))
    if kind == "comment":
        return person.mutation("issue.comment", {"id": row_id, "issue_id": on["issue"], "body": "again"})
    if kind == "photo":
        return person.mutation("photo.attach", {"id": row_id, "issue_id": on["issue"], "sha256": "ab" * 32})
    if kind == "recheck":
        return person.mutation("inspection.recheck", {"id": row_id, "inspection_id": on["inspection"],
                                                      "issue_id": on["issue"], "outcome": "looks_fixed"})
    return person.mutation("meeting.create", {"id": row_id, "estate_id": person.estate(), "date": "2026-11-22"})


async def test_an_inspection_id_held_elsewhere_or_by_another_kind_is_refused_alike(as_rep, as_rep2, settings):
    theirs = await _rows_of(as_rep)
    before = snapshot(settings, TABLES, [as_rep.estate()])
    unknown = str(uuid.uuid4())
    answer = await as_rep2.push(
        as_rep2.mutation("inspection.create", {**_inspection(as_rep2.estate()), "id": theirs["inspection"]}),
        as_rep2.mutation("inspection.create", {**_inspection(as_rep2.estate()), "id": theirs["issue"]}),
        as_rep2.mutation("inspection.update", {"id": unknown, "fields": {"notes": "x"}}),
    )
    ids = (theirs["inspection"], theirs["issue"], unknown)
    reasons = [r["reason"].replace(i, "ID") for r, i in zip(answer["results"], ids)]
    assert [r["status"] for r in answer["results"]] == ["rejected"] * 3
    assert len(set(reasons)) == 1, reasons
    assert snapshot(settings, TABLES, [as_rep.estate()]) == before
