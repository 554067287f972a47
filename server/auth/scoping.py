"""What a contractor may see: only the issues assigned to them, with those issues' events and photos.

Staff and TRA reps see everything on their estates. A contractor works for the landlord on particular jobs; the
rest of an estate's issues (and residents' photos of their homes) are none of their business. Pull scoping is
in ``server.sync_api.changes.read_changes``; this module holds the two decisions it and the photo routes share.
"""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec

from server.auth.sessions import Viewer
from server.db.tables import ChangeLog, Issue, Membership


async def _is_contractor(user_id: UUID | None, estate_id: UUID) -> bool:
    if user_id is None:
        return False
    row = await Membership.select(Membership.role).where(
        (Membership.user_id == user_id) & (Membership.estate_id == estate_id)).first()
    return row is not None and row["role"] == "contractor"


async def contractor_handover(issue_id: UUID, estate_id: UUID, before: UUID | None,
                              after: UUID | None) -> list[tuple[Any, ...]]:
    """Change rows for the contractors an issue just moved between, in ``ChangeRecorder.flush``'s row shape.

    A contractor who loses the issue gets ``deleted: true`` for it and everything pulled about it; one who gains
    it gets the latest state of everything already recorded about it (its timeline and photos came before it was
    theirs, so they skipped them). Both rows are for that person alone (``user_id``).
    """
    rows: list[tuple[Any, ...]] = []
    losing, gaining = await _is_contractor(before, estate_id), await _is_contractor(after, estate_id)
    if not (losing or gaining):
        return rows
    history = await (ChangeLog.select(ChangeLog.entity, ChangeLog.entity_id, ChangeLog.deleted, ChangeLog.data)
                     .where((ChangeLog.issue_id == issue_id) & ChangeLog.client_id.is_null()
                            & ChangeLog.user_id.is_null())
                     .order_by(ChangeLog.version))
    latest: dict[tuple[str, str], dict[str, Any]] = {}
    for row in history:
        latest.pop((row["entity"], row["entity_id"]), None)  # keep the order of each entity's last change
        latest[(row["entity"], row["entity_id"])] = row
    if losing:
        rows.append((estate_id, None, "issue", str(issue_id), True, None, issue_id, after, before))
        rows.extend((estate_id, None, entity, entity_id, True, None, issue_id, after, before)
                    for (entity, entity_id) in latest if entity != "issue")
    if gaining:
        rows.extend(
            (estate_id, None, row["entity"], row["entity_id"], row["deleted"],
             msgspec.json.decode(row["data"]) if row["data"] is not None else None, issue_id, after, after)
            for row in latest.values() if row["entity"] != "issue")
    return rows


async def photo_estates_visible(viewer: Viewer, photo_rows: list[dict[str, Any]]) -> set[UUID]:
    """The estates through which ``viewer`` may see a photo, given its records (``estate_id``, ``issue_id``)."""
    estates: set[UUID] = set()
    for row in photo_rows:
        role = viewer.roles.get(row["estate_id"])
        if role is None:
            continue
        if role == "contractor":
            issue = await Issue.select(Issue.assignee_id).where(Issue.id == row["issue_id"]).first()
            if issue is None or issue["assignee_id"] != viewer.user_id:
                continue
        estates.add(row["estate_id"])
    return estates
