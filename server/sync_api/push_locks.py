"""Which pushes must wait for which, on PostgreSQL: one estate's pushes queue, different estates' run side by side.

Two pushes that edit one issue must not both read it and write it back (the second would undo the first's field),
so pushes are serialised. Serialising all of them made a hundred phones on a hundred estates wait in one queue;
what has to be serialised is narrower: whatever a push reads and then writes belongs to an estate (issues,
inspections, meetings and everything hanging off them), to the person pushing (their language, mail settings,
follows) or to the phone itself (its mutation numbers). So a push takes a transaction-scoped advisory lock on
each of those, always in ascending key order so two pushes can never wait for each other in a circle.

All of them first take one global lock in *shared* mode. A writer that cannot say up front what it will touch
(a photo upload announcing its bytes to records on any estate, a reply by e-mail, a push naming an id nobody can
place yet, which may be another push's uncommitted creation) takes that global lock *exclusively* instead, and
so waits for every push in flight and holds off new ones: the old rule, kept for the rare cases.

The change numbers are still handed out at the very end, under the ``change_counter`` row's lock (see
``server.sync_api.changes``): that is what keeps a puller from skipping a change, and it is held only from the
numbering to the commit.

SQLite has one writer at a time anyway (``server.db.engine.write_transaction``): nothing to do there.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from uuid import UUID

from piccolo.engine.postgres import PostgresEngine

from server.db import tables as t
from server.db.engine import current_engine
from sync.mutations import AnyMutation, Unreadable

#: Any fixed number: the lock every push shares and the exceptional writer takes alone.
GLOBAL_KEY = 7_215_004_312

#: Argument names that name a row of an estate (an estate, or an issue, inspection or meeting of one).
_PLACING_ARGS = ("estate_id", "id", "issue_id", "inspection_id", "meeting_id", "into")


def lock_key(kind: str, value: object) -> int:
    """A signed 64-bit advisory-lock key for one estate, person or phone."""
    digest = hashlib.blake2b(f"estatewalk:{kind}:{value}".encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big", signed=True)


def _on_postgresql() -> bool:
    return isinstance(current_engine(), PostgresEngine)


async def lock_everything() -> None:
    """Wait for every push in flight and keep new ones waiting until this transaction ends."""
    if _on_postgresql():
        await t.ChangeCounter.raw("SELECT pg_advisory_xact_lock({})", GLOBAL_KEY)


async def lock_for_push(user_id: UUID, client_id: UUID, mutations: Iterable[AnyMutation | Unreadable]) -> None:
    """Lock what this push will read and write: its estates, its person, its phone (see the module's docstring)."""
    if not _on_postgresql():
        return
    estates = await estates_touched(mutations)
    if estates is None:
        await lock_everything()
        return
    await t.ChangeCounter.raw("SELECT pg_advisory_xact_lock_shared({})", GLOBAL_KEY)
    keys = {lock_key("person", user_id), lock_key("phone", client_id)}
    keys.update(lock_key("estate", estate_id) for estate_id in estates)
    for key in sorted(keys):
        await t.ChangeCounter.raw("SELECT pg_advisory_xact_lock({})", key)


async def estates_touched(mutations: Iterable[AnyMutation | Unreadable]) -> set[UUID] | None:
    """Every estate these mutations name or reach through an issue, inspection or meeting; None when one of
    them names only ids that no committed row and no earlier mutation of the push can place."""
    named: list[list[UUID]] = []
    estates: set[UUID] = set()
    for mutation in mutations:
        if isinstance(mutation, Unreadable):
            continue  # rejected unread: touches nothing
        ids = [value for name in _PLACING_ARGS
               if isinstance(value := getattr(mutation.args, name, None), UUID)]
        if ids:
            named.append(ids)
    wanted = sorted({value for ids in named for value in ids}, key=str)
    placed: dict[UUID, UUID] = {}
    if wanted:
        rows = await t.Issue.raw(
            "SELECT id, estate_id FROM issue WHERE id = ANY({}) "
            "UNION ALL SELECT id, estate_id FROM inspection WHERE id = ANY({}) "
            "UNION ALL SELECT id, estate_id FROM meeting WHERE id = ANY({})", wanted, wanted, wanted)
        placed = {row["id"]: row["estate_id"] for row in rows}
    for mutation in mutations:
        if isinstance(mutation, Unreadable):
            continue
        args = mutation.args
        estate_id = getattr(args, "estate_id", None)
        if isinstance(estate_id, UUID):
            estates.add(estate_id)
            # What this push creates is placed for the mutations after it.
            own_id = getattr(args, "id", None)
            if isinstance(own_id, UUID):
                placed.setdefault(own_id, estate_id)
    for ids in named:
        places = {placed[value] for value in ids if value in placed}
        if not places:
            return None
        estates.update(places)
    return estates
