"""The phone and the server run one status workflow: the phone's code (pwa/js/workflow.js, run here in Chromium)
must offer, refuse and allow exactly what the server's (sync/workflow.py, sync/permissions.py) does, for every
role, status, target, assignee, note and owner/due-date combination. A retyped or stale rule fails this test."""

import datetime as dt
import itertools
import uuid

import pytest

from sync.permissions import PERMISSIONS, may
from sync.records import ROLES, Issue
from sync.workflow import STATUSES, TransitionRefused, allowed_targets, check_transition, is_overdue

pytestmark = pytest.mark.browser

ME = str(uuid.uuid4())
SOMEONE_ELSE = str(uuid.uuid4())
ROLE_CHOICES = [*ROLES, None]
NOTES = [None, "", "   ", "the contractor replaced the lamp"]
OWNER_AND_DUE = [(None, None), (SOMEONE_ELSE, None), (None, "2026-06-30"), (SOMEONE_ELSE, "2026-06-30")]
TARGETS = [*STATUSES, "teleported"]

# The server's refusals are sentences; the phone's are catalogue keys. Each sentence maps to one key.
REFUSAL_KEYS = [
    ("is not a status", "workflow.not_a_status"),
    ("is already", "workflow.already"),
    ("cannot become", "workflow.no_such_move"),
    ("cannot move an issue", "workflow.not_your_move"),
    ("needs a note", "workflow.needs_note"),
    ("set an owner and a due date", "workflow.needs_owner_and_due_date"),
]

PHONE_ANSWERS = """async ({ roles, statuses, targets, notes, ownerAndDue, actions, me, other, dates }) => {
  const workflow = await import('/js/workflow.js');
  const issue = (status, assignee, raiser, owner, due) => ({
    status, assignee_id: assignee ? me : other, raised_by: raiser ? me : other, owner_id: owner, due_date: due,
    withdrawn: false, merged_into: null,
  });
  const key = (...parts) => JSON.stringify(parts);
  const offered = {}, refused = {}, allowed = {}, overdue = {};
  for (const role of roles) for (const status of statuses) for (const assignee of [true, false]) {
    offered[key(role, status, assignee)] = workflow.allowedTargets(issue(status, assignee, false, null, null), role, me);
    for (const target of targets) for (const note of notes) for (const [owner, due] of ownerAndDue) {
      const refusal = workflow.refusalOf(issue(status, assignee, false, owner, due), target, role, me, note);
      refused[key(role, status, assignee, target, note, owner, due)] = refusal ? refusal.key : null;
    }
  }
  for (const role of roles) for (const action of actions) for (const assignee of [true, false]) for (const raiser of [true, false]) {
    allowed[key(role, action, assignee, raiser)] = workflow.may(role, action, { issue: issue('reported', assignee, raiser, null, null), userId: me });
  }
  const today = new Date(2026, 5, 15, 12, 0, 0);
  for (const status of statuses) for (const due of dates) {
    overdue[key(status, due)] = workflow.isOverdue(issue(status, false, false, null, due), today);
  }
  return { offered, refused, allowed, overdue };
}"""


def key(*parts):
    import json

    return json.dumps(list(parts), separators=(",", ":"))


def server_issue(status, *, assignee, owner=None, due=None):
    now = dt.datetime(2026, 6, 1, tzinfo=dt.timezone.utc)
    return Issue(
        id=uuid.uuid4(), estate_id=uuid.uuid4(), location_id=None, inspection_id=None, category="lighting",
        title="Light out", description="", priority="normal", status=status,
        owner_id=uuid.UUID(owner) if owner else None, assignee_id=uuid.UUID(ME) if assignee else uuid.UUID(SOMEONE_ELSE),
        due_date=dt.date.fromisoformat(due) if due else None, raised_by=uuid.UUID(SOMEONE_ELSE),
        captured_at=now, created_at=now, updated_at=now, field_stamps={},
    )


def server_refusal(issue, target, role, *, assignee, note):
    try:
        check_transition(issue, target, role, is_assignee=assignee, note=note)
    except TransitionRefused as refusal:
        return next(k for fragment, k in REFUSAL_KEYS if fragment in str(refusal))
    return None


@pytest.fixture
def phone_answers(open_phone):
    phone = open_phone("rules")
    phone.open("/signin")
    actions = [*PERMISSIONS, "issue.teleport"]
    dates = [None, "2026-06-14", "2026-06-15", "2026-06-16"]
    return phone.page.evaluate(PHONE_ANSWERS, {
        "roles": ROLE_CHOICES, "statuses": list(STATUSES), "targets": TARGETS, "notes": NOTES,
        "ownerAndDue": [list(pair) for pair in OWNER_AND_DUE], "actions": actions, "me": ME, "other": SOMEONE_ELSE,
        "dates": dates,
    }) | {"actions": actions, "dates": dates}


def test_the_phone_offers_exactly_the_servers_status_moves_for_every_role_status_and_assignee(phone_answers):
    mismatches = {}
    for role, status, assignee in itertools.product(ROLE_CHOICES, STATUSES, (True, False)):
        server = allowed_targets(server_issue(status, assignee=assignee), role, is_assignee=assignee)
        phone = phone_answers["offered"][key(role, status, assignee)]
        if sorted(phone) != sorted(server) or len(phone) != len(set(phone)):
            mismatches[(role, status, assignee)] = {"server": server, "phone": phone}
    assert mismatches == {}
    # The table is not trivially empty: staff can act on a new defect, a contractor only on their own job.
    assert phone_answers["offered"][key("staff", "reported", False)]
    assert phone_answers["offered"][key("contractor", "acknowledged", True)]
    assert phone_answers["offered"][key("contractor", "acknowledged", False)] == []


def test_the_phone_refuses_exactly_what_the_server_refuses_and_for_the_same_reason(phone_answers):
    mismatches = {}
    for role, status, assignee, target, note, (owner, due) in itertools.product(
        ROLE_CHOICES, STATUSES, (True, False), TARGETS, NOTES, OWNER_AND_DUE
    ):
        issue = server_issue(status, assignee=assignee, owner=owner, due=due)
        server = server_refusal(issue, target, role, assignee=assignee, note=note)
        phone = phone_answers["refused"][key(role, status, assignee, target, note, owner, due)]
        if phone != server:
            mismatches[(role, status, assignee, target, note, owner, due)] = {"server": server, "phone": phone}
    assert mismatches == {}
    accepted = [v for v in phone_answers["refused"].values() if v is None]
    assert accepted, "some moves must be allowed"


def test_the_phone_allows_exactly_the_actions_the_server_allows(phone_answers):
    mismatches = {}
    for role, action, assignee, raiser in itertools.product(ROLE_CHOICES, phone_answers["actions"], (True, False), (True, False)):
        server = may(role, action, is_assignee=assignee, is_raiser=raiser)
        phone = phone_answers["allowed"][key(role, action, assignee, raiser)]
        if phone != server:
            mismatches[(role, action, assignee, raiser)] = {"server": server, "phone": phone}
    assert mismatches == {}


def test_the_phone_and_the_server_agree_on_what_is_overdue(phone_answers):
    today = dt.date(2026, 6, 15)
    mismatches = {}
    for status, due in itertools.product(STATUSES, phone_answers["dates"]):
        server = is_overdue(status, dt.date.fromisoformat(due) if due else None, today)
        phone = phone_answers["overdue"][key(status, due)]
        if phone != server:
            mismatches[(status, due)] = {"server": server, "phone": phone}
    assert mismatches == {}
    assert phone_answers["overdue"][key("in_progress", "2026-06-14")] is True
