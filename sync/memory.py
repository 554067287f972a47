"""An in-memory ``Store``: the reference the engine is tested against, and the device simulator's model."""

from __future__ import annotations

import contextlib
import copy
import secrets
from collections.abc import AsyncIterator
from uuid import UUID

from sync.grading import DEFAULT_SCHEME
from sync.records import (
    Actor,
    Inspection,
    InspectionGrade,
    InspectionRecheck,
    Issue,
    IssueEvent,
    Meeting,
    MeetingIssue,
    Photo,
    Role,
)
from sync.store import ClientState, IdTaken, MutationRecord


class MemoryStore:
    def __init__(self) -> None:
        self.clients: dict[UUID, ClientState] = {}
        self.mutations: dict[tuple[UUID, int], MutationRecord] = {}
        self.issues: dict[UUID, Issue] = {}
        self.events: dict[UUID, IssueEvent] = {}
        self.photos: dict[UUID, Photo] = {}
        self.inspections: dict[UUID, Inspection] = {}
        self.locations: dict[UUID, UUID] = {}
        self.roles: dict[tuple[UUID, UUID], Role] = {}
        self.stored_photo_bytes: set[str] = set()
        self.schemes: dict[UUID, str] = {}
        self.grades: dict[UUID, InspectionGrade] = {}
        self.rechecks: dict[UUID, InspectionRecheck] = {}
        self.meetings: dict[UUID, Meeting] = {}
        self.meeting_issues: dict[tuple[UUID, UUID], MeetingIssue] = {}
        self.followers: set[tuple[UUID, UUID]] = set()
        self.mail_preferences: dict[UUID, tuple[str, str | None]] = {}
        self.photo_uploads: set[tuple[str, UUID]] = set()
        self.secret = secrets.token_bytes(32)

    @contextlib.asynccontextmanager
    async def savepoint(self) -> AsyncIterator[None]:
        """Like a database savepoint: on any exception every container is put back as it was."""
        saved = {name: copy.copy(value) for name, value in vars(self).items() if isinstance(value, (dict, set))}
        try:
            yield
        except BaseException:
            for name, value in saved.items():
                setattr(self, name, value)
            raise

    async def server_secret(self) -> bytes:
        return self.secret

    # Copies in and out, as a database would: the engine must save what it changes.
    async def client_state(self, client_id: UUID) -> ClientState | None:
        return copy.deepcopy(self.clients.get(client_id))

    async def save_client_state(self, state: ClientState) -> None:
        self.clients[state.client_id] = copy.deepcopy(state)

    async def mutation_fingerprint(self, client_id: UUID, mutation_id: int) -> str | None:
        record = self.mutations.get((client_id, mutation_id))
        return record.fingerprint if record else None

    async def record_mutation(self, record: MutationRecord, estate_id: UUID | None) -> None:
        self.mutations[(record.client_id, record.mutation_id)] = record

    async def id_in_use(self, row_id: UUID) -> str | None:
        for kind, rows in (("issue", self.issues), ("event", self.events), ("photo", self.photos),
                           ("inspection", self.inspections), ("grade", self.grades), ("recheck", self.rechecks),
                           ("meeting", self.meetings)):
            if row_id in rows:
                return kind
        return None

    async def issue(self, issue_id: UUID) -> Issue | None:
        return copy.deepcopy(self.issues.get(issue_id))

    async def save_issue(self, issue: Issue, *, new: bool) -> None:
        if new and issue.id in self.issues:
            raise IdTaken(str(issue.id))
        self.issues[issue.id] = copy.deepcopy(issue)

    async def event_exists(self, event_id: UUID) -> bool:
        return event_id in self.events

    async def add_event(self, event: IssueEvent) -> None:
        if event.id in self.events:
            raise IdTaken(str(event.id))  # the database's primary key would refuse it
        self.events[event.id] = event

    async def photo(self, photo_id: UUID) -> Photo | None:
        return copy.deepcopy(self.photos.get(photo_id))

    async def save_photo(self, photo: Photo, *, new: bool) -> None:
        if new and photo.id in self.photos:
            raise IdTaken(str(photo.id))
        self.photos[photo.id] = copy.deepcopy(photo)

    async def photo_bytes_stored(self, sha256: str) -> bool:
        return sha256 in self.stored_photo_bytes

    async def photo_on_estate(self, sha256: str, estate_id: UUID) -> bool:
        return any(p.sha256 == sha256 and p.estate_id == estate_id for p in self.photos.values()) or any(
            g.photo_sha256 == sha256 and g.estate_id == estate_id for g in self.grades.values())

    async def photo_uploaded_by(self, sha256: str, user_id: UUID) -> bool:
        return (sha256, user_id) in self.photo_uploads

    async def photo_visible_to(self, sha256: str, actor: Actor) -> bool:
        holders = {user for sha, user in self.photo_uploads if sha == sha256}
        for photo in self.photos.values():
            role = actor.role_on(photo.estate_id)
            if photo.sha256 != sha256 or photo.added_by not in holders or role is None:
                continue
            issue = self.issues.get(photo.issue_id)
            if role != "contractor" or (issue is not None and issue.assignee_id == actor.user_id):
                return True
        return any(g.photo_sha256 == sha256 and g.graded_by in holders
                   and actor.role_on(g.estate_id) in ("staff", "tra_rep") for g in self.grades.values())

    async def record_possession(self, sha256: str, user_id: UUID) -> None:
        self.photo_uploads.add((sha256, user_id))

    async def inspection(self, inspection_id: UUID) -> Inspection | None:
        return copy.deepcopy(self.inspections.get(inspection_id))

    async def save_inspection(self, inspection: Inspection, *, new: bool) -> None:
        if new and inspection.id in self.inspections:
            raise IdTaken(str(inspection.id))
        self.inspections[inspection.id] = copy.deepcopy(inspection)

    async def location_estate(self, location_id: UUID) -> UUID | None:
        return self.locations.get(location_id)

    async def estate_role(self, user_id: UUID, estate_id: UUID) -> Role | None:
        return self.roles.get((user_id, estate_id))

    async def grading_scheme(self, estate_id: UUID) -> str:
        return self.schemes.get(estate_id, DEFAULT_SCHEME)

    async def save_grading_scheme(self, estate_id: UUID, scheme: str, changed_by: UUID) -> None:
        self.schemes[estate_id] = scheme

    async def grade_for(self, inspection_id: UUID, location_id: UUID | None, element: str) -> InspectionGrade | None:
        for grade in self.grades.values():
            if (grade.inspection_id, grade.location_id, grade.element) == (inspection_id, location_id, element):
                return copy.deepcopy(grade)
        return None

    async def save_grade(self, grade: InspectionGrade, *, replaces: UUID | None) -> None:
        if replaces is not None:
            self.grades.pop(replaces, None)
        held = self.grades.get(grade.id)
        if held is not None and held.estate_id != grade.estate_id:
            raise IdTaken(str(grade.id))  # never replace a grade of another estate
        self.grades[grade.id] = copy.deepcopy(grade)

    async def recheck_exists(self, recheck_id: UUID) -> bool:
        return recheck_id in self.rechecks

    async def save_recheck(self, recheck: InspectionRecheck) -> None:
        if recheck.id in self.rechecks:
            raise IdTaken(str(recheck.id))
        self.rechecks[recheck.id] = copy.deepcopy(recheck)

    async def meeting(self, meeting_id: UUID) -> Meeting | None:
        return copy.deepcopy(self.meetings.get(meeting_id))

    async def save_meeting(self, meeting: Meeting) -> None:
        if meeting.id in self.meetings:
            raise IdTaken(str(meeting.id))
        self.meetings[meeting.id] = copy.deepcopy(meeting)

    async def meeting_issue(self, meeting_id: UUID, issue_id: UUID) -> MeetingIssue | None:
        return copy.deepcopy(self.meeting_issues.get((meeting_id, issue_id)))

    async def save_meeting_issue(self, link: MeetingIssue) -> None:
        self.meeting_issues[(link.meeting_id, link.issue_id)] = copy.deepcopy(link)

    async def mail_preference(self, user_id: UUID) -> tuple[str, str | None] | None:
        return self.mail_preferences.get(user_id)

    async def save_mail_preference(self, user_id: UUID, mode: str, at: str) -> None:
        self.mail_preferences[user_id] = (mode, at)

    async def set_following(self, issue_id: UUID, user_id: UUID, follow: bool, *, estate_id: UUID) -> None:
        if follow:
            self.followers.add((issue_id, user_id))
        else:
            self.followers.discard((issue_id, user_id))

    def timeline(self, issue_id: UUID) -> list[IssueEvent]:
        return sorted((e for e in self.events.values() if e.issue_id == issue_id), key=lambda e: (e.at, str(e.id)))
