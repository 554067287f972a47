"""The pull cursor: where a phone is in the server's change log, for which estates, and in which history.

Opaque to the phone. It holds the last change version the phone has, a fingerprint of the estates and roles it
was issued for (when those change, the phone must rebuild its copy, because changes it skipped as invisible may
now be visible), and a *history mark*: a short digest of the change row at that version.

Why the mark: a database restored from a backup numbers its next changes from where the backup stopped, so a
cursor issued before the restore may name a version that exists again, holding a different change. Comparing the
version with the latest one only catches a restore until the restored server has caught up; comparing the row at
that version catches it for ever. An identity made when the database is created would not do: it is in the
backup too, and comes back with it.

A first pull is a *snapshot* (``server/sync_api/snapshot.py``): each row once, as it stood at one version V.
While it is paged, the cursor also holds how far into the snapshot the phone is (``snapshot_after``); its
version, fingerprint and mark are V's, checked exactly like a log cursor's, and the last page hands over a plain
cursor at V, from which the log continues.
"""

from __future__ import annotations

import base64
import hashlib
from typing import NamedTuple
from uuid import UUID

from sync.records import Role
from sync.text import MAX_INTEGER


class BadCursor(ValueError):
    pass


class CursorPosition(NamedTuple):
    version: int
    fingerprint: str
    mark: str | None
    """The history mark of the change at ``version``; None in cursors issued before marks existed."""
    snapshot_after: int | None = None
    """In a snapshot at ``version``: the version of the last row sent so far. None: reading the log."""


def estates_fingerprint(roles: dict[UUID, Role]) -> str:
    text = ",".join(f"{estate}={role}" for estate, role in sorted(roles.items(), key=lambda kv: str(kv[0])))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def history_mark(version: int, changed_at: str, entity: str, entity_id: str) -> str:
    """A digest of one change row: the same row gives the same mark; a row written after a restore, another."""
    return hashlib.sha256(f"{version}|{changed_at}|{entity}|{entity_id}".encode()).hexdigest()[:12]


def encode_cursor(version: int, fingerprint: str, mark: str) -> str:
    return base64.urlsafe_b64encode(f"{version}.{fingerprint}.{mark}".encode()).decode().rstrip("=")


def encode_snapshot_cursor(version: int, fingerprint: str, mark: str, after: int) -> str:
    """A cursor part-way through a snapshot at ``version``: the rows up to ``after`` are sent."""
    return base64.urlsafe_b64encode(f"{version}.{fingerprint}.{mark}.{after}".encode()).decode().rstrip("=")


def _whole_number(text: str) -> int:
    # Digits only: int() would also take "-1", " 7", "1_0" and non-ASCII digits. And no wider than 64 bits,
    # or the version overflows the query that reads from it.
    if not text.isascii() or not text.isdigit() or len(text) > 19:
        raise ValueError("the version is not a whole number")
    number = int(text)
    if number > MAX_INTEGER:
        raise ValueError("the version is out of range")
    return number


def decode_cursor(cursor: str) -> CursorPosition:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        parts = base64.urlsafe_b64decode(padded.encode()).decode().split(".")
        if len(parts) not in (2, 3, 4):
            raise ValueError("wrong number of parts")
        version = _whole_number(parts[0])
        if len(parts) == 4:
            after = _whole_number(parts[3])
            if after > version:
                raise ValueError("the snapshot's position is past its version")
            return CursorPosition(version, parts[1], parts[2], after)
        return CursorPosition(version, parts[1], parts[2] if len(parts) == 3 else None)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor("the cursor is not one this server issued") from error


def starting_point(position: CursorPosition | None, roles: dict[UUID, Role], latest_version: int,
                   mark_now: str | None) -> tuple[int, bool]:
    """Where to read from, and whether the phone must discard its copy first (``reset``).

    ``mark_now`` is the history mark of the change at the cursor's version as this database holds it now (None
    when there is no such row).
    """
    if position is None:
        return 0, True
    if position.fingerprint != estates_fingerprint(roles):
        return 0, True
    if position.version > latest_version:
        # A cursor from the future: the server was restored from a backup. Rebuild; the outbox is kept.
        return 0, True
    if position.mark is not None and position.version > 0 and position.mark != mark_now:
        # The version exists again but holds another change: restored, and written to since. Rebuild.
        return 0, True
    return position.version, False
