"""The change log phones pull from, and why a puller can never miss a change.

Every write records a change. Versions are handed out from the single ``change_counter`` row at the end of the
writing transaction. Updating that row locks it until commit, so version assignment is serialised with commit
order: when a reader sees counter value V, every change numbered up to V is already committed (on PostgreSQL,
a transaction that took 6–10 could not take them before the one holding 1–5 had committed). A puller reads the
counter first and then only changes up to it, so it reads a gap-free prefix and its cursor never skips one.
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from uuid import UUID

import msgspec

from server.db.tables import ChangeCounter, ChangeLog
from sync.protocol import Change

_encoder = msgspec.json.Encoder()


class ChangeRecorder:
    """Collects the changes of one transaction and numbers them just before it commits."""

    def __init__(self) -> None:
        self.pending: list[tuple[UUID | None, UUID | None, str, str, bool, Any]] = []

    def record(self, entity: str, entity_id: object, data: Any, *, estate_id: UUID | None,
               client_id: UUID | None = None, deleted: bool = False) -> None:
        self.pending.append((estate_id, client_id, entity, str(entity_id), deleted, data))

    async def flush(self) -> int:
        """Number and write the pending changes. Call last in the transaction: it holds the counter's lock."""
        if not self.pending:
            return 0
        rows = await ChangeCounter.raw(
            "UPDATE change_counter SET version = version + {} WHERE id = 1 RETURNING version", len(self.pending))
        last = rows[0]["version"]
        first = last - len(self.pending) + 1
        moment = dt.datetime.now(dt.timezone.utc)
        await ChangeLog.insert(*[
            ChangeLog(version=first + offset, estate_id=estate_id, client_id=client_id, entity=entity,
                      entity_id=entity_id, deleted=deleted, data=_encoder.encode(data).decode(),
                      changed_at=moment)
            for offset, (estate_id, client_id, entity, entity_id, deleted, data) in enumerate(self.pending)
        ])
        count = len(self.pending)
        self.pending = []
        return count


async def latest_version() -> int:
    row = await ChangeCounter.select(ChangeCounter.version).where(ChangeCounter.id == 1).first()
    return row["version"] if row else 0


async def read_changes(after: int, up_to: int, estate_ids: list[UUID], client_id: UUID,
                       limit: int) -> tuple[list[Change], int, bool]:
    """Changes visible to this person and client in (after, up_to], at most ``limit``.

    Returns the changes, the version the next pull continues from, and whether more are waiting.
    """
    own_changes = ChangeLog.client_id == client_id
    visible = own_changes
    if estate_ids:
        visible = (ChangeLog.estate_id.is_in(estate_ids) & ChangeLog.client_id.is_null()) | own_changes
    rows = await (
        ChangeLog.select(ChangeLog.version, ChangeLog.entity, ChangeLog.entity_id, ChangeLog.deleted,
                         ChangeLog.data)
        .where((ChangeLog.version > after) & (ChangeLog.version <= up_to) & visible)
        .order_by(ChangeLog.version)
        .limit(limit + 1)
    )
    has_more = len(rows) > limit
    rows = rows[:limit]
    changes = [
        Change(entity=row["entity"], id=row["entity_id"], deleted=row["deleted"],
               data=msgspec.json.decode(row["data"]) if row["data"] is not None else None)
        for row in rows
    ]
    next_version = rows[-1]["version"] if has_more else up_to
    return changes, next_version, has_more
