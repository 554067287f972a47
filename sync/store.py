"""The storage port of the sync engine.

The engine reads and writes through this interface only, so the same rules run over the database (the server's
store, inside one transaction per push) and over plain dictionaries (``sync.memory.MemoryStore``, for tests and
the device simulator).
"""

from __future__ import annotations

import datetime as dt
from typing import Protocol
from uuid import UUID

from msgspec import Struct

from sync.records import Inspection, Issue, IssueEvent, Photo, Role


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


class Store(Protocol):
    async def client_state(self, client_id: UUID) -> ClientState | None: ...
    async def save_client_state(self, state: ClientState) -> None: ...
    async def mutation_fingerprint(self, client_id: UUID, mutation_id: int) -> str | None: ...
    async def record_mutation(self, record: MutationRecord, estate_id: UUID | None) -> None: ...

    async def issue(self, issue_id: UUID) -> Issue | None: ...
    async def save_issue(self, issue: Issue, *, new: bool) -> None: ...
    async def event_exists(self, event_id: UUID) -> bool: ...
    async def add_event(self, event: IssueEvent) -> None: ...
    async def photo(self, photo_id: UUID) -> Photo | None: ...
    async def save_photo(self, photo: Photo, *, new: bool) -> None: ...
    async def photo_bytes_stored(self, sha256: str) -> bool: ...
    async def inspection(self, inspection_id: UUID) -> Inspection | None: ...
    async def save_inspection(self, inspection: Inspection, *, new: bool) -> None: ...

    async def location_estate(self, location_id: UUID) -> UUID | None: ...
    async def estate_role(self, user_id: UUID, estate_id: UUID) -> Role | None: ...
