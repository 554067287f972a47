"""Who may do what: one table, read by every sync mutation and every route.

A rule is one of ``"yes"``, ``"assignee"`` (only on issues assigned to them) or ``"raiser"`` (only on issues
they raised). A role missing from an action's row may not do it.
"""

from __future__ import annotations

from typing import Literal

from sync.records import Role

Rule = Literal["yes", "assignee", "raiser"]

PERMISSIONS: dict[str, dict[Role, Rule]] = {
    "issue.create": {"staff": "yes", "tra_rep": "yes"},
    "issue.update": {"staff": "yes", "tra_rep": "yes"},
    "issue.comment": {"staff": "yes", "tra_rep": "yes", "contractor": "assignee"},
    "issue.withdraw": {"staff": "yes", "tra_rep": "raiser"},
    "photo.attach": {"staff": "yes", "tra_rep": "yes", "contractor": "assignee"},
    "inspection.create": {"staff": "yes", "tra_rep": "yes"},
    "inspection.update": {"staff": "yes", "tra_rep": "yes"},
    "issue.merge": {"staff": "yes"},
    "issue.follow": {"staff": "yes", "tra_rep": "yes", "contractor": "assignee"},
    "inspection.grade": {"staff": "yes", "tra_rep": "yes"},
    "inspection.recheck": {"staff": "yes", "tra_rep": "yes"},
    "estate.grading_scheme": {"staff": "yes"},
    "meeting.create": {"staff": "yes", "tra_rep": "yes"},
    "meeting.issue": {"staff": "yes", "tra_rep": "yes"},
}

#: Issue fields only staff may set: who owns an issue, who does the work and by when is the landlord's promise.
STAFF_ONLY_FIELDS = frozenset({"owner_id", "assignee_id", "due_date"})


def rule_allows(rule: Rule | None, *, is_assignee: bool = False, is_raiser: bool = False) -> bool:
    if rule == "yes":
        return True
    if rule == "assignee":
        return is_assignee
    if rule == "raiser":
        return is_raiser
    return False


def may(role: Role | None, action: str, *, is_assignee: bool = False, is_raiser: bool = False) -> bool:
    """Whether someone with ``role`` on an estate may perform ``action`` there."""
    if role is None:
        return False
    return rule_allows(PERMISSIONS.get(action, {}).get(role), is_assignee=is_assignee, is_raiser=is_raiser)


def fields_role_may_not_set(role: Role, fields: set[str]) -> set[str]:
    return set() if role == "staff" else fields & STAFF_ONLY_FIELDS
