"""Who may read which report: authorise first, then read."""

from __future__ import annotations

from uuid import UUID

from server.auth.sessions import Viewer
from server.problems import Forbidden, NotFound
from sync.records import Role

#: Action plans, summaries, the issue list and the dashboard are the landlord's and the residents' shared
#: record; a contractor sees the issues assigned to them in the app instead.
REPORT_ROLES: frozenset[Role] = frozenset({"staff", "tra_rep"})


def require_member(viewer: Viewer, estate_id: UUID | None, what: str) -> Role:
    """The viewer's role on the estate; a thing on another estate looks exactly like one that does not exist."""
    role = viewer.roles.get(estate_id) if estate_id is not None else None
    if role is None:
        raise NotFound(f"there is no {what} that you can see")
    return role


def require_report_reader(viewer: Viewer, estate_id: UUID | None, what: str) -> Role:
    role = require_member(viewer, estate_id, what)
    if role not in REPORT_ROLES:
        raise Forbidden(f"only staff and TRA reps of the estate can read this {what}")
    return role
