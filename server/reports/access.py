"""Who may read which report: authorise first, then read."""

from __future__ import annotations

from uuid import UUID

from server.auth.sessions import Viewer
from server.problems import not_visible
from sync.records import Role

#: Action plans, summaries, the issue list and the dashboard are the landlord's and the residents' shared
#: record; a contractor sees the issues assigned to them in the app instead (and a report's answer to them is the
#: one for a thing that does not exist: a meeting or inspection id must not tell them it is real).
REPORT_ROLES: frozenset[Role] = frozenset({"staff", "tra_rep"})


def require_member(viewer: Viewer, estate_id: UUID | None, what: str) -> Role:
    """The viewer's role on the estate; a thing on another estate looks exactly like one that does not exist."""
    role = viewer.roles.get(estate_id) if estate_id is not None else None
    if role is None:
        raise not_visible(what)
    return role


def require_report_reader(viewer: Viewer, estate_id: UUID | None, what: str) -> Role:
    role = require_member(viewer, estate_id, what)
    if role not in REPORT_ROLES:
        raise not_visible(what)
    return role
