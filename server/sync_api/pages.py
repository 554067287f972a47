"""How much one pull page holds: at most the phone's ``limit`` of changes and ``PAGE_BYTES`` of JSON.

The phone asks for as many changes as the protocol allows (``sync.protocol.MAX_PULL_LIMIT``): a fresh phone's
first pull is tens of thousands of rows, and each page costs the server about the same whatever it holds. The
byte bound is the server's and it is authoritative: a page of long descriptions stays a size a cheap phone parses
and stores in one go. Both the snapshot and the log are paged here, so they are bounded alike.

The rows are read in chunks, each sized from what the page has room for, so a page that fills up by bytes long
before its ``limit`` does not read (and throw away) thousands of rows it cannot send.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import msgspec

from sync.protocol import Change

#: At most this many bytes of changes' JSON in one page, before compression (gzip makes it 10-15 times smaller on
#: the wire): about 3,000 changes of the usual size.
PAGE_BYTES = 2 * 1024 * 1024

# A change's envelope around its data and id: {"entity":"inspection_recheck","id":"","data":,"deleted":false},
_ENVELOPE_BYTES = 65

# The most rows one query reads, and the fewest once a page knows how large its changes are.
_CHUNK_ROWS = 2000
_MIN_CHUNK_ROWS = 16

#: Reads up to ``count`` rows (version, entity, entity_id, data, and deleted for the log) after ``version``, in
#: version order.
FetchRows = Callable[[int, int], Awaitable[list[dict[str, Any]]]]


class StoredChange(Change):
    """A change whose data is sent as the log holds it: the JSON the recorder wrote, not decoded and encoded
    again (on the wire it is the same change)."""

    data: msgspec.Raw | None  # type: ignore[assignment]


async def read_page(fetch: FetchRows, after: int, limit: int,
                    max_bytes: int | None = None) -> tuple[list[Change], int, bool]:
    """One page of changes from the rows ``fetch`` reads after version ``after``.

    Returns the changes (at most ``limit``, and no more than ``max_bytes`` of JSON unless a single change is
    larger), the version of the last row taken (``after`` when none), and whether rows are left after it.
    """
    max_bytes = PAGE_BYTES if max_bytes is None else max_bytes
    changes: list[Change] = []
    size, reached = 0, after
    while True:
        room = limit - len(changes)
        want = min(room + 1, _CHUNK_ROWS)
        if changes:
            # Enough rows for the bytes left at the page's average so far, and a tenth more.
            fits = (max_bytes - size) * len(changes) // size
            want = min(want, max(_MIN_CHUNK_ROWS, fits + fits // 10 + 1))
        rows = await fetch(reached, want)
        for row in rows[:room]:
            data = row["data"]
            raw = None if data is None else msgspec.Raw(data.encode() if isinstance(data, str) else data)
            cost = _ENVELOPE_BYTES + len(row["entity_id"]) + (len(raw) if raw is not None else 4)
            if changes and size + cost > max_bytes:
                return changes, reached, True
            changes.append(StoredChange(entity=row["entity"], id=row["entity_id"], data=raw,
                                        deleted=bool(row.get("deleted", False))))
            reached = row["version"]
            size += cost
        if len(rows) > room:
            return changes, reached, True
        if len(rows) < want:
            return changes, reached, False
