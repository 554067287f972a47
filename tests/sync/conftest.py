"""Fixtures for driving the pure sync engine over the in-memory store."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import msgspec
import pytest

from sync.engine import PushOutcome, apply_push
from sync.hlc import HybridClock
from sync.memory import MemoryStore
from sync.mutations import AnyMutation
from sync.records import Actor

ESTATE = uuid.UUID("00000000-0000-4000-8000-00000000e5a1")
OTHER_ESTATE = uuid.UUID("00000000-0000-4000-8000-00000000e5a2")
LOCATION = uuid.UUID("00000000-0000-4000-8000-0000000010c1")
SERVER_NOW = dt.datetime(2026, 11, 23, 12, 0, tzinfo=dt.timezone.utc)
SERVER_MS = int(SERVER_NOW.timestamp() * 1000)


class Phone:
    """A phone in a test: its own client id, numbering and clock."""

    def __init__(self, store: MemoryStore, role: str = "tra_rep", estate: uuid.UUID = ESTATE,
                 client_id: uuid.UUID | None = None) -> None:
        self.store = store
        self.client_id = client_id or uuid.uuid4()
        self.actor = Actor(user_id=uuid.uuid4(), roles={estate: role})  # type: ignore[dict-item]
        store.roles[(self.actor.user_id, estate)] = role  # type: ignore[assignment]
        self.clock = HybridClock(str(self.client_id))
        self.next_id = 1

    def mutation(self, name: str, args: dict[str, Any], at_ms: int = SERVER_MS - 60_000,
                 number: int | None = None) -> AnyMutation:
        if number is None:
            number, self.next_id = self.next_id, self.next_id + 1
        raw = {"id": number, "name": name, "args": args, "at": self.clock.now(at_ms)}
        return msgspec.json.decode(msgspec.json.encode(raw), type=AnyMutation)

    async def push(self, *mutations: AnyMutation, now: dt.datetime = SERVER_NOW) -> PushOutcome:
        return await apply_push(self.store, self.actor, self.client_id, list(mutations), now)


def issue_args(**overrides: Any) -> dict[str, Any]:
    args = {"id": str(uuid.uuid4()), "estate_id": str(ESTATE), "location_id": None, "category": "lighting",
            "title": "Landing light out", "description": "", "priority": "normal",
            "captured_at": "2026-11-20T10:00:00Z"}
    args.update(overrides)
    return args


@pytest.fixture
def store() -> MemoryStore:
    store = MemoryStore()
    store.locations[LOCATION] = ESTATE
    return store
