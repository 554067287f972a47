"""The unit of work every writer uses: one write transaction, a store writing through it, and its changes.

Whatever the body writes through the store (or records on ``store.changes``) is numbered and added to the change
log at the end, inside the same transaction, so phones pull either all of it or none of it. If the body raises,
nothing is recorded and the transaction is rolled back.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

from server.db.engine import current_engine, write_transaction
from server.sync_api.changes import ChangeRecorder
from server.sync_api.store import DatabaseStore


@contextlib.asynccontextmanager
async def unit_of_work(*, join: bool = False) -> AsyncIterator[DatabaseStore]:
    """``join=True`` writes inside the caller's write transaction instead of opening one. (A push's runs of issue
    mutations write through a ``PushStore`` sharing this store's changes: ``server.sync_api.routes``.)"""
    async with contextlib.nullcontext() if join else write_transaction(current_engine()):
        writer = DatabaseStore(ChangeRecorder())
        yield writer
        await writer.changes.flush()
