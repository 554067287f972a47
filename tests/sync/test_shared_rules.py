"""The phone runs the server's rules from a generated copy; these tests fail the moment the two differ."""

import json
import re
from pathlib import Path

from sync.shared_rules import PHONE_COPY, phone_copy, shared_rules
from sync.workflow import TRANSITIONS

PWA_JS = Path(__file__).resolve().parents[2] / "pwa" / "js"


def phones_rules() -> dict:
    text = PHONE_COPY.read_text()
    body = re.search(r"Object\.freeze\((\{.*\})\);", text, re.S).group(1)
    return json.loads(body)


def test_the_phones_copy_of_the_rules_is_what_the_server_enforces():
    assert phones_rules() == shared_rules(), "run `python -m sync.shared_rules` and commit pwa/js/rules.js"
    assert PHONE_COPY.read_text() == phone_copy()


def test_every_status_move_of_the_server_is_in_the_phones_table_and_no_other():
    phone_moves = {(move["from"], move["to"]): move for move in phones_rules()["transitions"]}
    assert set(phone_moves) == set(TRANSITIONS)
    for key, transition in TRANSITIONS.items():
        assert phone_moves[key]["roles"] == dict(transition.roles)
        assert phone_moves[key]["needs_note"] == transition.needs_note
        assert phone_moves[key]["needs_owner_and_due_date"] == transition.needs_owner_and_due_date


def test_no_screen_keeps_a_hand_made_copy_of_the_status_list():
    # A retyped list of statuses is how the phone drifted from the server before.
    for path in PWA_JS.rglob("*.js"):
        if path == PHONE_COPY:
            continue
        text = path.read_text()
        assert not re.search(r"'reported',\s*'acknowledged'", text), path
        assert not re.search(r"'internal_cleaning',\s*'external_cleaning'", text), path
