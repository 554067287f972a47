"""An in-memory ``Store``: the reference the engine is tested against, and the device simulator's model."""

from __future__ import annotations

import copy
from uuid import UUID

from sync.records import Inspection, Issue, IssueEvent, Photo, Role
from sync.store import ClientState, MutationRecord


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

    async def issue(self, issue_id: UUID) -> Issue | None:
        return copy.deepcopy(self.issues.get(issue_id))

    async def save_issue(self, issue: Issue, *, new: bool) -> None:
        self.issues[issue.id] = copy.deepcopy(issue)

    async def event_exists(self, event_id: UUID) -> bool:
        return event_id in self.events

    async def add_event(self, event: IssueEvent) -> None:
        self.events[event.id] = event

    async def photo(self, photo_id: UUID) -> Photo | None:
        return copy.deepcopy(self.photos.get(photo_id))

    async def save_photo(self, photo: Photo, *, new: bool) -> None:
        self.photos[photo.id] = copy.deepcopy(photo)

    async def photo_bytes_stored(self, sha256: str) -> bool:
        return sha256 in self.stored_photo_bytes

    async def inspection(self, inspection_id: UUID) -> Inspection | None:
        return copy.deepcopy(self.inspections.get(inspection_id))

    async def save_inspection(self, inspection: Inspection, *, new: bool) -> None:
        self.inspections[inspection.id] = copy.deepcopy(inspection)

    async def location_estate(self, location_id: UUID) -> UUID | None:
        return self.locations.get(location_id)

    async def estate_role(self, user_id: UUID, estate_id: UUID) -> Role | None:
        return self.roles.get((user_id, estate_id))

    def timeline(self, issue_id: UUID) -> list[IssueEvent]:
        return sorted((e for e in self.events.values() if e.issue_id == issue_id), key=lambda e: (e.at, str(e.id)))
