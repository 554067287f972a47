"""The status workflow, per role: every allowed move, and the refused ones with their reasons."""

import datetime as dt
import uuid

import pytest

from sync.records import Issue
from sync.workflow import STATUSES, TRANSITIONS, TransitionRefused, check_transition

ASSIGNEE = uuid.uuid4()


def issue(status: str, *, owned: bool = True) -> Issue:
    now = dt.datetime(2026, 11, 1, tzinfo=dt.timezone.utc)
    return Issue(id=uuid.uuid4(), estate_id=uuid.uuid4(), location_id=None, inspection_id=None, category="lighting",
                 title="t", description="", priority="normal", status=status,
                 owner_id=uuid.uuid4() if owned else None, assignee_id=ASSIGNEE,
                 due_date=dt.date(2026, 12, 1) if owned else None, raised_by=uuid.uuid4(), captured_at=now,
                 created_at=now, updated_at=now, field_stamps={})


# Written out by hand from the issue text, so the table in sync/workflow.py is checked, not restated.
EXPECTED = {
    ("reported", "acknowledged"): {"staff"},
    ("acknowledged", "in_progress"): {"staff", "contractor"},
    ("disputed", "in_progress"): {"staff", "contractor"},
    ("acknowledged", "fixed"): {"staff", "contractor"},
    ("in_progress", "fixed"): {"staff", "contractor"},
    ("disputed", "fixed"): {"staff", "contractor"},
    ("fixed", "confirmed"): {"tra_rep"},
    ("fixed", "disputed"): {"tra_rep"},
    ("reported", "wont_fix"): {"staff"},
    ("acknowledged", "wont_fix"): {"staff"},
    ("in_progress", "wont_fix"): {"staff"},
    ("disputed", "wont_fix"): {"staff"},
    ("wont_fix", "reported"): {"staff"},
}


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
@pytest.mark.parametrize("role", ["staff", "tra_rep", "contractor"])
def test_every_move_for_every_role(source, target, role):
    allowed = role in EXPECTED.get((source, target), set())
    try:
        check_transition(issue(source), target, role, is_assignee=True, note="a note")
        assert allowed, f"{role} should not move {source} → {target}"
    except TransitionRefused:
        assert not allowed, f"{role} should move {source} → {target}"


def test_the_table_has_no_move_the_issue_does_not_describe():
    assert set(TRANSITIONS) == set(EXPECTED)


def test_a_contractor_not_assigned_cannot_fix():
    with pytest.raises(TransitionRefused, match="contractor cannot"):
        check_transition(issue("in_progress"), "fixed", "contractor", is_assignee=False, note="done")


def test_fixed_needs_a_note_and_disputed_needs_a_reason():
    with pytest.raises(TransitionRefused, match="needs a note"):
        check_transition(issue("in_progress"), "fixed", "staff", is_assignee=False, note=None)
    with pytest.raises(TransitionRefused, match="needs a note"):
        check_transition(issue("fixed"), "disputed", "tra_rep", is_assignee=False, note="  ")


def test_acknowledging_needs_an_owner_and_a_due_date():
    with pytest.raises(TransitionRefused, match="owner and a due date"):
        check_transition(issue("reported", owned=False), "acknowledged", "staff", is_assignee=False, note=None)
