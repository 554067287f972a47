"""``/api/sync``: push mutations, pull changes."""

from __future__ import annotations

from itertools import groupby
from typing import Any
from uuid import UUID

from litestar import Request, post
from litestar.di import NamedDependency
from litestar.params import JSONBody

from server.auth.dependencies import SIGNED_IN
from server.auth.sessions import Viewer
from server.clock import unix_millis, utcnow
from server.db.engine import current_engine
from server.problems import (
    ClientIdTaken,
    MutationContentConflict,
    MutationOutOfOrder,
    Problem,
    problem_responses,
)
from server.sync_api.changes import ChangeRecorder, history_mark_at, latest_version, read_changes, visible_rows
from server.sync_api.snapshot import read_snapshot, without_jit
from server.sync_api.push_locks import lock_for_push
from server.sync_api.push_store import PushStore, suits
from server.sync_api.store import DatabaseStore, is_deadlock, is_unique_violation
from server.sync_api.unit_of_work import unit_of_work
from sync.cursor import (
    BadCursor,
    decode_cursor,
    encode_cursor,
    encode_snapshot_cursor,
    estates_fingerprint,
    starting_point,
)
from sync.mutations import read_mutation
from sync.engine import (
    ClientOfAnotherUser,
    MutationConflict,
    MutationGap,
    MutationResult,
    PushOutcome,
    apply_push,
)
from sync.protocol import PullRequest, PullResponse, PushRequest, PushResponse


#: How many times a push is tried when PostgreSQL picks it to break a deadlock.
_ATTEMPTS = 3


@post("/api/sync/push", tags=["sync"], status_code=200, security=SIGNED_IN,
      responses=problem_responses(400, 401, 409, 413),
      # Mutations are checked one by one (server/input_limits.py): an unreadable one is rejected, not the push.
      opt={"checked_per_item": "mutations"})
async def push(request: Request, data: JSONBody[PushRequest], viewer: NamedDependency[Viewer]) -> PushResponse:
    """Apply a phone's mutations exactly once, in order. See docs/sync-protocol.md."""
    mutations = [read_mutation(raw) for raw in (await request.json())["mutations"]]
    bulk = True
    try:
        for attempt in range(1, _ATTEMPTS + 1):
            try:
                async with unit_of_work() as store:
                    await lock_for_push(viewer.user_id, data.client_id, mutations)
                    outcome = await _apply_in_runs(store, viewer, data.client_id, mutations, bulk=bulk)
                break
            except Exception as exc:
                # Nothing of the failed attempt was kept: running the whole push again is safe. A bulk push whose
                # rows met an id another push took since it read ahead runs again one mutation at a time, so the
                # mutation that lost the id is rejected on its own.
                lost_an_id = bulk and is_unique_violation(exc)
                if attempt == _ATTEMPTS or not (lost_an_id or is_deadlock(exc)):
                    raise
                bulk = bulk and not lost_an_id
    except MutationGap as gap:
        raise MutationOutOfOrder(str(gap), expected_mutation_id=gap.expected) from None
    except MutationConflict as conflict:
        raise MutationContentConflict(str(conflict)) from None
    except ClientOfAnotherUser:
        raise ClientIdTaken("this client id is registered to another person; sign out to get a new one") from None
    return PushResponse(last_mutation_id=outcome.last_mutation_id, server_time=unix_millis(),
                        results=outcome.results)


async def _apply_in_runs(store: DatabaseStore, viewer: Viewer, client_id: UUID, mutations: list[Any], *,
                         bulk: bool) -> PushOutcome:
    """Apply the push in runs of consecutive mutations: each run the bulk store suits (``suits``) through a
    ``PushStore`` written out before the next run starts, the others one at a time, all in the one transaction.
    A walk's push mixes creates with photos: its creates still go in bulk."""
    results: list[MutationResult] = []
    outcome = None
    now = utcnow()
    for in_bulk, run in groupby(mutations, key=lambda mutation: bulk and suits([mutation])):
        part = list(run)
        if in_bulk:
            buffered = PushStore(store.changes)
            await buffered.read_ahead(client_id, part)
            outcome = await apply_push(buffered, viewer.actor(), client_id, part, now)
            await buffered.write_buffered()
        else:
            outcome = await apply_push(store, viewer.actor(), client_id, part, now)
        results.extend(outcome.results)
    if outcome is None:  # an empty push still registers the phone and answers where it stands
        outcome = await apply_push(store, viewer.actor(), client_id, [], now)
    return PushOutcome(last_mutation_id=outcome.last_mutation_id, results=results)


@post("/api/sync/pull", tags=["sync"], status_code=200, security=SIGNED_IN,
      responses=problem_responses(400, 401, 409))
async def pull(request: Request, data: JSONBody[PullRequest], viewer: NamedDependency[Viewer]) -> PullResponse:
    """Every change since the cursor for the estates this person belongs to, oldest first, paginated.

    A phone starting afresh gets a snapshot first, each row once (``server.sync_api.snapshot``), then the log."""
    try:
        position = decode_cursor(data.cursor) if data.cursor is not None else None
    except BadCursor as bad:
        raise Problem(str(bad)) from None
    # One read transaction: every query of the page on one connection (on SQLite, a new connection and thread
    # per query otherwise, about as costly as the page's own reading), and all of them see one moment.
    async with current_engine().transaction():
        await without_jit()
        store = DatabaseStore(ChangeRecorder())
        client = await store.client_state(data.client_id)
        if client is not None and client.user_id != viewer.user_id:
            raise ClientIdTaken("this client id is registered to another person; sign out to get a new one")
        latest = await latest_version()
        mark_now = await history_mark_at(position.version) if position is not None else None
        start, reset = starting_point(position, viewer.roles, latest, mark_now)
        fingerprint = estates_fingerprint(viewer.roles)
        visible = visible_rows(list(viewer.roles), data.client_id, roles=viewer.roles, user_id=viewer.user_id)
        if reset or (position is not None and position.snapshot_after is not None):
            at, after = (latest, 0) if reset else (start, position.snapshot_after or 0)
            at_mark = (await history_mark_at(at) if reset else mark_now) or ""
            changes, reached, complete = await read_snapshot(after, at, visible, data.limit)
            if complete:
                # The snapshot holds everything up to ``at``; the log continues from there.
                cursor, has_more = encode_cursor(at, fingerprint, at_mark), latest > at
            else:
                cursor, has_more = encode_snapshot_cursor(at, fingerprint, at_mark, reached), True
        else:
            changes, next_version, has_more = await read_changes(
                start, latest, list(viewer.roles), data.client_id, data.limit, roles=viewer.roles,
                user_id=viewer.user_id)
            cursor = encode_cursor(next_version, fingerprint, await history_mark_at(next_version) or "")
    return PullResponse(
        cursor=cursor,
        last_mutation_id=client.last_mutation_id if client else 0,
        has_more=has_more,
        reset=reset,
        server_time=unix_millis(),
        changes=changes,
        replay_days=request.app.state.settings.replay_days,
    )


ROUTES = [push, pull]
