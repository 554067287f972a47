"""A first pull as a snapshot: each row a phone may see, once, as it stood at one version; then the log from there.

Replaying the whole change log to a new phone sends every issue two or three times and every step of its history
(about five changes per issue). A phone starting afresh (a ``null`` cursor, or a ``reset``) only needs where
things stand. The snapshot is read *from the log itself*: for every key (entity, id) the latest change this person
may pull with a version up to V, the counter's value when the snapshot began; a key whose latest change is a
deletion is left out (the phone starts empty). Why from the log and not from the tables:

- **Same end state as a replay, by construction.** A phone applies changes key by key, the last one winning, so
  the latest visible change per key is exactly what a replay leaves behind; the rows are the very ones the log
  pull would send, shaped by the same code (``ChangeRecorder``), with nothing mapped twice.
- **Same visibility.** The rows are chosen by ``server.sync_api.changes.visible_rows``, the predicate of the log
  pull: estate membership, a contractor's jobs (and the rows handing an issue to or from them), rows for this
  phone or this person alone.
- **Stable while paged.** Rows up to V never change (the log is append-only), so whatever is pushed between two
  pages cannot alter the snapshot; it gets versions above V, and the last page hands the phone a plain log cursor
  at V (``sync.cursor``), from which those changes follow. Nothing is skipped or sent twice in a way that matters.

Pages are bounded by the phone's ``limit`` and by bytes (``PAGE_BYTES`` of JSON before compression), so a page
of long descriptions stays small on a cheap phone plan.
"""

from __future__ import annotations

from typing import Any

import msgspec

from piccolo.query.functions.aggregate import Max

from server.db.tables import ChangeLog
from sync.protocol import Change

#: At most this many bytes of changes' JSON in one page (gzip makes it about 15 times smaller on the wire).
PAGE_BYTES = 512 * 1024

# A change's envelope around its data and id: {"entity":"inspection_recheck","id":"","data":,"deleted":false},
_ENVELOPE_BYTES = 65

#: Log rows read at a time while looking for a page's rows (some are superseded by later changes and skipped).
_CHUNK = 1000


async def read_snapshot(after: int, version: int, visible: Any, limit: int,
                        max_bytes: int | None = None) -> tuple[list[Change], int, bool]:
    """One page of the snapshot at ``version``, continuing after the log row ``after``.

    ``visible`` is ``visible_rows(...)`` for the person and phone. Returns the changes (each the latest visible
    change of its key up to ``version``, never a deletion), the log row reached, and whether the snapshot is
    complete. A page holds at least one change when any is left, at most ``limit``, and no more than
    ``max_bytes`` of JSON unless a single change is larger.
    """
    max_bytes = PAGE_BYTES if max_bytes is None else max_bytes
    changes: list[Change] = []
    size = 0
    position = after
    while True:
        rows = await (
            ChangeLog.select(ChangeLog.version, ChangeLog.entity, ChangeLog.entity_id, ChangeLog.deleted,
                             ChangeLog.data)
            .where((ChangeLog.version > position) & (ChangeLog.version <= version) & visible)
            .order_by(ChangeLog.version)
            .limit(_CHUNK)
        )
        if not rows:
            return changes, version, True
        latest = await _latest_of(rows, position, version, visible)
        for row in rows:
            if row["deleted"] or latest[(row["entity"], row["entity_id"])] != row["version"]:
                position = row["version"]
                continue
            cost = _ENVELOPE_BYTES + len(row["entity_id"]) + len((row["data"] or "").encode())
            if changes and (len(changes) >= limit or size + cost > max_bytes):
                return changes, position, False
            changes.append(Change(entity=row["entity"], id=row["entity_id"], deleted=False,
                                  data=msgspec.json.decode(row["data"]) if row["data"] is not None else None))
            size += cost
            position = row["version"]
        if len(rows) < _CHUNK:
            return changes, version, True


async def _latest_of(rows: list[dict[str, Any]], after: int, version: int, visible: Any) -> dict[tuple[str, str], int]:
    """The version of each key's latest visible change in (after, version], for the keys of ``rows``."""
    ids = sorted({row["entity_id"] for row in rows})
    entities = sorted({row["entity"] for row in rows})
    latest = await (
        ChangeLog.select(ChangeLog.entity, ChangeLog.entity_id, Max(ChangeLog.version, alias="latest"))
        .where(ChangeLog.entity_id.is_in(ids) & ChangeLog.entity.is_in(entities)
               & (ChangeLog.version > after) & (ChangeLog.version <= version) & visible)
        .group_by(ChangeLog.entity, ChangeLog.entity_id)
    )
    return {(row["entity"], row["entity_id"]): row["latest"] for row in latest}
