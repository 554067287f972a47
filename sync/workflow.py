"""The status workflow of an issue: from "reported" to "residents agree it is fixed".

The server enforces it for every path (sync mutations and routes alike) and the phone runs the same table to
offer only the moves its user may make.
"""

from __future__ import annotations

import datetime as dt

from msgspec import Struct

from sync.permissions import Rule, rule_allows
from sync.records import Issue, Role

STATUSES = ("reported", "acknowledged", "in_progress", "fixed", "confirmed", "disputed", "wont_fix")
OPEN_STATUSES = frozenset({"reported", "acknowledged", "in_progress", "disputed"})
#: Done from the landlord's side; "confirmed" is done from the residents' side too.
RESOLVED_STATUSES = frozenset({"fixed", "confirmed", "wont_fix"})


class Transition(Struct, frozen=True):
    roles: dict[Role, Rule]
    needs_note: bool = False
    needs_owner_and_due_date: bool = False


TRANSITIONS: dict[tuple[str, str], Transition] = {
    ("reported", "acknowledged"): Transition({"staff": "yes"}, needs_owner_and_due_date=True),
    ("acknowledged", "in_progress"): Transition({"staff": "yes", "contractor": "assignee"}),
    ("disputed", "in_progress"): Transition({"staff": "yes", "contractor": "assignee"}),
    **{
        (source, "fixed"): Transition({"staff": "yes", "contractor": "assignee"}, needs_note=True)
        for source in ("acknowledged", "in_progress", "disputed")
    },
    ("fixed", "confirmed"): Transition({"tra_rep": "yes"}),
    ("fixed", "disputed"): Transition({"tra_rep": "yes"}, needs_note=True),
    **{(source, "wont_fix"): Transition({"staff": "yes"}, needs_note=True) for source in OPEN_STATUSES},
    ("wont_fix", "reported"): Transition({"staff": "yes"}),
}


class TransitionRefused(Exception):
    """A status change this person may not make now; the message is shown to them, and ``code`` with ``params``
    let the phone say it in the person's language (``refusal.<code>``)."""

    def __init__(self, reason: str, code: str, **params: str) -> None:
        super().__init__(reason)
        self.code = code
        self.params = params


def check_transition(issue: Issue, target: str, role: Role | None, *, is_assignee: bool, note: str | None) -> None:
    """Raise ``TransitionRefused`` with a plain-language reason unless the change is allowed."""
    if target not in STATUSES:
        raise TransitionRefused(f"'{target}' is not a status", "status_unknown", status=target)
    if target == issue.status:
        raise TransitionRefused(f"the issue is already {target}", "status_already", status=target)
    transition = TRANSITIONS.get((issue.status, target))
    if transition is None:
        raise TransitionRefused(f"an issue that is {issue.status} cannot become {target}", "status_no_move",
                                **{"from": issue.status, "to": target})
    if role is None or not rule_allows(transition.roles.get(role), is_assignee=is_assignee):
        who = f"a {role.replace('_', ' ')}" if role else "this person"
        raise TransitionRefused(f"{who} cannot move an issue from {issue.status} to {target}", "status_not_yours",
                                **{"from": issue.status, "to": target})
    if transition.needs_note and not (note and note.strip()):
        raise TransitionRefused(f"moving an issue to {target} needs a note saying why", "status_needs_note", to=target)
    if transition.needs_owner_and_due_date and (issue.owner_id is None or issue.due_date is None):
        raise TransitionRefused("set an owner and a due date before acknowledging the issue", "status_needs_owner")


def allowed_targets(issue: Issue, role: Role | None, *, is_assignee: bool) -> list[str]:
    return [
        target
        for (source, target), transition in TRANSITIONS.items()
        if source == issue.status and role is not None
        and rule_allows(transition.roles.get(role), is_assignee=is_assignee)
    ]


def is_overdue(status: str, due_date: dt.date | None, today: dt.date) -> bool:
    """Overdue is computed, never stored: still open (landlord's side) and the due date has passed."""
    return status in OPEN_STATUSES and due_date is not None and due_date < today
