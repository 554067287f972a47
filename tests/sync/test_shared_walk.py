"""A shared walk, in the engine: two phones derive one inspection id from a join code, offline, and whichever
create reaches the server second joins the walk instead of being refused. Joining is never a way into an estate
the person is not part of."""

from __future__ import annotations

import hashlib
import uuid

import pytest

from sync.memory import MemoryStore
from sync.walks import CODE_ALPHABET, WALK_NAMESPACE, check_character, normalise_code, shared_walk_id
from tests.sync.conftest import ESTATE, LOCATION, OTHER_ESTATE, SERVER_MS, Phone, issue_args

CODE = "K7Q4MB"  # five random characters and the check character
DATE = "2026-11-23"


def rfc_uuid5(namespace: uuid.UUID, name: str) -> uuid.UUID:
    """RFC 9562's name-based UUID worked out by hand, to pin the derivation the phones share."""
    digest = bytearray(hashlib.sha1(namespace.bytes + name.encode()).digest()[:16])
    digest[6] = (digest[6] & 0x0F) | 0x50
    digest[8] = (digest[8] & 0x3F) | 0x80
    return uuid.UUID(bytes=bytes(digest))


def walk_create(phone: Phone, walk_id: uuid.UUID, *, attendees: list[str], date: str = DATE, notes: str = "",
                estate: uuid.UUID = ESTATE, at_ms: int = SERVER_MS - 60_000):
    return phone.mutation("inspection.create", {"id": str(walk_id), "estate_id": str(estate), "date": date,
                                                "attendees": attendees, "notes": notes}, at_ms=at_ms)


def grade(phone: Phone, walk_id: uuid.UUID, element: str, value: str, **extra):
    return phone.mutation("inspection.grade", {"id": str(uuid.uuid4()), "inspection_id": str(walk_id),
                                               "location_id": str(LOCATION), "element": element, "grade": value,
                                               **extra})


def recheck(phone: Phone, walk_id: uuid.UUID, issue_id: str, outcome: str):
    return phone.mutation("inspection.recheck", {"id": str(uuid.uuid4()), "inspection_id": str(walk_id),
                                                 "issue_id": issue_id, "outcome": outcome})


def statuses(outcome) -> list[str]:
    return [r.status for r in outcome.results]


def test_the_join_code_names_one_inspection_per_estate_and_day():
    expected = rfc_uuid5(WALK_NAMESPACE, f"estatewalk:walk:{ESTATE}:{DATE}:{CODE}")
    assert shared_walk_id(ESTATE, DATE, CODE) == expected
    # Typed as people type it: lower case, with the dash the screen shows, an O for a zero, an L for a one.
    assert shared_walk_id(str(ESTATE), DATE, "k7q-4mb") == expected
    road = "R0AD1" + check_character("R0AD1")
    assert shared_walk_id(ESTATE, DATE, road) == shared_walk_id(ESTATE, DATE, road.lower().replace("0", "o").replace("1", "l"))
    assert shared_walk_id(OTHER_ESTATE, DATE, CODE) != expected
    assert shared_walk_id(ESTATE, "2026-11-24", CODE) != expected
    for typed in ("K7Q4M", "K7Q4MBB", "K7Q4M!", ""):
        with pytest.raises(ValueError):
            normalise_code(typed)


def test_any_one_mistyped_character_of_a_join_code_is_caught():
    for position in range(len(CODE)):
        for wrong in CODE_ALPHABET:
            if wrong != CODE[position]:
                typo = CODE[:position] + wrong + CODE[position + 1:]
                with pytest.raises(ValueError):
                    normalise_code(typo)


async def test_two_phones_offline_record_into_one_inspection(store: MemoryStore):
    staff = Phone(store, role="staff")
    rep = Phone(store, role="tra_rep")
    walk = shared_walk_id(ESTATE, DATE, CODE)
    older = issue_args()
    assert statuses(await staff.push(staff.mutation("issue.create", older))) == ["applied"]

    # The rep's phone comes back into signal first: its create makes the inspection.
    from_rep = await rep.push(
        walk_create(rep, walk, attendees=["Ayşe Demir"], notes="Lift smelt of smoke"),
        rep.mutation("issue.create", issue_args(title="Bin store door off", inspection_id=str(walk))),
        grade(rep, walk, "bin_store", "D"),
        recheck(rep, walk, older["id"], "still_there"),
    )
    from_staff = await staff.push(
        walk_create(staff, walk, attendees=["Sam Okafor", "Ayşe Demir", "Cllr Okafor"],
                    notes="Caretaker present"),
        staff.mutation("issue.create", issue_args(title="Graffiti on the garages", inspection_id=str(walk))),
        grade(staff, walk, "lighting", "B"),
        recheck(staff, walk, older["id"], "looks_fixed"),
    )
    assert statuses(from_rep) == statuses(from_staff) == ["applied"] * 4

    assert list(store.inspections) == [walk]
    inspection = store.inspections[walk]
    assert inspection.attendees == ["Ayşe Demir", "Sam Okafor", "Cllr Okafor"]
    assert inspection.notes.splitlines() == ["Lift smelt of smoke", "Caretaker present"]
    assert inspection.created_by == rep.actor.user_id
    raised = {i.title for i in store.issues.values() if i.inspection_id == walk}
    assert raised == {"Bin store door off", "Graffiti on the garages"}
    assert {(g.element, g.grade) for g in store.grades.values() if g.inspection_id == walk} == {
        ("bin_store", "D"), ("lighting", "B")}
    assert sorted(r.outcome for r in store.rechecks.values() if r.inspection_id == walk) == [
        "looks_fixed", "still_there"]


async def test_joining_again_changes_nothing_and_a_resend_is_a_duplicate(store: MemoryStore):
    staff = Phone(store, role="staff")
    rep = Phone(store, role="tra_rep")
    walk = shared_walk_id(ESTATE, DATE, CODE)
    await staff.push(walk_create(staff, walk, attendees=["Sam Okafor"]))
    join = walk_create(rep, walk, attendees=["Ayşe Demir"], notes="From the TRA")
    assert statuses(await rep.push(join)) == ["applied"]
    after_join = store.inspections[walk]

    assert statuses(await rep.push(join)) == ["duplicate"]
    # The same person joining again from the start (a new number: e.g. the app reinstalled).
    assert statuses(await rep.push(walk_create(rep, walk, attendees=[" ayşe demir "], notes="From the TRA"))) \
        == ["applied"]
    assert store.inspections[walk] == after_join
    assert after_join.attendees == ["Sam Okafor", "Ayşe Demir"]


async def test_a_join_with_another_date_joins_and_keeps_the_first_date(store: MemoryStore):
    staff = Phone(store, role="staff")
    rep = Phone(store, role="tra_rep")
    walk = shared_walk_id(ESTATE, DATE, CODE)
    await staff.push(walk_create(staff, walk, attendees=["Sam Okafor"]))
    # Honest phones derive the id from the date, so only a changed date or a made-up client gets here.
    assert statuses(await rep.push(walk_create(rep, walk, attendees=["Ayşe Demir"], date="2026-11-24"))) == [
        "applied"]
    assert store.inspections[walk].date.isoformat() == DATE
    assert store.inspections[walk].attendees == ["Sam Okafor", "Ayşe Demir"]


async def test_a_later_edit_of_the_attendees_still_wins_over_an_earlier_join(store: MemoryStore):
    staff = Phone(store, role="staff")
    rep = Phone(store, role="tra_rep")
    walk = shared_walk_id(ESTATE, DATE, CODE)
    await staff.push(walk_create(staff, walk, attendees=["Sam Okafor"], at_ms=SERVER_MS - 120_000))
    await staff.push(staff.mutation("inspection.update", {"id": str(walk), "fields": {
        "attendees": ["Sam Okafor", "Mr Hassan"]}}, at_ms=SERVER_MS - 30_000))
    # The rep joined earlier (by the clock) but syncs later: added, and the attendees' stamp does not go back.
    await rep.push(walk_create(rep, walk, attendees=["Ayşe Demir"], at_ms=SERVER_MS - 90_000))
    inspection = store.inspections[walk]
    assert inspection.attendees == ["Sam Okafor", "Mr Hassan", "Ayşe Demir"]
    assert inspection.field_stamps["attendees"].startswith(f"{SERVER_MS - 30_000:015d}")


async def test_an_id_on_another_estate_is_refused_like_an_id_that_does_not_exist(store: MemoryStore):
    staff = Phone(store, role="staff")
    outsider = Phone(store, role="tra_rep", estate=OTHER_ESTATE)
    walk = shared_walk_id(ESTATE, DATE, CODE)
    await staff.push(walk_create(staff, walk, attendees=["Sam Okafor"]))
    before = store.inspections[walk]

    unknown = uuid.uuid4()
    answer = await outsider.push(
        # Their own estate, but the id of a walk on Larkspur (copied from somewhere, or a forged collision).
        walk_create(outsider, walk, attendees=["Linh Nguyen"], estate=OTHER_ESTATE),
        outsider.mutation("inspection.update", {"id": str(unknown), "fields": {"notes": "x"}}),
        # Larkspur itself, where they are not a member: the same refusal whether the walk exists or not.
        walk_create(outsider, walk, attendees=["Linh Nguyen"]),
        walk_create(outsider, uuid.uuid4(), attendees=["Linh Nguyen"]),
    )
    assert statuses(answer) == ["rejected"] * 4
    reasons = [r.reason for r in answer.results]
    assert reasons[0].replace(str(walk), "<id>") == reasons[1].replace(str(unknown), "<id>")
    assert reasons[2] == reasons[3] == "you are not a member of this estate"
    assert store.inspections[walk] == before
    assert len(store.inspections) == 1


async def test_a_contractor_cannot_join_a_walk(store: MemoryStore):
    staff = Phone(store, role="staff")
    contractor = Phone(store, role="contractor")
    walk = shared_walk_id(ESTATE, DATE, CODE)
    await staff.push(walk_create(staff, walk, attendees=["Sam Okafor"]))
    answer = await contractor.push(walk_create(contractor, walk, attendees=["Brightway"]),
                                   walk_create(contractor, uuid.uuid4(), attendees=["Brightway"]))
    assert statuses(answer) == ["rejected", "rejected"]
    assert answer.results[0].reason == answer.results[1].reason
    assert store.inspections[walk].attendees == ["Sam Okafor"]


async def test_a_grade_photo_must_be_new_to_the_server_or_already_shown_on_the_estate(store: MemoryStore):
    staff = Phone(store, role="staff")
    rep = Phone(store, role="tra_rep")
    outsider = Phone(store, role="staff", estate=OTHER_ESTATE)
    walk = shared_walk_id(ESTATE, DATE, CODE)
    elsewhere = shared_walk_id(OTHER_ESTATE, DATE, CODE)
    fresh, on_issue, foreign = "a" * 64, "b" * 64, "c" * 64
    store.stored_photo_bytes |= {on_issue, foreign}
    store.photo_uploads.add((on_issue, staff.actor.user_id))  # staff's phone sent the bytes it attaches
    issue = issue_args()
    await staff.push(
        walk_create(staff, walk, attendees=["Sam Okafor"]),
        staff.mutation("issue.create", issue),
        staff.mutation("photo.attach", {"id": str(uuid.uuid4()), "issue_id": issue["id"], "sha256": on_issue}))
    await outsider.push(walk_create(outsider, elsewhere, attendees=["Linh"], estate=OTHER_ESTATE))
    outsiders_grade = outsider.mutation("inspection.grade", {
        "id": str(uuid.uuid4()), "inspection_id": str(elsewhere), "element": "graffiti", "grade": "C",
        "photo_sha256": foreign})
    assert statuses(await outsider.push(outsiders_grade)) == ["rejected"]

    answer = await rep.push(
        grade(rep, walk, "bin_store", "D", photo_sha256=fresh),      # not uploaded yet: the phone sends it next
        grade(rep, walk, "lighting", "C", photo_sha256=on_issue),    # already a photo of an issue here
        grade(rep, walk, "graffiti", "B", photo_sha256=foreign),     # bytes the estate has never shown
    )
    assert statuses(answer) == ["applied", "applied", "rejected"]
    assert "take it again" in answer.results[2].reason
    assert {g.element: g.photo_sha256 for g in store.grades.values()} == {"bin_store": fresh, "lighting": on_issue}
