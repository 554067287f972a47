"""The pull cursor: where a phone is in the server's change log, and for which estates.

Opaque to the phone. It holds the last change version the phone has and a fingerprint of the estates and roles
it was issued for: when those change (a new membership), the phone must rebuild its copy, because changes it
skipped as invisible may now be visible.
"""

from __future__ import annotations

import base64
import hashlib
from uuid import UUID

from sync.records import Role


class BadCursor(ValueError):
    pass


def estates_fingerprint(roles: dict[UUID, Role]) -> str:
    text = ",".join(f"{estate}={role}" for estate, role in sorted(roles.items(), key=lambda kv: str(kv[0])))
    return hashlib.sha256(text.encode()).hexdigest()[:16]


def encode_cursor(version: int, fingerprint: str) -> str:
    return base64.urlsafe_b64encode(f"{version}.{fingerprint}".encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[int, str]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, fingerprint = base64.urlsafe_b64decode(padded.encode()).decode().split(".", 1)
        return int(version), fingerprint
    except (ValueError, UnicodeDecodeError) as error:
        raise BadCursor("the cursor is not one this server issued") from error


def starting_point(cursor: str | None, roles: dict[UUID, Role], latest_version: int) -> tuple[int, bool]:
    """Where to read from, and whether the phone must discard its copy first (``reset``)."""
    if cursor is None:
        return 0, True
    version, fingerprint = decode_cursor(cursor)
    if fingerprint != estates_fingerprint(roles):
        return 0, True
    if version > latest_version:
        # A cursor from the future: the server was restored from a backup. Rebuild; the outbox is kept.
        return 0, True
    return version, False
