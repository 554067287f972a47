"""The audit log: who signed in (or failed to), signed out, revoked a device, changed a membership, invited,
exported or erased someone. Written in the same transaction as the change where there is one."""

from __future__ import annotations

import uuid
from typing import Any
from uuid import UUID

import msgspec

from server.clock import utcnow
from server.db.tables import AuditEntry

_encoder = msgspec.json.Encoder()


async def audit(kind: str, *, actor_id: UUID | None = None, subject_id: UUID | None = None,
                estate_id: UUID | None = None, address: str = "", **detail: Any) -> None:
    await AuditEntry.insert(AuditEntry(
        id=uuid.uuid4(), at=utcnow(), kind=kind, actor_id=actor_id, subject_id=subject_id, estate_id=estate_id,
        address=address[:100], detail=_encoder.encode(detail).decode()))
