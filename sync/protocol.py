"""The push and pull messages (see docs/sync-protocol.md)."""

from __future__ import annotations

from typing import Annotated, Any, Literal
from uuid import UUID

from msgspec import Meta, Struct

from sync.engine import MutationResult
from sync.mutations import MAX_BATCH, MUTATION_NAMES, MutationNumber


class MutationEnvelope(Struct):
    """A mutation as it arrives: only its number is checked with the request; the rest is read one mutation at a
    time (``sync.mutations.read_mutation``), so an unreadable one is rejected alone instead of failing the push."""

    id: MutationNumber
    name: Annotated[str, Meta(extra_json_schema={
        "description": "the mutation's name (docs/sync-protocol.md); another name is rejected, not refused",
        "extra": {"enum": list(MUTATION_NAMES)}})] = ""
    at: Annotated[str, Meta(description="hybrid-logical-clock stamp")] = ""
    args: dict[str, Any] = {}


class PushRequest(Struct, forbid_unknown_fields=True):
    client_id: UUID
    mutations: Annotated[list[MutationEnvelope], Meta(max_length=MAX_BATCH)]


class PushResponse(Struct):
    last_mutation_id: int
    server_time: int
    results: list[MutationResult]


#: The most changes a phone may ask for in one pull page, and what the phone asks (``pwa/js/rules.js``). A fresh
#: phone's first pull is tens of thousands of rows: each page costs the server about 10 ms whatever it holds, so
#: large pages make the first pull cheap. The server's byte bound on a page (``server.sync_api.pages``) keeps a
#: page of long texts small enough for a cheap phone.
MAX_PULL_LIMIT = 5000


class PullRequest(Struct, forbid_unknown_fields=True):
    client_id: UUID
    cursor: Annotated[str, Meta(max_length=200)] | None = None
    limit: Annotated[int, Meta(ge=1, le=MAX_PULL_LIMIT)] = 500


Entity = Literal["estate", "location", "member", "issue", "issue_event", "photo", "inspection", "rejection",
                 "inspection_grade", "inspection_recheck", "meeting", "meeting_issue", "grading_scheme"]


class Change(Struct):
    entity: Entity
    id: str
    data: dict[str, Any] | None
    deleted: bool = False


class PullResponse(Struct):
    cursor: str
    last_mutation_id: int
    has_more: bool
    reset: bool
    server_time: int
    changes: list[Change]
    replay_days: int = 30
    """How long the phone keeps acknowledged mutations, to send them again after a restore (the server's
    ``ESTATEWALK_REPLAY_DAYS``)."""
