"""Demo data: two estates, their blocks and communal areas, a past inspection and a dozen issues.

Issues are made through the sync engine, exactly as phones make them, so their timelines are real. The demo
accounts share the password ``demo`` and only sign in on a server started in demo mode.
"""

from __future__ import annotations

import datetime as dt
import typing
import uuid
from uuid import UUID

from server.auth.passwords import hash_password
from server.clock import utcnow
from server.db.tables import Estate
from server.estates import EstateAdmin
from server.sync_api.unit_of_work import unit_of_work
from sync import mutations as m
from sync.engine import apply_push
from sync.hlc import format_stamp
from sync.records import Actor, Role

DEMO_PASSWORD = "demo"
_NS = uuid.UUID("5d1e6f0a-7c0b-4c64-9a53-2f3f4f7d9e10")


def demo_id(name: str) -> UUID:
    return uuid.uuid5(_NS, name)


FIRST_ESTATE = demo_id("estate:larkspur")
SECOND_ESTATE = demo_id("estate:canal-walk")

ACCOUNTS: list[tuple[str, str, dict[UUID, Role]]] = [
    ("staff@demo.test", "Sam Okafor (Estate Services)", {FIRST_ESTATE: "staff", SECOND_ESTATE: "staff"}),
    ("rep@demo.test", "Ayşe Demir (Larkspur TRA)", {FIRST_ESTATE: "tra_rep"}),
    ("rep2@demo.test", "Linh Nguyen (Canal Walk TRA)", {SECOND_ESTATE: "tra_rep"}),
    ("contractor@demo.test", "Brightway Lighting Ltd", {FIRST_ESTATE: "contractor", SECOND_ESTATE: "contractor"}),
]

ESTATES = {
    FIRST_ESTATE: ("Larkspur Estate", {
        "Larkspur House": ["Ground floor", "Floor 1", "Floor 2", "Floor 3"],
        "Foxglove Court": ["Ground floor", "Floor 1", "Floor 2"],
    }, [("Bin store A", "bin_store"), ("Car park", "car_park"), ("Play area", "play_area"),
        ("Community garden", "garden")]),
    SECOND_ESTATE: ("Canal Walk Estate", {
        "Wharf House": ["Ground floor", "Floor 1", "Floor 2"],
        "Lock Keeper's Court": ["Ground floor", "Floor 1"],
    }, [("Bin store", "bin_store"), ("Towpath entrance", "other"), ("Garages", "car_park")]),
}


async def demo_data_loaded() -> bool:
    return await Estate.exists().where(Estate.id == FIRST_ESTATE)


async def load_demo_data() -> bool:
    """Load the demo data unless it is there already. Returns whether it loaded anything."""
    if await demo_data_loaded():
        return False
    users: dict[str, UUID] = {}
    # The demo accounts share a published password: one Argon2 hash serves them all.
    demo_hash = hash_password(DEMO_PASSWORD)
    async with EstateAdmin() as admin:
        for estate_id, (name, blocks, areas) in ESTATES.items():
            await admin.create_estate(name, estate_id)
            for b, (block, floors) in enumerate(blocks.items()):
                block_id = await admin.add_location(estate_id, block, "block", location_id=demo_id(block),
                                                    sort_order=b)
                for f, floor in enumerate(floors):
                    floor_id = await admin.add_location(estate_id, floor, "floor", block_id,
                                                        demo_id(f"{block}/{floor}"), f)
                    await admin.add_location(estate_id, "Stairwell", "stairwell", floor_id,
                                             demo_id(f"{block}/{floor}/stairwell"))
            for a, (area, kind) in enumerate(areas):
                await admin.add_location(estate_id, area, kind, location_id=demo_id(area), sort_order=10 + a)
        for email, name, roles in ACCOUNTS:
            users[email] = await admin.create_user(email, name, is_demo=True, user_id=demo_id(email),
                                                   password_hash=demo_hash)
            for estate_id, role in roles.items():
                await admin.add_member(users[email], estate_id, role)
    await _load_demo_issues(users)
    return True


class _Phone:
    """A demo phone: numbers mutations and stamps them as a real one would."""

    def __init__(self, email: str, users: dict[str, UUID], roles: dict[UUID, Role]) -> None:
        self.client_id = demo_id(f"client:{email}")
        self.actor = Actor(user_id=users[email], roles=roles)
        self.next_id = 1
        self.queue: list[m.AnyMutation] = []

    def add(self, kind: type, when: dt.datetime, /, **args: object) -> None:
        # The demo replays weeks of history in one go: stamp each change at the moment it is said to have
        # happened. (Through one forward-only phone clock, an old change queued after a recent one would take
        # the recent one's time, and the dashboard's time-to-fix would be weeks off.)
        stamp = format_stamp(int(when.timestamp() * 1000), self.next_id, str(self.client_id))
        args_type = typing.get_type_hints(kind)["args"]
        self.queue.append(kind(id=self.next_id, at=stamp, args=args_type(**args)))
        self.next_id += 1

    async def sync(self) -> None:
        async with unit_of_work() as store:
            outcome = await apply_push(store, self.actor, self.client_id, self.queue, utcnow())
        refused = [r for r in outcome.results if r.status != "applied"]
        if refused:
            raise RuntimeError(f"demo data was refused: {refused}")
        self.queue = []


async def _load_demo_issues(users: dict[str, UUID]) -> None:
    staff = _Phone("staff@demo.test", users, {FIRST_ESTATE: "staff", SECOND_ESTATE: "staff"})
    rep = _Phone("rep@demo.test", users, {FIRST_ESTATE: "tra_rep"})
    rep2 = _Phone("rep2@demo.test", users, {SECOND_ESTATE: "tra_rep"})
    contractor = _Phone("contractor@demo.test", users, {FIRST_ESTATE: "contractor", SECOND_ESTATE: "contractor"})
    now = utcnow().replace(microsecond=0)
    walk = now - dt.timedelta(days=28)
    inspection = demo_id("inspection:larkspur:last-month")
    staff.add(m.InspectionCreate, walk, id=inspection, estate_id=FIRST_ESTATE, date=walk.date(),
              attendees=["Sam Okafor (Estate Services)", "Ayşe Demir (Larkspur TRA)", "Mr Hassan (resident)"],
              notes="Monthly walkabout. Dry day; bin store A inspected with the caretaker.")

    def issue(phone: _Phone, key: str, estate: UUID, location: str | None, category: str, title: str,
              description: str, priority: str, when: dt.datetime, from_inspection: bool = False) -> UUID:
        issue_id = demo_id(f"issue:{key}")
        phone.add(m.IssueCreate, when, id=issue_id, estate_id=estate,
                  location_id=demo_id(location) if location else None, category=category, title=title,
                  description=description, priority=priority, captured_at=when,
                  inspection_id=inspection if from_inspection else None)
        return issue_id

    w = walk + dt.timedelta(minutes=5)
    light = issue(rep, "light", FIRST_ESTATE, "Larkspur House/Floor 2/stairwell", "lighting",
                  "Stairwell light out on floor 2", "Completely dark after 4pm. Older residents use the handrail.",
                  "high", w, True)
    bins = issue(staff, "bins", FIRST_ESTATE, "Bin store A", "bin_store", "Bin store door does not close",
                 "Door closer broken; foxes getting into the bins.", "normal", w + dt.timedelta(minutes=8), True)
    tipping = issue(rep, "tipping", FIRST_ESTATE, "Car park", "fly_tipping", "Mattress and sofa dumped by bay 12",
                    "", "normal", w + dt.timedelta(minutes=15), True)
    graffiti = issue(staff, "graffiti", FIRST_ESTATE, "Foxglove Court/Ground floor", "graffiti",
                     "Graffiti in the entrance lobby", "Not offensive. Residents asked for it to be painted over.",
                     "low", w + dt.timedelta(minutes=21), True)
    roof = issue(rep, "roof", FIRST_ESTATE, "Foxglove Court/Floor 2", "communal_repairs",
                 "Water coming through the ceiling by flat 24", "Bucket in place. Worse when it rains hard.",
                 "urgent", w + dt.timedelta(minutes=30), True)
    swing = issue(rep, "swing", FIRST_ESTATE, "Play area", "play_area", "Broken swing seat",
                  "Chain snapped on the left swing.", "high", w + dt.timedelta(minutes=40), True)
    entry = issue(rep, "entry", FIRST_ESTATE, "Larkspur House/Ground floor", "communal_repairs",
                  "Door entry buzzer not working for flats 1–8", "", "high", now - dt.timedelta(days=6))
    issue(rep, "noticeboard", FIRST_ESTATE, "Larkspur House/Ground floor", "signage",
          "Noticeboard out of date", "Still shows last year's meeting dates.", "low", now - dt.timedelta(days=2))
    lift = issue(rep2, "lift", SECOND_ESTATE, "Wharf House", "lifts", "Lift stuck on floor 2 again",
                 "Third time this month.", "urgent", now - dt.timedelta(days=12))
    rats = issue(rep2, "rats", SECOND_ESTATE, "Bin store", "pests", "Rats seen around the bins", "",
                 "high", now - dt.timedelta(days=9))
    issue(staff, "car", SECOND_ESTATE, "Garages", "abandoned_vehicle", "Abandoned car, no plates, garage 7",
          "", "normal", now - dt.timedelta(days=5))
    issue(rep2, "towpath", SECOND_ESTATE, "Towpath entrance", "lighting", "Towpath gate light flickering",
          "", "normal", now - dt.timedelta(days=1))
    await staff.sync()
    await rep.sync()
    await rep2.sync()

    sam, brightway = users["staff@demo.test"], users["contractor@demo.test"]
    t = walk + dt.timedelta(days=1)

    def own(issue_id: UUID, when: dt.datetime, days: int, assignee: UUID | None = None) -> None:
        fields = m.IssueFields(owner_id=sam, due_date=(when + dt.timedelta(days=days)).date(),
                               assignee_id=assignee) if assignee else m.IssueFields(
            owner_id=sam, due_date=(when + dt.timedelta(days=days)).date())
        staff.add(m.IssueUpdate, when, id=issue_id, fields=fields)
        staff.add(m.IssueStatus, when + dt.timedelta(minutes=1), id=issue_id, status="acknowledged",
                  note="Logged with the repairs team.")

    own(light, t, 7, brightway)
    own(bins, t, 14)
    own(tipping, t, 3)
    own(roof, t, 5)
    own(swing, t, 10)
    own(entry, now - dt.timedelta(days=5), 3)
    own(lift, now - dt.timedelta(days=11), 2)
    own(rats, now - dt.timedelta(days=8), 7)
    staff.add(m.IssueStatus, t + dt.timedelta(days=2), id=tipping, status="in_progress", note=None)
    staff.add(m.IssueStatus, t + dt.timedelta(days=3), id=tipping, status="fixed",
              note="Bulky waste team collected both items.")
    staff.add(m.IssueStatus, t + dt.timedelta(days=4), id=roof, status="in_progress", note=None)
    staff.add(m.IssueStatus, t + dt.timedelta(days=9), id=swing, status="fixed", note="New seat and chain fitted.")
    staff.add(m.IssueStatus, t, id=graffiti, status="wont_fix",
              note="Mural planned for this wall with the youth club; painting over now would be wasted.")
    staff.add(m.IssueComment, t + dt.timedelta(days=4, hours=2), id=demo_id("comment:roof"), issue_id=roof,
              body="Roofer booked for Thursday; scaffold goes up Wednesday.")
    await staff.sync()
    contractor.add(m.IssueStatus, t + dt.timedelta(days=2), id=light, status="in_progress", note=None)
    contractor.add(m.IssueStatus, t + dt.timedelta(days=3), id=light, status="fixed",
                   note="Replaced the LED fitting and the sensor.")
    await contractor.sync()
    rep.add(m.IssueStatus, t + dt.timedelta(days=5), id=light, status="confirmed", note=None)
    rep.add(m.IssueStatus, t + dt.timedelta(days=12), id=swing, status="disputed",
            note="The new seat is fine but the chain on the other swing is rusty too.")
    rep.add(m.IssueComment, t + dt.timedelta(days=12, minutes=5), id=demo_id("comment:bins"), issue_id=bins,
            body="Still not closing this morning.")
    await rep.sync()
    await _load_demo_grades_and_meeting(staff, rep, inspection, walk, {
        "light": light, "bins": bins, "tipping": tipping, "graffiti": graffiti, "roof": roof, "swing": swing,
        "entry": entry})


async def _load_demo_grades_and_meeting(staff: _Phone, rep: _Phone, inspection: UUID, walk: dt.datetime,
                                        issues: dict[str, UUID]) -> None:
    """Grades agreed on two walks (so the dashboard has a trend) and the TRA meeting that reviewed the walk."""
    agreed = ["Sam Okafor (Estate Services)", "Ayşe Demir (Larkspur TRA)"]
    earlier = demo_id("inspection:larkspur:two-months-ago")
    before = walk - dt.timedelta(days=30)
    staff.add(m.InspectionCreate, before, id=earlier, estate_id=FIRST_ESTATE, date=before.date(),
              attendees=agreed, notes="Monthly walkabout.")
    grades = {
        earlier: [(None, "internal_cleaning", "C"), ("Bin store A", "bin_store", "D"), (None, "lighting", "C"),
                  ("Play area", "play_area", "B"), (None, "graffiti", "C")],
        inspection: [(None, "internal_cleaning", "B"), ("Bin store A", "bin_store", "C"), (None, "lighting", "B"),
                     ("Play area", "play_area", "B"), (None, "graffiti", "B")],
    }
    for walk_id, rows in grades.items():
        when = (before if walk_id == earlier else walk) + dt.timedelta(hours=1)
        for location, element, grade in rows:
            staff.add(m.InspectionGrade, when, id=demo_id(f"grade:{walk_id}:{element}"), inspection_id=walk_id,
                      location_id=demo_id(location) if location else None, element=element, grade=grade,
                      agreed_by=agreed)
    meeting = demo_id("meeting:larkspur:tra")
    held = walk + dt.timedelta(days=7)
    staff.add(m.MeetingCreate, held, id=meeting, estate_id=FIRST_ESTATE, date=held.date(),
              title="Larkspur TRA meeting", attendees=[*agreed, "Mr Hassan (resident)", "Mrs Okoye (resident)"],
              notes="Reviewed last month's walkabout.")
    for key in ("light", "bins", "tipping", "graffiti", "roof", "swing"):
        staff.add(m.MeetingIssue, held, meeting_id=meeting, issue_id=issues[key], kind="reviewed")
    staff.add(m.MeetingIssue, held, meeting_id=meeting, issue_id=issues["entry"], kind="raised")
    await staff.sync()
