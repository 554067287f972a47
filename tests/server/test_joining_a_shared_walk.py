"""Joining a shared walk over HTTP, on SQLite and PostgreSQL: staff and a TRA rep send ``inspection.create`` with
the id their join code derives; the server keeps one inspection with both of them, and its summary holds both
phones' defects, grades (with a photo) and re-checks. Nobody joins a walk on an estate they are not part of, and
the refusal says no more than it would for an id that does not exist."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from sync.walks import shared_walk_id
from tests.action_plan.helpers import get_json
from tests.conftest import Person, new_issue_args
from tests.photos.conftest import photo_workers  # noqa: F401 - stops the photo workers after the run
from tests.photos.images import phone_photo, sha256

TODAY = dt.date.today().isoformat()


def create(person: Person, walk: str, estate: str, attendees: list[str], notes: str = "") -> dict[str, Any]:
    return person.mutation("inspection.create", {"id": walk, "estate_id": estate, "date": TODAY,
                                                 "attendees": attendees, "notes": notes})


def outcomes(body: dict[str, Any]) -> list[str]:
    return [r["status"] for r in body["results"]]


async def pulled_inspections(person: Person) -> dict[str, Any]:
    return (await person.replica()).entities.get("inspection", {})


async def test_staff_and_a_rep_share_one_walk_and_its_summary(as_staff, as_rep):
    estate = as_rep.estate()
    walk = str(shared_walk_id(estate, TODAY, "K7Q-4MB"))
    (older,) = [new_issue_args(estate, title="Stairwell light out")]
    assert outcomes(await as_staff.push(as_staff.mutation("issue.create", older))) == ["applied"]
    evidence = phone_photo(seed=3)

    staff_batch = [
        create(as_staff, walk, estate, ["Sam Okafor (Estate Services)"], notes="Started at the bin store"),
        as_staff.mutation("issue.create", new_issue_args(estate, title="Bin store door off", inspection_id=walk)),
        as_staff.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": walk,
                                               "element": "bin_store", "grade": "D",
                                               "agreed_by": ["Sam Okafor (Estate Services)", "Ayşe Demir"],
                                               "photo_sha256": sha256(evidence)}),
        as_staff.mutation("inspection.recheck", {"id": str(uuid.uuid4()), "inspection_id": walk,
                                                 "issue_id": older["id"], "outcome": "still_there"}),
    ]
    rep_batch = [
        create(as_rep, walk, estate, ["Ayşe Demir (Larkspur TRA)"], notes="Residents asked about the lift"),
        as_rep.mutation("issue.create", new_issue_args(estate, title="Graffiti by the garages",
                                                       inspection_id=walk)),
        as_rep.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": walk,
                                             "element": "graffiti", "grade": "C"}),
        as_rep.mutation("inspection.recheck", {"id": str(uuid.uuid4()), "inspection_id": walk,
                                               "issue_id": older["id"], "outcome": "looks_fixed",
                                               "note": "New bulb, works"}),
    ]
    assert outcomes(await as_staff.push(*staff_batch)) == ["applied"] * 4
    assert outcomes(await as_rep.push(*rep_batch)) == ["applied"] * 4
    uploaded = await as_staff.http.put(f"/api/photos/{sha256(evidence)}", content=evidence,
                                       headers=as_staff.headers)
    assert uploaded.status_code in (200, 201), uploaded.text

    # Sent again after lost answers: duplicates, and nothing changes.
    before = await get_json(as_staff, f"/api/inspections/{walk}/summary")
    assert outcomes(await as_rep.push(*rep_batch)) == ["duplicate"] * 4
    assert await get_json(as_staff, f"/api/inspections/{walk}/summary") == before

    for person in (as_staff, as_rep):
        inspections = await pulled_inspections(person)
        assert [i for i in inspections if i == walk] == [walk]
        assert inspections[walk]["attendees"] == ["Sam Okafor (Estate Services)", "Ayşe Demir (Larkspur TRA)"]
        summary = await get_json(person, f"/api/inspections/{walk}/summary")
        assert summary["attendees"] == ["Sam Okafor (Estate Services)", "Ayşe Demir (Larkspur TRA)"]
        assert summary["notes"].splitlines() == ["Started at the bin store", "Residents asked about the lift"]
        assert sorted(r["title"] for r in summary["raised"]) == ["Bin store door off", "Graffiti by the garages"]
        assert {(g["element"], g["grade"], g["photo_sha256"]) for g in summary["grades"]} == {
            ("bin_store", "D", sha256(evidence)), ("graffiti", "C", None)}
        assert sorted(c["outcome"] for c in summary["rechecked"]) == ["looks_fixed", "still_there"]

    # The grade's photo is evidence the estate's people can see, on the page and in the PDF.
    page = await as_rep.http.get(f"/api/inspections/{walk}/summary.html", headers=as_rep.headers)
    assert f'src="/api/photos/{sha256(evidence)}?variant=thumb"' in page.text
    thumb = await as_rep.http.get(f"/api/photos/{sha256(evidence)}", params={"variant": "thumb"},
                                  headers=as_rep.headers)
    assert thumb.status_code == 200 and thumb.headers["content-type"] == "image/jpeg"
    pdf = await as_rep.http.get(f"/api/inspections/{walk}/summary.pdf", headers=as_rep.headers)
    assert pdf.status_code == 200 and b"/Subtype /Image" in pdf.content


async def test_a_walk_on_another_estate_cannot_be_joined_and_looks_like_no_walk(as_staff, as_rep, as_rep2):
    larkspur, canal_walk = as_rep.estate(), as_rep2.estate()
    walk = str(shared_walk_id(larkspur, TODAY, "K7Q4MB"))
    await as_staff.push(create(as_staff, walk, larkspur, ["Sam Okafor"]))
    unknown = str(uuid.uuid4())

    answer = await as_rep2.push(
        # The Larkspur walk's id, claimed for the estate the rep does belong to.
        create(as_rep2, walk, canal_walk, ["Linh Nguyen"]),
        as_rep2.mutation("inspection.update", {"id": unknown, "fields": {"notes": "?"}}),
        # Larkspur itself: not a member, whether or not the walk exists.
        create(as_rep2, walk, larkspur, ["Linh Nguyen"]),
        create(as_rep2, str(uuid.uuid4()), larkspur, ["Linh Nguyen"]),
    )
    assert outcomes(answer) == ["rejected"] * 4
    reasons = [r["reason"] for r in answer["results"]]
    assert reasons[0].replace(walk, "<id>") == reasons[1].replace(unknown, "<id>")
    assert reasons[2] == reasons[3]

    assert (await pulled_inspections(as_staff))[walk]["attendees"] == ["Sam Okafor"]
    assert walk not in await pulled_inspections(as_rep2)
    await get_json(as_rep2, f"/api/inspections/{walk}/summary", expect=404)


async def test_a_grade_cannot_borrow_a_photo_from_another_estate(as_staff, as_rep, as_rep2):
    larkspur, canal_walk = as_rep.estate(), as_rep2.estate()
    # A photo of a Canal Walk issue: uploaded and shown there.
    issue = new_issue_args(canal_walk, title="Towpath gate broken")
    photo = phone_photo(seed=5)
    await as_rep2.push(as_rep2.mutation("issue.create", issue),
                       as_rep2.mutation("photo.attach", {"id": str(uuid.uuid4()), "issue_id": issue["id"],
                                                         "sha256": sha256(photo)}))
    assert (await as_rep2.http.put(f"/api/photos/{sha256(photo)}", content=photo,
                                   headers=as_rep2.headers)).status_code in (200, 201)

    walk = str(uuid.uuid4())
    answer = await as_rep.push(
        create(as_rep, walk, larkspur, ["Ayşe Demir"]),
        as_rep.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": walk,
                                             "element": "graffiti", "grade": "D", "photo_sha256": sha256(photo)}))
    assert outcomes(answer) == ["applied", "rejected"]
    seen = await as_rep.http.get(f"/api/photos/{sha256(photo)}", params={"variant": "thumb"},
                                 headers=as_rep.headers)
    assert seen.status_code == 404
