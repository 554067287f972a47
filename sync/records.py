"""What the sync engine reads and writes: issues, their timeline, photos and inspections.

These are also the ``data`` of pulled changes, so a phone sees exactly these fields.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal
from uuid import UUID

from msgspec import Struct

Role = Literal["staff", "tra_rep", "contractor"]
ROLES: tuple[Role, ...] = ("staff", "tra_rep", "contractor")

PRIORITIES = ("low", "normal", "high", "urgent")

#: How a person hears about the issues they follow: an e-mail per change (the default), a daily digest, or none.
MailMode = Literal["immediate", "daily", "none"]
MAIL_MODES: tuple[MailMode, ...] = ("immediate", "daily", "none")

#: The default categories (editable per landlord later); from the estate-standard practice in the domain notes.
CATEGORIES = (
    "internal_cleaning",
    "external_cleaning",
    "bin_store",
    "fly_tipping",
    "graffiti",
    "grounds",
    "hard_landscape",
    "lighting",
    "communal_repairs",
    "lifts",
    "fire_safety",
    "pests",
    "play_area",
    "signage",
    "car_park",
    "abandoned_vehicle",
    "tenancy_breach",
    "other",
)

ISSUE_FIELDS = (
    "title",
    "description",
    "category",
    "priority",
    "location_id",
    "owner_id",
    "assignee_id",
    "due_date",
)
INSPECTION_FIELDS = ("date", "attendees", "notes", "finished_at")

EventKind = Literal[
    "created",
    "comment",
    "status_changed",
    "field_changed",
    "superseded_edit",
    "photo_added",
    "withdrawn",
    "merged",
    "rechecked",
]


class Actor(Struct, frozen=True):
    """Who is applying a mutation, and their role on each estate they belong to."""

    user_id: UUID
    roles: dict[UUID, Role]

    def role_on(self, estate_id: UUID) -> Role | None:
        return self.roles.get(estate_id)


class Issue(Struct):
    id: UUID
    estate_id: UUID
    location_id: UUID | None
    inspection_id: UUID | None
    category: str
    title: str
    description: str
    priority: str
    status: str
    owner_id: UUID | None
    assignee_id: UUID | None
    due_date: dt.date | None
    raised_by: UUID
    captured_at: dt.datetime
    created_at: dt.datetime
    updated_at: dt.datetime
    field_stamps: dict[str, str]
    merged_into: UUID | None = None
    withdrawn: bool = False
    written_in: str = ""
    """The language the title and description were typed in (for ``lang`` attributes; never translated)."""


class IssueEvent(Struct):
    id: UUID
    issue_id: UUID
    estate_id: UUID
    kind: EventKind
    actor_id: UUID
    at: str
    recorded_at: dt.datetime
    data: dict[str, Any]


class Photo(Struct):
    id: UUID
    issue_id: UUID
    estate_id: UUID
    sha256: str
    content_type: str
    byte_size: int
    width: int
    height: int
    captured_at: dt.datetime | None
    caption: str | None
    added_by: UUID
    uploaded: bool = False


class Inspection(Struct):
    id: UUID
    estate_id: UUID
    date: dt.date
    attendees: list[str]
    notes: str
    created_by: UUID
    finished_at: dt.datetime | None
    field_stamps: dict[str, str]


class InspectionGrade(Struct):
    """How well one element at one location was kept, graded during an inspection in the estate's scheme."""

    id: UUID
    inspection_id: UUID
    estate_id: UUID
    location_id: UUID | None
    element: str
    scheme: str
    grade: str
    agreed_by: list[str]
    note: str
    graded_by: UUID
    at: str
    photo_sha256: str | None = None
    """A photo of the element as graded, served like an issue's photos to the estate's staff and TRA reps."""


class InspectionRecheck(Struct):
    """An existing issue looked at again during an inspection."""

    id: UUID
    inspection_id: UUID
    issue_id: UUID
    estate_id: UUID
    outcome: str
    note: str
    checked_by: UUID
    at: str


class Meeting(Struct):
    id: UUID
    estate_id: UUID
    date: dt.date
    title: str
    attendees: list[str]
    notes: str
    created_by: UUID


class MeetingIssue(Struct):
    """An issue on a meeting's action plan: ``raised`` at the meeting or ``reviewed`` there."""

    meeting_id: UUID
    issue_id: UUID
    estate_id: UUID
    kind: str
    added_by: UUID
