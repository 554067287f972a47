"""The storage port of the sync engine.

The engine reads and writes through this interface only, so the same rules run over the database (the server's
store, inside one transaction per push) and over plain dictionaries (``sync.memory.MemoryStore``, for tests and
the device simulator).
"""

from __future__ import annotations

import datetime as dt
from contextlib import AbstractAsyncContextManager
from typing import Protocol
from uuid import UUID

from msgspec import Struct

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


class ClientState(Struct):
    client_id: UUID
    user_id: UUID
    last_mutation_id: int


class MutationRecord(Struct):
    """Every mutation a phone sent, kept with what became of it: the history nothing is lost from."""

    client_id: UUID
    mutation_id: int
    user_id: UUID
    name: str
    args: dict
    at: str
    effective_at: str
    status: str
    reason: str | None
    fingerprint: str
    received_at: dt.datetime


class IdTaken(Exception):
    """A write met a row that already holds its id (a unique constraint): the mutation is rejected, never a 500.

    Raised by ``Store.savepoint`` after it has undone everything the mutation wrote.
    """


class Store(Protocol):
    def savepoint(self) -> AbstractAsyncContextManager[None]:
        """Undo everything written inside if it raises; a unique-constraint failure comes out as ``IdTaken``."""
        ...

    async def server_secret(self) -> bytes:
        """The key the server derives ids with (HMAC), shared by all its processes and kept in its backups."""
        ...

    async def client_state(self, client_id: UUID) -> ClientState | None: ...
    async def save_client_state(self, state: ClientState) -> None: ...
    async def mutation_fingerprint(self, client_id: UUID, mutation_id: int) -> str | None: ...
    async def record_mutation(self, record: MutationRecord, estate_id: UUID | None) -> None: ...

    async def id_in_use(self, row_id: UUID) -> str | None:
        """The kind of row (``issue``, ``event``, ``photo``, ``inspection``, ``grade``, ``recheck``,
        ``meeting``) already holding this id anywhere, on any estate; ``None`` when it is free."""
        ...

    async def issue(self, issue_id: UUID) -> Issue | None: ...
    async def save_issue(self, issue: Issue, *, new: bool) -> None: ...
    async def event_exists(self, event_id: UUID) -> bool: ...
    async def add_event(self, event: IssueEvent) -> None: ...
    async def photo(self, photo_id: UUID) -> Photo | None: ...
    async def save_photo(self, photo: Photo, *, new: bool) -> None: ...
    async def photo_bytes_stored(self, sha256: str) -> bool: ...
    async def photo_on_estate(self, sha256: str, estate_id: UUID) -> bool: ...
    async def photo_uploaded_by(self, sha256: str, user_id: UUID) -> bool:
        """Whether this person proved they hold these bytes (uploaded them, or attached them while seeing them)."""
        ...

    async def photo_visible_to(self, sha256: str, actor: Actor) -> bool:
        """Whether these bytes are already shown to this person (attached to something they can see)."""
        ...

    async def record_possession(self, sha256: str, user_id: UUID) -> None: ...
    async def inspection(self, inspection_id: UUID) -> Inspection | None: ...
    async def save_inspection(self, inspection: Inspection, *, new: bool) -> None: ...

    async def location_estate(self, location_id: UUID) -> UUID | None: ...
    async def estate_role(self, user_id: UUID, estate_id: UUID) -> Role | None: ...

    # Inspections as a record, meetings and their action plans, who follows an issue.
    async def grading_scheme(self, estate_id: UUID) -> str: ...
    async def save_grading_scheme(self, estate_id: UUID, scheme: str, changed_by: UUID) -> None: ...
    async def grade_for(self, inspection_id: UUID, location_id: UUID | None,
                        element: str) -> InspectionGrade | None: ...
    async def save_grade(self, grade: InspectionGrade, *, replaces: UUID | None) -> None: ...
    async def recheck_exists(self, recheck_id: UUID) -> bool: ...
    async def save_recheck(self, recheck: InspectionRecheck) -> None: ...
    async def meeting(self, meeting_id: UUID) -> Meeting | None: ...
    async def save_meeting(self, meeting: Meeting) -> None: ...
    async def meeting_issue(self, meeting_id: UUID, issue_id: UUID) -> MeetingIssue | None: ...
    async def save_meeting_issue(self, link: MeetingIssue) -> None: ...
    async def set_following(self, issue_id: UUID, user_id: UUID, follow: bool, *, estate_id: UUID) -> None: ...

    # How a person hears about what they follow: the mode and the stamp of the choice that set it.
    async def mail_preference(self, user_id: UUID) -> tuple[str, str | None] | None: ...
    async def save_mail_preference(self, user_id: UUID, mode: str, at: str) -> None: ...
